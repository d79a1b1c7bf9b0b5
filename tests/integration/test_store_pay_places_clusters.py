# ruff: noqa: RUF001, RUF003 - real postings use en dashes; pay is hours × weeks
"""Parser 0.3.0's fields in the real PostgreSQL: pay for a year, coded places (filtered by
country through their GIN index), "not stated" as NULL, and near-duplicate clusters shared by
store instances writing at once."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from decimal import Decimal
from importlib import resources

import asyncpg
import pytest

from jobstream.contracts import RawPosting, Source, TaggedPosting, utc_now
from jobstream.settings import PostgresSettings
from jobstream_parser.parse import parse
from jobstream_store.adapters.migrate import migrate_as_owner
from jobstream_store.adapters.repository import write_postings
from jobstream_store.postings import StoredPosting
from jobstream_tagger.tag import tag
from jobstream_tagger.taxonomy import load_taxonomy
from tests.conftest import SEEDS

pytestmark = [pytest.mark.postgres]

MIGRATIONS = resources.files("jobstream_store.migrations")

VOCABULARY = (
    "the department offers competitive benefits candidates must pass a background check "
    "and a medical evaluation applications are accepted online during the filing period "
    "the examination consists of a written test and an interview weighted equally python "
    "kafka postgres services pipelines reliable systems production customers"
)
WORDS = VOCABULARY.split()


@pytest.fixture
async def migrated(database: PostgresSettings, pg: asyncpg.Connection) -> asyncpg.Connection:
    await migrate_as_owner(database)
    return pg


def _body(seed: int, words: int = 500) -> str:
    rng = random.Random(seed)
    lines = [" ".join(rng.choice(WORDS) for _ in range(10)) + "." for _ in range(words // 10)]
    return "\n".join(lines)


def _tagged(text: str, minutes: int = 0) -> TaggedPosting:
    raw = RawPosting.from_text(text, Source(channel="cli", name="test.txt"))
    raw = raw.model_copy(update={"received_at": raw.received_at + timedelta(minutes=minutes)})
    return tag(parse(raw), load_taxonomy()).model_copy(update={"tagged_at": utc_now()})


def _at(posting: TaggedPosting, offset: int = 0) -> StoredPosting:
    return StoredPosting(posting, "tagged", 0, offset)


async def test_pay_for_a_year_places_and_null_work_mode_land_in_columns(
    migrated: asyncpg.Connection,
) -> None:
    seed = _tagged((SEEDS / "003_abc877bc7831effb.txt").read_text())
    berlin = _tagged(
        "Data Engineer\nLocation: Berlin, Germany\nSalary: €60k–80k\n"
        "Responsibilities\n- Build pipelines.\n" + _body(1)
    )
    remote = _tagged(
        "Backend Engineer\nLocation: Remote (US only)\nPay: $60 per hour, 40 hours per week\n"
        "Responsibilities\n- Build services.\n" + _body(2)
    )
    await write_postings(migrated, [_at(seed), _at(berlin, 1), _at(remote, 2)])

    row = await migrated.fetchrow("SELECT * FROM postings WHERE posting_id = $1", seed.posting_id)
    assert (row["salary_annual_min"], row["salary_annual_max"]) == (
        Decimal("140044.08"),
        Decimal("170094.48"),
    )
    row = await migrated.fetchrow("SELECT * FROM postings WHERE posting_id = $1", berlin.posting_id)
    assert (row["salary_annual_min"], row["salary_annual_max"]) == (60000, 80000)
    assert (row["countries"], row["subdivisions"], row["remote_scope"]) == (["DE"], ["DE-BE"], [])
    assert row["work_mode"] is None, "not stated is NULL, never 'unknown'"
    row = await migrated.fetchrow("SELECT * FROM postings WHERE posting_id = $1", remote.posting_id)
    assert (row["countries"], row["remote_scope"], row["work_mode"]) == (["US"], ["US"], "remote")
    assert row["salary_annual_min"] == Decimal("124800.00")  # 60 × 40 hours × 52 weeks

    in_germany = await migrated.fetch(
        "SELECT posting_id FROM postings WHERE countries @> ARRAY['DE']"
    )
    assert [r["posting_id"] for r in in_germany] == [berlin.posting_id]
    await migrated.execute("SET enable_seqscan = off")
    plan = await migrated.fetch(
        "EXPLAIN (FORMAT TEXT) SELECT posting_id FROM postings WHERE countries @> ARRAY['DE']"
    )
    assert "postings_by_country" in " ".join(row[0] for row in plan)


async def test_a_stored_unknown_work_mode_becomes_null(migrated: asyncpg.Connection) -> None:
    # A row as parsers before 0.3.0 stored it, and the migration run again over it.
    await write_postings(migrated, [_at(_tagged("Data Engineer\nWe build.\n" + _body(3)))])
    await migrated.execute("UPDATE postings SET work_mode = 'unknown'")
    migration = (MIGRATIONS / "0004_pay_places_clusters.sql").read_text()
    await migrated.execute(migration.split("ALTER TABLE")[0])  # its UPDATE statement
    assert await migrated.fetchval("SELECT count(*) FROM postings WHERE work_mode IS NULL") == 1


async def test_reposts_share_a_cluster_and_other_jobs_do_not(migrated: asyncpg.Connection) -> None:
    body = _body(4)
    first = _tagged("Water Treatment Operator\nOpen Date: 12-21-18\n" + body)
    await write_postings(migrated, [_at(first)])
    repost = _tagged("Water Treatment Operator\nRevised: 01-03-19\n" + body, minutes=10)
    other_job = _tagged("Port Police Officer\nOpen Date: 12-21-18\n" + body, minutes=20)
    unrelated = _tagged("Water Treatment Operator\nOpen Date: 12-21-18\n" + _body(5), 30)
    await write_postings(migrated, [_at(repost, 1), _at(other_job, 2), _at(unrelated, 3)])

    clusters = {
        row["posting_id"]: row["cluster_id"]
        for row in await migrated.fetch("SELECT posting_id, cluster_id FROM postings")
    }
    assert clusters == {
        first.posting_id: first.posting_id,
        repost.posting_id: first.posting_id,
        other_job.posting_id: other_job.posting_id,
        unrelated.posting_id: unrelated.posting_id,
    }

    # A later version of the first posting (a replay after a parser upgrade) with the same
    # text keeps its cluster.
    upgraded = first.model_copy(update={"parser_version": "9.0.0"})
    assert (await write_postings(migrated, [_at(upgraded, 4)])).written == 1
    assert (
        await migrated.fetchval(
            "SELECT cluster_id FROM postings WHERE posting_id = $1", first.posting_id
        )
        == first.posting_id
    )


async def test_store_instances_writing_near_duplicates_at_once_agree_on_the_cluster(
    database: PostgresSettings, migrated: asyncpg.Connection
) -> None:
    """Two connections (two store instances) write the two copies of each job at the same
    moment, twenty times: every pair ends up in one cluster, whichever wrote first."""
    first = await asyncpg.connect(**database.connect_kwargs())
    second = await asyncpg.connect(**database.connect_kwargs())
    try:
        pairs = []
        for n in range(20):
            body = _body(100 + n)
            one = _tagged(f"Data Engineer {n}\nSource: board one\n" + body)
            two = _tagged(f"Data Engineer {n}\nSource: board two\n" + body)
            pairs.append((one.posting_id, two.posting_id))
            await asyncio.gather(
                write_postings(first, [_at(one, n)]), write_postings(second, [_at(two, n)])
            )
    finally:
        await first.close()
        await second.close()

    clusters = {
        row["posting_id"]: row["cluster_id"]
        for row in await migrated.fetch("SELECT posting_id, cluster_id FROM postings")
    }
    assert all(clusters[one] == clusters[two] for one, two in pairs)
    assert len({clusters[one] for one, _ in pairs}) == 20
