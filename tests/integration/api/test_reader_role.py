"""The read side's role reads and cannot write, even when it asks for a writable transaction."""

from __future__ import annotations

import asyncpg
import pytest

from jobstream.settings import PostgresSettings
from jobstream_store.adapters.migrate import migrate_as_owner

pytestmark = pytest.mark.postgres


async def test_the_reader_reads_every_table_and_view_and_writes_nothing(
    database: PostgresSettings,
) -> None:
    await migrate_as_owner(database)
    reader = await asyncpg.connect(**database.reader_connect_kwargs())
    try:
        for relation in ("postings", "posting_skills", "skills", "skill_demand", "skill_pay",
                         "skill_postings", "read_views_refreshed", "posting_sections"):  # fmt: skip
            assert await reader.fetchval(f"SELECT count(*) FROM {relation}") == 0, relation
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await reader.execute("DELETE FROM postings")
        async with reader.transaction(readonly=False):
            await reader.execute("SET TRANSACTION READ WRITE")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await reader.execute("DELETE FROM postings")
        with pytest.raises(asyncpg.PostgresError):
            await reader.execute("CREATE TABLE mine (x int)")
    finally:
        await reader.close()
