"""A stage's lag measurement against the real broker: records and age per assigned partition."""

from __future__ import annotations

import contextlib
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from jobstream import metrics
from jobstream.kafka.admin import ensure_topics
from jobstream.kafka.config import client_options
from jobstream.kafka.lag import LagMonitor
from jobstream.settings import KafkaSettings
from jobstream.topology import PARSER

pytestmark = pytest.mark.kafka


def sample(name: str, labels: dict[str, str]) -> float | None:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels)


async def test_lag_counts_uncommitted_records_and_their_age(kafka_settings: KafkaSettings) -> None:
    await ensure_topics(kafka_settings, [PARSER.reads])
    topic = kafka_settings.topic(PARSER.reads)
    produced_at = time.time()
    producer = AIOKafkaProducer(**client_options(kafka_settings))
    await producer.start()
    try:
        # 10 records in partition 0, 4 in partition 1, none in the others; stamped 60 s ago.
        for partition, count in ((0, 10), (1, 4)):
            for n in range(count):
                await producer.send_and_wait(
                    topic,
                    f"{n}".encode(),
                    partition=partition,
                    timestamp_ms=int((produced_at - 60) * 1000),
                )
    finally:
        await producer.stop()

    # The group committed 7 of partition 0 and all of partition 1; partition 2 never committed.
    group = AIOKafkaConsumer(
        **client_options(kafka_settings),
        group_id=kafka_settings.group(PARSER),
        enable_auto_commit=False,
    )
    await group.start()
    try:
        tps = [TopicPartition(topic, p) for p in (0, 1)]
        group.assign(tps)
        await group.commit({tps[0]: OffsetAndMetadata(7, ""), tps[1]: OffsetAndMetadata(4, "")})
    finally:
        await group.stop()

    monitor = LagMonitor(PARSER, kafka_settings, lambda: [0, 1, 2])
    try:
        lags = {lag.partition: lag for lag in await monitor.measure()}
        assert {p: lag.records for p, lag in lags.items()} == {0: 3, 1: 0, 2: 0}
        assert lags[0].seconds is not None and 59 <= lags[0].seconds < 120
        assert lags[1].seconds == 0 and lags[2].seconds == 0

        monitor.report(list(lags.values()))
        labels = {"stage": "parser", "partition": "0"}
        assert sample("jobstream_consumer_lag_records", labels) == 3
        assert (sample("jobstream_consumer_lag_seconds", labels) or 0) >= 59

        # Partition 0 moves to another process: its series go, the others stay.
        monitor._assignment = lambda: [1, 2]
        monitor.report(await monitor.measure())
        assert sample("jobstream_consumer_lag_records", labels) is None
        assert sample("jobstream_consumer_lag_records", {**labels, "partition": "1"}) == 0
    finally:
        await monitor.close()
        for label in ("0", "1", "2"):
            for gauge in (metrics.CONSUMER_LAG_RECORDS, metrics.CONSUMER_LAG_SECONDS):
                with contextlib.suppress(KeyError):
                    gauge.remove("parser", label)


async def test_no_assignment_means_nothing_to_measure(kafka_settings: KafkaSettings) -> None:
    monitor = LagMonitor(PARSER, kafka_settings, lambda: [])
    assert await monitor.measure() == []
    await monitor.close()
