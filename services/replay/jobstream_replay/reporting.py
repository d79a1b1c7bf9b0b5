"""What the replay tool shows: plans, a progress bar with rate and ETA, and summaries (rich)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from jobstream_replay.checkpoint import ReplayRequest, ReplayState
from jobstream_replay.plan import ReplayPlan
from jobstream_replay.reset import ResetRow

out = Console(highlight=False)  # plans and summaries
err = Console(stderr=True, highlight=False)  # progress bars, warnings and errors


class RateColumn(ProgressColumn):
    """Records read per second (rich's speed estimate over the last seconds)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- rec/s" if speed is None else f"{speed:,.0f} rec/s", style="cyan")


def progress_bar(console: Console, *, dry_run: bool = False) -> Progress:
    """A dry run sends nothing: its bar counts what it *would* send."""
    sent = "would send" if dry_run else "sent"
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        TextColumn(sent + " {task.fields[sent]:,} skipped {task.fields[skipped]:,}"),
        console=console,
    )


def plan_table(plan: ReplayPlan, title: str) -> Table:
    table = Table("partition", "from offset", "to offset", "records", title=title)
    for item in plan.ranges:
        table.add_row(str(item.partition), str(item.start), str(item.end), f"{item.records:,}")
    table.add_section()
    table.add_row("all", "", "", f"{plan.records:,}")
    return table


def describe_request(request: ReplayRequest) -> str:
    target = request.target or "the topic each dead letter failed from"
    selection = request.selection
    parts = [f"{request.source} → {target}"]
    if selection.since or selection.until:
        since = selection.since.isoformat() if selection.since else "the start"
        until = selection.until.isoformat() if selection.until else "now"
        parts.append(f"records stamped from {since} until {until}")
    if selection.keys:
        parts.append(f"{len(selection.keys):,} keys")
    if selection.headers:
        parts.append("headers " + ", ".join(sorted(selection.headers)))
    if selection.stages:
        parts.append("stage " + ", ".join(sorted(selection.stages)))
    if selection.reasons:
        parts.append("reason " + ", ".join(sorted(selection.reasons)))
    if selection.error_text:
        parts.append(f"error containing {selection.error_text!r}")
    if selection.limit:
        parts.append(f"at most {selection.limit:,} records")
    return "; ".join(parts)


class _Output:
    """Where summaries go: a table on stdout, or with --json one JSON object on stdout (and
    the tables, for a person watching, on stderr)."""

    as_json = False

    def use_json(self) -> None:
        self.as_json = True
        out.file = sys.stderr


output = _Output()


def print_summary(
    request: ReplayRequest,
    state: ReplayState,
    seconds: float,
    checkpoint: Path | None,
    dry_run: bool = False,
) -> None:
    out.print(summary_table(request, state, seconds, checkpoint, dry_run))
    if output.as_json:
        sys.stdout.write(json.dumps(summary_json(request, state, seconds, checkpoint, dry_run)))
        sys.stdout.write("\n")


def summary_json(
    request: ReplayRequest,
    state: ReplayState,
    seconds: float,
    checkpoint: Path | None,
    dry_run: bool = False,
) -> dict[str, object]:
    return {
        "replay_id": request.replay_id,
        "mode": request.mode,
        "dry_run": dry_run,
        "status": state.status,
        "stop_reason": state.stop_reason,
        "source": request.source,
        "planned": state.planned,
        "read": state.read,
        "would_send" if dry_run else "sent": state.sent,
        "sent_to": dict(sorted(state.sent_to.items())),
        "skipped": dict(sorted(state.skipped.items())),
        "seconds": round(seconds, 3),
        "checkpoint": str(checkpoint) if checkpoint else None,
    }


def summary_table(
    request: ReplayRequest,
    state: ReplayState,
    seconds: float,
    checkpoint: Path | None,
    dry_run: bool = False,
) -> Table:
    table = Table(
        show_header=False,
        title=f"replay {request.replay_id} ({request.mode}){' — dry run' if dry_run else ''}",
    )
    table.add_row("status", state.status + (f": {state.stop_reason}" if state.stop_reason else ""))
    table.add_row("source", request.source)
    table.add_row("read", f"{state.read:,} of {state.planned:,} offsets planned")
    verb = "would send" if dry_run else "sent"
    table.add_row(verb, f"{state.sent:,}")
    for topic, count in sorted(state.sent_to.items()):
        table.add_row(f"  to {topic}", f"{count:,}")
    skipped = sum(state.skipped.values())
    table.add_row("skipped", f"{skipped:,}")
    for reason, count in sorted(state.skipped.items()):
        table.add_row(f"  {reason}", f"{count:,}")
    if seconds > 0:
        table.add_row("time", f"{seconds:,.1f} s ({state.read / seconds:,.0f} records/s read)")
    if checkpoint is not None:
        table.add_row("checkpoint", str(checkpoint))
    return table


def reset_table(group: str, rows: Sequence[ResetRow]) -> Table:
    table = Table(
        "topic", "partition", "committed", "new offset", "earliest", "latest", "lag after",
        title=f"group {group}",
    )  # fmt: skip
    for row in rows:
        new = f"{row.target}" + (" (clamped)" if row.clamped else "")
        current = "-" if row.current is None else str(row.current)
        table.add_row(
            row.topic, str(row.partition), current, new, str(row.earliest), str(row.latest),
            f"{row.lag:,}",
        )  # fmt: skip
    return table
