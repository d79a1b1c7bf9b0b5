"""Commands of the store: `jobstream serve store`, `jobstream migrate`."""

import asyncio
from typing import Annotated

import typer

from jobstream.cli import CommandGroups


def register(groups: CommandGroups) -> None:
    @groups.serve.command("store")
    def serve_store() -> None:
        """Write tagged postings to PostgreSQL."""
        from jobstream_store.service import serve
        from jobstream_store.settings import StoreSettings

        serve(StoreSettings())

    @groups.root.command("migrate")
    def run_migrations(
        wait: Annotated[
            float,
            typer.Option(
                help="seconds to keep retrying while PostgreSQL cannot be reached "
                "(a one-shot migrate started beside the database)",
                min=0,
            ),
        ] = 0,
    ) -> None:
        """Apply pending database migrations as the owner role (the store also does at start)."""
        from jobstream.settings import PostgresSettings
        from jobstream_store.adapters.migrate import migrate_when_reachable

        applied = asyncio.run(migrate_when_reachable(PostgresSettings(), wait))
        typer.echo("applied: " + (", ".join(applied) if applied else "none, up to date"))
