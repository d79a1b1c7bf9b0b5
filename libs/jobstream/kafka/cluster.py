"""Kafka adapter of the lag exporter: reads a `ClusterSnapshot` of the pipeline's topics and
groups. Its clients join no group and commit nothing, so reading never disturbs a stage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from jobstream.cluster import ClusterSnapshot, GroupState, PartitionState
from jobstream.kafka.offset_readers import OffsetReaders
from jobstream.settings import KafkaSettings
from jobstream.topology import ALL_TOPICS, CONSUMING_STAGES


class ClusterReader:
    """Admin and consumer clients kept open between readings (reconnected after a failure)."""

    def __init__(self, settings: KafkaSettings, request_timeout_ms: int = 5_000) -> None:
        self.settings = settings
        self.topics = [settings.topic(spec) for spec in ALL_TOPICS]
        # Each pipeline group, and the topic it reads.
        self.groups = {
            settings.group(stage): settings.topic(stage.reads) for stage in CONSUMING_STAGES
        }
        self._readers = OffsetReaders(settings, request_timeout_ms)

    async def read(self) -> ClusterSnapshot:
        admin, consumer = await self._readers.clients()
        cluster = await admin.describe_cluster()
        brokers = tuple(sorted(int(broker["node_id"]) for broker in cluster["brokers"]))
        existing = set(await admin.list_topics())
        topics = [topic for topic in self.topics if topic in existing]
        described = await admin.describe_topics(topics) if topics else []
        layout = _partitions(described)
        tps = [TopicPartition(topic, partition) for topic, partition in layout]
        ends = await consumer.end_offsets(tps) if tps else {}
        oldest = await consumer.beginning_offsets(tps) if tps else {}
        partitions = [
            PartitionState(
                topic=tp.topic,
                partition=tp.partition,
                leader=layout[(tp.topic, tp.partition)][0],
                replicas=layout[(tp.topic, tp.partition)][1],
                in_sync=layout[(tp.topic, tp.partition)][2],
                oldest=oldest[tp],
                end=ends[tp],
            )
            for tp in tps
        ]
        groups = [await self._group(admin, group, topic) for group, topic in self.groups.items()]
        return ClusterSnapshot(brokers=brokers, partitions=partitions, groups=groups)

    async def _group(self, admin: AIOKafkaAdminClient, group: str, topic: str) -> GroupState:
        [response] = await admin.describe_consumer_groups([group])
        [description] = response.to_object()["groups"]
        offsets = await admin.list_consumer_group_offsets(group)
        committed = {
            (tp.topic, tp.partition): meta.offset
            for tp, meta in offsets.items()
            if meta.offset >= 0
        }
        return GroupState(
            group=group,
            members=len(description.get("members") or ()),
            topics=(topic,),
            committed=committed,
        )

    async def close(self) -> None:
        await self._readers.close()


def _partitions(
    described: Sequence[Any],
) -> dict[tuple[str, int], tuple[int, tuple[int, ...], tuple[int, ...]]]:
    """(topic, partition) -> (leader, replicas, in-sync replicas), from describe_topics."""
    found = {}
    for topic in described:
        for partition in topic.get("partitions") or ():
            found[(topic["topic"], int(partition["partition"]))] = (
                int(partition["leader"]),
                tuple(int(node) for node in partition["replicas"]),
                tuple(int(node) for node in partition["isr"]),
            )
    return dict(sorted(found.items()))
