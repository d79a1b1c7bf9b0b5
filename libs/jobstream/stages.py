"""The stage core shared by parser, tagger and store: records in, outputs durable, then done.

No Kafka and no database here: a `Record` is what a consumer read, `process` is the stage's
pure work on one record, and the stage's `Output` and `DeadLetterSink` are ports (real
adapters in production, fakes in unit tests). `StageCore.handle` returns only when every
record of the batch has a durable outcome, so the consumer adapter may acknowledge the batch
then, and only then (docs/architecture.md, "Acknowledgements").

For each batch, in this order:
1. `process` each record: an item for the output, or a dead letter built from the record's
   original bytes. A `PermanentError` gives its own reason (`InvalidEvent`:
   `invalid_event`); any other exception is a bug for that input: `processing_error`.
2. The dead-letter brake sees the faults (`jobstream.brake`); engaged, the stage holds the
   batch, unacknowledged, until it is stopped.
3. Deliver the items, retried per the stage's `RetryPolicy` while the output raises
   `TransientError`. When it refuses the batch (`PermanentError`), deliver one by one: the
   refused items become dead letters and the rest are delivered.
4. Publish the dead letters; count the outcomes, once.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Generic, Protocol, TypeVar

from jobstream import metrics
from jobstream.brake import DeadLetterBrake
from jobstream.contracts import DeadLetter
from jobstream.errors import InvalidEvent as InvalidEvent
from jobstream.errors import JobstreamError
from jobstream.errors import PermanentError as PermanentError
from jobstream.logs import get_logger, lazy_fields
from jobstream.ports import Clock, DeadLetterSink
from jobstream.retry import RetryPolicy
from jobstream.topology import StageName as StageName

log = get_logger(__name__)

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)


@dataclass(frozen=True)
class Record:
    """One record read from a topic."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int | None = None
    headers: Sequence[tuple[str, bytes]] = ()


class Output(Protocol[T_contra]):
    """Where a stage's items go: events to its output topic, or rows to PostgreSQL.

    `deliver` returns once every item is durable. It raises `TransientError` while the world
    is unavailable (the stage retries), and `PermanentError` when something in the batch is
    refused for good (the stage then delivers item by item to find what).
    """

    async def deliver(self, items: Sequence[T_contra]) -> None: ...


@dataclass(frozen=True)
class BatchOutcome(Generic[T]):
    """What became of a batch: items delivered, and dead letters published."""

    records: int
    delivered: list[T]
    dead_letters: list[DeadLetter]


def dead_letter_for(
    record: Record, stage: StageName, reason: str, error: str, clock: Clock
) -> DeadLetter:
    """A dead letter carrying the record's original bytes, whatever the stage made of them."""
    payload, encoding = DeadLetter.encode_payload(record.value)
    key = record.key.decode("utf-8", "replace") if record.key is not None else None
    return DeadLetter(
        stage=stage,
        reason=reason,
        error=error[:4_000],
        failed_at=clock.now(),
        posting_id=key,
        source_topic=record.topic,
        source_partition=record.partition,
        source_offset=record.offset,
        key=key,
        payload=payload,
        payload_encoding=encoding,
    )


def record_context(record: Record) -> dict[str, object]:
    """Where a record came from, for log lines (the key is the posting id)."""
    context: dict[str, object] = {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
    }
    if record.key is not None:
        context["posting_id"] = record.key[:128].decode("utf-8", "replace")
    return context


@dataclass(frozen=True)
class Processed(Generic[T]):
    """Step 1 of a batch: the records accepted with their items, the dead letters, and for
    each record, in order, whether it failed by a fault (what the brake counts)."""

    accepted: list[tuple[Record, T]]
    dead_letters: list[DeadLetter]
    faults: list[bool]


def process_records(
    records: Sequence[Record], process: Callable[[Record], T], stage: StageName, clock: Clock
) -> Processed[T]:
    """Apply `process` to each record; what it refuses or fails on becomes a dead letter."""
    result: Processed[T] = Processed([], [], [])
    for record in records:
        # Whatever the domain code logs about a record carries where it came from.
        with lazy_fields(partial(record_context, record)):
            try:
                result.accepted.append((record, process(record)))
                result.faults.append(False)
                continue
            except JobstreamError as error:
                if error.kind == "transient":
                    raise  # not this record's fault: the batch is read again later
                reason, message = error.reason, str(error)
                fault = error.kind == "invalid_event"
            except Exception as error:
                reason = "processing_error"
                message = traceback.format_exception_only(type(error), error)[-1].strip()
                fault = True
        result.faults.append(fault)
        result.dead_letters.append(dead_letter_for(record, stage, reason, message, clock))
    return result


