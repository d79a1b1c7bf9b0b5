import pytest

from jobstream.contracts import ParsedPosting, RawPosting, Source, decode, encode
from jobstream.stages import Record, transform_batch

pytestmark = pytest.mark.unit


def record(value: bytes | None, offset: int = 0) -> Record:
    return Record("jobstream.postings.raw", 2, offset, b"key", value)


def to_title(value: bytes | None) -> ParsedPosting:
    raw = decode(RawPosting, value)
    if "boom" in raw.text:
        raise ZeroDivisionError("a bug for this input")
    return ParsedPosting(
        posting_id=raw.posting_id,
        received_at=raw.received_at,
        source=raw.source,
        parser_version="test",
        text=raw.text,
        title=raw.text.splitlines()[0],
    )


def test_good_records_become_events_and_bad_ones_dead_letters() -> None:
    good = RawPosting.from_text("Data Engineer\nPython", Source(channel="cli"))
    bug = RawPosting.from_text("boom", Source(channel="cli"))
    result = transform_batch(
        [record(encode(good), 0), record(b"{not json", 1), record(encode(bug), 2)],
        "parser",
        to_title,
    )
    assert [event.title for event in result.events] == ["Data Engineer"]  # type: ignore[attr-defined]
    reasons = {letter.source_offset: letter.reason for letter in result.dead_letters}
    assert reasons == {1: "invalid_event", 2: "processing_error"}
    bad_json = next(letter for letter in result.dead_letters if letter.source_offset == 1)
    assert bad_json.payload == "{not json"
    assert bad_json.source_topic == "jobstream.postings.raw" and bad_json.source_partition == 2
    assert "ZeroDivisionError" in result.dead_letters[1].error


def test_a_permanent_error_becomes_a_dead_letter_with_its_own_reason() -> None:
    from jobstream.stages import PermanentError

    def refuse(value: bytes | None) -> ParsedPosting:
        raise PermanentError("not_a_posting", "no posting in here")

    raw = RawPosting.from_text("%%%%", Source(channel="cli"))
    result = transform_batch([record(encode(raw), 7)], "parser", refuse)

    assert result.events == []
    (letter,) = result.dead_letters
    assert (letter.reason, letter.error, letter.source_offset) == (
        "not_a_posting",
        "no posting in here",
        7,
    )
    assert letter.payload_bytes() == encode(raw)
