"""Commands of the store: `jobstream serve store`, `jobstream migrate`."""

import asyncio

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
    def run_migrations() -> None:
        """Apply pending database migrations as the owner role (the store also does at start)."""
        from jobstream.settings import PostgresSettings
        from jobstream_store.migrate import migrate_as_owner

        applied = asyncio.run(migrate_as_owner(PostgresSettings()))
        typer.echo("applied: " + (", ".join(applied) if applied else "none, up to date"))