@dataclass
class StageCore(Generic[T]):
    """One stage's handling of a batch, from records to durable outcomes (see the module)."""

    name: StageName
    process: Callable[[Record], T]
    output: Output[T]
    dead_letters: DeadLetterSink
    brake: DeadLetterBrake
    # Where this stage's retries are bounded, or deliberately not: written in its bootstrap.
    retry: RetryPolicy
    clock: Clock
    # Counts the stage's own outcomes (the parser's outcomes, the store's latency), once.
    on_outcome: Callable[[BatchOutcome[T]], None] | None = None
    # Whether delivered items are events published to a topic (`jobstream_events_produced`).
    publishes: bool = True

    def __post_init__(self) -> None:
        # Series that exist from the start (at 0) make "no progress" visible before any event.
        metrics.EVENTS_CONSUMED.labels(self.name)
        metrics.EVENTS_PRODUCED.labels(self.name)
        metrics.DEAD_LETTER_BRAKE.labels(self.name).set(0)

    async def handle(self, records: Sequence[Record]) -> None:
        """Return once every record's outcome is durable (then, and only then, ack them)."""
        with metrics.PROCESSING_SECONDS.labels(self.name).time():
            processed = process_records(records, self.process, self.name, self.clock)
            accepted, dead_letters = processed.accepted, processed.dead_letters
            engaged = self.brake.observe(processed.faults)
            if engaged:
                await self._hold(engaged)
            delivered, refused = await self.retry.run(partial(self._deliver, accepted))
            dead_letters += refused
            await self.dead_letters.publish_dead_letters(dead_letters)
        self._count(BatchOutcome(len(records), delivered, dead_letters))

    def readiness(self) -> str | None:
        """Why the stage is not ready: the brake is engaged, or its output is unavailable."""
        return self.brake.engaged or self.retry.waiting_for

    async def _deliver(self, accepted: list[tuple[Record, T]]) -> tuple[list[T], list[DeadLetter]]:
        """Deliver the items; when the output refuses the batch, item by item."""
        items = [item for _, item in accepted]
        if not items:
            return [], []
        try:
            await self.output.deliver(items)
            return items, []
        except PermanentError as refusal:
            if len(accepted) == 1:
                return [], [self._dead_letter(accepted[0][0], refusal.reason, str(refusal))]
        delivered: list[T] = []
        refused: list[DeadLetter] = []
        for record, item in accepted:
            try:
                await self.output.deliver([item])
                delivered.append(item)
            except PermanentError as refusal:
                refused.append(self._dead_letter(record, refusal.reason, str(refusal)))
        return delivered, refused

    async def _hold(self, reason: str) -> None:
        """Stop here, un-acknowledged, until the worker is stopped (a restart reads it again)."""
        metrics.DEAD_LETTER_BRAKE.labels(self.name).set(1)
        log.error("dead-letter brake engaged: holding, nothing acknowledged", reason=reason)
        await asyncio.Event().wait()

    def _dead_letter(self, record: Record, reason: str, error: str) -> DeadLetter:
        return dead_letter_for(record, self.name, reason, error, self.clock)

    def _count(self, outcome: BatchOutcome[T]) -> None:
        """Every outcome counted here, once the batch is durable; dead letters also logged."""
        metrics.LAST_EVENT_TIMESTAMP.labels(self.name).set(time.time())  # progress
        metrics.EVENTS_CONSUMED.labels(self.name).inc(outcome.records)
        if self.publishes:
            metrics.EVENTS_PRODUCED.labels(self.name).inc(len(outcome.delivered))
        for letter in outcome.dead_letters:
            metrics.EVENTS_FAILED.labels(self.name, letter.reason).inc()
            metrics.DEAD_LETTERS.labels(self.name, letter.reason).inc()
            log.warning(
                "dead letter",
                reason=letter.reason,
                error=letter.error,
                posting_id=letter.posting_id,
                topic=letter.source_topic,
                partition=letter.source_partition,
                offset=letter.source_offset,
            )
        if self.on_outcome is not None:
            self.on_outcome(outcome)
