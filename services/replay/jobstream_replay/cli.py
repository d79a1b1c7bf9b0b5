"""Commands of the replay tool: `jobstream replay plan TOPIC`."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from jobstream.cli import CommandGroups
from jobstream.settings import KafkaSettings
from jobstream.topology import ALL_TOPICS
from jobstream_replay.offsets import UnknownTopic, partition_bounds
from jobstream_replay.plan import ReplayPlan, plan_whole_topic

replay = typer.Typer(no_args_is_help=True, help="Re-read topics for reprocessing and backfills.")

SHORT_NAMES = {spec.name.rsplit(".", 1)[-1]: spec for spec in ALL_TOPICS}


def register(groups: CommandGroups) -> None:
    groups.root.add_typer(replay, name="replay")


def resolve_topic(name: str, settings: KafkaSettings) -> str:
    """`raw`, `parsed`, `tagged`, `dead-letter` or a full topic name."""
    spec = SHORT_NAMES.get(name)
    return settings.topic(spec) if spec else name


async def make_plan(topic: str, settings: KafkaSettings) -> ReplayPlan:
    beginnings, ends = await partition_bounds(settings, topic)
    return plan_whole_topic(topic, beginnings, ends)


@replay.command("plan")
def show_plan(
    topic: Annotated[str, typer.Argument(help="raw, parsed, tagged, dead-letter, or a name")],
) -> None:
    """Show what a replay of the whole topic would read; changes nothing."""
    settings = KafkaSettings()
    console = Console(highlight=False)
    try:
        plan = asyncio.run(make_plan(resolve_topic(topic, settings), settings))
    except UnknownTopic as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from error
    table = Table("partition", "from offset", "to offset", "records", title=plan.topic)
    for item in plan.ranges:
        table.add_row(str(item.partition), str(item.start), str(item.end), str(item.records))
    console.print(table)
    console.print(f"{plan.records} records in {len(plan.ranges)} partitions")
