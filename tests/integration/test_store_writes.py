"""The store's writes against the real PostgreSQL: ordering rule, skills, roles, dead letters."""

import json
from datetime import timedelta
from decimal import Decimal

import asyncpg
import pytest

from jobstream.contracts import (
    DeadLetter,
    Occupation,
    ProvidedFields,
    RawPosting,
    Source,
    TaggedPosting,
    decode,
    encode,
    utc_now,
)
from jobstream.kafka.admin import ensure_topics
from jobstream.settings import KafkaSettings, PostgresSettings
from jobstream.stages import Record
from jobstream.topology import DEAD_LETTERS
from jobstream_parser.parse import parse
from jobstream_store.adapters.migrate import migrate_as_owner
from jobstream_store.adapters.repository import write_postings
from jobstream_store.adapters.search_index import index_pending, pending_count
from jobstream_store.bootstrap import bootstrap
from jobstream_store.postings import StoredPosting
from jobstream_store.settings import StoreSettings
from jobstream_tagger.tag import tag
from jobstream_tagger.taxonomy import load_taxonomy
from tests.conftest import SEEDS
from tests.kafka_records import read_all
from tests.support import tagged_posting

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


@pytest.fixture
async def migrated(database: PostgresSettings, pg: asyncpg.Connection) -> asyncpg.Connection:
    await migrate_as_owner(database)
    return pg


def at(posting: TaggedPosting, offset: int = 0) -> StoredPosting:
    return StoredPosting(posting, "tagged", 0, offset)


async def stored(pg: asyncpg.Connection, posting_id: str) -> tuple[object, ...]:
    row = await pg.fetchrow(
        "SELECT title, parser_version, kafka_offset FROM postings WHERE posting_id = $1",
        posting_id,
    )
    skills = await pg.fetch(
        "SELECT skill_id FROM posting_skills WHERE posting_id = $1 ORDER BY skill_id", posting_id
    )
    return (*tuple(row), [s["skill_id"] for s in skills])


async def test_an_older_version_never_overwrites_a_newer_one(migrated: asyncpg.Connection) -> None:
    now = utc_now()
    v2 = tagged_posting(1, skills=3, title="Version two", parser_version="2.0.0", tagged_at=now)
    await write_postings(migrated, [at(v2, 10)])

    stale_parser = v2.model_copy(update={"parser_version": "1.9.0", "title": "Old parser"})
    stale_tagging = v2.model_copy(
        update={"tagged_at": now - timedelta(minutes=5), "skills": v2.skills[:1]}
    )
    result = await write_postings(migrated, [at(stale_parser, 11)])
    result2 = await write_postings(migrated, [at(stale_tagging, 12)])
    assert (result.written, result2.written) == (0, 0)
    assert await stored(migrated, v2.posting_id) == ("Version two", "2.0.0", 10, [
        "java", "kotlin", "python"
    ])  # fmt: skip

    # A replay under a new taxonomy: same parser, later tagging, other skills: applied.
    retagged = v2.model_copy(
        update={"tagged_at": now + timedelta(minutes=5), "skills": v2.skills[1:2]}
    )
    assert (await write_postings(migrated, [at(retagged, 13)])).written == 1
    assert await stored(migrated, v2.posting_id) == ("Version two", "2.0.0", 13, ["java"])


async def test_duplicates_and_replays_change_nothing(migrated: asyncpg.Connection) -> None:
    batch = [tagged_posting(n) for n in range(50)]
    assert (await write_postings(migrated, [at(p, n) for n, p in enumerate(batch)])).written == 50
    before = await migrated.fetch("SELECT * FROM postings ORDER BY posting_id")
    replayed = [p.model_copy(update={"tagged_at": utc_now()}) for p in batch]
    result = await write_postings(migrated, [at(p, 100 + n) for n, p in enumerate(replayed)])
    assert result.written == 0 and result.unchanged == 50
    assert await migrated.fetch("SELECT * FROM postings ORDER BY posting_id") == before
    assert await migrated.fetchval("SELECT count(*) FROM posting_skills") == 50 * 15
    assert await migrated.fetchval("SELECT count(*) FROM skills") == 15


