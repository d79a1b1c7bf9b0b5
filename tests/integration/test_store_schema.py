"""Migrations and the safety of writes against the real PostgreSQL of the native stack."""

import asyncpg
import pytest

from jobstream_store.adapters.migrate import load_migrations, migrate
from jobstream_store.adapters.repository import (
    POSTING_COLUMNS,
    POSTING_COLUMNS_OF_THE_DATABASE,
    POSTING_SKILL_COLUMNS,
    write_postings,
)
from jobstream_store.postings import StoredPosting
from tests.support import tagged_posting

pytestmark = pytest.mark.postgres


async def test_migrations_apply_once_from_empty(pg: asyncpg.Connection) -> None:
    applied = await migrate(pg)
    assert applied == [f"{m.version:04d}_{m.name}" for m in load_migrations()]
    assert await migrate(pg) == []
    tables = {r["tablename"] for r in await pg.fetch("SELECT tablename FROM pg_tables")}
    assert {"postings", "posting_skills", "skills", "schema_migrations"} <= tables


async def test_the_migrations_make_the_columns_the_store_declares(pg: asyncpg.Connection) -> None:
    """No drift between the migrations and the columns declared once in code (the parsed
    posting's flat fields and place codes in jobstream.contracts, the rest in the repository)."""
    await migrate(pg)

    async def columns(table: str) -> set[str]:
        rows = await pg.fetch(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = $1",
            table,
        )
        return {row["column_name"] for row in rows}

    assert await columns("postings") == set(POSTING_COLUMNS) | set(POSTING_COLUMNS_OF_THE_DATABASE)
    assert await columns("posting_skills") == set(POSTING_SKILL_COLUMNS)


async def test_hostile_strings_are_stored_as_text(pg: asyncpg.Connection) -> None:
    await migrate(pg)
    title = "'); DROP TABLE postings; -- <script>alert(1)</script>"
    posting = tagged_posting(1, title=title, body=title)
    await write_postings(pg, [StoredPosting(posting, "tagged", 0, 0)])
    assert await pg.fetchval("SELECT title FROM postings") == title
    assert title in await pg.fetchval("SELECT text FROM postings")


async def test_a_failing_batch_leaves_nothing_behind(pg: asyncpg.Connection) -> None:
    await migrate(pg)
    good = tagged_posting(1)
    bad = tagged_posting(2).model_copy(update={"text": "nul \x00 byte"})  # text refuses NUL
    with pytest.raises(asyncpg.DataError):  # the store dead-letters such a record
        await write_postings(
            pg, [StoredPosting(good, "tagged", 0, 0), StoredPosting(bad, "tagged", 0, 1)]
        )
    assert await pg.fetchval("SELECT count(*) FROM postings") == 0
    assert await pg.fetchval("SELECT count(*) FROM posting_skills") == 0
