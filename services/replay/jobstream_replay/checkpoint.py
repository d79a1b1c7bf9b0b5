"""Checkpoints: where a replay is, so `--resume` continues it without sending twice.

The state and its transitions are pure; `CheckpointStore` writes them as JSON files, each
replace atomic (write a temporary file, fsync, rename), so a crash leaves the old file or the
new one, never half of one. Per replay id there are two files: the request (the selection,
written once) and the state (rewritten after every batch Kafka acknowledged).

Per partition the state holds `next`, the first offset not yet dealt with: every matching
record before it was acknowledged by Kafka before the state was written. `target_marks` say,
per target partition, where this replay's unconfirmed records can start; a resume reads the
target from there and records in `sent_ahead` what it finds, so it is not sent again.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from jobstream.errors import JobstreamError
from jobstream_replay.arguments import check_replay_id
from jobstream_replay.plan import PartitionRange, ReplayPlan
from jobstream_replay.selection import Mode, Selection

MAX_CHECKPOINT_BYTES: Final = 256 * 1024 * 1024

Status = Literal["running", "finished", "interrupted", "failed"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReplayRequest(_Model):
    """What the operator asked for, fixed when the replay starts (times already resolved)."""

    replay_id: str
    mode: Mode
    source: str
    target: str | None = Field(description="None: each dead letter to the topic it failed from")
    selection: Selection
    created_at: AwareDatetime


class PartitionProgress(_Model):
    partition: int
    start: int
    end: int
    next: int
    sent_ahead: tuple[int, ...] = ()

    @property
    def done(self) -> bool:
        return self.next >= self.end

    @property
    def read(self) -> int:
        return self.next - self.start


class ReplayState(_Model):
    replay_id: str
    mode: Mode
    status: Status = "running"
    stop_reason: str | None = None
    partitions: tuple[PartitionProgress, ...]
    sent: int = 0
    sent_to: dict[str, int] = Field(default_factory=dict)
    skipped: dict[str, int] = Field(default_factory=dict)
    target_marks: dict[str, dict[int, int]] = Field(default_factory=dict)
    updated_at: AwareDatetime

    @property
    def planned(self) -> int:
        return sum(item.end - item.start for item in self.partitions)

    @property
    def read(self) -> int:
        return sum(item.read for item in self.partitions)

    @property
    def remaining(self) -> int:
        return self.planned - self.read

    @property
    def done(self) -> bool:
        return all(item.done for item in self.partitions)

    def progress(self, partition: int) -> PartitionProgress:
        for item in self.partitions:
            if item.partition == partition:
                return item
        raise KeyError(partition)

    def remaining_plan(self, topic: str) -> ReplayPlan:
        return ReplayPlan(
            topic,
            tuple(PartitionRange(p.partition, p.next, p.end) for p in self.partitions),
        )

    def limit_left(self, limit: int | None) -> int | None:
        return None if limit is None else max(limit - self.sent, 0)


def start_state(
    request: ReplayRequest,
    plan: ReplayPlan,
    now: datetime,
    marks: Mapping[str, Mapping[int, int]] | None = None,
) -> ReplayState:
    return ReplayState(
        replay_id=request.replay_id,
        mode=request.mode,
        partitions=tuple(
            PartitionProgress(partition=r.partition, start=r.start, end=r.end, next=r.start)
            for r in plan.ranges
        ),
        target_marks={topic: dict(ends) for topic, ends in (marks or {}).items()},
        updated_at=now,
    )


@dataclass
class BatchOutcome:
    """What one batch did, once Kafka acknowledged every record it sent."""

    next_offsets: dict[int, int] = field(default_factory=dict)  # partition -> next to read
    sent_to: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    # (target topic, partition) -> one past the highest offset Kafka gave a sent record
    acked: dict[tuple[str, int], int] = field(default_factory=dict)

    @property
    def sent(self) -> int:
        return sum(self.sent_to.values())


def apply_batch(state: ReplayState, outcome: BatchOutcome, now: datetime) -> ReplayState:
    partitions = []
    for item in state.partitions:
        next_offset = max(item.next, min(outcome.next_offsets.get(item.partition, 0), item.end))
        ahead = tuple(offset for offset in item.sent_ahead if offset >= next_offset)
        partitions.append(item.model_copy(update={"next": next_offset, "sent_ahead": ahead}))
    marks = {topic: dict(ends) for topic, ends in state.target_marks.items()}
    for (topic, partition), offset in outcome.acked.items():
        ends = marks.setdefault(topic, {})
        ends[partition] = max(ends.get(partition, 0), offset)
    return state.model_copy(
        update={
            "partitions": tuple(partitions),
            "sent": state.sent + outcome.sent,
            "sent_to": _merge(state.sent_to, outcome.sent_to),
            "skipped": _merge(state.skipped, outcome.skipped),
            "target_marks": marks,
            "updated_at": now,
        }
    )


def add_marks(
    state: ReplayState, topic: str, ends: Mapping[int, int], now: datetime
) -> ReplayState:
    """Where this replay's records in `topic` can start (its end offsets before any send)."""
    marks = {name: dict(values) for name, values in state.target_marks.items()}
    current = marks.setdefault(topic, {})
    for partition, offset in ends.items():
        current.setdefault(partition, offset)
    return state.model_copy(update={"target_marks": marks, "updated_at": now})


