"""docker-compose's PostgreSQL init script, run for real against the stack's PostgreSQL.

The postgres image runs deploy/docker/postgres-init/*.sh as its superuser, once, on an empty
data volume. Here the script runs with psql against the native stack's server, with role and
database names of this test's own (dropped after), and the roles it makes are used as compose
uses them: the owner migrates, the service role writes rows but cannot change the schema, the
reader only reads.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from pydantic import SecretStr

from jobstream.settings import PostgresSettings
from jobstream_stack.layout import StackLayout
from jobstream_stack.postgres import SUPERUSER, PostgresServer, drop_database
from jobstream_stack.settings import StackSettings
from jobstream_store.adapters.migrate import migrate_when_reachable, pending

pytestmark = pytest.mark.postgres

SCRIPT = Path(__file__).parents[2] / "deploy" / "docker" / "postgres-init" / "10-jobstream-roles.sh"


@pytest.fixture
async def roles(native_stack: StackLayout) -> AsyncIterator[dict[str, str]]:
    base = PostgresSettings()
    server = PostgresServer(native_stack, base, StackSettings())
    suffix = uuid.uuid4().hex[:8]
    names = {
        "JOBSTREAM_PG_DATABASE": f"compose_init_{suffix}",
        "JOBSTREAM_PG_OWNER_USER": f"owner_{suffix}",
        "JOBSTREAM_PG_OWNER_PASSWORD": f"owner-pw-{suffix}'; DROP ROLE postgres; --",
        "JOBSTREAM_PG_USER": f"service_{suffix}",
        "JOBSTREAM_PG_PASSWORD": f"service-pw-{suffix}",
        "JOBSTREAM_PG_READER_USER": f"reader_{suffix}",
        "JOBSTREAM_PG_READER_PASSWORD": f"reader-pw-{suffix}",
        "JOBSTREAM_PG_MONITOR_USER": f"monitor_{suffix}",
        "JOBSTREAM_PG_MONITOR_PASSWORD": f"monitor-pw-{suffix}",
    }
    env = {
        **os.environ,
        **names,
        "POSTGRES_USER": SUPERUSER,
        "PGHOST": base.host,
        "PGPORT": str(base.port),
        "PGPASSWORD": server.superuser_password(),
    }
    admin = await asyncpg.connect(
        host=base.host,
        port=base.port,
        user=SUPERUSER,
        password=server.superuser_password(),
        database="postgres",
    )
    try:
        result = subprocess.run(
            ["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        yield names
    finally:
        await drop_database(admin, names["JOBSTREAM_PG_DATABASE"])
        for key in (
            "JOBSTREAM_PG_OWNER_USER",
            "JOBSTREAM_PG_USER",
            "JOBSTREAM_PG_READER_USER",
            "JOBSTREAM_PG_MONITOR_USER",
        ):
            statement = await admin.fetchval(
                "SELECT format('DROP ROLE IF EXISTS %I', $1::text)", names[key]
            )
            await admin.execute(statement)
        await admin.close()


async def test_the_init_script_makes_the_roles_compose_uses(roles: dict[str, str]) -> None:
    settings = PostgresSettings().model_copy(
        update={
            "database": roles["JOBSTREAM_PG_DATABASE"],
            "owner_user": roles["JOBSTREAM_PG_OWNER_USER"],
            "owner_password": SecretStr(roles["JOBSTREAM_PG_OWNER_PASSWORD"]),
            "user": roles["JOBSTREAM_PG_USER"],
            "password": SecretStr(roles["JOBSTREAM_PG_PASSWORD"]),
        }
    )
    # compose's `migrate`: the owner applies every migration.
    applied = await migrate_when_reachable(settings, wait_seconds=5)
    assert applied

    service = await asyncpg.connect(**settings.connect_kwargs())
    try:
        assert await pending(service) == []
        await service.execute("DELETE FROM postings WHERE posting_id = 'none'")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await service.execute("CREATE TABLE intruder (id int)")
    finally:
        await service.close()

    for role in ("READER", "MONITOR"):
        # Read-only roles: the API's reader, and compose's postgres-exporter.
        async with connected_as(roles, role) as conn:
            assert await conn.fetchval("SHOW default_transaction_read_only") == "on"
            with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
                await conn.execute("CREATE TABLE intruder (id int)")

    # postgres-exporter reads every session's statistics (pg_monitor): another role's query
    # text shows as "<insufficient privilege>" without pg_read_all_stats.
    async with connected_as(roles, "MONITOR") as monitor:
        assert await monitor.fetchval("SELECT pg_has_role(current_user, 'pg_monitor', 'MEMBER')")
        queries = await monitor.fetch(
            "SELECT query FROM pg_stat_activity WHERE usename <> current_user AND query <> ''"
        )
        assert all("insufficient privilege" not in row["query"] for row in queries)


@asynccontextmanager
async def connected_as(roles: dict[str, str], role: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the test's database as `JOBSTREAM_PG_<role>_USER`."""
    base = PostgresSettings()
    conn = await asyncpg.connect(
        host=base.host,
        port=base.port,
        database=roles["JOBSTREAM_PG_DATABASE"],
        user=roles[f"JOBSTREAM_PG_{role}_USER"],
        password=roles[f"JOBSTREAM_PG_{role}_PASSWORD"],
    )
    try:
        yield conn
    finally:
        await conn.close()


async def test_migrate_waits_for_a_server_that_is_not_up_yet() -> None:
    """compose starts `migrate` once PostgreSQL is healthy, but a restart in between must not
    fail it: it retries an unreachable server for as long as it was told, then gives up."""
    nowhere = PostgresSettings(host="127.0.0.1", port=1)
    with pytest.raises(OSError):
        await migrate_when_reachable(nowhere, wait_seconds=1)
