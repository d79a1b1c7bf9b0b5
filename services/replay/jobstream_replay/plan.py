"""What a replay would read: per partition, the offset range and its record count (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PartitionRange:
    partition: int
    start: int  # first offset to read
    end: int  # one past the last offset to read

    @property
    def records(self) -> int:
        return max(self.end - self.start, 0)


@dataclass(frozen=True)
class ReplayPlan:
    topic: str
    ranges: tuple[PartitionRange, ...]

    @property
    def records(self) -> int:
        return sum(item.records for item in self.ranges)


def plan_whole_topic(
    topic: str, beginnings: Mapping[int, int], ends: Mapping[int, int]
) -> ReplayPlan:
    """Everything the topic still holds: from each partition's first to its last offset.

    With compaction or retention the range may include offsets that no longer exist, so
    `records` is an upper bound, as in `kafka-consumer-groups --reset-offsets --dry-run`.
    """
    ranges = tuple(
        PartitionRange(partition, beginnings[partition], ends[partition])
        for partition in sorted(ends)
    )
    return ReplayPlan(topic, ranges)
