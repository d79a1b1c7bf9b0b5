"""Kafka adapter: a consumer group's members and committed offsets, and committing new ones.

Committing uses a consumer that is assigned the partitions and never subscribes, so it does
not join the group; Kafka accepts such a commit only while the group has no members.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import CommitFailedError, KafkaError

from jobstream.errors import JobstreamError
from jobstream.kafka.config import client_options
from jobstream.settings import KafkaSettings
from jobstream_replay.reset import TopicPartition as TP


class GroupNotEmpty(JobstreamError, RuntimeError):
    """The group has live members: its offsets cannot be moved under them."""


@dataclass(frozen=True)
class Member:
    member_id: str
    client_id: str
    host: str


@dataclass(frozen=True)
class GroupState:
    group: str
    state: str  # Kafka's: Empty, Stable, PreparingRebalance, Dead (no such group) ...
    members: tuple[Member, ...]


async def describe_group(settings: KafkaSettings, group: str) -> GroupState:
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    [described] = response.to_object()["groups"]
    if described["error_code"]:
        raise KafkaError(f"cannot describe group {group!r}: error {described['error_code']}")
    members = tuple(
        Member(item["member_id"], item["client_id"], item["client_host"].lstrip("/"))
        for item in described["members"]
    )
    return GroupState(group, described["state"], members)


async def committed_offsets(settings: KafkaSettings, group: str) -> dict[TP, int]:
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {
        (tp.topic, tp.partition): meta.offset for tp, meta in offsets.items() if meta.offset >= 0
    }


async def commit_offsets(settings: KafkaSettings, group: str, offsets: Mapping[TP, int]) -> None:
    """Commit `offsets` for `group` in one request (Kafka writes them together)."""
    consumer = AIOKafkaConsumer(
        **client_options(settings), group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        tps = {
            TopicPartition(topic, partition): offset
            for (topic, partition), offset in offsets.items()
        }
        consumer.assign(list(tps))
        try:
            await consumer.commit(tps)
        except CommitFailedError as error:
            raise GroupNotEmpty(
                f"Kafka refused the commit: group {group!r} has live members again"
            ) from error
    finally:
        await consumer.stop()
