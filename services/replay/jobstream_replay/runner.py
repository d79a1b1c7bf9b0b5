"""Kafka adapter: run a copy or a redrive — read the planned ranges, send, checkpoint.

The source is read by a consumer that is assigned its partitions (no group, nothing
committed), so no live consumer group is joined or disturbed. Each batch goes like this:
read, decide per record (`selection.route_*`, pure), send the chosen ones through an
idempotent producer (`acks=all`), wait until Kafka acknowledged all of them, and only then
write the checkpoint. What the checkpoint says was sent was acknowledged; a batch cut short
by a crash is found again in the target on `--resume` (`find_sent`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from math import ceil
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from jobstream import metrics
from jobstream.contracts import utc_now
from jobstream.errors import TransientError
from jobstream.kafka.config import client_options, producer_options
from jobstream.kafka.consumer import as_record
from jobstream.stages import Record
from jobstream.topology import MAX_RECORD_BYTES
from jobstream_replay.checkpoint import (
    BatchOutcome,
    CheckpointStore,
    ReplayRequest,
    ReplayState,
    absorb_found,
    add_marks,
    apply_batch,
    finish,
)
from jobstream_replay.offsets import KafkaOffsets, UnknownTopic, start_consumer
from jobstream_replay.rate import RateLimit
from jobstream_replay.selection import (
    Route,
    Send,
    Skip,
    replay_origin,
    route_copy,
    route_dead_letter,
)
from jobstream_replay.settings import ReplaySettings


class ReplayStalled(TransientError, RuntimeError):
    """A partition stopped short of its planned end (records deleted under the replay?)."""


def _consumer(settings: ReplaySettings) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        **client_options(settings.kafka),
        group_id=None,  # assign, never subscribe: no group joined, nothing committed
        enable_auto_commit=False,
        auto_offset_reset="earliest",  # an offset deleted by retention: start at what is left
        max_partition_fetch_bytes=MAX_RECORD_BYTES,
        fetch_max_bytes=2 * MAX_RECORD_BYTES,
    )


async def find_sent(
    settings: ReplaySettings, replay_id: str, marks: Mapping[str, Mapping[int, int]]
) -> dict[str, list[tuple[int, int]]]:
    """Per target topic, the (source partition, offset) of records this replay sent after
    the marks: read from each mark to the partition's end, looking only at headers."""
    tps = {
        TopicPartition(topic, partition): offset
        for topic, ends in marks.items()
        for partition, offset in ends.items()
    }
    found: dict[str, list[tuple[int, int]]] = {topic: [] for topic in marks}
    if not tps:
        return found
    consumer = _consumer(settings)
    await start_consumer(consumer)
    try:
        consumer.assign(list(tps))
        ends = await consumer.end_offsets(list(tps))
        active = set()
        for tp, offset in tps.items():
            if offset < ends[tp]:
                consumer.seek(tp, offset)
                active.add(tp)
        while active:
            batch = await consumer.getmany(*active, timeout_ms=1000)
            for tp, items in batch.items():
                for item in items:
                    if item.offset < ends[tp]:
                        origin = replay_origin(tuple(item.headers or ()), replay_id)
                        if origin is not None:
                            found[tp.topic].append(origin)
            for tp in list(active):
                if await consumer.position(tp) >= ends[tp]:
                    active.discard(tp)
    finally:
        await consumer.stop()
    return found


