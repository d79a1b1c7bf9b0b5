"""The stage core against fakes of its ports: outcomes, dead letters, isolation, retries, brake."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import pytest

from jobstream import metrics
from jobstream.brake import BrakeLimits, DeadLetterBrake
from jobstream.contracts import ParsedPosting, RawPosting, Source, decode, encode
from jobstream.errors import PermanentError, TransientError
from jobstream.retry import RetryPolicy
from jobstream.stages import BatchOutcome, Record, StageCore
from jobstream.topology import PARSED_POSTINGS
from jobstream.wiring import PublishTo
from tests.fakes import FakeClock, FakeDeadLetterSink, FakeEventSink, retry_without_sleeping

pytestmark = pytest.mark.unit


def record(value: bytes | None, offset: int = 0) -> Record:
    return Record("jobstream.postings.raw", 2, offset, b"key", value)


def to_title(record: Record) -> ParsedPosting:
    raw = decode(RawPosting, record.value)
    if "boom" in raw.text:
        raise ZeroDivisionError("a bug for this input")
    if "refuse" in raw.text:
        raise PermanentError("not_a_posting", "no posting in here")
    return ParsedPosting(
        posting_id=raw.posting_id,
        received_at=raw.received_at,
        source=raw.source,
        parser_version="test",
        text=raw.text,
        title=raw.text.splitlines()[0],
    )


def raw(text: str) -> bytes:
    return encode(RawPosting.from_text(text, Source(channel="cli")))


class Stage:
    """A parser-like stage on fakes."""

    def __init__(
        self,
        process: Callable[[Record], ParsedPosting] = to_title,
        limits: BrakeLimits | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.events = FakeEventSink()
        self.dead = FakeDeadLetterSink()
        self.outcomes: list[BatchOutcome[ParsedPosting]] = []
        self.core: StageCore[ParsedPosting] = StageCore(
            name="parser",
            process=process,
            output=PublishTo(self.events, PARSED_POSTINGS),
            dead_letters=self.dead,
            brake=DeadLetterBrake(limits or BrakeLimits()),
            retry=retry or retry_without_sleeping(give_up_after=0),
            clock=FakeClock(),
            on_outcome=self.outcomes.append,
        )

    @property
    def published(self) -> list[ParsedPosting]:
        events = self.events.published.get(PARSED_POSTINGS.name, [])
        return [event for event in events if isinstance(event, ParsedPosting)]

    async def handle(self, records: Sequence[Record]) -> None:
        await self.core.handle(records)


def count(counter: str, *labels: str) -> float:
    value: float = getattr(metrics, counter).labels(*labels)._value.get()
    return value


async def test_good_records_become_events_and_bad_ones_dead_letters() -> None:
    stage = Stage()
    consumed = count("EVENTS_CONSUMED", "parser")
    await stage.handle(
        [
            record(raw("Data Engineer\nPython"), 0),
            record(b"{not json", 1),
            record(raw("boom"), 2),
            record(raw("refuse me"), 3),
        ]
    )
    assert [event.title for event in stage.published] == ["Data Engineer"]
    reasons = {letter.source_offset: letter.reason for letter in stage.dead.letters}
    assert reasons == {1: "invalid_event", 2: "processing_error", 3: "not_a_posting"}
    bad_json = stage.dead.letters[0]
    assert bad_json.payload == "{not json" and bad_json.failed_at == FakeClock().now()
    assert bad_json.source_topic == "jobstream.postings.raw" and bad_json.source_partition == 2
    assert stage.dead.letters[1].error == "ZeroDivisionError: a bug for this input"
    assert stage.dead.letters[2].error == "no posting in here"
    # Counted once, after the batch is durable, and handed to the stage's own counters.
    assert count("EVENTS_CONSUMED", "parser") == consumed + 4
    (outcome,) = stage.outcomes
    assert (outcome.records, len(outcome.delivered), len(outcome.dead_letters)) == (4, 1, 3)


async def test_dead_letters_carry_the_original_bytes() -> None:
    stage = Stage()
    original = b'  {"schema_version": 1,  "oops": true}\n'
    not_text = b"\xff\xfe binary"
    await stage.handle([record(original, 5), record(not_text, 6), record(None, 7)])
    assert [letter.payload_bytes() for letter in stage.dead.letters] == [
        original,
        not_text,
        b"",
    ]
    assert stage.dead.letters[1].payload_encoding == "base64"


async def test_a_refused_batch_is_delivered_one_by_one_and_only_the_refused_dead_lettered() -> None:
    class RefusesLong:
        def __init__(self) -> None:
            self.delivered: list[ParsedPosting] = []

        async def deliver(self, items: Sequence[ParsedPosting]) -> None:
            if any(len(item.text) > 20 for item in items):
                raise PermanentError("too_large", "the event is too large to publish")
            self.delivered.extend(items)

    stage = Stage()
    output = RefusesLong()
    stage.core.output = output
    texts = ["Chef", "Engineer " + "x" * 30, "Nurse"]
    await stage.handle([record(raw(text), n) for n, text in enumerate(texts)])
    assert [item.title for item in output.delivered] == ["Chef", "Nurse"]
    (letter,) = stage.dead.letters
    assert (letter.reason, letter.source_offset) == ("too_large", 1)
    assert decode(RawPosting, letter.payload_bytes()).text == texts[1]
    assert len(stage.outcomes[0].delivered) == 2


async def test_transient_failures_are_retried_then_delivered() -> None:
    stage = Stage(retry=retry_without_sleeping(give_up_after=None))
    stage.events.failures = [TransientError("broker away"), TransientError("still away")]
    await stage.handle([record(raw("Chef"), 0)])
    assert [event.title for event in stage.published] == ["Chef"]
    assert stage.dead.letters == [] and stage.core.retry.waiting_for is None


async def test_a_bounded_retry_gives_up_and_the_batch_is_not_done() -> None:
    stage = Stage(retry=retry_without_sleeping(give_up_after=0))
    stage.events.failures = [TransientError("broker away")]
    with pytest.raises(TransientError):
        await stage.handle([record(raw("Chef"), 0), record(b"{", 1)])
    # Nothing is dead-lettered or counted: the batch is read again after the restart.
    assert stage.dead.letters == [] and stage.outcomes == []


async def test_the_brake_holds_a_stage_that_fails_on_everything() -> None:
    stage = Stage(limits=BrakeLimits(consecutive=5, window=100, ratio=0.5))
    await stage.handle([record(b"{", n) for n in range(3)])  # three faults: dead-lettered
    assert len(stage.dead.letters) == 3 and stage.core.readiness() is None

    handling = asyncio.create_task(stage.handle([record(raw("boom"), n) for n in range(3, 6)]))
    while stage.core.readiness() is None:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    assert not handling.done()  # held: the batch is not acknowledged
    assert stage.core.readiness() == "dead-letter brake: 5 records in a row failed"
    assert len(stage.dead.letters) == 3  # the held batch is not dead-lettered
    assert count("DEAD_LETTER_BRAKE", "parser") == 1
    handling.cancel()
    with pytest.raises(asyncio.CancelledError):
        await handling


async def test_verdicts_on_the_input_never_engage_the_brake() -> None:
    stage = Stage(limits=BrakeLimits(consecutive=5, window=10, ratio=0.5))
    await stage.handle([record(raw(f"refuse {n}"), n) for n in range(50)])
    assert len(stage.dead.letters) == 50 and stage.core.readiness() is None


def test_the_brake_counts_a_ratio_over_a_full_window() -> None:
    brake = DeadLetterBrake(BrakeLimits(consecutive=0, window=10, ratio=0.5))
    assert brake.observe([True, False] * 5) is None  # 5 of 10: not more than half
    assert brake.observe([True]) is None  # the window slid: still 5 of the last 10
    assert brake.observe([True]) == "dead-letter brake: 6 of the last 10 records failed"


def test_the_brake_resets_its_run_on_a_success() -> None:
    brake = DeadLetterBrake(BrakeLimits(consecutive=3, window=1_000, ratio=1.0))
    assert brake.observe([True, True, False, True, True]) is None
    assert brake.observe([True]) == "dead-letter brake: 3 records in a row failed"
