"""Consumer lag from offsets and timestamps (pure)."""

import pytest

from jobstream.lag import PartitionLag, lag_records, lag_seconds, next_offset, partition_lags

pytestmark = pytest.mark.unit


def test_lag_is_what_the_group_has_not_committed() -> None:
    assert lag_records(end=100, committed=60, beginning=0) == 40
    assert lag_records(end=100, committed=100, beginning=0) == 0


def test_a_group_without_a_committed_offset_starts_at_the_beginning() -> None:
    assert next_offset(None, 5) == 5
    assert lag_records(end=12, committed=None, beginning=5) == 7
    assert lag_records(end=0, committed=None, beginning=0) == 0


def test_records_deleted_by_retention_do_not_count() -> None:
    assert next_offset(3, 10) == 10
    assert lag_records(end=15, committed=3, beginning=10) == 5


def test_lag_is_never_negative() -> None:
    # A committed offset ahead of a stale end offset (read a moment earlier).
    assert lag_records(end=10, committed=12, beginning=0) == 0


def test_age_is_that_of_the_oldest_uncommitted_record() -> None:
    assert lag_seconds(3, head_timestamp_ms=1_000_000, now=1_030.5) == 30.5
    assert lag_seconds(0, head_timestamp_ms=1_000_000, now=1_030.5) == 0.0
    assert lag_seconds(3, head_timestamp_ms=None, now=1_030.5) is None  # unknown, not 0
    assert lag_seconds(3, head_timestamp_ms=2_000_000, now=1_030.5) == 0.0  # clock skew


def test_partition_lags_in_partition_order() -> None:
    lags = partition_lags(
        ends={2: 10, 0: 5, 1: 7},
        committed={0: 5, 1: None, 2: 4},
        beginnings={0: 0, 1: 2, 2: 0},
        head_timestamps_ms={1: 90_000, 2: None},
        now=100.0,
    )
    assert lags == [
        PartitionLag(0, 0, 0.0),
        PartitionLag(1, 5, 10.0),
        PartitionLag(2, 6, None),
    ]