@dataclass
class Replayer:
    """One run of a replay. `state` is always what the checkpoint holds (or would hold)."""

    settings: ReplaySettings
    request: ReplayRequest
    state: ReplayState
    store: CheckpointStore | None  # None: a dry run, nothing is sent or written
    allowed_targets: frozenset[str] = frozenset()
    rate: RateLimit = field(default_factory=lambda: RateLimit(None))
    on_batch: Callable[[ReplayState], None] = lambda state: None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    _unusable_targets: set[str] = field(default_factory=set, init=False)

    @property
    def dry_run(self) -> bool:
        return self.store is None

    @property
    def mode(self) -> str:
        return self.request.mode

    async def recover(self) -> int:
        """After an interruption: count what reached the targets past the checkpoint.
        Returns how many records were found."""
        found = await find_sent(self.settings, self.request.replay_id, self.state.target_marks)
        before = self.state.sent
        self.state = absorb_found(self.state, found, utc_now())
        self._save()
        return self.state.sent - before

    async def run(self) -> ReplayState:
        """Read the remaining ranges; returns the final state (also checkpointed)."""
        limit = self.request.selection.limit
        consumer = _consumer(self.settings)
        producer = (
            None if self.dry_run else AIOKafkaProducer(**producer_options(self.settings.kafka))
        )
        await start_consumer(consumer)
        try:
            if producer is not None:
                await producer.start()
            active = {
                TopicPartition(self.request.source, item.partition): item.end
                for item in self.state.partitions
                if not item.done
            }
            if active:
                consumer.assign(list(active))
                for tp in active:
                    consumer.seek(tp, self.state.progress(tp.partition).next)
            chunk = self._chunk()
            last_progress = time.monotonic()
            while active and self.state.limit_left(limit) != 0 and not self.stop.is_set():
                batch = await consumer.getmany(*active, timeout_ms=500, max_records=chunk)
                outcome, cut_short = await self._process(batch, producer)
                for tp, end in list(active.items()):
                    # Past the end, or at it with no record there (a gap): done. Not when the
                    # limit cut the batch short: the position is then past unread records.
                    if outcome.next_offsets.get(tp.partition, 0) >= end or (
                        not cut_short and await consumer.position(tp) >= end
                    ):
                        outcome.next_offsets[tp.partition] = end
                        del active[tp]
                        consumer.pause(tp)
                read_before = self.state.read
                if outcome.next_offsets:  # an empty poll changes nothing worth a write
                    self.state = apply_batch(self.state, outcome, utc_now())
                    self._save()
                metrics.REPLAY_RECORDS_READ.labels(self.mode).inc(self.state.read - read_before)
                metrics.REPLAY_RECORDS_REMAINING.labels(self.mode).set(self.state.remaining)
                self.on_batch(self.state)
                if self.state.read > read_before:
                    last_progress = time.monotonic()
                elif time.monotonic() - last_progress > self.settings.stall_seconds:
                    raise ReplayStalled(self._stalled(active))
        finally:
            try:
                if producer is not None:
                    await producer.stop()
            finally:
                await consumer.stop()
        if self.stop.is_set() and not self.state.done:
            self.state = finish(self.state, "interrupted", "stopped by a signal", utc_now())
        elif self.state.limit_left(limit) == 0:
            self.state = finish(self.state, "finished", f"--limit {limit} reached", utc_now())
        else:
            self.state = finish(self.state, "finished", "every planned record read", utc_now())
        self._save()
        return self.state

    def _chunk(self) -> int:
        # With a rate limit, a batch holds about a second's worth, so the checkpoint and the
        # progress bar move at least once a second.
        rate = self.rate.rate
        return (
            min(self.settings.batch_size, max(1, ceil(rate))) if rate else self.settings.batch_size
        )

    async def _process(
        self,
        batch: Mapping[TopicPartition, Sequence[ConsumerRecord]],
        producer: AIOKafkaProducer | None,
    ) -> tuple[BatchOutcome, bool]:
        """Route and send a batch; (what it did, whether the limit cut it short)."""
        outcome = BatchOutcome()
        deliveries: list[Any] = []  # aiokafka's futures of RecordMetadata
        left = self.state.limit_left(self.request.selection.limit)
        cut_short = False
        started = time.perf_counter()
        for tp, items in batch.items():
            progress = self.state.progress(tp.partition)
            ahead = set(progress.sent_ahead)
            for item in items:
                if item.offset >= progress.end:
                    outcome.next_offsets[tp.partition] = progress.end
                    break
                if left is not None and len(deliveries) + outcome.sent >= left:
                    cut_short = True  # limit reached: this record stays unread
                    break
                outcome.next_offsets[tp.partition] = item.offset + 1
                if item.offset in ahead:
                    continue  # sent before the interruption (counted by `recover`)
                route = await self._route(as_record(item))
                if isinstance(route, Skip):
                    outcome.skipped[route.reason] += 1
                    metrics.REPLAY_RECORDS_SKIPPED.labels(self.mode, route.reason).inc()
                    continue
                if producer is None:
                    outcome.sent_to[route.topic] += 1  # a dry run counts what it would send
                    continue
                waited = await self.rate.wait()
                if waited:
                    metrics.REPLAY_THROTTLED_SECONDS.labels(self.mode).inc(waited)
                deliveries.append(
                    await producer.send(
                        route.topic,
                        value=route.value,
                        key=route.key,
                        headers=list(route.headers),
                    )
                )
        if deliveries:
            for result in await asyncio.gather(*deliveries):
                outcome.sent_to[result.topic] += 1
                key = (result.topic, result.partition)
                outcome.acked[key] = max(outcome.acked.get(key, 0), result.offset + 1)
            metrics.REPLAY_RECORDS_SENT.labels(self.mode).inc(len(deliveries))
            metrics.REPLAY_BATCH_SECONDS.labels(self.mode).observe(time.perf_counter() - started)
        return outcome, cut_short

    async def _route(self, record: Record) -> Route:
        request = self.request
        if request.mode == "copy":
            assert request.target is not None
            return route_copy(record, request.selection, request.replay_id, request.target)
        route = route_dead_letter(
            record, request.selection, request.replay_id, self.allowed_targets, request.target
        )
        if isinstance(route, Send) and not await self._marked(route.topic):
            return Skip("unknown_target")
        return route

    async def _marked(self, topic: str) -> bool:
        """Before the first send to a topic, note where its partitions end (for `recover`)."""
        if topic in self.state.target_marks:
            return True
        if topic in self._unusable_targets:
            return False
        try:
            async with KafkaOffsets(self.settings.kafka) as offsets:
                _, ends = await offsets.bounds(topic, await offsets.partitions(topic))
        except UnknownTopic:
            self._unusable_targets.add(topic)
            return False
        self.state = add_marks(self.state, topic, ends, utc_now())
        self._save()
        return True

    def _save(self) -> None:
        if self.store is not None:
            self.store.save(self.state)

    def _stalled(self, active: Mapping[TopicPartition, int]) -> str:
        where = ", ".join(
            f"partition {tp.partition} at {self.state.progress(tp.partition).next} of {end}"
            for tp, end in active.items()
        )
        return (
            f"no progress for {self.settings.stall_seconds:.0f} s ({where}); the checkpoint "
            f"is kept: continue with --resume {self.request.replay_id}"
        )
