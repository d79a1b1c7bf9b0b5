"""Kafka adapter: partitions, first and next offsets, and offsets at a time, of a topic.

No group is joined, no record is read and nothing is committed here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import TracebackType

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from jobstream.errors import JobstreamError
from jobstream.kafka.config import client_options
from jobstream.settings import KafkaSettings


class UnknownTopic(JobstreamError, LookupError):
    """A topic the broker does not know."""


async def start_consumer(consumer: AIOKafkaConsumer) -> None:
    """Start a consumer without a group so that it can be stopped at once.

    aiokafka's group-less consumer starts a task in `start()`; stopped before that task first
    ran, `stop()` raises CancelledError. One turn of the loop lets it start.
    """
    await consumer.start()
    await asyncio.sleep(0)


class KafkaOffsets:
    """Look-ups of topic metadata and offsets, with one admin client and one consumer."""

    def __init__(self, settings: KafkaSettings) -> None:
        self.settings = settings
        self._admin = AIOKafkaAdminClient(**client_options(settings))
        self._consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False)

    async def __aenter__(self) -> KafkaOffsets:
        await self._admin.start()
        try:
            await start_consumer(self._consumer)
        except BaseException:
            await self._admin.close()
            raise
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._consumer.stop()
        finally:
            await self._admin.close()

    async def partitions(self, topic: str) -> list[int]:
        """The topic's partitions; `UnknownTopic` when it does not exist."""
        [description] = await self._admin.describe_topics([topic])
        if description["error_code"] != 0 or not description["partitions"]:
            raise UnknownTopic(f"there is no topic {topic!r} on {self.settings.bootstrap_servers}")
        return sorted(partition["partition"] for partition in description["partitions"])

    async def bounds(
        self, topic: str, partitions: Sequence[int]
    ) -> tuple[dict[int, int], dict[int, int]]:
        """(first offset, next offset) of each partition."""
        tps = [TopicPartition(topic, partition) for partition in partitions]
        beginnings = await self._consumer.beginning_offsets(tps)
        ends = await self._consumer.end_offsets(tps)
        return (
            {tp.partition: offset for tp, offset in beginnings.items()},
            {tp.partition: offset for tp, offset in ends.items()},
        )

    async def at_time(
        self, topic: str, partitions: Sequence[int], timestamp_ms: int
    ) -> dict[int, int | None]:
        """Per partition, the first offset whose record timestamp is at or after the time
        (Kafka's time index); None when every record is older."""
        when = max(timestamp_ms, 0)
        found = await self._consumer.offsets_for_times(
            {TopicPartition(topic, partition): when for partition in partitions}
        )
        return {tp.partition: (item.offset if item else None) for tp, item in found.items()}


async def partition_bounds(
    settings: KafkaSettings, topic: str
) -> tuple[dict[int, int], dict[int, int]]:
    """(first offset, next offset) of each partition of the topic."""
    async with KafkaOffsets(settings) as offsets:
        return await offsets.bounds(topic, await offsets.partitions(topic))
