"""The stages' batch consumer against the real broker: a batch's offsets are committed only
after the stage core handled it, so a batch that failed is read again by the next consumer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from jobstream.contracts import RawPosting, Source
from jobstream.kafka.admin import ensure_topics
from jobstream.kafka.config import client_options
from jobstream.kafka.consumer import BatchConsumer
from jobstream.kafka.publisher import Publisher
from jobstream.settings import KafkaSettings, StageSettings
from jobstream.stages import Record
from jobstream.topology import PARSER, RAW_POSTINGS
from tests.e2e.harness import eventually

pytestmark = pytest.mark.kafka

POSTINGS = 60


async def publish_postings(settings: KafkaSettings) -> set[bytes]:
    await ensure_topics(settings)
    postings = [
        RawPosting.from_text(f"Engineer number {n}\nWe use Go.", Source(channel="cli"))
        for n in range(POSTINGS)
    ]
    async with Publisher(settings) as publisher:
        await publisher.publish(RAW_POSTINGS, postings)
    return {posting.posting_id.encode() for posting in postings}


async def committed(settings: KafkaSettings) -> int:
    """How many records of the raw topic the parser's group has committed."""
    consumer = AIOKafkaConsumer(
        **client_options(settings), group_id=settings.group(PARSER), enable_auto_commit=False
    )
    await consumer.start()
    try:
        total = 0
        for partition in range(settings.partitions):
            offset = await consumer.committed(
                TopicPartition(settings.topic(RAW_POSTINGS), partition)
            )
            total += offset or 0
        return total
    finally:
        await consumer.stop()


class Collector:
    """A stage core's `handle`: keeps the keys, or fails once `fail_after` were kept."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.keys: list[bytes] = []
        self.batches: list[int] = []
        self.fail_after = fail_after

    async def handle(self, records: Sequence[Record]) -> None:
        if self.fail_after is not None and len(self.keys) >= self.fail_after:
            raise RuntimeError("the stage core failed: this batch must be read again")
        self.batches.append(len(records))
        self.keys.extend(record.key or b"" for record in records)


async def test_batches_are_handed_over_and_committed_after_handling(
    kafka_settings: KafkaSettings,
) -> None:
    keys = await publish_postings(kafka_settings)
    settings = StageSettings(kafka=kafka_settings, batch_size=25, batch_seconds=0.05)
    collector = Collector()
    consumer = BatchConsumer(PARSER, settings, collector.handle)
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(
            lambda: _at_least(len(collector.keys), POSTINGS), "every posting handled", timeout=60
        )
        assert await consumer.readiness() is None
        assert sorted(consumer.assignment()) == list(range(kafka_settings.partitions))
        await eventually(
            lambda: _all_committed(kafka_settings), "every offset committed", timeout=30
        )
    finally:
        await consumer.stop()
    await task
    assert set(collector.keys) == keys and len(collector.keys) == POSTINGS
    assert max(collector.batches) <= 25


async def test_a_batch_that_failed_is_not_committed_and_is_read_again(
    kafka_settings: KafkaSettings,
) -> None:
    keys = await publish_postings(kafka_settings)
    settings = StageSettings(kafka=kafka_settings, batch_size=10, batch_seconds=0.05)
    failing = Collector(fail_after=20)
    consumer = BatchConsumer(PARSER, settings, failing.handle)
    with pytest.raises(RuntimeError, match="read again"):
        await asyncio.wait_for(consumer.run(), 60)  # the worker crashes on it (and restarts)
    handled_before = set(failing.keys)
    assert len(handled_before) >= 20
    assert await committed(kafka_settings) <= len(handled_before)

    again = Collector()
    consumer = BatchConsumer(PARSER, settings, again.handle)
    task = asyncio.create_task(consumer.run())
    try:
        # Nothing lost: everything not committed before comes again.
        await eventually(
            lambda: _at_least(len(handled_before | set(again.keys)), POSTINGS),
            "every posting handled by one consumer or the other",
            timeout=60,
        )
        await eventually(
            lambda: _all_committed(kafka_settings), "every offset committed", timeout=30
        )
    finally:
        await consumer.stop()
    await task
    assert handled_before | set(again.keys) == keys


async def _at_least(value: int, least: int) -> bool:
    return value >= least


async def _all_committed(settings: KafkaSettings) -> bool:
    return await committed(settings) == POSTINGS
