"""`jobstream export` and `jobstream search` as a person runs them: the CLI as a process,
reading a throwaway database as the reader role. Parquet is read back by Arrow and DuckDB."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import duckdb
import pyarrow.parquet as pq
import pytest

from jobstream.contracts import TaggedPosting
from jobstream.settings import PostgresSettings
from jobstream_api.adapters.postgres import APPLICATION_NAME, PostgresReadModel
from jobstream_api.answer_cache import VersionedCache
from jobstream_api.export import CSV_COLUMNS, EXPORT_FIELDS, EXPORT_SCHEMA, LOCATION_TYPE, rows
from jobstream_api.queries import DemandQuery, PostingFilter, PostingQuery, posting_query
from jobstream_api.results import PostingPage
from jobstream_stack.services import jobstream_command
from jobstream_store.adapters.repository import write_postings
from jobstream_store.postings import StoredPosting
from tests.integration.api.test_read_model_contract import POSTINGS, having, postgres_model

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]


@pytest.fixture
async def stored(database: PostgresSettings) -> PostgresSettings:
    model = await postgres_model(database)
    await model.close()
    return database


def cli(database: PostgresSettings, *arguments: str) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ,
        "JOBSTREAM_PG_PORT": str(database.port),
        "JOBSTREAM_PG_DATABASE": database.database,
        "COLUMNS": "200",
    }
    return subprocess.run(
        [jobstream_command(), *arguments], env=env, capture_output=True, timeout=120
    )


def oldest_first(postings: list[TaggedPosting]) -> list[str]:
    return [p.posting_id for p in sorted(postings, key=lambda p: (p.received_at, p.posting_id))]


async def test_parquet_has_the_stated_schema_and_reads_in_duckdb(
    stored: PostgresSettings, tmp_path: Path
) -> None:
    out = tmp_path / "python.parquet"
    done = cli(stored, "export", "--format", "parquet", "--skill", "python", str(out))
    assert done.returncode == 0, done.stderr.decode()
    assert b"exported 8 postings" in done.stderr
    assert not list(tmp_path.glob(".*.part"))  # written under a temporary name, renamed

    table = pq.read_table(out)
    assert table.schema.equals(EXPORT_SCHEMA, check_metadata=False)
    rows = table.to_pylist()
    assert [row["id"] for row in rows] == oldest_first(having("python"))
    first = rows[0]
    source = POSTINGS[0]
    assert first["text"] == source.text and first["received_at"] == source.received_at
    assert first["countries"] == ["DE"] and first["salary_max"] == 95_000
    assert first["locations"][0]["country_code"] == "DE"
    assert first["salary_annual_max"] == 95_000 and first["cluster_id"] == source.posting_id
    assert {(s["id"], s["required"]) for s in first["skills"]} == {
        ("python", True),
        ("kafka", True),
    }

    con = duckdb.connect()
    answer = con.execute(
        "SELECT count(*), count(DISTINCT id), max(salary_max),"
        " sum(len(skills)) FROM read_parquet(?)",
        [str(out)],
    ).fetchone()
    assert answer == (8, 8, 120_000.0, sum(len(p.skills) for p in having("python")))
    kafka = con.execute(
        "SELECT count(*) FROM read_parquet(?), unnest(skills) AS s(skill) WHERE skill.id = 'kafka'",
        [str(out)],
    ).fetchone()
    assert kafka == (4,)


async def test_csv_and_json_lines_to_stdout(stored: PostgresSettings) -> None:
    done = cli(stored, "export", "--format", "csv", "--country", "Germany", "-")
    assert done.returncode == 0, done.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode())))
    assert tuple(rows[0]) == CSV_COLUMNS
    germany = [POSTINGS[n] for n in (0, 1, 3, 9, 12)]
    assert [row["id"] for row in rows] == oldest_first(germany)
    assert rows[0]["required_skills"] == "kafka; python" and rows[0]["preferred_skills"] == ""
    assert rows[1]["preferred_skills"] == "kafka"
    assert [row["text"] for row in rows] == [
        next(p.text for p in POSTINGS if p.posting_id == row["id"]) for row in rows
    ]  # the text, newlines and all, survives CSV quoting

    done = cli(stored, "export", "--format", "jsonl", "--since", "2026-03-20", "-")
    assert done.returncode == 0, done.stderr.decode()
    documents = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [d["id"] for d in documents] == oldest_first(POSTINGS[9:])
    assert all(list(d) == list(EXPORT_FIELDS) for d in documents)


async def test_bad_arguments_exit_2_and_say_why(stored: PostgresSettings, tmp_path: Path) -> None:
    done = cli(stored, "export", "--format", "parquet", "-")
    assert done.returncode == 2 and b"stdout" in done.stderr
    done = cli(stored, "export", "--format", "xml", str(tmp_path / "x"))
    assert done.returncode == 2 and b"--format" in done.stderr
    done = cli(stored, "export", "--since", "last week", str(tmp_path / "x"))
    assert done.returncode == 2 and b"since:" in done.stderr
    assert not (tmp_path / "x").exists()
    done = cli(stored, "search", "--limit", "900")
    assert done.returncode == 2 and b"limit:" in done.stderr


async def test_search_as_json_and_as_a_table(stored: PostgresSettings) -> None:
    done = cli(stored, "search", "--skill", "kafka", "--required", "--json")
    assert done.returncode == 0, done.stderr.decode()
    page = json.loads(done.stdout)
    expected = having("kafka", required=True)
    assert {item["id"] for item in page["items"]} == {p.posting_id for p in expected}
    assert page["next_cursor"] is None

    done = cli(stored, "search", "streaming", "--limit", "1")
    assert done.returncode == 0, done.stderr.decode()
    table = done.stdout.decode()
    assert "Data Engineer" in table and "more: add --cursor" in table


# Every posting (one COPY stream, cut into batches) and a filter matching every posting (a
# cursor, fetched a batch at a time).
EVERY_POSTING = [PostingFilter(), PostingFilter(since=datetime(2000, 1, 1, tzinfo=UTC))]


@pytest.mark.parametrize("size", [1, 3, 4, 13, 14])
@pytest.mark.parametrize("wanted", EVERY_POSTING, ids=["everything", "filtered"])
async def test_an_export_in_batches_is_every_posting_once_in_order(
    stored: PostgresSettings, size: int, wanted: PostingFilter
) -> None:
    """Batches end anywhere: after each posting, mid-way, on the last posting, beyond it; two
    postings received at the same time keep their order (by id), also when a batch ends
    between them."""
    writer = await asyncpg.connect(**stored.connect_kwargs())
    try:
        await writer.execute(
            "UPDATE postings SET received_at = $1 WHERE posting_id = ANY($2::text[])",
            POSTINGS[3].received_at,
            [POSTINGS[3].posting_id, POSTINGS[4].posting_id],
        )
    finally:
        await writer.close()
    whole = PostgresReadModel(stored)
    pieces = PostgresReadModel(stored, export_batch=size)
    try:
        expected = [row async for batch in whole.export(PostingFilter()) for row in rows(batch)]
        batches = [batch async for batch in pieces.export(wanted)]
    finally:
        await whole.close()
        await pieces.close()
    assert all(0 < batch.num_rows <= size for batch in batches)
    if wanted != PostingFilter():  # a cursor's FETCH gives as many as asked for
        assert [batch.num_rows for batch in batches][:-1] == [size] * (len(batches) - 1)
    assert [row for batch in batches for row in rows(batch)] == expected
    assert len(expected) == len(POSTINGS)
    tied = [row["id"] for row in expected if row["received_at"] == POSTINGS[3].received_at]
    assert tied == sorted([POSTINGS[3].posting_id, POSTINGS[4].posting_id])
    assert [row["skills"] for row in expected if row["id"] == POSTINGS[11].posting_id] == [[]]


# Texts that COPY, JSON or CSV could bend: quotes, backslashes, COPY's and CSV's delimiters,
# control characters, line and paragraph separators, characters beyond the BMP.
AWKWARD_TEXTS = [
    'a "quoted" title, with a comma; and\\a backslash \\n not a newline',
    "tab\there\r\nCRLF\x01\x02\x7f and \\u0000 as text",
    "line\u2028separator\u2029paragraph \U0001f680 rocket, émigré, 東京",
]


async def test_the_export_holds_what_the_tables_hold(stored: PostgresSettings) -> None:
    """Every exported value against the tables themselves, read apart: each posting's row and
    its posting_skills rows named from the skills table, required first, then most mentioned,
    then by name (what the export did before the skills were kept on the posting's row)."""
    awkward = [
        POSTINGS[n].model_copy(
            update={
                "posting_id": f"awkward-{n}",
                "text": text,
                "title": text[:40],
                "company": text[-20:],
            }
        )
        for n, text in enumerate(AWKWARD_TEXTS)
    ]
    writer = await asyncpg.connect(**stored.connect_kwargs())
    try:
        await write_postings(
            writer, [StoredPosting(p, "awkward", 0, n) for n, p in enumerate(awkward)]
        )
        postings = await writer.fetch("SELECT * FROM postings ORDER BY received_at, posting_id")
        skills = await writer.fetch(
            "SELECT s.posting_id, s.skill_id, k.name, k.category, s.required, s.mentions,"
            " s.confidence FROM posting_skills s JOIN skills k USING (skill_id)"
            " ORDER BY s.required DESC, s.mentions DESC, k.name"
        )
    finally:
        await writer.close()
    model = PostgresReadModel(stored)
    try:
        exported = [row async for batch in model.export(PostingFilter()) for row in rows(batch)]
    finally:
        await model.close()
    assert len(exported) == len(POSTINGS) + len(awkward)
    assert [row["text"] for row in exported if row["id"].startswith("awkward")] == AWKWARD_TEXTS
    for row, stored_row in zip(exported, postings, strict=True):
        assert row == reference_row(stored_row, [s for s in skills if s["posting_id"] == row["id"]])


def reference_row(posting: asyncpg.Record, skills: list[asyncpg.Record]) -> dict[str, object]:
    """A posting as an export row, from its row and its skill rows."""
    numbers = {
        "experience_years_min", "experience_years_max", "salary_min", "salary_max",
        "salary_annual_min", "salary_annual_max",
    }  # fmt: skip
    row: dict[str, object] = {}
    for name in EXPORT_FIELDS:
        value = posting["posting_id" if name == "id" else name] if name != "skills" else None
        if name in numbers:
            value = None if value is None else float(value)
        elif name == "locations":
            value = [
                {key: place.get(key) for key in LOCATION_TYPE.names}
                for place in json.loads(value)  # type: ignore[arg-type]
            ]
        elif name == "skills":
            value = [
                {"id": s["skill_id"], "name": s["name"], "category": s["category"],
                 "required": s["required"], "mentions": s["mentions"],
                 "confidence": float(f"{s['confidence']:.7g}")}
                for s in skills
            ]  # fmt: skip
        row[name] = value
    return row


async def test_a_rewritten_posting_is_listed_as_it_is_now(stored: PostgresSettings) -> None:
    """The item cache serves a page listed before as it was, and a posting the store has
    rewritten since as it is now."""
    cache = VersionedCache[str](100, 60)
    cached, uncached = PostgresReadModel(stored, item_cache=cache), PostgresReadModel(stored)
    query = PostingQuery(PostingFilter(skills=("python",)), sort="relevance")
    try:
        first = await cached.search_postings_json(query)
        assert len(cache) == len(having("python"))
        assert await cached.search_postings_json(query) == first
        assert first == await uncached.search_postings_json(query)

        source = POSTINGS[0]
        renamed = source.model_copy(update={"title": "Principal Streaming Engineer"})
        writer = await asyncpg.connect(**stored.connect_kwargs())
        try:
            await write_postings(writer, [StoredPosting(renamed, "contract", 0, 99)])
        finally:
            await writer.close()
        page = PostingPage.model_validate_json(await cached.search_postings_json(query))
        assert {item.id: item.title for item in page.items}[source.posting_id] == renamed.title
        assert await cached.search_postings_json(query) == await uncached.search_postings_json(
            query
        )
    finally:
        await cached.close()
        await uncached.close()


async def test_items_name_their_skills_as_the_skills_table_does_now(
    stored: PostgresSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Result items take their skills' names from the skills table, each name kept for
    SKILL_NAMES_SECONDS: a skill a new taxonomy renames is listed under its new name after
    that (no answer cache here)."""
    from jobstream_api.adapters import postgres

    query = posting_query({"skill": ["kafka"]})

    async def kafka_names(model: PostgresReadModel) -> set[str]:
        page = await model.search_postings(query)
        return {skill.name for item in page.items for skill in item.skills if skill.id == "kafka"}

    keeping = PostgresReadModel(stored)
    monkeypatch.setattr(postgres, "SKILL_NAMES_SECONDS", 0.0)
    rereading = PostgresReadModel(stored)
    try:
        assert await kafka_names(keeping) == await kafka_names(rereading) == {"Kafka"}
        writer = await asyncpg.connect(**stored.connect_kwargs())
        try:
            await writer.execute("UPDATE skills SET name = 'Apache Kafka' WHERE skill_id = 'kafka'")
        finally:
            await writer.close()
        assert await kafka_names(rereading) == {"Apache Kafka"}
        assert await kafka_names(keeping) == {"Kafka"}  # kept for SKILL_NAMES_SECONDS
    finally:
        await keeping.close()
        await rereading.close()


async def test_statistics_are_made_again_when_the_views_are_refreshed(
    stored: PostgresSettings,
) -> None:
    model = PostgresReadModel(stored, stats_cache=VersionedCache(10))
    query = DemandQuery(skills=("rust",))
    try:
        before = await model.skill_demand(query)
        assert before.skills == [] and await model.skill_demand(query) is before  # kept
        rust = POSTINGS[8].model_copy(
            update={
                "posting_id": "rust-1",
                "skills": [
                    s.model_copy(update={"skill_id": "rust", "name": "Rust"})
                    for s in POSTINGS[8].skills
                ],
            }
        )
        writer = await asyncpg.connect(**stored.connect_kwargs())
        try:
            await write_postings(writer, [StoredPosting(rust, "contract", 0, 100)])
            assert await model.skill_demand(query) is before  # the views are as they were
            await writer.fetchval("SELECT refresh_read_views(true)")  # as the store does
        finally:
            await writer.close()
        after = await model.skill_demand(query)
        assert [skill.id for skill in after.skills] == ["rust"]
        assert after.refreshed_at != before.refreshed_at
    finally:
        await model.close()


@pytest.mark.parametrize("country", ["DE", "US", "CH"])
async def test_a_country_of_few_postings_is_searched_from_its_own_postings(
    stored: PostgresSettings, country: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A country of few postings is searched from the countries' index first; the pages, one
    posting at a time through the cursors, are those of the newest-first scan."""
    from jobstream_api.adapters import postgres

    async def pages(few: int) -> list[bytes]:
        monkeypatch.setattr(postgres, "FEW_IN_A_COUNTRY", few)
        model = PostgresReadModel(stored)
        listed, cursor = [], None
        try:
            while True:
                query = posting_query(
                    {"country": [country], "limit": ["1"]}
                    | ({"cursor": [cursor]} if cursor else {})
                )
                page = await model.search_postings_json(query)
                listed.append(page)
                cursor = json.loads(page)["next_cursor"]
                if cursor is None:
                    return listed
        finally:
            await model.close()

    from_the_country, newest_first = await pages(10**9), await pages(0)
    assert from_the_country == newest_first
    expected = [p for p in POSTINGS if country in [place.country_code for place in p.locations]]
    assert len(from_the_country) == max(len(expected), 1)


@pytest.mark.parametrize("wanted", EVERY_POSTING, ids=["everything", "filtered"])
async def test_an_export_left_early_stops_at_once(
    stored: PostgresSettings, wanted: PostingFilter
) -> None:
    """A reader that stops (the writer failed, the user pressed ^C) ends the export: nothing
    waits on the batches it will not read, and its connection ends (its transaction with
    it); the pool answers as before."""
    model = PostgresReadModel(stored, export_batch=1, max_connections=1)
    # as the reader: a role sees the state of its own sessions only
    admin = await asyncpg.connect(**stored.reader_connect_kwargs())

    async def exporting() -> int:
        return int(
            await admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1"
                " AND application_name = $2 AND state <> 'idle'",
                stored.database,
                APPLICATION_NAME,
            )
        )

    export = model.export(wanted)
    try:
        first = await anext(export)
        assert first.num_rows == 1
        assert await exporting() == 1  # the export's transaction
        await asyncio.wait_for(export.aclose(), 30)  # type: ignore[attr-defined]
        deadline = asyncio.get_running_loop().time() + 30
        while await exporting() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        assert await exporting() == 0
        assert await asyncio.wait_for(model.count_postings(PostingFilter()), 30) == len(POSTINGS)
    finally:
        await export.aclose()  # type: ignore[attr-defined]
        await model.close()
        await admin.close()
