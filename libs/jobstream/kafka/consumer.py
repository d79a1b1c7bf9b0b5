"""Kafka adapter: a stage's input, read in batches, each committed once the stage core is done.

faust runs the stage (its worker: start-up, signals, shutdown) but not this read path: its
per-event stream (an event object, a channel hop and an acknowledgement for every record) cost
most of a stage's plumbing CPU (docs/benchmarks.md). aiokafka's `getmany` hands over what the
fetcher already holds, a batch at a time; `StageCore.handle` makes the batch durable, and only
then are its offsets committed (auto-commit is off). A batch is up to `batch_size` records,
or what arrived within `batch_seconds` of its first record.

A rebalance waits for the batch in hand to be handled and committed (up to
`REVOKE_WAIT_SECONDS`), so the next owner of a partition starts after it; on shutdown the batch
in hand is finished and committed before the consumer leaves its group.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError

from jobstream.kafka.config import client_options
from jobstream.logs import get_logger
from jobstream.settings import StageSettings
from jobstream.stages import Record
from jobstream.topology import Stage

log = get_logger(__name__)

BatchHandler = Callable[[Sequence[Record]], Awaitable[None]]

# Prefetch per partition. Kafka returns a record larger than this whole (fetch v3+, KIP-74),
# so it bounds memory, not record size (docs/benchmarks.md: 8 MiB a partition only buffered
# postings a stage could not process any sooner).
PREFETCH_BYTES_PER_PARTITION = 1024 * 1024
# A rebalance waits this long for the batch in hand; after that the batch may be read twice
# (harmless: the store's ordering rule makes a repeat an unchanged row).
REVOKE_WAIT_SECONDS = 20.0
# On shutdown, the batch in hand gets this long to finish (`jobstream stack stop` waits 30 s).
FINISH_WAIT_SECONDS = 25.0
# A stage held by its brake, or waiting out a database outage, stays in its group this long.
MAX_IDLE_MS = 1_000_000


class BatchConsumer(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, stage: Stage, settings: StageSettings, handle: BatchHandler) -> None:
        self.topic = settings.kafka.topic(stage.reads)
        self.group = settings.kafka.group(stage)
        self._settings = settings
        self._handle = handle
        self._consumer: AIOKafkaConsumer | None = None
        self._stopping = asyncio.Event()
        self._idle = asyncio.Event()  # no batch in hand
        self._idle.set()
        self._assigned = asyncio.Event()  # set between a rebalance's assignment and the next
        self._running: asyncio.Task[None] | None = None

    def _client(self) -> AIOKafkaConsumer:
        settings = self._settings
        return AIOKafkaConsumer(
            self.topic,
            **client_options(settings.kafka),
            group_id=self.group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=PREFETCH_BYTES_PER_PARTITION,
            max_poll_records=settings.batch_size,
            # A killed worker's partitions move to the others after 10 s (Kafka's default is
            # 45 s); heartbeats every 3 s keep a live but busy one in the group.
            session_timeout_ms=10_000,
            heartbeat_interval_ms=3_000,
            max_poll_interval_ms=MAX_IDLE_MS,
        )

    async def run(self) -> None:
        """Read, handle and commit batches until `stop` (a task of the stage's worker)."""
        self._running = asyncio.current_task()
        consumer = self._client()
        consumer.subscribe([self.topic], listener=self)
        await consumer.start()
        self._consumer = consumer
        try:
            while not self._stopping.is_set():
                if not self._assigned.is_set():
                    # Rebalancing: nothing new is started until the partitions are assigned.
                    await _wait(self._assigned, 0.5)
                    continue
                records = await self._next_batch(consumer)
                if not records:
                    continue
                self._idle.clear()
                try:
                    await self._handle([as_record(record) for record in records])
                    await self._commit(consumer, records)
                finally:
                    self._idle.set()
        finally:
            await consumer.stop()
            self._consumer = None

    async def _next_batch(self, consumer: AIOKafkaConsumer) -> list[Any]:
        """Up to `batch_size` records: what is fetched, then what arrives within
        `batch_seconds` of the first one."""
        size, wait = self._settings.batch_size, self._settings.batch_seconds
        found = _flatten(await consumer.getmany(timeout_ms=500, max_records=size))
        if not found:
            return found
        deadline = time.monotonic() + wait
        while len(found) < size and not self._stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            more = await consumer.getmany(
                timeout_ms=int(left * 1000), max_records=size - len(found)
            )
            found += _flatten(more)
        return found

    async def _commit(self, consumer: AIOKafkaConsumer, records: Sequence[Any]) -> None:
        offsets: dict[TopicPartition, int] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            offsets[tp] = max(offsets.get(tp, 0), record.offset + 1)
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as error:
            # The partitions moved to another process meanwhile: it reads the batch again.
            log.warning("batch handled but not committed: partitions reassigned", error=str(error))

    async def stop(self) -> None:
        """Finish the batch in hand (and commit it), then leave the group."""
        self._stopping.set()
        if self._running is not None and not self._running.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._running), FINISH_WAIT_SECONDS)
            except TimeoutError:
                self._running.cancel()
                log.warning("a batch in hand was not finished before shutdown")

    # ConsumerRebalanceListener: aiokafka awaits these during a rebalance.
    async def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        self._assigned.clear()
        if not await _wait(self._idle, REVOKE_WAIT_SECONDS):
            log.warning("rebalancing with a batch in hand: it may be read again elsewhere")

    async def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        self._assigned.set()

    def assignment(self) -> list[int]:
        """The partitions of the input topic this process is assigned (none before start)."""
        if self._consumer is None:
            return []
        return [tp.partition for tp in self._consumer.assignment() if tp.topic == self.topic]

    async def readiness(self) -> str | None:
        if self._consumer is None:
            return "kafka consumer not started"
        if not self._assigned.is_set():
            return "consumer group rebalancing"
        return None


async def _wait(event: asyncio.Event, seconds: float) -> bool:
    """Whether `event` was set within `seconds`."""
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        return False
    return True


def _flatten(batches: dict[TopicPartition, list[Any]]) -> list[Any]:
    return [record for records in batches.values() for record in records]


def as_record(item: ConsumerRecord) -> Record:
    """A record as aiokafka delivers it, as the stage core (and replay) read it."""
    return Record(
        topic=item.topic,
        partition=item.partition,
        offset=item.offset,
        key=item.key,
        value=item.value,
        timestamp_ms=item.timestamp,
        headers=tuple(item.headers or ()),
    )
