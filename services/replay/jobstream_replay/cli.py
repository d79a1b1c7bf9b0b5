"""Commands of the replay tool: `jobstream replay {plan,copy,dead-letters,reset,list}`.

Arguments are checked (pure, `arguments.py`) and fitted to the topics (metadata only,
`jobs.py`) before any record is read; a problem exits with status 2 and a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Final

import typer
from aiokafka.errors import KafkaError
from rich.table import Table

from jobstream.cli import CommandGroups, JsonOption, print_json
from jobstream.contracts import utc_now
from jobstream.settings import KafkaSettings
from jobstream.topology import ALL_TOPICS, CONSUMING_STAGES, Stage
from jobstream_replay.arguments import (
    BadArguments,
    build_selection,
    check_rate,
    check_replay_id,
    parse_topic_partitions,
    reset_target,
)
from jobstream_replay.checkpoint import CheckpointError, CheckpointStore
from jobstream_replay.commands import (
    NewReplay,
    new_replay_id,
    resume_reset,
    run_replay,
    run_reset,
)
from jobstream_replay.jobs import dead_letter_topic
from jobstream_replay.offsets import UnknownTopic, partition_bounds
from jobstream_replay.plan import PlanError, ReplayPlan, plan_whole_topic
from jobstream_replay.reporting import err, out, output, plan_table
from jobstream_replay.reset import ResetError
from jobstream_replay.settings import METRICS_HOST, ReplaySettings

replay = typer.Typer(
    no_args_is_help=True,
    help="Re-read topics: copy records, redrive dead letters, reset a group's offsets.",
)

SHORT_NAMES = {spec.name.rsplit(".", 1)[-1]: spec for spec in ALL_TOPICS}
GROUPS: dict[str, Stage] = {stage.name: stage for stage in CONSUMING_STAGES}
MAX_KEYS_FILE_BYTES: Final = 64 * 1024 * 1024
EXIT_BAD_ARGUMENTS: Final = 2


def register(groups: CommandGroups) -> None:
    groups.root.add_typer(replay, name="replay")


def resolve_topic(name: str, settings: KafkaSettings) -> str:
    """`raw`, `parsed`, `tagged`, `dead-letter` or a full topic name."""
    spec = SHORT_NAMES.get(name)
    return settings.topic(spec) if spec else name


def resolve_group(name: str, settings: KafkaSettings) -> str:
    """`parser`, `tagger`, `store` or a full group name."""
    stage = GROUPS.get(name)
    return settings.group(stage) if stage else name


async def make_plan(topic: str, settings: KafkaSettings) -> ReplayPlan:
    beginnings, ends = await partition_bounds(settings, topic)
    return plan_whole_topic(topic, beginnings, ends)


@contextlib.contextmanager
def _clear_errors() -> Iterator[None]:
    """Bad arguments and missing things: a message and status 2, no traceback."""
    try:
        yield
    except (BadArguments, UnknownTopic, PlanError, CheckpointError, ResetError) as error:
        err.print(f"[red]error:[/] {error}")
        raise typer.Exit(EXIT_BAD_ARGUMENTS) from error
    except KafkaError as error:
        err.print(f"[red]Kafka error:[/] {error}")
        raise typer.Exit(1) from error


# --- options shared by copy and dead-letters ------------------------------------------------

Partitions = Annotated[
    list[int] | None,
    typer.Option("--partition", "-p", help="Read only this partition (repeat for more)."),
]
FromOffsets = Annotated[
    list[str] | None,
    typer.Option(
        "--from-offset",
        metavar="[P:]N",
        help="First offset to read: N in every partition, or P:N in partition P.",
    ),
]
UntilOffsets = Annotated[
    list[str] | None,
    typer.Option(
        "--until-offset",
        metavar="[P:]N",
        help="Stop before this offset (exclusive): N in every partition, or P:N.",
    ),
]
Since = Annotated[
    str | None,
    typer.Option(
        help="Records stamped at or after: ISO-8601 (UTC without a zone) or a duration ago (2h)."
    ),
]
Until = Annotated[
    str | None,
    typer.Option(help="Records stamped before: ISO-8601 or a duration ago (30m)."),
]
Keys = Annotated[
    list[str] | None,
    typer.Option("--key", "-k", help="Only records with this key, a posting id (repeat)."),
]
KeysFile = Annotated[
    Path | None,
    typer.Option(
        "--keys-file", help="Only records with one of these keys, one a line ('-': stdin)."
    ),
]
Headers = Annotated[
    list[str] | None,
    typer.Option(
        "--header",
        "-H",
        metavar="NAME=VALUE",
        help="Only records with this header value (repeat; one value per name must match).",
    ),
]
Limit = Annotated[int | None, typer.Option("--limit", "-n", help="Send at most N records.")]
Rate = Annotated[float | None, typer.Option("--rate", help="Send at most R records per second.")]
DryRun = Annotated[
    bool,
    typer.Option("--dry-run", help="Print the plan and the counts; send and write nothing."),
]
ReplayIdOption = Annotated[
    str | None,
    typer.Option("--replay-id", help="Name of this replay and of its checkpoint."),
]
Resume = Annotated[
    str | None,
    typer.Option(
        "--resume",
        metavar="REPLAY_ID",
        help="Continue an interrupted replay from its checkpoint (its selection is kept).",
    ),
]
MetricsPort = Annotated[
    int | None,
    typer.Option(
        "--metrics-port",
        min=1,
        max=65_535,
        help=f"Serve Prometheus metrics on {METRICS_HOST}:PORT while running.",
    ),
]


def _read_keys(path: Path | None) -> list[str]:
    if path is None:
        return []
    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(MAX_KEYS_FILE_BYTES + 1)
        else:
            with path.open("rb") as file:
                data = file.read(MAX_KEYS_FILE_BYTES + 1)
    except OSError as error:
        raise BadArguments(f"--keys-file {path}: {error.strerror or error}") from error
    if len(data) > MAX_KEYS_FILE_BYTES:
        raise BadArguments(f"--keys-file {path} is larger than {MAX_KEYS_FILE_BYTES >> 20} MiB")
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as error:
        raise BadArguments(f"--keys-file {path} is not UTF-8 text") from error


def _no_selection_on_resume(resume: str | None, **given: object) -> None:
    used = [
        "the topic" if name == "source" else f"--{name.replace('_', '-')}"
        for name, value in given.items()
        if value
    ]
    if resume and used:
        raise BadArguments(
            f"--resume continues replay {resume} with the selection it started with; "
            f"leave out {', '.join(used)}"
        )


@replay.command("plan")
def show_plan(
    topic: Annotated[str, typer.Argument(help="raw, parsed, tagged, dead-letter, or a name")],
) -> None:
    """Show what a replay of the whole topic would read; changes nothing."""
    settings = KafkaSettings()
    with _clear_errors():
        plan = asyncio.run(make_plan(resolve_topic(topic, settings), settings))
    out.print(plan_table(plan, plan.topic))
    out.print(f"{plan.records} records in {len(plan.ranges)} partitions")


@replay.command("copy")
def copy(
    source: Annotated[
        str | None,
        typer.Argument(help="Topic to read: raw, parsed, tagged, dead-letter, or a name."),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="Topic to write (default: the source, so its reader reprocesses)."
        ),
    ] = None,
    partition: Partitions = None,
    from_offset: FromOffsets = None,
    until_offset: UntilOffsets = None,
    since: Since = None,
    until: Until = None,
    key: Keys = None,
    keys_file: KeysFile = None,
    header: Headers = None,
    limit: Limit = None,
    rate: Rate = None,
    dry_run: DryRun = False,
    replay_id: ReplayIdOption = None,
    resume: Resume = None,
    metrics_port: MetricsPort = None,
    as_json: JsonOption = False,
) -> None:
    """Copy records to a topic with their keys, headers and values, plus replay headers.

    A backfill after a parser change: `jobstream replay copy raw`; after a taxonomy change:
    `jobstream replay copy parsed`.
    """
    settings = ReplaySettings()
    if as_json:
        output.use_json()
    with _clear_errors():
        _no_selection_on_resume(
            resume, source=source, to=to, partition=partition, from_offset=from_offset,
            until_offset=until_offset, since=since, until=until, key=key, keys_file=keys_file,
            header=header, limit=limit, replay_id=replay_id,
        )  # fmt: skip
        new = None
        if not resume:
            if source is None:
                raise BadArguments("name the topic to copy: raw, parsed, tagged or a topic name")
            selection = build_selection(
                now=utc_now(), partitions=partition or (), from_offsets=from_offset or (),
                until_offsets=until_offset or (), since=since, until=until,
                keys=[*(key or ()), *_read_keys(keys_file)], headers=header or (), limit=limit,
            )  # fmt: skip
            topic = resolve_topic(source, settings.kafka)
            target = resolve_topic(to, settings.kafka) if to else topic
            new = NewReplay("copy", topic, target, selection, replay_id)
        code = asyncio.run(
            run_replay(settings, "copy", new, resume, check_rate(rate), dry_run, metrics_port)
        )
    raise typer.Exit(code)


@replay.command("dead-letters")
def dead_letters(
    stage: Annotated[
        list[str] | None,
        typer.Option("--stage", "-s", help="Only dead letters of this stage (repeat)."),
    ] = None,
    reason: Annotated[
        list[str] | None,
        typer.Option("--reason", help="Only dead letters with this reason code (repeat)."),
    ] = None,
    error: Annotated[
        str | None,
        typer.Option("--error", help="Only dead letters whose error or reason contains TEXT."),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="Send them here instead of the topic each failed from."),
    ] = None,
    partition: Partitions = None,
    from_offset: FromOffsets = None,
    until_offset: UntilOffsets = None,
    since: Since = None,
    until: Until = None,
    key: Keys = None,
    keys_file: KeysFile = None,
    limit: Limit = None,
    rate: Rate = None,
    dry_run: DryRun = False,
    replay_id: ReplayIdOption = None,
    resume: Resume = None,
    metrics_port: MetricsPort = None,
    as_json: JsonOption = False,
) -> None:
    """Redrive dead letters: each one's original record back to the topic it failed from.

    The topic comes from the dead letter's headers; only the pipeline's topics of this
    namespace are written to (or --to).
    """
    settings = ReplaySettings()
    if as_json:
        output.use_json()
    with _clear_errors():
        _no_selection_on_resume(
            resume, stage=stage, reason=reason, error=error, to=to, partition=partition,
            from_offset=from_offset, until_offset=until_offset, since=since, until=until,
            key=key, keys_file=keys_file, limit=limit, replay_id=replay_id,
        )  # fmt: skip
        new = None
        if not resume:
            selection = build_selection(
                now=utc_now(), partitions=partition or (), from_offsets=from_offset or (),
                until_offsets=until_offset or (), since=since, until=until,
                keys=[*(key or ()), *_read_keys(keys_file)], limit=limit, stages=stage or (),
                reasons=reason or (), error_text=error,
            )  # fmt: skip
            target = resolve_topic(to, settings.kafka) if to else None
            source = dead_letter_topic(settings.kafka)
            new = NewReplay("dead-letters", source, target, selection, replay_id)
        code = asyncio.run(
            run_replay(
                settings, "dead-letters", new, resume, check_rate(rate), dry_run, metrics_port
            )
        )
    raise typer.Exit(code)


# --- reset ----------------------------------------------------------------------------------


@replay.command("reset")
def reset(
    group: Annotated[
        str, typer.Argument(help="Consumer group: parser, tagger, store, or a group name.")
    ],
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic",
            "-t",
            metavar="TOPIC[:P,P]",
            help="Topic (and partitions) to reset; default: every topic the group has "
            "committed offsets on.",
        ),
    ] = None,
    to_earliest: Annotated[bool, typer.Option("--to-earliest")] = False,
    to_latest: Annotated[bool, typer.Option("--to-latest")] = False,
    to_datetime: Annotated[
        str | None,
        typer.Option("--to-datetime", help="First offset at or after: ISO-8601 or 2h ago."),
    ] = None,
    to_offset: Annotated[int | None, typer.Option("--to-offset")] = None,
    shift_by: Annotated[
        int | None, typer.Option("--shift-by", help="Move by N from the committed offset.")
    ] = None,
    execute: Annotated[
        bool,
        typer.Option(
            "--execute",
            help="Commit the new offsets. Without it the reset is only previewed, as with "
            "kafka-consumer-groups --reset-offsets.",
        ),
    ] = False,
    # The preview is the default now; --dry-run is still accepted, and wins over --execute.
    dry_run: Annotated[bool, typer.Option("--dry-run", hidden=True)] = False,
    replay_id: ReplayIdOption = None,
    resume: Resume = None,
    metrics_port: MetricsPort = None,
) -> None:
    """Move a consumer group's committed offsets, as kafka-consumer-groups --reset-offsets:
    shows the new offsets, and commits them only with --execute.

    Refused while the group has live members: stop the stage first.
    """
    settings = ReplaySettings()
    preview = dry_run or not execute
    with _clear_errors():
        _no_selection_on_resume(
            resume, topic=topic, to_earliest=to_earliest, to_latest=to_latest,
            to_datetime=to_datetime, to_offset=to_offset is not None,
            shift_by=shift_by is not None, replay_id=replay_id,
        )  # fmt: skip
        name = resolve_group(group, settings.kafka)
        if resume:
            code = asyncio.run(resume_reset(settings, name, resume, preview, metrics_port))
        else:
            kind, value = reset_target(
                now=utc_now(), to_earliest=to_earliest, to_latest=to_latest,
                to_datetime=to_datetime, to_offset=to_offset, shift_by=shift_by,
            )  # fmt: skip
            requested = [parse_topic_partitions(text) for text in topic or ()]
            requested = [(resolve_topic(t, settings.kafka), ps) for t, ps in requested]
            reset_id = check_replay_id(replay_id or new_replay_id("reset", utc_now()))
            code = asyncio.run(
                run_reset(settings, name, kind, value, requested, reset_id, preview, metrics_port)
            )
    raise typer.Exit(code)


# --- list -----------------------------------------------------------------------------------


@replay.command("list")
def list_replays(as_json: JsonOption = False) -> None:
    """The replays with a checkpoint here, and where each one stands."""
    settings = ReplaySettings()
    store = CheckpointStore(settings.checkpoints)
    rows = [_replay_row(store, replay_id) for replay_id in store.replay_ids()]
    if as_json:
        print_json({"directory": str(store.directory), "replays": rows})
        return
    table = Table(
        "replay id", "mode", "status", "read", "sent", "updated", title=str(store.directory)
    )
    for row in rows:
        table.add_row(
            row["replay_id"], row["mode"], row["status"],
            "" if row["read"] is None else f"{row['read']:,}/{row['planned']:,}",
            "" if row["sent"] is None else f"{row['sent']:,}",
            row["updated_at"] or "",
        )  # fmt: skip
    out.print(table)


def _replay_row(store: CheckpointStore, replay_id: str) -> dict[str, Any]:
    """Where one replay stands, from its checkpoint (a reset's or a copy's)."""
    row: dict[str, Any] = {
        "replay_id": replay_id, "mode": "?", "status": "", "read": None, "planned": None,
        "sent": None, "updated_at": None,
    }  # fmt: skip
    try:
        if (store.directory / f"{replay_id}.reset.json").exists():
            reset_cp = store.load_reset(replay_id)
            return row | {
                "mode": f"reset {reset_cp.group}",
                "status": reset_cp.status,
                "updated_at": f"{reset_cp.updated_at:%Y-%m-%d %H:%M:%S}",
            }
        _, state = store.load(replay_id)
    except CheckpointError as error:
        return row | {"status": f"unreadable: {error}"}
    return row | {
        "mode": state.mode,
        "status": state.status + (f" ({state.stop_reason})" if state.stop_reason else ""),
        "read": state.read,
        "planned": state.planned,
        "sent": state.sent,
        "updated_at": f"{state.updated_at:%Y-%m-%d %H:%M:%S}",
    }
