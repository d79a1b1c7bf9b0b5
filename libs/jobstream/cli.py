"""The `jobstream` command: one entry point to every service and tool.

Services and tools add their commands through the `jobstream.commands` entry-point group
(see pyproject.toml), so this shared library never imports a service.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

import typer

from jobstream.contracts import EVENT_TYPES
from jobstream.kafka.admin import ensure_topics, list_topics
from jobstream.settings import KafkaSettings

app = typer.Typer(
    pretty_exceptions_show_locals=False,
    no_args_is_help=True,
    help="jobstream: raw job postings to skill-tagged records in PostgreSQL.",
)
serve = typer.Typer(no_args_is_help=True, help="Run a service in the foreground.")
evaluate = typer.Typer(no_args_is_help=True, help="Score a stage against labelled data.")
topics = typer.Typer(no_args_is_help=True, help="Kafka topics of the pipeline.")
schemas = typer.Typer(no_args_is_help=True, help="JSON Schema files of the event contracts.")
app.add_typer(serve, name="serve")
app.add_typer(evaluate, name="eval")
app.add_typer(topics, name="topics")
app.add_typer(schemas, name="schemas")


@dataclass(frozen=True)
class CommandGroups:
    """Where a package adds its commands: `jobstream X`, `jobstream serve X`, `jobstream eval X`.

    Each package names a `register(groups: CommandGroups)` function in the `jobstream.commands`
    entry-point group of pyproject.toml.
    """

    root: typer.Typer
    serve: typer.Typer
    evaluate: typer.Typer


SCHEMA_DIR = Path(__file__).parent / "schemas"


@topics.command("create")
def create_topics() -> None:
    """Create the pipeline's topics that do not exist yet (services also do at start-up)."""
    created = asyncio.run(ensure_topics(KafkaSettings()))
    typer.echo("created: " + (", ".join(created) if created else "none, all exist"))


@topics.command("list")
def show_topics() -> None:
    """List the topics on the broker."""
    for name in asyncio.run(list_topics(KafkaSettings())):
        typer.echo(name)


def schema_files() -> dict[Path, str]:
    """The JSON Schema file of every event type, as the models define it now."""
    return {
        SCHEMA_DIR / f"{name}.v{model.model_fields['schema_version'].default}.json": json.dumps(
            model.model_json_schema(), indent=2, sort_keys=True
        )
        + "\n"
        for name, model in EVENT_TYPES.items()
    }


@schemas.command("write")
def write_schemas() -> None:
    """Regenerate libs/jobstream/schemas/ from the pydantic models."""
    SCHEMA_DIR.mkdir(exist_ok=True)
    for path, text in schema_files().items():
        path.write_text(text)
        typer.echo(f"wrote {path}")


def main() -> None:
    groups = CommandGroups(root=app, serve=serve, evaluate=evaluate)
    for entry in entry_points(group="jobstream.commands"):
        entry.load()(groups)
    app()
