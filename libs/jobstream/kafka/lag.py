"""Kafka adapter: a stage measures its own consumer lag, for the partitions it is assigned.

Every few seconds it asks Kafka for the group's committed offsets and the partitions' end
offsets, and, for a partition that lags, reads the record at the committed offset for its
timestamp. Its own clients join no group and commit nothing, so measuring never disturbs the
stage's consumer. Each process reports only its own partitions: with several processes of a
stage, every partition is reported once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition

from jobstream import metrics
from jobstream.kafka.offset_readers import OffsetReaders
from jobstream.lag import PartitionLag, next_offset, partition_lags
from jobstream.logs import get_logger
from jobstream.settings import KafkaSettings
from jobstream.topology import Stage

log = get_logger(__name__)

# The partitions of the stage's input topic this process is assigned right now.
Assignment = Callable[[], Iterable[int]]


class LagMonitor:
    def __init__(self, stage: Stage, settings: KafkaSettings, assignment: Assignment) -> None:
        self.stage = stage
        self.topic = settings.topic(stage.reads)
        self.group = settings.group(stage)
        self._assignment = assignment
        self._readers = OffsetReaders(settings, request_timeout_ms=5_000)
        self._reported: set[int] = set()

    async def measure(self) -> list[PartitionLag]:
        """The lag of each assigned partition, read from Kafka now."""
        partitions = sorted(set(self._assignment()))
        if not partitions:
            return []
        admin, consumer = await self._readers.clients()
        tps = [TopicPartition(self.topic, partition) for partition in partitions]
        offsets = await admin.list_consumer_group_offsets(self.group, partitions=tps)
        committed = {
            tp.partition: (meta.offset if meta.offset >= 0 else None)
            for tp, meta in offsets.items()
        }
        ends = {tp.partition: offset for tp, offset in (await consumer.end_offsets(tps)).items()}
        beginnings = {
            tp.partition: offset for tp, offset in (await consumer.beginning_offsets(tps)).items()
        }
        heads = {
            partition: next_offset(committed.get(partition), beginnings[partition])
            for partition in partitions
            if ends[partition] > next_offset(committed.get(partition), beginnings[partition])
        }
        timestamps = await self._timestamps(consumer, heads)
        return partition_lags(ends, committed, beginnings, timestamps, time.time())

    async def _timestamps(
        self, consumer: AIOKafkaConsumer, heads: dict[int, int]
    ) -> dict[int, int | None]:
        """The timestamp of the record at each given offset (None if it could not be read)."""
        if not heads:
            return {}
        tps = {partition: TopicPartition(self.topic, partition) for partition in heads}
        consumer.assign(list(tps.values()))
        for partition, offset in heads.items():
            consumer.seek(tps[partition], offset)
        found: dict[int, int | None] = {}
        for partition, tp in tps.items():
            batch = await consumer.getmany(tp, timeout_ms=2_000, max_records=1)
            records = batch.get(tp, [])
            found[partition] = records[0].timestamp if records else None
        return found

    def report(self, lags: list[PartitionLag]) -> None:
        """Set the gauges; partitions no longer assigned lose their series."""
        name = self.stage.name
        for lag in lags:
            metrics.CONSUMER_LAG_RECORDS.labels(name, str(lag.partition)).set(lag.records)
            if lag.seconds is not None:
                metrics.CONSUMER_LAG_SECONDS.labels(name, str(lag.partition)).set(lag.seconds)
        current = {lag.partition for lag in lags}
        for partition in self._reported - current:
            for gauge in (metrics.CONSUMER_LAG_RECORDS, metrics.CONSUMER_LAG_SECONDS):
                with contextlib.suppress(KeyError):  # never set: its age was unknown
                    gauge.remove(name, str(partition))
        self._reported = current

    async def run(self, interval: float) -> None:
        """Measure and report every `interval` seconds until cancelled."""
        try:
            while True:
                try:
                    self.report(await asyncio.wait_for(self.measure(), timeout=interval + 10))
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    # Kafka away or a rebalance under way: the next round tries again, and the
                    # gauges keep their last values meanwhile (readiness says Kafka is away).
                    log.warning(
                        "cannot measure consumer lag",
                        topic=self.topic,
                        error=f"{type(error).__name__}: {error}",
                    )
                    await self.close()  # connect afresh next round
                await asyncio.sleep(interval)
        finally:
            await self.close()

    async def close(self) -> None:
        await self._readers.close()
