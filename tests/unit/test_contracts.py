import base64

import pytest
from pydantic import ValidationError

from jobstream.cli import schema_files
from jobstream.contracts import (
    DeadLetter,
    InvalidEvent,
    ProvidedFields,
    RawPosting,
    Source,
    TaggedPosting,
    dead_letter_headers,
    decode,
    encode,
    posting_id_for,
    utc_now,
)

pytestmark = pytest.mark.unit

SOURCE = Source(channel="cli", name="a.txt")


def test_posting_id_ignores_line_endings_whitespace_and_unicode_forms() -> None:
    text = "Senior Engineer\nAcme\n\nWe use Kafka."
    assert posting_id_for(text) == posting_id_for("Senior Engineer\r\nAcme\r\n\r\nWe  use Kafka.  ")
    assert posting_id_for(text) == posting_id_for("\ufeffSenior Engineer\nAcme\nWe use Kafka.")
    # NFKC: a full-width letter and a ligature are the same text
    assert posting_id_for("\ufb01ne \uff2bafka") == posting_id_for("fine Kafka")


def test_posting_id_differs_for_different_postings() -> None:
    assert posting_id_for("Senior Engineer at Acme") != posting_id_for("Junior Engineer at Acme")
    assert len(posting_id_for("x")) == 32


def test_plain_text_keeps_the_id_it_always_had() -> None:
    # Ids stored before the provided fields joined the identity must stay valid.
    assert posting_id_for("Data Engineer\nWe use Python.") == "2eef1c898084359bba72924bde362211"
    assert posting_id_for("x", ProvidedFields()) == posting_id_for("x")


def test_provided_fields_join_the_identity_without_regard_to_case_or_spacing() -> None:
    acme = ProvidedFields(title="Data Engineer", company="Acme")
    assert posting_id_for("x", acme) != posting_id_for("x")
    same = ProvidedFields(title=" data\tengineer ", company="ACME")
    assert posting_id_for("x", acme) == posting_id_for("x", same)
    assert posting_id_for("x", ProvidedFields(external_id="A1")) != posting_id_for(
        "x", ProvidedFields(external_id="a1")
    )  # ids are compared as given
    # A field's name is part of what is hashed: a title is not a company.
    assert posting_id_for("x", ProvidedFields(title="Acme")) != posting_id_for(
        "x", ProvidedFields(company="Acme")
    )


def test_raw_posting_round_trips_as_json() -> None:
    raw = RawPosting.from_text("Data Engineer\nWe use Python.", SOURCE)
    assert raw.posting_id == posting_id_for(raw.text)
    assert decode(RawPosting, encode(raw)) == raw


@pytest.mark.parametrize(
    "value",
    [None, b"", b"not json", b"{}", b'{"schema_version": 2}', b"\xff\xfe binary"],
)
def test_decode_refuses_what_is_not_an_event(value: bytes | None) -> None:
    with pytest.raises(InvalidEvent):
        decode(RawPosting, value)


def test_raw_posting_validates_its_fields() -> None:
    with pytest.raises(ValidationError):
        RawPosting(posting_id="../../etc", received_at=utc_now(), source=SOURCE, text="x")
    with pytest.raises(ValidationError):
        RawPosting.from_text("", SOURCE)


def test_tagged_posting_extends_parsed_posting() -> None:
    fields = set(TaggedPosting.model_fields)
    assert {"posting_id", "title", "company", "parser_version", "skills"} <= fields


def test_dead_letter_keeps_binary_payloads_exactly() -> None:
    raw = b"\x89PNG\r\n\x1a\n\x00\xff"
    payload, encoding = DeadLetter.encode_payload(raw)
    assert encoding == "base64" and base64.b64decode(payload) == raw
    letter = DeadLetter(
        stage="parser",
        reason="invalid_event",
        error="not JSON",
        failed_at=utc_now(),
        payload=payload,
        payload_encoding=encoding,
        source_topic="jobstream.postings.raw",
        source_partition=3,
        source_offset=42,
    )
    assert letter.payload_bytes() == raw
    headers = dict(dead_letter_headers(letter))
    assert headers["jobstream-source-partition"] == b"3"
    assert headers["jobstream-stage"] == b"parser"


def test_json_schema_files_match_the_models() -> None:
    """Run `make schemas` after changing an event model, and review the diff."""
    for path, expected in schema_files().items():
        assert path.exists(), f"{path.name} is missing: run `make schemas`"
        assert path.read_text() == expected, f"{path.name} drifted from the model: `make schemas`"
