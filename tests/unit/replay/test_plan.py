import pytest

from jobstream_replay.plan import plan_whole_topic

pytestmark = pytest.mark.unit


def test_plan_covers_each_partition_from_first_to_next_offset() -> None:
    plan = plan_whole_topic("t", beginnings={0: 0, 1: 5, 2: 3}, ends={2: 3, 0: 4, 1: 9})
    assert [(r.partition, r.start, r.end, r.records) for r in plan.ranges] == [
        (0, 0, 4, 4),
        (1, 5, 9, 4),
        (2, 3, 3, 0),
    ]
    assert plan.records == 8
