"""`jobstream status` counts dead letters from the topic itself, by the stage that wrote them:
the figure survives restarts (the services' counters start from 0 again)."""

from __future__ import annotations

import pytest

from jobstream.contracts import DeadLetter, utc_now
from jobstream.kafka.admin import ensure_topics
from jobstream.kafka.publisher import Publisher
from jobstream.settings import KafkaSettings
from jobstream.topology import DEAD_LETTERS
from jobstream_stack.status import dead_letters_by_stage, stage_lags
from jobstream_stack.status_model import ServiceMetrics, ServiceState, Snapshot, stage_rows

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(120)]


def letter(stage: str, n: int) -> DeadLetter:
    return DeadLetter(
        stage=stage,
        reason="not_a_posting",
        error="no title, pay, terms or sections found",
        failed_at=utc_now(),
        posting_id=f"{n:032x}",
        key=f"{n:032x}",
        payload="{}",
    )


async def test_dead_letters_are_counted_from_the_topic_by_stage(
    kafka_settings: KafkaSettings,
) -> None:
    await ensure_topics(kafka_settings)
    async with Publisher(kafka_settings) as publisher:
        await publisher.publish_dead_letters(
            [letter("parser", n) for n in range(5)] + [letter("store", n) for n in range(5, 7)]
        )
    _, counts = await stage_lags(kafka_settings)
    assert (counts.records, dict(counts.by_stage), counts.complete) == (
        7,
        {"parser": 5, "store": 2},
        True,
    )
    assert counts.describe() == "7 records; parser 5, store 2"

    # A parser that just restarted says 0 on its /metrics; status says what the topic holds.
    restarted = ServiceState("parser", True, True, metrics=ServiceMetrics(dead_letters=0))
    snapshot = Snapshot(taken_at=0, services={"parser": restarted}, lags={}, dead_letters=counts)
    [row] = stage_rows(snapshot, None)
    assert row.dead_letters == 5

    topic = kafka_settings.topic(DEAD_LETTERS)
    partitions = list(range(kafka_settings.partitions))
    few = await dead_letters_by_stage(
        kafka_settings, topic, partitions, read=kafka_settings.partitions
    )
    assert few.records == 7 and not few.complete and sum(few.by_stage.values()) < 7
