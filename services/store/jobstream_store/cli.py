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
        """Apply pending database migrations (the store also does at start-up)."""
        import asyncpg

        from jobstream.settings import PostgresSettings
        from jobstream_store.migrate import migrate

        async def apply() -> list[str]:
            conn = await asyncpg.connect(**PostgresSettings().connect_kwargs())
            try:
                return await migrate(conn)
            finally:
                await conn.close()

        applied = asyncio.run(apply())
        typer.echo("applied: " + (", ".join(applied) if applied else "none, up to date"))
