"""Checkpoint state transitions and the files they are kept in."""

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jobstream_replay.arguments import BadArguments, build_selection
from jobstream_replay.checkpoint import (
    BatchOutcome,
    CheckpointError,
    CheckpointStore,
    ReplayRequest,
    ResetCheckpoint,
    absorb_found,
    add_marks,
    apply_batch,
    finish,
    start_state,
)
from jobstream_replay.plan import PartitionRange, ReplayPlan

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 10, tzinfo=UTC)


def request(replay_id: str = "r1", limit: int | None = None) -> ReplayRequest:
    return ReplayRequest(
        replay_id=replay_id,
        mode="copy",
        source="src",
        target="dst",
        selection=build_selection(now=NOW, keys=["a"], limit=limit),
        created_at=NOW,
    )


PLAN = ReplayPlan("src", (PartitionRange(0, 0, 10), PartitionRange(1, 5, 8)))


def test_a_new_state_has_read_nothing() -> None:
    state = start_state(request(), PLAN, NOW, {"dst": {0: 100, 1: 7}})
    assert (state.planned, state.read, state.remaining, state.sent) == (13, 0, 13, 0)
    assert not state.done and state.status == "running"
    assert state.target_marks == {"dst": {0: 100, 1: 7}}


def test_a_batch_moves_offsets_counts_and_marks_forward() -> None:
    state = start_state(request(), PLAN, NOW, {"dst": {0: 100, 1: 7}})
    outcome = BatchOutcome(
        next_offsets={0: 4, 1: 8},
        sent_to=Counter({"dst": 3}),
        skipped=Counter({"key": 4}),
        acked={("dst", 0): 102, ("dst", 3): 1},
    )
    state = apply_batch(state, outcome, NOW)
    assert [(p.partition, p.next, p.done) for p in state.partitions] == [
        (0, 4, False),
        (1, 8, True),
    ]
    assert (state.read, state.sent, state.sent_to, state.skipped) == (7, 3, {"dst": 3}, {"key": 4})
    assert state.target_marks == {"dst": {0: 102, 1: 7, 3: 1}}
    # offsets never go back, nor past the planned end
    state = apply_batch(state, BatchOutcome(next_offsets={0: 2, 1: 50}), NOW)
    assert [p.next for p in state.partitions] == [4, 8]
    state = apply_batch(state, BatchOutcome(next_offsets={0: 99}), NOW)
    assert state.done and state.read == state.planned == 13


def test_found_records_count_as_sent_and_are_skipped_until_passed() -> None:
    state = apply_batch(start_state(request(), PLAN, NOW), BatchOutcome(next_offsets={0: 4}), NOW)
    found = {"dst": [(0, 5), (0, 6), (0, 2), (1, 6), (9, 1), (0, 5)]}
    state = absorb_found(state, found, NOW)
    # (0, 2) is before the checkpoint (already counted); (9, 1) is no partition of the plan
    assert state.progress(0).sent_ahead == (5, 6)
    assert state.progress(1).sent_ahead == (6,)
    assert state.sent == 3 and state.sent_to == {"dst": 3}
    # absorbing the same find again changes nothing
    assert absorb_found(state, found, NOW).sent == 3
    state = apply_batch(state, BatchOutcome(next_offsets={0: 6, 1: 8}), NOW)
    assert state.progress(0).sent_ahead == (6,)
    assert state.progress(1).sent_ahead == ()


def test_marks_for_a_new_target_are_added_once() -> None:
    state = add_marks(start_state(request(), PLAN, NOW), "raw", {0: 3, 1: 9}, NOW)
    state = add_marks(state, "raw", {0: 50, 2: 1}, NOW)
    assert state.target_marks == {"raw": {0: 3, 1: 9, 2: 1}}


def test_limit_left() -> None:
    state = start_state(request(limit=5), PLAN, NOW)
    assert state.limit_left(None) is None
    state = apply_batch(state, BatchOutcome(sent_to=Counter({"dst": 4})), NOW)
    assert state.limit_left(5) == 1
    state = apply_batch(state, BatchOutcome(sent_to=Counter({"dst": 4})), NOW)
    assert state.limit_left(5) == 0


def test_remaining_plan_starts_at_next() -> None:
    state = apply_batch(start_state(request(), PLAN, NOW), BatchOutcome(next_offsets={0: 6}), NOW)
    plan = state.remaining_plan("src")
    assert [(r.partition, r.start, r.end) for r in plan.ranges] == [(0, 6, 10), (1, 5, 8)]
    assert plan.records == 7


def test_the_store_writes_and_reads_back(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path / "replay")
    req = request()
    state = start_state(req, PLAN, NOW, {"dst": {0: 1}})
    store.create(req, state)
    state = apply_batch(state, BatchOutcome(next_offsets={0: 3}, sent_to=Counter({"dst": 1})), NOW)
    store.save(finish(state, "interrupted", "stopped by a signal", NOW))
    loaded_request, loaded = store.load("r1")
    assert loaded_request == req
    assert loaded.status == "interrupted" and loaded.progress(0).next == 3
    assert loaded.target_marks == {"dst": {0: 1}}  # integer partitions survive JSON
    assert sorted(p.name for p in (tmp_path / "replay").iterdir()) == [
        "r1.request.json",
        "r1.state.json",
    ]  # no temporary file left behind
    assert store.replay_ids() == ["r1"]


def test_a_replay_id_is_never_reused(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path)
    store.create(request(), start_state(request(), PLAN, NOW))
    with pytest.raises(CheckpointError, match="exists already: continue it with --resume r1"):
        store.create(request(), start_state(request(), PLAN, NOW))


def test_missing_and_damaged_checkpoints_are_clear_errors(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path)
    with pytest.raises(CheckpointError, match=r"no checkpoint .* \(replays there: none\)"):
        store.load("nope")
    store.create(request(), start_state(request(), PLAN, NOW))
    (tmp_path / "r1.state.json").write_text(json.dumps({"replay_id": "r1"}))
    with pytest.raises(CheckpointError, match="not a valid checkpoint"):
        store.load("r1")
    with pytest.raises(BadArguments, match="replay id"):
        store.load("../etc/passwd")


def test_reset_checkpoints(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path)
    checkpoint = ResetCheckpoint(
        replay_id="reset-1",
        group="g",
        kind="shift",
        offsets={"raw": {0: 5, 3: 9}},
        created_at=NOW,
        updated_at=NOW,
    )
    store.create_reset(checkpoint)
    assert store.load_reset("reset-1") == checkpoint
    with pytest.raises(CheckpointError, match="exists already"):
        store.create_reset(checkpoint)
    with pytest.raises(CheckpointError, match="exists already"):
        store.create(request("reset-1"), start_state(request("reset-1"), PLAN, NOW))


def test_a_replay_cannot_run_twice_at_once(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path)
    with store.running("r1"):
        with (
            pytest.raises(CheckpointError, match="running in another process"),
            store.running("r1"),
        ):
            pass
        with store.running("r2"):  # another replay may
            pass
    with store.running("r1"):  # released
        pass
    assert store.replay_ids() == []  # a lock file is no checkpoint
