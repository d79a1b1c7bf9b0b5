import pytest

from jobstream.contracts import RawPosting, Source
from jobstream.kafka.admin import ensure_topics
from jobstream.kafka.publisher import Publisher
from jobstream.settings import KafkaSettings
from jobstream.topology import RAW_POSTINGS
from jobstream_replay.cli import make_plan, resolve_topic
from jobstream_replay.offsets import UnknownTopic

pytestmark = pytest.mark.kafka


async def test_plan_counts_what_the_topic_holds(kafka_settings: KafkaSettings) -> None:
    await ensure_topics(kafka_settings)
    postings = [RawPosting.from_text(f"Job {n}", Source(channel="cli")) for n in range(7)]
    async with Publisher(kafka_settings) as publisher:
        await publisher.publish(RAW_POSTINGS, postings)

    plan = await make_plan(resolve_topic("raw", kafka_settings), kafka_settings)
    assert plan.topic == kafka_settings.topic(RAW_POSTINGS)
    assert len(plan.ranges) == kafka_settings.partitions
    assert plan.records == 7


async def test_an_unknown_topic_is_a_clear_error(kafka_settings: KafkaSettings) -> None:
    with pytest.raises(UnknownTopic, match="no topic"):
        await make_plan("no.such.topic", kafka_settings)
