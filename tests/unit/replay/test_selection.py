"""What a replay sends for each record it reads, and why it skips the others."""

import base64
from datetime import UTC, datetime

import pytest

from jobstream.contracts import (
    REPLAY_HEADER_ID,
    REPLAY_HEADER_SOURCE_OFFSET,
    DeadLetter,
    dead_letter_headers,
    encode,
    utc_now,
)
from jobstream.stages import Record
from jobstream_replay.arguments import build_selection
from jobstream_replay.selection import (
    Send,
    Skip,
    replay_headers,
    replay_origin,
    route_copy,
    route_dead_letter,
)

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
MS = int(NOW.timestamp() * 1000)


def record(offset: int = 7, *, key: bytes | None = b"k1", ts: int = MS, headers=()) -> Record:  # type: ignore[no-untyped-def]
    return Record("src", 2, offset, key, b"value", ts, tuple(headers))


def test_a_copy_keeps_key_value_and_headers_and_adds_where_it_came_from() -> None:
    route = route_copy(record(headers=[("trace", b"t1")]), build_selection(now=NOW), "r1", "dst")
    assert route == Send(
        "dst",
        b"k1",
        b"value",
        (
            ("trace", b"t1"),
            ("jobstream-replay-id", b"r1"),
            ("jobstream-replay-source-topic", b"src"),
            ("jobstream-replay-source-partition", b"2"),
            ("jobstream-replay-source-offset", b"7"),
        ),
    )


def test_a_replayed_record_replayed_again_carries_only_the_new_replay_headers() -> None:
    first = route_copy(record(), build_selection(now=NOW), "r1", "dst")
    assert isinstance(first, Send)
    again = Record("dst", 0, 99, first.key, first.value, MS, first.headers)
    second = route_copy(again, build_selection(now=NOW), "r2", "dst")
    assert isinstance(second, Send)
    names = [name for name, _ in second.headers]
    assert len(names) == len(set(names)) == 4
    assert dict(second.headers)[REPLAY_HEADER_ID] == b"r2"
    assert dict(second.headers)[REPLAY_HEADER_SOURCE_OFFSET] == b"99"


def test_time_bounds_are_since_inclusive_until_exclusive() -> None:
    selection = build_selection(now=NOW, since="2025-03-10T12:00:00Z", until="2025-03-10T13:00Z")
    assert isinstance(route_copy(record(ts=MS), selection, "r", "d"), Send)
    assert route_copy(record(ts=MS - 1), selection, "r", "d") == Skip("time")
    assert route_copy(record(ts=MS + 3_600_000), selection, "r", "d") == Skip("time")


def test_keys_and_header_values() -> None:
    by_key = build_selection(now=NOW, keys=["k1", "k3"])
    assert isinstance(route_copy(record(key=b"k1"), by_key, "r", "d"), Send)
    assert route_copy(record(key=b"k2"), by_key, "r", "d") == Skip("key")
    assert route_copy(record(key=None), by_key, "r", "d") == Skip("key")
    by_header = build_selection(now=NOW, headers=["a=1", "a=2", "b=x"])
    both = [("a", b"2"), ("b", b"x")]
    assert isinstance(route_copy(record(headers=both), by_header, "r", "d"), Send)
    assert route_copy(record(headers=[("a", b"1")]), by_header, "r", "d") == Skip("header")
    assert route_copy(record(headers=[("a", b"3"), ("b", b"x")]), by_header, "r", "d") == Skip(
        "header"
    )


def letter(stage: str = "parser", **fields: object) -> DeadLetter:
    values: dict[str, object] = {
        "stage": stage,
        "reason": "not_a_posting",
        "error": "No job words in the text",
        "failed_at": utc_now(),
        "posting_id": "p1",
        "source_topic": "ns.jobstream.postings.raw",
        "source_partition": 4,
        "source_offset": 11,
        "key": "p1",
        "payload": '{"original": true}',
    }
    values.update(fields)
    return DeadLetter.model_validate(values)


def dead_record(item: DeadLetter, offset: int = 3, headers=None) -> Record:  # type: ignore[no-untyped-def]
    heads = dead_letter_headers(item) if headers is None else headers
    return Record("ns.dead", 0, offset, b"p1", encode(item), MS, tuple(heads))


ALLOWED = {"ns.jobstream.postings.raw", "ns.jobstream.postings.parsed"}


