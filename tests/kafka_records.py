"""Reading back what a test published: every record of a topic, from the real broker."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from jobstream.contracts import RawPosting, decode
from jobstream.kafka.config import client_options
from jobstream.settings import KafkaSettings
from jobstream.topology import RAW_POSTINGS


async def read_all(settings: KafkaSettings, topic: str) -> list[ConsumerRecord]:
    """Every record the topic holds now, all partitions, from the beginning."""
    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(settings.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        records = []
        while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(timeout_ms=1000)
            for items in batch.values():
                records.extend(items)
        return records
    finally:
        await consumer.stop()


async def raw_postings(settings: KafkaSettings) -> list[RawPosting]:
    """The raw topic's events, decoded."""
    records = await read_all(settings, settings.topic(RAW_POSTINGS))
    return [decode(RawPosting, record.value) for record in records]


async def count_records(settings: KafkaSettings, topic: str) -> int:
    """How many records the topic holds (end minus beginning offsets), without reading them."""
    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(settings.partitions)]
        end = await consumer.end_offsets(partitions)
        start = await consumer.beginning_offsets(partitions)
        return sum(end[tp] - start[tp] for tp in partitions)
    finally:
        await consumer.stop()
