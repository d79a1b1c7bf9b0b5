"""Consumer lag, in records and in seconds, from offsets and timestamps (pure).

A stage's lag on a partition is what its consumer group has not committed yet: the records
from the committed offset to the end of the partition. Its age is how long ago the oldest of
them, the record at the committed offset, was produced. A group with no committed offset
starts at the beginning of the partition (`auto_offset_reset=earliest`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PartitionLag:
    partition: int
    records: int
    # None when the age of the oldest uncommitted record could not be read (it is not 0).
    seconds: float | None


def next_offset(committed: int | None, beginning: int) -> int:
    """The offset of the oldest record the group has not committed (retention may have
    deleted records below `beginning`; the group would resume at `beginning` then)."""
    if committed is None or committed < beginning:
        return beginning
    return committed


def lag_records(end: int, committed: int | None, beginning: int) -> int:
    return max(end - next_offset(committed, beginning), 0)


def lag_seconds(records: int, head_timestamp_ms: int | None, now: float) -> float | None:
    """Age of the oldest uncommitted record; 0 without lag, None when its time is unknown."""
    if records == 0:
        return 0.0
    if head_timestamp_ms is None:
        return None
    return max(now - head_timestamp_ms / 1000, 0.0)


def partition_lags(
    ends: Mapping[int, int],
    committed: Mapping[int, int | None],
    beginnings: Mapping[int, int],
    head_timestamps_ms: Mapping[int, int | None],
    now: float,
) -> list[PartitionLag]:
    """The lag of every partition in `ends`, in partition order."""
    lags = []
    for partition in sorted(ends):
        records = lag_records(
            ends[partition], committed.get(partition), beginnings.get(partition, 0)
        )
        seconds = lag_seconds(records, head_timestamps_ms.get(partition), now)
        lags.append(PartitionLag(partition, records, seconds))
    return lags
