"""Topic administration and publishing against the real broker of the native stack."""

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from jobstream.contracts import RawPosting, Source, decode, utc_now
from jobstream.kafka.admin import delete_namespace_topics, ensure_topics, list_topics
from jobstream.kafka.config import client_options
from jobstream.kafka.publisher import Publisher
from jobstream.ports import SystemClock
from jobstream.settings import KafkaSettings
from jobstream.stages import Record, dead_letter_for
from jobstream.topology import ALL_TOPICS, DEAD_LETTERS, RAW_POSTINGS
from tests.e2e.harness import eventually
from tests.kafka_records import read_all

pytestmark = pytest.mark.kafka


async def test_topics_are_created_once_with_their_settings(kafka_settings: KafkaSettings) -> None:
    created = await ensure_topics(kafka_settings)
    assert sorted(created) == sorted(kafka_settings.topic(spec) for spec in ALL_TOPICS)
    assert await ensure_topics(kafka_settings) == []  # idempotent

    admin = AIOKafkaAdminClient(**client_options(kafka_settings))
    await admin.start()
    try:
        raw = kafka_settings.topic(RAW_POSTINGS)

        async def partitions() -> int:
            # A loaded broker can describe a topic it just created before its partitions
            # are in the metadata (seen: 0 partitions once); the count settles within seconds.
            [description] = await admin.describe_topics([raw])
            return len(description["partitions"])

        assert await eventually(partitions, "the raw topic's partitions", timeout=30) == 6
        [configs] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, raw, {"retention.ms": None})]
        )
        entries = {entry[0]: entry[1] for entry in configs.resources[0][4]}
        assert entries["retention.ms"] == "-1"  # the raw topic keeps everything for replays
    finally:
        await admin.close()


async def test_a_namespace_s_topics_are_deleted_and_no_others(
    kafka_settings: KafkaSettings,
) -> None:
    neighbour = kafka_settings.model_copy(update={"namespace": f"{kafka_settings.namespace}x"})
    await ensure_topics(kafka_settings)
    await ensure_topics(neighbour, [RAW_POSTINGS])
    ours = sorted(kafka_settings.topic(spec) for spec in ALL_TOPICS)
    # A broker lists new topics a moment after creating them.
    await eventually(lambda: _listed(kafka_settings, ours), "the new topics listed", timeout=30)
    try:
        deleted = await delete_namespace_topics(kafka_settings)
        assert sorted(deleted) == ours
        remaining = await list_topics(kafka_settings)
        assert not [name for name in remaining if name.startswith(f"{kafka_settings.namespace}.")]
        assert neighbour.topic(RAW_POSTINGS) in remaining  # a longer prefix is not ours
    finally:
        await delete_namespace_topics(neighbour)
    with pytest.raises(ValueError, match="without a namespace"):
        await delete_namespace_topics(kafka_settings.model_copy(update={"namespace": ""}))


async def _listed(settings: KafkaSettings, names: list[str]) -> bool:
    return set(names) <= set(await list_topics(settings))


async def test_published_postings_are_keyed_by_posting_id(kafka_settings: KafkaSettings) -> None:
    await ensure_topics(kafka_settings)
    postings = [
        RawPosting.from_text(f"Engineer number {n}\nWe use Go.", Source(channel="cli"))
        for n in range(20)
    ]
    async with Publisher(kafka_settings) as publisher:
        await publisher.publish(RAW_POSTINGS, postings)

    records = await read_all(kafka_settings, kafka_settings.topic(RAW_POSTINGS))
    assert len(records) == 20
    by_key = {record.key.decode(): decode(RawPosting, record.value) for record in records}
    assert by_key == {posting.posting_id: posting for posting in postings}
    # same key, same partition: a posting's events stay in order
    assert len({record.partition for record in records}) > 1


async def test_dead_letters_carry_their_origin_in_headers(kafka_settings: KafkaSettings) -> None:
    await ensure_topics(kafka_settings)
    record = Record("some.topic", 4, 17, b"k", b"\x00\x01 not json")
    letter = dead_letter_for(record, "parser", "invalid_event", "not JSON", SystemClock())
    async with Publisher(kafka_settings) as publisher:
        await publisher.publish_dead_letters([letter])

    [stored] = await read_all(kafka_settings, kafka_settings.topic(DEAD_LETTERS))
    headers = dict(stored.headers)
    assert headers["jobstream-source-topic"] == b"some.topic"
    assert headers["jobstream-source-offset"] == b"17"
    assert headers["jobstream-reason"] == b"invalid_event"
    assert letter.failed_at <= utc_now()