async def test_the_service_role_writes_rows_but_cannot_change_the_schema(
    migrated: asyncpg.Connection, database: PostgresSettings
) -> None:
    service = await asyncpg.connect(**database.connect_kwargs())
    try:
        await write_postings(service, [at(tagged_posting(1))])
        assert await service.fetchval("SELECT count(*) FROM postings") == 1
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await service.execute("DROP TABLE posting_skills")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await service.execute("CREATE TABLE sneaky (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await service.execute("DELETE FROM schema_migrations")
    finally:
        await service.close()


async def test_postings_are_found_by_skill_company_and_words(
    migrated: asyncpg.Connection,
) -> None:
    await write_postings(migrated, [at(tagged_posting(n, skills=2 + n)) for n in range(5)])
    assert await pending_count(migrated) == 0  # searchable as written
    by_skill = await migrated.fetchval(
        "SELECT count(*) FROM posting_skills WHERE skill_id = 'kotlin'"
    )
    assert by_skill == 5 - 1  # postings 1..4 have three or more skills
    found = await migrated.fetch(
        "SELECT title FROM postings WHERE search @@ plainto_tsquery('english', 'engineer 3')"
    )
    assert [row["title"] for row in found] == ["Engineer 3"]

    # New content is searchable as written, and stays so when the same event comes again.
    renamed = tagged_posting(3, skills=5, title="Chef de cuisine", tagged_at=utc_now())
    await write_postings(migrated, [at(renamed)])
    await write_postings(migrated, [at(renamed)])
    assert await pending_count(migrated) == 0
    found = await migrated.fetch(
        "SELECT title FROM postings WHERE search @@ plainto_tsquery('english', 'cuisine')"
    )
    assert [row["title"] for row in found] == ["Chef de cuisine"]


async def test_the_indexer_makes_rows_without_a_search_vector_searchable(
    migrated: asyncpg.Connection,
) -> None:
    """Rows stored before the store wrote vectors itself (or by hand) are indexed beside."""
    await write_postings(migrated, [at(tagged_posting(n)) for n in range(5)])
    await migrated.execute("UPDATE postings SET search = NULL")
    assert await pending_count(migrated) == 5
    assert await index_pending(migrated, limit=3) == 3
    assert await index_pending(migrated, limit=3) == 2
    assert await pending_count(migrated) == 0
    found = await migrated.fetch(
        "SELECT title FROM postings WHERE search @@ plainto_tsquery('english', 'engineer 3')"
    )
    assert [row["title"] for row in found] == ["Engineer 3"]


async def test_a_poison_record_is_dead_lettered_and_the_rest_stored(
    migrated: asyncpg.Connection, database: PostgresSettings, kafka_settings: KafkaSettings
) -> None:
    await ensure_topics(kafka_settings)
    good = [tagged_posting(n) for n in range(20)]
    poison = tagged_posting(99).model_copy(update={"text": "a NUL \x00 byte"})
    records = [
        Record("tagged", 0, n, p.posting_id.encode(), encode(p))
        for n, p in enumerate([*good[:10], poison, *good[10:]])
    ]
    records.append(Record("tagged", 0, 21, b"k", b"{not json"))
    # The store as `jobstream serve store` wires it: real PostgreSQL, real Kafka.
    store = bootstrap(StoreSettings(postgres=database, kafka=kafka_settings))
    for resource in store.resources:
        await resource.start()
    try:
        await store.core.handle(records)
    finally:
        for resource in store.resources:
            await resource.stop()

    assert await migrated.fetchval("SELECT count(*) FROM postings") == 20
    letters = [
        decode(DeadLetter, r.value)
        for r in await read_all(kafka_settings, kafka_settings.topic(DEAD_LETTERS))
    ]
    assert sorted(letter.reason for letter in letters) == ["db_rejected", "invalid_event"]
    rejected = next(letter for letter in letters if letter.reason == "db_rejected")
    assert rejected.source_offset == 10 and rejected.posting_id == poison.posting_id
    assert "PostgreSQL refused" in rejected.error


async def test_a_parsed_seed_lands_in_typed_columns(migrated: asyncpg.Connection) -> None:
    raw = RawPosting.from_text(
        (SEEDS / "003_abc877bc7831effb.txt").read_text(),
        Source(channel="inbox", name="003.txt"),
        ProvidedFields(external_id="board-42", url="https://jobs.example/42"),
    )
    posting = tag(parse(raw), load_taxonomy()).model_copy(update={"tagged_at": utc_now()})
    await write_postings(migrated, [at(posting)])

    row = await migrated.fetchrow("SELECT * FROM postings")
    assert row["title"] == "Senior Software Engineer (Backend)"
    assert (row["salary_min"], row["salary_max"]) == (Decimal("11670.34"), Decimal("14174.54"))
    assert (row["salary_currency"], row["salary_period"]) == ("USD", "month")
    assert row["work_mode"] == "onsite"
    assert (row["external_id"], row["source_url"]) == ("board-42", "https://jobs.example/42")
    sections = await migrated.fetch("SELECT kind, text FROM posting_sections ORDER BY position")
    kinds = [section["kind"] for section in sections]
    assert {"responsibilities", "requirements", "preferred"} <= set(kinds)
    preferred = next(s["text"] for s in sections if s["kind"] == "preferred")
    assert "Kafka" in preferred  # the view slices the section's text out of the posting
    java = await migrated.fetchval("SELECT source_ids FROM skills WHERE skill_id = 'java'")
    assert json.loads(java)["onet"], "the taxonomy's O*NET commodity codes reach the table"
    confidences = await migrated.fetch("SELECT DISTINCT confidence FROM posting_skills")
    assert all(0 < c["confidence"] <= 1 for c in confidences)
    assert (row["occupation_code"], row["occupation_title"]) == (
        "15-1252.00",
        "Software Developers",
    )
    assert posting.occupation is not None
    assert row["occupation_confidence"] == pytest.approx(posting.occupation.confidence)


async def test_the_occupation_is_stored_replaced_and_cleared(migrated: asyncpg.Connection) -> None:
    first = tagged_posting(1).model_copy(
        update={
            "occupation": Occupation(code="15-1252.00", title="Software Developers", confidence=0.6)
        }
    )
    await write_postings(migrated, [at(first)])
    # A replay under a newer coder names another occupation, then none: each replaces it.
    assert first.tagged_at is not None
    later = first.tagged_at + timedelta(seconds=1)
    recoded = first.model_copy(
        update={
            "occupation": Occupation(code="15-1253.00", title="Testers", confidence=0.9),
            "tagged_at": later,
        }
    )
    await write_postings(migrated, [at(recoded, 1)])
    columns = "SELECT occupation_code, occupation_title, occupation_confidence FROM postings"
    assert tuple(await migrated.fetchrow(columns)) == ("15-1253.00", "Testers", pytest.approx(0.9))

    cleared = recoded.model_copy(
        update={"occupation": None, "tagged_at": later + timedelta(seconds=1)}
    )
    await write_postings(migrated, [at(cleared, 2)])
    assert tuple(await migrated.fetchrow(columns)) == (None, None, None)
    by_code = await migrated.fetchval("SELECT count(*) FROM postings WHERE occupation_code IS NULL")
    assert by_code == 1


async def test_the_database_refuses_a_malformed_occupation(migrated: asyncpg.Connection) -> None:
    posting = tagged_posting(2).model_copy(
        update={"occupation": Occupation.model_construct(code="nonsense", title="x", confidence=2)}
    )
    with pytest.raises(asyncpg.CheckViolationError):
        await write_postings(migrated, [at(posting)])
