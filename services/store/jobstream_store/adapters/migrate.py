"""A small migration runner: versioned SQL files, each applied once in its own transaction.

Files are `NNNN_name.sql` in `jobstream_store/migrations`; applied versions are recorded in
`schema_migrations`. An advisory lock makes concurrent runs (two store instances starting at
once) wait for each other instead of applying a migration twice.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from importlib import resources

import asyncpg
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from jobstream.settings import PostgresSettings

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK_ID = 0x6A6F6273  # "jobs"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    found = []
    for entry in resources.files("jobstream_store.migrations").iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"two migrations share a version: {versions}")
    return found


async def migrate(conn: asyncpg.Connection, migrations: list[Migration] | None = None) -> list[str]:
    """Apply pending migrations; return the names applied (empty when up to date)."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY, name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())"
    )
    applied = []
    for migration in load_migrations() if migrations is None else migrations:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_ID)
            done = await conn.fetchval(
                "SELECT 1 FROM schema_migrations WHERE version = $1", migration.version
            )
            if done:
                continue
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                migration.version,
                migration.name,
            )
            applied.append(f"{migration.version:04d}_{migration.name}")
    return applied


async def migrate_as_owner(settings: PostgresSettings) -> list[str]:
    """Apply pending migrations as the owner, then grant the service role its rights."""
    conn = await asyncpg.connect(**settings.owner_connect_kwargs())
    try:
        applied = await migrate(conn)
        await grant_service_role(conn, settings.user)
        await grant_reader_role(conn, settings.reader_user)
        return applied
    finally:
        await conn.close()


async def migrate_when_reachable(settings: PostgresSettings, wait_seconds: float) -> list[str]:
    """`migrate_as_owner`, retrying for up to `wait_seconds` while the server cannot be
    reached or is still starting (a wrong password or a failing migration fails at once)."""
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type(
            (OSError, asyncio.TimeoutError, asyncpg.CannotConnectNowError)
        ),
        wait=wait_exponential(multiplier=0.2, max=3),
        stop=stop_after_delay(wait_seconds),
        reraise=True,
    ):
        with attempt:
            return await migrate_as_owner(settings)
    raise AssertionError("unreachable: tenacity re-raises the last error")


async def grant_service_role(conn: asyncpg.Connection, role: str) -> None:
    """The service role reads and writes rows; it cannot change the schema."""
    for template in (
        "GRANT USAGE ON SCHEMA public TO %I",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I",
        "REVOKE ALL ON schema_migrations FROM %I",
        "GRANT SELECT ON schema_migrations TO %I",
    ):
        # DDL takes no bind parameters: format(%I) quotes the role name on the server side.
        await conn.execute(await conn.fetchval("SELECT format($1::text, $2::text)", template, role))


async def grant_reader_role(conn: asyncpg.Connection, role: str) -> None:
    """The reader (query API, exports) may read every table and view, and nothing else.

    The role is created by whoever sets the server up (`jobstream stack`, the compose init
    script); where it does not exist there is nobody to grant to.
    """
    if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
        return
    for template in (
        "GRANT USAGE ON SCHEMA public TO %I",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I",
    ):
        await conn.execute(await conn.fetchval("SELECT format($1::text, $2::text)", template, role))


async def pending(conn: asyncpg.Connection) -> list[str]:
    """Migrations not yet applied (read as the service role, which may not apply them)."""
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    done = set()
    if exists:
        done = {row["version"] for row in await conn.fetch("SELECT version FROM schema_migrations")}
    return [f"{m.version:04d}_{m.name}" for m in load_migrations() if m.version not in done]
