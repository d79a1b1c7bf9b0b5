"""The bodies of the replay commands: plan, run with progress and metrics, summarise.

`cli.py` parses and checks the options; these functions do the work and return the exit
status. Console output goes through `reporting.out` (plans, summaries) and `reporting.err`
(progress, errors).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from aiohttp import web
from aiokafka.errors import KafkaError
from rich.table import Table

from jobstream import metrics
from jobstream.contracts import utc_now
from jobstream.ops_http import start_ops_server
from jobstream_replay.arguments import BadArguments, check_replay_id
from jobstream_replay.checkpoint import (
    CheckpointError,
    CheckpointStore,
    ReplayRequest,
    ReplayState,
    ResetCheckpoint,
    finish,
)
from jobstream_replay.groups import (
    GroupNotEmpty,
    GroupState,
    commit_offsets,
    committed_offsets,
    describe_group,
)
from jobstream_replay.jobs import prepare, redrive_targets
from jobstream_replay.offsets import KafkaOffsets
from jobstream_replay.rate import RateLimit
from jobstream_replay.reporting import (
    describe_request,
    err,
    out,
    plan_table,
    print_summary,
    progress_bar,
    reset_table,
)
from jobstream_replay.reset import ResetRow, plan_reset, reset_partitions
from jobstream_replay.runner import Replayer, ReplayStalled
from jobstream_replay.selection import Mode, Selection
from jobstream_replay.settings import METRICS_HOST, ReplaySettings

EXIT_INTERRUPTED: Final = 130
PREVIEW_NOTE: Final = "preview: no offset was committed; add --execute to commit these offsets"


@dataclass(frozen=True)
class NewReplay:
    mode: Mode
    source: str
    target: str | None
    selection: Selection
    replay_id: str | None


@contextlib.asynccontextmanager
async def _metrics_server(port: int | None) -> AsyncIterator[None]:
    """Prometheus metrics on 127.0.0.1:PORT while the command runs."""
    if port is None:
        yield
        return
    runner: web.AppRunner = await start_ops_server(METRICS_HOST, port, {})
    err.print(f"metrics on http://{METRICS_HOST}:{port}/metrics")
    try:
        yield
    finally:
        await runner.cleanup()


@contextlib.contextmanager
def _stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Ctrl-C or SIGTERM: finish the batch in flight, write the checkpoint, then stop."""
    loop = asyncio.get_running_loop()
    handled = []
    for sign in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sign, stop.set)
            handled.append(sign)
    try:
        yield
    finally:
        for sign in handled:
            loop.remove_signal_handler(sign)


def new_replay_id(mode: str, now: datetime) -> str:
    name = "redrive" if mode == "dead-letters" else mode
    return f"{name}-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


async def _start(
    settings: ReplaySettings, store: CheckpointStore, mode: Mode, new: NewReplay | None,
    resume: str | None,
) -> tuple[ReplayRequest, ReplayState]:  # fmt: skip
    if resume:
        request, state = store.load(resume)
        if request.mode != mode:
            raise BadArguments(
                f"replay {resume} is a {request.mode} replay: continue it with "
                f"`jobstream replay {request.mode} --resume {resume}`"
            )
        return request, state
    assert new is not None
    now = utc_now()
    replay_id = check_replay_id(new.replay_id or new_replay_id(mode, now))
    if store.exists(replay_id):
        raise CheckpointError(
            f"a replay {replay_id!r} exists already: continue it with --resume {replay_id}, "
            "or choose another --replay-id"
        )
    return await prepare(
        settings, mode=mode, replay_id=replay_id, source=new.source, target=new.target,
        selection=new.selection, now=now,
    )  # fmt: skip


async def run_replay(
    settings: ReplaySettings, mode: Mode, new: NewReplay | None, resume: str | None,
    rate: float | None, dry_run: bool, metrics_port: int | None,
) -> int:  # fmt: skip
    store = CheckpointStore(settings.checkpoints)
    request, state = await _start(settings, store, mode, new, resume)
    if state.status == "finished":
        out.print(f"replay {request.replay_id} has finished already: nothing to continue")
        print_summary(request, state, 0, None)
        return 0
    out.print(f"[bold]replay {request.replay_id}[/] ({mode}): {describe_request(request)}")
    title = f"{'remaining ' if resume else ''}offsets to read of {request.source}"
    out.print(plan_table(state.remaining_plan(request.source), title))
    replayer = Replayer(
        settings,
        request,
        state,
        store=None if dry_run else store,
        allowed_targets=redrive_targets(settings.kafka, request.target),
        rate=RateLimit(rate),
    )
    if dry_run:
        return await _dry_run(replayer, bool(resume))
    with store.running(request.replay_id):
        if resume:  # read again under the lock: another process may have moved it on
            request, replayer.state = store.load(request.replay_id)
            if replayer.state.status == "finished":
                out.print(f"replay {request.replay_id} has finished already")
                return 0
        else:
            store.create(request, state)
        return await _execute(settings, replayer, mode, bool(resume), metrics_port)