def test_a_dead_letter_goes_back_to_the_topic_it_failed_from_as_it_was() -> None:
    route = route_dead_letter(dead_record(letter()), build_selection(now=NOW), "r9", ALLOWED)
    assert isinstance(route, Send)
    assert (route.topic, route.key, route.value) == (
        "ns.jobstream.postings.raw",
        b"p1",
        b'{"original": true}',
    )
    assert dict(route.headers) == {
        "jobstream-replay-id": b"r9",
        "jobstream-replay-source-topic": b"ns.dead",
        "jobstream-replay-source-partition": b"0",
        "jobstream-replay-source-offset": b"3",
    }


def test_binary_payloads_are_redriven_as_bytes() -> None:
    raw = b"\xff\xfe binary"
    item = letter(payload=base64.b64encode(raw).decode(), payload_encoding="base64")
    route = route_dead_letter(dead_record(item), build_selection(now=NOW), "r", ALLOWED)
    assert isinstance(route, Send) and route.value == raw


def test_dead_letters_filtered_by_stage_reason_and_error_text() -> None:
    parser_letter = dead_record(letter("parser"))
    tagger_letter = dead_record(letter("tagger", source_topic="ns.jobstream.postings.parsed"))
    only_tagger = build_selection(now=NOW, stages=["tagger"])
    assert route_dead_letter(parser_letter, only_tagger, "r", ALLOWED) == Skip("stage")
    assert isinstance(route_dead_letter(tagger_letter, only_tagger, "r", ALLOWED), Send)
    by_text = build_selection(now=NOW, error_text="JOB WORDS")
    assert isinstance(route_dead_letter(parser_letter, by_text, "r", ALLOWED), Send)
    by_reason_text = build_selection(now=NOW, error_text="not_a_post")
    assert isinstance(route_dead_letter(parser_letter, by_reason_text, "r", ALLOWED), Send)
    other_text = build_selection(now=NOW, error_text="timeout")
    assert route_dead_letter(parser_letter, other_text, "r", ALLOWED) == Skip("error_text")
    other_reason = build_selection(now=NOW, reasons=["invalid_event"])
    assert route_dead_letter(parser_letter, other_reason, "r", ALLOWED) == Skip("reason")


def test_the_stage_is_also_read_from_the_event_when_the_header_is_missing() -> None:
    bare = dead_record(letter("store", source_topic="ns.jobstream.postings.raw"), headers=[])
    only_parser = build_selection(now=NOW, stages=["parser"])
    assert route_dead_letter(bare, only_parser, "r", ALLOWED) == Skip("stage")
    # ...and the target from the event too
    route = route_dead_letter(bare, build_selection(now=NOW), "r", ALLOWED)
    assert isinstance(route, Send) and route.topic == "ns.jobstream.postings.raw"


def test_dead_letters_that_cannot_be_redriven_say_why() -> None:
    anything = build_selection(now=NOW)
    garbage = Record("ns.dead", 0, 1, None, b"not json", MS, ())
    assert route_dead_letter(garbage, anything, "r", ALLOWED) == Skip("invalid_dead_letter")
    nowhere = dead_record(letter(source_topic=None), headers=[])
    assert route_dead_letter(nowhere, anything, "r", ALLOWED) == Skip("no_target")
    foreign = dead_record(letter(source_topic="someone.elses.topic"))
    assert route_dead_letter(foreign, anything, "r", ALLOWED) == Skip("unknown_target")
    damaged = dead_record(letter(payload="!!!", payload_encoding="base64"))
    assert route_dead_letter(damaged, anything, "r", ALLOWED) == Skip("invalid_dead_letter")


def test_a_target_given_overrides_the_header_but_must_be_allowed() -> None:
    item = dead_record(letter())
    route = route_dead_letter(
        item, build_selection(now=NOW), "r", ALLOWED, "ns.jobstream.postings.parsed"
    )
    assert isinstance(route, Send) and route.topic == "ns.jobstream.postings.parsed"


def test_replay_origin_reads_back_only_this_replays_records() -> None:
    headers = replay_headers(record(offset=42), "mine")
    assert replay_origin(headers, "mine") == (2, 42)
    assert replay_origin(headers, "other") is None
    assert replay_origin([("jobstream-replay-id", b"mine")], "mine") is None  # damaged
    assert replay_origin([], "mine") is None
