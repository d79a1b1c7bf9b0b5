"""Where a group reset moves offsets: kafka-consumer-groups' targets, clamped and reported."""

import pytest

from jobstream_replay.reset import ResetError, plan_reset, reset_partitions

pytestmark = pytest.mark.unit

TPS = [("raw", 0), ("raw", 1)]
BEGIN = {("raw", 0): 10, ("raw", 1): 0}
END = {("raw", 0): 50, ("raw", 1): 20}
COMMITTED = {("raw", 0): 40, ("raw", 1): 20}


def targets(kind: str, value: int | None = None, at_time=None) -> list[tuple[int, bool]]:  # type: ignore[no-untyped-def]
    rows = plan_reset(kind, value, TPS, COMMITTED, BEGIN, END, at_time)  # type: ignore[arg-type]
    return [(row.target, row.clamped) for row in rows]


def test_each_kind_of_target() -> None:
    assert targets("earliest") == [(10, False), (0, False)]
    assert targets("latest") == [(50, False), (20, False)]
    assert targets("offset", 15) == [(15, False), (15, False)]
    assert targets("shift", -5) == [(35, False), (15, False)]
    assert targets("datetime", 0, {("raw", 0): 33, ("raw", 1): None}) == [(33, False), (20, False)]


def test_targets_outside_the_partition_are_clamped() -> None:
    assert targets("offset", 5) == [(10, True), (5, False)]
    assert targets("shift", 100) == [(50, True), (20, True)]
    assert targets("shift", -100) == [(10, True), (0, True)]


def test_rows_say_what_moves_and_the_lag_after() -> None:
    rows = plan_reset("offset", 20, TPS, COMMITTED, BEGIN, END)
    assert [(r.current, r.target, r.moves, r.lag) for r in rows] == [
        (40, 20, True, 30),
        (20, 20, False, 0),
    ]


def test_a_shift_needs_a_committed_offset() -> None:
    with pytest.raises(ResetError, match="no committed offset on raw partition 1 to shift"):
        plan_reset("shift", 1, TPS, {("raw", 0): 3}, BEGIN, END)


def test_partitions_named_or_those_the_group_has_offsets_on() -> None:
    present = {"raw": [0, 1, 2], "parsed": [0, 1]}
    assert reset_partitions([("raw", (2,)), ("parsed", None)], present, {}) == [
        ("parsed", 0),
        ("parsed", 1),
        ("raw", 2),
    ]
    assert reset_partitions([], present, {("parsed", 1): 5}) == [("parsed", 0), ("parsed", 1)]
    with pytest.raises(ResetError, match="no committed offsets: name the topics"):
        reset_partitions([], present, {})
    with pytest.raises(ResetError, match="topic 'parsed' has no partition 4"):
        reset_partitions([("parsed", (1, 4))], present, {})
