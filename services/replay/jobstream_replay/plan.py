"""What a replay would read: per partition, the offset range and its record count (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from jobstream.errors import JobstreamError
from jobstream_replay.selection import Selection


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


class PlanError(JobstreamError, ValueError):
    """The selection does not fit the topic (a partition it does not have)."""


def plan_selection(
    topic: str,
    beginnings: Mapping[int, int],
    ends: Mapping[int, int],
    selection: Selection,
    since_offsets: Mapping[int, int | None] | None = None,
    until_offsets: Mapping[int, int | None] | None = None,
) -> ReplayPlan:
    """The offset ranges a selection reads, within what each partition holds now.

    `since_offsets`/`until_offsets` are Kafka's answers for the time bounds: per partition,
    the first offset whose timestamp is at or after the time, None when there is none (so
    nothing is at or after `since`, or everything is before `until`). Offsets outside what
    the partition holds are clamped, as `kafka-consumer-groups` does. The ends are fixed
    here: records written later (a replay into its own source, too) are not read.
    """
    wanted = selection.partitions if selection.partitions is not None else tuple(sorted(ends))
    missing = sorted(set(wanted) - set(ends))
    if missing:
        raise PlanError(
            f"topic {topic!r} has partitions {_span(sorted(ends))}; "
            f"there is no partition {', '.join(map(str, missing))}"
        )
    extra = sorted((set(selection.from_offsets) | set(selection.until_offsets)) - set(wanted))
    if extra:
        raise PlanError(
            f"offsets are given for partition {', '.join(map(str, extra))}, "
            "which this replay does not read"
        )
    ranges = []
    for partition in sorted(wanted):
        first, end = beginnings[partition], ends[partition]
        start = first
        if (offset := selection.from_for(partition)) is not None:
            start = max(start, offset)
        if (offset := selection.until_for(partition)) is not None:
            end = min(end, offset)
        if since_offsets is not None:
            at = since_offsets.get(partition)
            start = end if at is None else max(start, at)
        if until_offsets is not None and (at := until_offsets.get(partition)) is not None:
            end = min(end, at)
        start = min(start, ends[partition])
        ranges.append(PartitionRange(partition, start, max(start, end)))
    return ReplayPlan(topic, tuple(ranges))


def _span(partitions: list[int]) -> str:
    if partitions and partitions == list(range(partitions[0], partitions[-1] + 1)):
        return f"{partitions[0]}-{partitions[-1]}" if len(partitions) > 1 else str(partitions[0])
    return ", ".join(map(str, partitions))