async def _execute(
    settings: ReplaySettings, replayer: Replayer, mode: Mode, resume: bool,
    metrics_port: int | None,
) -> int:  # fmt: skip
    request, state, store = replayer.request, replayer.state, replayer.store
    assert store is not None
    checkpoint = settings.checkpoints / f"{request.replay_id}.state.json"
    started = time.monotonic()
    async with _metrics_server(metrics_port):
        metrics.REPLAY_RECORDS_REMAINING.labels(mode).set(state.remaining)
        try:
            with _stop_on_signals(replayer.stop), progress_bar(err) as progress:
                task = progress.add_task(
                    mode, total=state.planned, completed=state.read, sent=state.sent,
                    skipped=sum(state.skipped.values()),
                )  # fmt: skip

                def show(current: ReplayState) -> None:
                    progress.update(
                        task, completed=current.read, sent=current.sent,
                        skipped=sum(current.skipped.values()),
                    )  # fmt: skip

                replayer.on_batch = show
                if resume:
                    found = await replayer.recover()
                    if found:
                        err.print(
                            f"{found} records of this replay were in the target past the "
                            "checkpoint (sent before it stopped): they are not sent again"
                        )
                    show(replayer.state)
                final = await replayer.run()
        except (KafkaError, ReplayStalled, OSError) as error:
            failed = finish(replayer.state, "failed", f"{type(error).__name__}: {error}", utc_now())
            store.save(failed)
            print_summary(request, failed, time.monotonic() - started, checkpoint)
            err.print(
                f"[red]stopped:[/] {error}\nEverything the checkpoint counts as sent was "
                f"acknowledged by Kafka; continue with "
                f"`jobstream replay {mode} --resume {request.replay_id}`"
            )
            return 1
    print_summary(request, final, time.monotonic() - started, checkpoint)
    if final.status == "interrupted":
        err.print(f"continue with `jobstream replay {mode} --resume {request.replay_id}`")
        return EXIT_INTERRUPTED
    return 0


async def _dry_run(replayer: Replayer, resumed: bool) -> int:
    """Count what would be sent: from the plan alone when no record filter applies, else by
    reading the planned ranges (reading only: nothing is sent, committed or written)."""
    request = replayer.request
    if resumed:
        await replayer.recover()
    state = replayer.state
    if request.mode == "copy" and not request.selection.filters_records:
        left = state.limit_left(request.selection.limit)
        would = state.remaining if left is None else min(state.remaining, left)
        out.print(f"dry run: would send {would:,} records to {request.target}")
    else:
        started = time.monotonic()
        with _stop_on_signals(replayer.stop), progress_bar(err, dry_run=True) as progress:
            task = progress.add_task(
                f"{request.mode} (dry run)", total=state.planned, completed=state.read,
                sent=state.sent, skipped=sum(state.skipped.values()),
            )  # fmt: skip
            replayer.on_batch = lambda current: progress.update(
                task, completed=current.read, sent=current.sent,
                skipped=sum(current.skipped.values()),
            )  # fmt: skip
            final = await replayer.run()
        print_summary(request, final, time.monotonic() - started, None, dry_run=True)
    out.print("dry run: nothing was sent, committed or written")
    return 0


def _refusal(state: GroupState) -> str:
    members = ", ".join(f"{m.client_id} on {m.host}" for m in state.members[:10])
    more = f" and {len(state.members) - 10} more" if len(state.members) > 10 else ""
    return (
        f"group {state.group} has {len(state.members)} live member(s) ({state.state}): "
        f"{members}{more}. Kafka moves a group's offsets only while it has none: stop them "
        "(the stage's service) and run this again."
    )


