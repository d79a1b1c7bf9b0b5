"""The parser stage as its bootstrap wires it, on fakes: events, dead letters, its metrics."""

from __future__ import annotations

import pytest

from jobstream import metrics
from jobstream.contracts import ParsedPosting, RawPosting, Source, encode
from jobstream.stages import Record
from jobstream.topology import PARSED_POSTINGS
from jobstream_parser.bootstrap import bootstrap
from jobstream_parser.parse import PARSER_VERSION
from jobstream_parser.settings import ParserSettings
from tests.fakes import FakeClock, FakeDeadLetterSink, FakeEventSink

pytestmark = pytest.mark.unit


def _record(value: bytes | None, offset: int) -> Record:
    return Record("jobstream.postings.raw", 1, offset, b"k", value)


def _count(outcome: str, reason: str) -> float:
    value: float = metrics.PARSER_OUTCOMES.labels(outcome, reason)._value.get()
    return value


async def _parse(
    settings: ParserSettings, *values: bytes
) -> tuple[list[ParsedPosting], dict[int | None, str]]:
    events, dead = FakeEventSink(), FakeDeadLetterSink()
    stage = bootstrap(settings, events=events, dead_letters=dead, clock=FakeClock())
    await stage.core.handle([_record(value, n) for n, value in enumerate(values)])
    parsed = [
        e for e in events.published.get(PARSED_POSTINGS.name, []) if isinstance(e, ParsedPosting)
    ]
    return parsed, {letter.source_offset: letter.reason for letter in dead.letters}


async def test_postings_parse_and_non_postings_become_dead_letters_by_reason() -> None:
    good = RawPosting.from_text(
        "Contract: Data Engineer\nRequirements\n- SQL", Source(channel="cli")
    )
    junk = RawPosting.from_text("%%%% 1234 ==== 5678", Source(channel="cli"))
    before = (_count("parsed", "ok"), _count("dead_letter", "not_text"))

    parsed, dead = await _parse(ParserSettings(), encode(good), encode(junk), b"{")

    (event,) = parsed
    assert event.employment_type == "CONTRACTOR"
    assert dead == {1: "not_text", 2: "invalid_event"}
    assert (_count("parsed", "ok"), _count("dead_letter", "not_text")) == (
        before[0] + 1,
        before[1] + 1,
    )
    assert metrics.PARSER_FIELDS_FOUND.labels("employment_type")._value.get() >= 1


async def test_a_version_override_stamps_parsed_postings() -> None:
    raw = encode(RawPosting.from_text("Data Engineer\nRequirements\n- SQL", Source(channel="cli")))
    ((plain,), _) = await _parse(ParserSettings(), raw)
    ((stamped,), _) = await _parse(ParserSettings(version_override="9.1.0"), raw)
    assert (plain.parser_version, stamped.parser_version) == (PARSER_VERSION, "9.1.0")
    with pytest.raises(ValueError, match="version_override"):
        ParserSettings(version_override="../nine")
