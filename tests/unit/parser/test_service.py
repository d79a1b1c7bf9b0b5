"""The parser's record transform as the stage runs it: events, dead letters, metrics."""

from __future__ import annotations

import pytest

from jobstream import metrics
from jobstream.contracts import ParsedPosting, RawPosting, Source, encode
from jobstream.stages import Record, transform_batch
from jobstream_parser.service import parse_record, transform_for
from jobstream_parser.settings import ParserSettings

pytestmark = pytest.mark.unit


def _record(value: bytes | None, offset: int) -> Record:
    return Record("jobstream.postings.raw", 1, offset, b"k", value)


def _count(outcome: str, reason: str) -> float:
    value = metrics.PARSER_OUTCOMES.labels(outcome, reason)._value.get()
    return float(value)


def test_postings_parse_and_non_postings_become_dead_letters_by_reason() -> None:
    good = RawPosting.from_text(
        "Contract: Data Engineer\nRequirements\n- SQL", Source(channel="cli")
    )
    junk = RawPosting.from_text("%%%% 1234 ==== 5678", Source(channel="cli"))
    before = (_count("parsed", "ok"), _count("dead_letter", "not_text"))

    result = transform_batch(
        [_record(encode(good), 0), _record(encode(junk), 1), _record(b"{", 2)],
        "parser",
        parse_record,
    )

    (event,) = result.events
    assert isinstance(event, ParsedPosting) and event.employment_type == "CONTRACTOR"
    assert {letter.source_offset: letter.reason for letter in result.dead_letters} == {
        1: "not_text",
        2: "invalid_event",
    }
    assert (_count("parsed", "ok"), _count("dead_letter", "not_text")) == (
        before[0] + 1,
        before[1] + 1,
    )
    assert metrics.PARSER_FIELDS_FOUND.labels("employment_type")._value.get() >= 1


def test_a_version_override_stamps_parsed_postings() -> None:
    from jobstream_parser.parse import PARSER_VERSION
    from jobstream_parser.service import transform_for
    from jobstream_parser.settings import ParserSettings

    raw = encode(RawPosting.from_text("Data Engineer\nRequirements\n- SQL", Source(channel="cli")))
    assert transform_for(ParserSettings())(raw).parser_version == PARSER_VERSION
    stamped = transform_for(ParserSettings(version_override="9.1.0"))(raw)
    assert stamped.parser_version == "9.1.0"
    with pytest.raises(ValueError, match="version_override"):
        ParserSettings(version_override="../nine")


def test_the_pass_through_forwards_the_text_unparsed() -> None:
    raw = RawPosting.from_text(
        "Contract: Data Engineer\nRequirements\n- SQL", Source(channel="cli")
    )
    transform = transform_for(ParserSettings(passthrough=True))

    event = transform(encode(raw))

    assert (event.posting_id, event.received_at, event.text) == (
        raw.posting_id,
        raw.received_at,
        raw.text,
    )
    assert event.employment_type is None and event.sections == []  # nothing parsed
