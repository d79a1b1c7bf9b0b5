"""The `jobstream` command: one entry point to every service and tool.

Services and tools add their commands through the `jobstream.commands` entry-point group
(see pyproject.toml), so this shared library never imports a service. A package may also name
its top-level commands in the `jobstream.root_commands` group: such a command then starts with
that package's commands only, importing no other service (an export starts in a fraction of
the time); everything else (help, completion, the other commands) loads every package.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Annotated

import typer

from jobstream import __version__

app = typer.Typer(
    pretty_exceptions_show_locals=False,
    no_args_is_help=True,
    help="jobstream: raw job postings to skill-tagged records in PostgreSQL.",
)
serve = typer.Typer(no_args_is_help=True, help="Run a service in the foreground.")
evaluate = typer.Typer(no_args_is_help=True, help="Score a stage against labelled data.")
topics = typer.Typer(no_args_is_help=True, help="Kafka topics of the pipeline.")
dev = typer.Typer(
    no_args_is_help=True,
    help="For developers of jobstream: regenerate files kept in the repository, test tools.",
)
# The old place of `dev schemas`, kept so scripts and habits keep working.
schemas = typer.Typer(no_args_is_help=True, hidden=True)
app.add_typer(serve, name="serve")
app.add_typer(evaluate, name="eval")
app.add_typer(topics, name="topics")
app.add_typer(dev, name="dev")
app.add_typer(schemas, name="schemas")

JsonOption = Annotated[bool, typer.Option("--json", help="print the result as JSON")]


def print_json(value: object) -> None:
    """One JSON document on stdout: what `--json` prints (tables and progress go to stderr)."""
    typer.echo(json.dumps(value, ensure_ascii=False, default=str))


def _version(show: bool) -> None:
    if show:
        typer.echo(f"jobstream {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="print the version"),
    ] = False,
) -> None:
    """jobstream: raw job postings to skill-tagged records in PostgreSQL."""


@dataclass(frozen=True)
class CommandGroups:
    """Where a package adds its commands: `jobstream X`, `jobstream serve X`, `jobstream eval X`,
    `jobstream dev X` (developers' tools).

    Each package names a `register(groups: CommandGroups)` function in the `jobstream.commands`
    entry-point group of pyproject.toml.
    """

    root: typer.Typer
    serve: typer.Typer
    evaluate: typer.Typer
    dev: typer.Typer = field(default_factory=lambda: typer.Typer(no_args_is_help=True))


SCHEMA_DIR = Path(__file__).parent / "schemas"


@serve.command("lag-exporter")
def serve_lag_exporter() -> None:
    """Export the cluster and the pipeline's consumer-group lag, read from outside the stages."""
    from jobstream.exporter import LagExporterSettings, serve

    serve(LagExporterSettings())


@serve.command("alert-receiver")
def serve_alert_receiver() -> None:
    """Receive Alertmanager's webhook: log each alert and keep it in a JSON-lines file."""
    from jobstream.alert_receiver import AlertReceiverSettings, serve

    serve(AlertReceiverSettings())


@topics.command("create")
def create_topics() -> None:
    """Create the pipeline's topics that do not exist yet (services also do at start-up)."""
    from jobstream.kafka.admin import ensure_topics
    from jobstream.settings import KafkaSettings

    created = asyncio.run(ensure_topics(KafkaSettings()))
    typer.echo("created: " + (", ".join(created) if created else "none, all exist"))


@topics.command("list")
def show_topics(as_json: JsonOption = False) -> None:
    """List the topics on the broker."""
    from jobstream.kafka.admin import list_topics
    from jobstream.settings import KafkaSettings

    names = asyncio.run(list_topics(KafkaSettings()))
    if as_json:
        print_json({"topics": names})
        return
    for name in names:
        typer.echo(name)


def schema_files() -> dict[Path, str]:
    """The JSON Schema file of every event type, as the models define it now."""
    from jobstream.contracts import EVENT_TYPES

    return {
        SCHEMA_DIR / f"{name}.v{model.model_fields['schema_version'].default}.json": json.dumps(
            model.model_json_schema(), indent=2, sort_keys=True
        )
        + "\n"
        for name, model in EVENT_TYPES.items()
    }


@dev.command("schemas")
@schemas.command("write")
def write_schemas() -> None:
    """Regenerate libs/jobstream/schemas/ from the pydantic models."""
    SCHEMA_DIR.mkdir(exist_ok=True)
    for path, text in schema_files().items():
        path.write_text(text)
        typer.echo(f"wrote {path}")


def main() -> None:
    groups = CommandGroups(root=app, serve=serve, evaluate=evaluate, dev=dev)
    for entry in command_packages(sys.argv[1:]):
        entry.load()(groups)
    app()


def command_packages(arguments: Sequence[str]) -> list[EntryPoint]:
    """The packages whose commands to add for `arguments`: the one that names the command
    asked for in `jobstream.root_commands`, if one does; otherwise every one."""
    every = list(entry_points(group="jobstream.commands"))
    if arguments:
        named = {entry.value for entry in entry_points(group="jobstream.root_commands")
                 if entry.name == arguments[0]}  # fmt: skip
        if named:
            return [entry for entry in every if entry.value in named]
    return every