async def run_reset(
    settings: ReplaySettings, group: str, kind: str, value: int | None,
    requested: list[tuple[str, tuple[int, ...] | None]], reset_id: str, dry_run: bool,
    metrics_port: int | None,
) -> int:  # fmt: skip
    store = CheckpointStore(settings.checkpoints)
    if not dry_run and store.exists(reset_id):
        raise CheckpointError(f"a replay {reset_id!r} exists already: choose another --replay-id")
    state = await describe_group(settings.kafka, group)
    committed = await committed_offsets(settings.kafka, group)
    async with KafkaOffsets(settings.kafka) as offsets:
        topics = sorted({t for t, _ in requested} or {t for t, _ in committed})
        present = {t: await offsets.partitions(t) for t in topics}
        partitions = reset_partitions(requested, present, committed)
        beginnings: dict[tuple[str, int], int] = {}
        ends: dict[tuple[str, int], int] = {}
        at_time: dict[tuple[str, int], int | None] = {}
        for name in sorted({t for t, _ in partitions}):
            chosen = [p for t, p in partitions if t == name]
            first, last = await offsets.bounds(name, chosen)
            beginnings.update({(name, p): n for p, n in first.items()})
            ends.update({(name, p): n for p, n in last.items()})
            if kind == "datetime":
                assert value is not None
                found = await offsets.at_time(name, chosen, value)
                at_time.update({(name, p): n for p, n in found.items()})
    rows = plan_reset(
        kind, value, partitions, committed, beginnings, ends,  # type: ignore[arg-type]
        at_time if kind == "datetime" else None,
    )  # fmt: skip
    out.print(reset_table(group, rows))
    if dry_run:
        if state.members:
            err.print(f"[yellow]a real run would be refused now:[/] {_refusal(state)}")
        out.print(PREVIEW_NOTE)
        return 0
    if state.members:
        err.print(f"[red]refused:[/] {_refusal(state)}")
        return 1
    now = utc_now()
    checkpoint = ResetCheckpoint(
        replay_id=reset_id, group=group, kind=kind, offsets=_by_topic(rows), created_at=now,
        updated_at=now,
    )  # fmt: skip
    store.create_reset(checkpoint)
    return await _apply_reset(settings, store, checkpoint, rows, metrics_port)


async def resume_reset(
    settings: ReplaySettings, group: str, reset_id: str, dry_run: bool, metrics_port: int | None
) -> int:
    store = CheckpointStore(settings.checkpoints)
    checkpoint = store.load_reset(reset_id)
    if checkpoint.group != group:
        raise BadArguments(f"reset {reset_id} is of group {checkpoint.group}, not {group}")
    if checkpoint.status == "applied":
        out.print(f"reset {reset_id} was applied already: nothing to do")
        return 0
    table = Table("topic", "partition", "new offset", title=f"group {group} (from {reset_id})")
    for name, partitions in sorted(checkpoint.offsets.items()):
        for partition, offset in sorted(partitions.items()):
            table.add_row(name, str(partition), str(offset))
    out.print(table)
    if dry_run:
        out.print(PREVIEW_NOTE)
        return 0
    state = await describe_group(settings.kafka, group)
    if state.members:
        err.print(f"[red]refused:[/] {_refusal(state)}")
        return 1
    return await _apply_reset(settings, store, checkpoint, None, metrics_port)


async def _apply_reset(
    settings: ReplaySettings, store: CheckpointStore, checkpoint: ResetCheckpoint,
    rows: list[ResetRow] | None, metrics_port: int | None,
) -> int:  # fmt: skip
    offsets = {
        (name, partition): offset
        for name, partitions in checkpoint.offsets.items()
        for partition, offset in partitions.items()
    }
    async with _metrics_server(metrics_port):
        try:
            await commit_offsets(settings.kafka, checkpoint.group, offsets)
        except GroupNotEmpty as error:
            err.print(
                f"[red]refused:[/] {error}. Nothing was committed; when they are gone, "
                f"`jobstream replay reset {checkpoint.group} --resume {checkpoint.replay_id}`"
            )
            return 1
    store.save_reset(checkpoint.model_copy(update={"status": "applied", "updated_at": utc_now()}))
    moved = len(offsets) if rows is None else sum(row.moves for row in rows)
    metrics.REPLAY_PARTITIONS_RESET.inc(moved)
    out.print(
        f"committed new offsets for {len(offsets)} partition(s) of group {checkpoint.group} "
        f"({moved} moved); the group reads from there when it starts"
    )
    return 0


def _by_topic(rows: list[ResetRow]) -> dict[str, dict[int, int]]:
    offsets: dict[str, dict[int, int]] = {}
    for row in rows:
        offsets.setdefault(row.topic, {})[row.partition] = row.target
    return offsets
