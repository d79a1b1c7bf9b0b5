"""Migrations and idempotent writes against the real PostgreSQL of the native stack."""

import asyncpg
import pytest

from jobstream.contracts import Source, Span, TaggedPosting, TaggedSkill, posting_id_for, utc_now
from jobstream_store.migrate import load_migrations, migrate
from jobstream_store.repository import StoredPosting, write_postings

pytestmark = pytest.mark.postgres


def tagged(text: str, title: str | None, skills: list[str], parser: str = "1") -> TaggedPosting:
    return TaggedPosting(
        posting_id=posting_id_for(text),
        received_at=utc_now(),
        source=Source(channel="inbox", name="a.txt"),
        parser_version=parser,
        text=text,
        title=title,
        company="Acme",
        taxonomy_version="t1",
        skills=[
            TaggedSkill(
                skill_id=skill,
                name=skill.title(),
                category="language",
                required=True,
                mentions=1,
                spans=[Span(start=0, end=1)],
            )
            for skill in skills
        ],
    )


def at(posting: TaggedPosting, offset: int = 0) -> StoredPosting:
    return StoredPosting(posting, "jobstream.postings.tagged", 0, offset)


async def test_migrations_apply_once(pg: asyncpg.Connection) -> None:
    applied = await migrate(pg)
    assert applied == [f"{m.version:04d}_{m.name}" for m in load_migrations()]
    assert await migrate(pg) == []
    tables = {r["tablename"] for r in await pg.fetch("SELECT tablename FROM pg_tables")}
    assert {"postings", "posting_skills", "schema_migrations"} <= tables


async def test_writes_are_idempotent_and_replace_skills(pg: asyncpg.Connection) -> None:
    await migrate(pg)
    first = tagged("Go developer at Acme", "Go Developer", ["go", "sql"])
    assert (await write_postings(pg, [at(first, 1)])).written == 1
    assert (await write_postings(pg, [at(first, 2), at(first, 3)])).written == 0

    rows = await pg.fetch("SELECT skill_id FROM posting_skills ORDER BY skill_id")
    assert [row["skill_id"] for row in rows] == ["go", "sql"]
    assert await pg.fetchval("SELECT kafka_offset FROM postings") == 1  # unchanged: not rewritten

    reparsed = tagged("Go developer at Acme", "Senior Go Developer", ["go"], parser="2")
    assert (await write_postings(pg, [at(reparsed, 9)])).written == 1
    row = await pg.fetchrow("SELECT title, parser_version, kafka_offset FROM postings")
    assert tuple(row) == ("Senior Go Developer", "2", 9)
    rows = await pg.fetch("SELECT skill_id FROM posting_skills")
    assert [row["skill_id"] for row in rows] == ["go"]
    assert await pg.fetchval("SELECT count(*) FROM postings") == 1


async def test_hostile_strings_are_stored_as_text(pg: asyncpg.Connection) -> None:
    await migrate(pg)
    title = "'); DROP TABLE postings; -- <script>alert(1)</script>"
    posting = tagged(f"{title}\nbody", title, [])
    await write_postings(pg, [at(posting)])
    assert await pg.fetchval("SELECT title FROM postings") == title


async def test_a_failing_batch_leaves_nothing_behind(pg: asyncpg.Connection) -> None:
    await migrate(pg)
    good = tagged("Rust engineer", "Rust Engineer", ["rust"])
    bad = tagged("Broken", "Broken", ["x"])
    bad = bad.model_copy(update={"text": "nul \x00 byte"})  # PostgreSQL text refuses NUL
    with pytest.raises(asyncpg.DataError):  # the store dead-letters such a record
        await write_postings(pg, [at(good), at(bad)])
    assert await pg.fetchval("SELECT count(*) FROM postings") == 0