def absorb_found(
    state: ReplayState, found: Mapping[str, Iterable[tuple[int, int]]], now: datetime
) -> ReplayState:
    """Records of this replay found in its targets past the checkpoint: Kafka acknowledged
    them but the process stopped before the checkpoint said so. They count as sent, and the
    offsets are kept so the resumed replay skips them."""
    ahead: dict[int, set[int]] = {item.partition: set(item.sent_ahead) for item in state.partitions}
    sent_to: Counter[str] = Counter()
    for topic, origins in found.items():
        for partition, offset in origins:
            if partition not in ahead:
                continue
            item = state.progress(partition)
            if item.next <= offset < item.end and offset not in ahead[partition]:
                ahead[partition].add(offset)
                sent_to[topic] += 1
    partitions = tuple(
        item.model_copy(update={"sent_ahead": tuple(sorted(ahead[item.partition]))})
        for item in state.partitions
    )
    return state.model_copy(
        update={
            "partitions": partitions,
            "sent": state.sent + sum(sent_to.values()),
            "sent_to": _merge(state.sent_to, sent_to),
            "updated_at": now,
        }
    )


def finish(state: ReplayState, status: Status, reason: str, now: datetime) -> ReplayState:
    return state.model_copy(update={"status": status, "stop_reason": reason, "updated_at": now})


def _merge(base: Mapping[str, int], more: Mapping[str, int]) -> dict[str, int]:
    merged = Counter(base)
    merged.update(more)
    return {key: value for key, value in sorted(merged.items()) if value}


# --- files -------------------------------------------------------------------------------


class CheckpointError(JobstreamError, LookupError):
    """A checkpoint that does not exist, is taken, or cannot be read."""


class ResetCheckpoint(_Model):
    """A group reset: the offsets it computes are kept before they are committed, so a
    resumed reset commits the same offsets (a shift is never applied twice)."""

    replay_id: str
    mode: Literal["reset"] = "reset"
    group: str
    kind: str
    offsets: dict[str, dict[int, int]] = Field(description="topic -> partition -> new offset")
    status: Literal["planned", "applied"] = "planned"
    created_at: AwareDatetime
    updated_at: AwareDatetime


M = TypeVar("M", bound=BaseModel)


class CheckpointStore:
    """The JSON files of replays, one set per replay id, in one folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, replay_id: str, kind: str) -> Path:
        return self.directory / f"{check_replay_id(replay_id)}.{kind}.json"

    @contextlib.contextmanager
    def running(self, replay_id: str) -> Iterator[None]:
        """Held while a replay runs, so the same replay cannot run twice at once (an
        advisory lock on `<id>.lock`, released by the system when the process dies)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{check_replay_id(replay_id)}.lock"
        with path.open("a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise CheckpointError(
                    f"replay {replay_id!r} is running in another process right now"
                ) from error
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def exists(self, replay_id: str) -> bool:
        return any(self._path(replay_id, kind).exists() for kind in ("request", "reset"))

    def create(self, request: ReplayRequest, state: ReplayState) -> None:
        if self.exists(request.replay_id):
            raise CheckpointError(
                f"a replay {request.replay_id!r} exists already: continue it with "
                f"--resume {request.replay_id}, or choose another --replay-id"
            )
        self.save(state)  # state first: a request without its state is never left behind
        _write_atomically(self._path(request.replay_id, "request"), request)

    def save(self, state: ReplayState) -> None:
        _write_atomically(self._path(state.replay_id, "state"), state)

    def load(self, replay_id: str) -> tuple[ReplayRequest, ReplayState]:
        request = self._read(self._path(replay_id, "request"), ReplayRequest, replay_id)
        state = self._read(self._path(replay_id, "state"), ReplayState, replay_id)
        return request, state

    def create_reset(self, checkpoint: ResetCheckpoint) -> None:
        if self.exists(checkpoint.replay_id):
            raise CheckpointError(
                f"a replay {checkpoint.replay_id!r} exists already: continue it with "
                f"--resume {checkpoint.replay_id}, or choose another --replay-id"
            )
        self.save_reset(checkpoint)

    def save_reset(self, checkpoint: ResetCheckpoint) -> None:
        _write_atomically(self._path(checkpoint.replay_id, "reset"), checkpoint)

    def load_reset(self, replay_id: str) -> ResetCheckpoint:
        return self._read(self._path(replay_id, "reset"), ResetCheckpoint, replay_id)

    def replay_ids(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        names = {path.name.split(".", 1)[0] for path in self.directory.glob("*.json")}
        return sorted(name for name in names if not name.startswith("."))

    def _read(self, path: Path, model: type[M], replay_id: str) -> M:
        if not path.exists():
            known = ", ".join(self.replay_ids()) or "none"
            raise CheckpointError(
                f"there is no checkpoint {path.name} of replay {replay_id!r} in "
                f"{self.directory} (replays there: {known})"
            )
        if path.stat().st_size > MAX_CHECKPOINT_BYTES:
            raise CheckpointError(f"{path} is larger than any checkpoint this tool writes")
        try:
            return model.model_validate_json(path.read_bytes())
        except ValidationError as error:
            raise CheckpointError(f"{path} is not a valid checkpoint: {error}") from error


def _write_atomically(path: Path, model: BaseModel) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = model.model_dump_json(indent=1).encode("utf-8")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    # The rename itself is durable only once the folder is synced.
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
