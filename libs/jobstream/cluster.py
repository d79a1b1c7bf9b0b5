"""What the lag exporter reports about the Kafka cluster and the pipeline's groups (pure).

A `ClusterSnapshot` is read from Kafka at one moment (`jobstream.kafka.cluster`): the brokers,
each partition of the pipeline's topics (leader, replicas, in-sync replicas, oldest and end
offsets), and each consumer group (its members and committed offsets). `families` turns it
into Prometheus metric families named as kafka_exporter names them, so dashboards and alerts
work the same with this exporter or with kafka_exporter in front of another cluster.

Unlike the lag the stages report about themselves, this is measured from outside the
stages: a group with no live member keeps its lag on the dashboards, and alerts can see it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from prometheus_client.core import GaugeMetricFamily

from jobstream.lag import lag_records


@dataclass(frozen=True)
class PartitionState:
    topic: str
    partition: int
    leader: int  # -1: no leader (the partition is offline)
    replicas: tuple[int, ...]
    in_sync: tuple[int, ...]
    oldest: int
    end: int


@dataclass(frozen=True)
class GroupState:
    group: str
    members: int
    # The topics the group reads (from the topology: a group that committed nothing yet
    # lags by the whole topic), and what it committed: (topic, partition) -> next offset.
    topics: tuple[str, ...]
    committed: Mapping[tuple[str, int], int]


@dataclass(frozen=True)
class ClusterSnapshot:
    brokers: tuple[int, ...]
    partitions: Sequence[PartitionState]
    groups: Sequence[GroupState] = field(default_factory=tuple)


def _gauge(name: str, documentation: str, labels: Sequence[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=list(labels))


def families(snapshot: ClusterSnapshot) -> Iterator[GaugeMetricFamily]:
    brokers = _gauge("kafka_brokers", "Brokers in the cluster's metadata.", [])
    brokers.add_metric([], len(snapshot.brokers))
    yield brokers

    topic_labels = ("topic", "partition")
    per_partition = {
        "leader": _gauge(
            "kafka_topic_partition_leader", "Broker leading the partition (-1: none).",
            topic_labels,
        ),
        "replicas": _gauge(
            "kafka_topic_partition_replicas", "Replicas of the partition.", topic_labels
        ),
        "in_sync": _gauge(
            "kafka_topic_partition_in_sync_replica", "In-sync replicas of the partition.",
            topic_labels,
        ),
        "under": _gauge(
            "kafka_topic_partition_under_replicated_partition",
            "1 when fewer replicas are in sync than the partition has.", topic_labels,
        ),
        "end": _gauge(
            "kafka_topic_partition_current_offset", "End offset of the partition.", topic_labels
        ),
        "oldest": _gauge(
            "kafka_topic_partition_oldest_offset", "Oldest offset still held.", topic_labels
        ),
    }  # fmt: skip
    partitions_of = _gauge("kafka_topic_partitions", "Partitions of the topic.", ["topic"])
    counts: dict[str, int] = {}
    ends: dict[tuple[str, int], PartitionState] = {}
    for state in snapshot.partitions:
        labels = [state.topic, str(state.partition)]
        per_partition["leader"].add_metric(labels, state.leader)
        per_partition["replicas"].add_metric(labels, len(state.replicas))
        per_partition["in_sync"].add_metric(labels, len(state.in_sync))
        per_partition["under"].add_metric(
            labels, 1 if len(state.in_sync) < len(state.replicas) else 0
        )
        per_partition["end"].add_metric(labels, state.end)
        per_partition["oldest"].add_metric(labels, state.oldest)
        counts[state.topic] = counts.get(state.topic, 0) + 1
        ends[(state.topic, state.partition)] = state
    for topic, count in sorted(counts.items()):
        partitions_of.add_metric([topic], count)
    yield partitions_of
    yield from per_partition.values()

    group_labels = ("consumergroup", "topic", "partition")
    members = _gauge(
        "kafka_consumergroup_members", "Live members of the consumer group.", ["consumergroup"]
    )
    current = _gauge(
        "kafka_consumergroup_current_offset",
        "Offset the group committed on the partition (the next it will read).",
        group_labels,
    )
    lag = _gauge(
        "kafka_consumergroup_lag",
        "Records of the partition the group has not committed (0 when it is caught up).",
        group_labels,
    )
    for group in snapshot.groups:
        members.add_metric([group.group], group.members)
        for (topic, partition), state in sorted(ends.items()):
            if topic not in group.topics:
                continue
            committed = group.committed.get((topic, partition))
            labels = [group.group, topic, str(partition)]
            if committed is not None:
                current.add_metric(labels, committed)
            lag.add_metric(labels, lag_records(state.end, committed, state.oldest))
    yield members
    yield current
    yield lag
