from datetime import UTC, datetime

import pytest

from jobstream_replay.arguments import build_selection
from jobstream_replay.plan import PlanError, plan_selection, plan_whole_topic

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 10, tzinfo=UTC)
BEGIN = {0: 0, 1: 5, 2: 3}
END = {0: 40, 1: 9, 2: 3}


def rows(plan) -> list[tuple[int, int, int]]:  # type: ignore[no-untyped-def]
    return [(r.partition, r.start, r.end) for r in plan.ranges]


def test_plan_covers_each_partition_from_first_to_next_offset() -> None:
    plan = plan_whole_topic("t", beginnings={0: 0, 1: 5, 2: 3}, ends={2: 3, 0: 4, 1: 9})
    assert [(r.partition, r.start, r.end, r.records) for r in plan.ranges] == [
        (0, 0, 4, 4),
        (1, 5, 9, 4),
        (2, 3, 3, 0),
    ]
    assert plan.records == 8


def test_no_selection_is_the_whole_topic() -> None:
    plan = plan_selection("t", BEGIN, END, build_selection(now=NOW))
    assert rows(plan) == [(0, 0, 40), (1, 5, 9), (2, 3, 3)]


def test_partitions_and_offsets_clamped_to_what_the_partition_holds() -> None:
    selection = build_selection(
        now=NOW, partitions=[0, 1], from_offsets=["2", "1:7"], until_offsets=["30"]
    )
    assert rows(plan_selection("t", BEGIN, END, selection)) == [(0, 2, 30), (1, 7, 9)]
    beyond = build_selection(now=NOW, from_offsets=["100"])
    assert rows(plan_selection("t", BEGIN, END, beyond)) == [(0, 40, 40), (1, 9, 9), (2, 3, 3)]
    before = build_selection(now=NOW, until_offsets=["1"])
    assert rows(plan_selection("t", BEGIN, END, before)) == [(0, 0, 1), (1, 5, 5), (2, 3, 3)]


def test_times_use_the_offsets_kafka_found() -> None:
    selection = build_selection(now=NOW, since="2h", until="1h")
    plan = plan_selection(
        "t", BEGIN, END, selection, since_offsets={0: 10, 1: None, 2: None},
        until_offsets={0: 20, 1: None, 2: None},
    )  # fmt: skip
    # partition 1: nothing at or after --since; partition 0: [10, 20)
    assert rows(plan) == [(0, 10, 20), (1, 9, 9), (2, 3, 3)]
    only_until = plan_selection(
        "t", BEGIN, END, build_selection(now=NOW, until="1h"), until_offsets={0: 12, 1: None}
    )
    assert rows(only_until) == [(0, 0, 12), (1, 5, 9), (2, 3, 3)]


def test_a_partition_the_topic_lacks_is_an_error() -> None:
    with pytest.raises(PlanError, match="has partitions 0-2; there is no partition 7"):
        plan_selection("t", BEGIN, END, build_selection(now=NOW, partitions=[1, 7]))
    with pytest.raises(PlanError, match="offsets are given for partition 2"):
        plan_selection(
            "t", BEGIN, END, build_selection(now=NOW, partitions=[1], from_offsets=["2:1"])
        )
