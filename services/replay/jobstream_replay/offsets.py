"""Kafka adapter: the first and next offsets of every partition of a topic (no group joined)."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from jobstream.kafka.config import client_options
from jobstream.settings import KafkaSettings


class UnknownTopic(LookupError):
    pass


async def partition_bounds(
    settings: KafkaSettings, topic: str
) -> tuple[dict[int, int], dict[int, int]]:
    """(first offset, next offset) of each partition; reads no record and commits nothing."""
    partitions = await _partitions(settings, topic)
    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, partition) for partition in partitions]
        beginnings = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
        return (
            {tp.partition: offset for tp, offset in beginnings.items()},
            {tp.partition: offset for tp, offset in ends.items()},
        )
    finally:
        await consumer.stop()


async def _partitions(settings: KafkaSettings, topic: str) -> list[int]:
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        [description] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if description["error_code"] != 0 or not description["partitions"]:
        raise UnknownTopic(f"there is no topic {topic!r} on {settings.bootstrap_servers}")
    return sorted(partition["partition"] for partition in description["partitions"])
