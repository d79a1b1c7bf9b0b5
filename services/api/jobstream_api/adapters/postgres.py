"""The read model on PostgreSQL, as the read-only reader role.

Every query is one static statement with bind parameters. An optional filter is written
`($n IS NULL OR condition)`; the pool plans each execution with its own values
(`plan_cache_mode = force_custom_plan`), so PostgreSQL drops the conditions not asked for and
picks an index for those that are, instead of one generic plan for every combination.
A statement timeout bounds every query: no request can hold the database.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, suppress
from typing import Any, Final, TypeVar

import asyncpg
import orjson
import pyarrow as pa

from jobstream.settings import PostgresSettings
from jobstream_api import fields
from jobstream_api.adapters import columnar
from jobstream_api.adapters.export_cursor import CURSOR, ExportCursor
from jobstream_api.answer_cache import VersionedCache
from jobstream_api.export import EXPORT_SCHEMA
from jobstream_api.queries import (
    MAX_SKILLS,
    DemandQuery,
    PayQuery,
    PostingFilter,
    PostingQuery,
    SkillQuery,
)
from jobstream_api.results import (
    CoOccurring,
    DemandPoint,
    DemandStats,
    PayGroup,
    PayStats,
    PostingDetail,
    PostingPage,
    PostingSkill,
    SkillDemand,
    SkillDetail,
    SkillList,
    SkillSummary,
    SourceOut,
)

Stats = TypeVar("Stats", DemandStats, PayStats)

# How the read model's connections name themselves to PostgreSQL (pg_stat_activity).
APPLICATION_NAME: Final = "jobstream-api"

# Co-occurring skills are counted over at most this many postings of a skill (a fixed sample,
# by posting id, beyond it): a self-join over every posting of a common skill takes seconds.
CO_OCCURRENCE_SAMPLE: Final = 5_000

# A posting's places as `results.Place` objects (the stored ones hold more keys, e.g. spans).
_PLACES = """(
    SELECT coalesce(json_agg(json_build_object(
        'text', l ->> 'text', 'city', l ->> 'city', 'region', l ->> 'region',
        'country', l ->> 'country', 'country_code', l ->> 'country_code',
        'subdivision_code', l ->> 'subdivision_code', 'remote', (l -> 'remote')::boolean,
        'area', l ->> 'area')), '[]')
    FROM jsonb_array_elements(p.locations) AS l)"""

# A result item (`results.PostingSummary`) but its rank and skills, as JSON built by
# PostgreSQL for the postings of one page that the item cache does not hold (`_ITEMS`); the
# service adds the skills (from the posting's `skills` column, migration 0025, named from
# `_SkillNames`: `fields.skill_refs`) and the rank (the query's, not the posting's) and writes
# the page around the items as they are (validating and writing them again cost more CPU than
# the rest of a request). Naming and ordering ~20 skills a posting in PostgreSQL (a join to
# posting_skills or the json column's elements) cost it ~1.4 ms a page of 20.
_ITEM = f"""
json_build_object(
    'id', p.posting_id, 'title', p.title, 'company', p.company, 'locations', {_PLACES},
    'pay', CASE WHEN p.salary_min IS NOT NULL OR p.salary_max IS NOT NULL THEN
        json_build_object('min', p.salary_min, 'max', p.salary_max,
                          'currency', p.salary_currency, 'period', p.salary_period,
                          'annual_min', p.salary_annual_min,
                          'annual_max', p.salary_annual_max) END,
    'work_mode', p.work_mode, 'employment_type', p.employment_type,
    'seniority', p.seniority, 'received_at', p.received_at, 'first_seen', p.first_seen,
    'occupation', CASE WHEN p.occupation_code IS NOT NULL THEN
        json_build_object('code', p.occupation_code, 'title', p.occupation_title,
                          'confidence', p.occupation_confidence) END,
    'cluster_id', p.cluster_id
)::text
"""
_ITEMS = f"""
SELECT p.posting_id, p.last_updated, {_ITEM} AS item, p.skills
FROM postings p WHERE p.posting_id = ANY($1::text[])
"""  # noqa: S608 - assembled from this module's constants
_SKILL_NAMES = "SELECT skill_id, name FROM skills WHERE skill_id = ANY($1::text[])"
# A skill's name is kept this long (a skill renamed by a new taxonomy shows within it), for
# this many skills at most (the least recently used go first).
SKILL_NAMES_SECONDS: Final = 30.0
SKILL_NAMES_KEPT: Final = 100_000


# $1 q, $2-$6 skills, $7 required, $8 company, $9 country, $10 work mode, $11 employment type,
# $12 seniority, $13 salary_min, $14 since, $15 until, $16 occupation.
#
# A skill is an EXISTS standing alone: inside `($n IS NULL OR EXISTS ...)` PostgreSQL cannot
# turn it into a semi-join (that happens before the parameters are folded) and hashes every
# posting of the skill first (1 s for a skill of 200,000 postings). So each statement comes
# in one variant per number of skills asked for (0 to MAX_SKILLS, all made here from
# constants); a slot not used only names its parameter (`$n IS NULL`, always true).
def _skill_slots(used: int) -> str:
    return "\n".join(
        f"""  AND EXISTS (
        SELECT 1 FROM posting_skills s
        WHERE s.posting_id = p.posting_id AND s.skill_id = ${n} AND (s.required OR NOT $7))"""  # noqa: S608
        if n < 2 + used
        else f"  AND ${n}::text IS NULL"
        for n in range(2, 2 + MAX_SKILLS)
    )


def _filter(skills: int) -> str:
    return f"""
WHERE ($1::text IS NULL OR p.search @@ websearch_to_tsquery('english', $1))
{_skill_slots(skills)}
  AND ($7::boolean IS NOT NULL)
  AND ($8::text IS NULL OR lower(p.company) = lower($8))
  AND ($9::text IS NULL OR p.countries @> ARRAY[$9::text])
  AND ($10::text IS NULL OR p.work_mode = $10)
  AND ($11::text IS NULL OR p.employment_type = $11)
  AND ($12::text IS NULL OR p.seniority = $12)
  AND ($13::numeric IS NULL OR coalesce(p.salary_annual_max, p.salary_annual_min) >= $13)
  AND ($14::timestamptz IS NULL OR p.received_at >= $14)
  AND ($15::timestamptz IS NULL OR p.received_at < $15)
  AND ($16::text IS NULL OR p.occupation_code = $16)
"""


_VARIANTS = range(MAX_SKILLS + 1)


# A page: which postings, in order (each item's JSON comes from the cache or `_ITEMS`); the
# rank as PostgreSQL writes it, for the item's JSON. Newest first; the cursor ($17, $18) is
# the last row of the previous page.
def _recent(skills: int, source: str) -> str:
    return f"""
SELECT p.posting_id, p.received_at, NULL::real AS rank, 'null' AS rank_json, p.last_updated
FROM {source}
{_filter(skills)}
  AND ($17::timestamptz IS NULL OR (p.received_at, p.posting_id) < ($17, $18::text))
ORDER BY p.received_at DESC, p.posting_id DESC
LIMIT $19
"""  # noqa: S608 - assembled from this module's constants; values are bind parameters


_RECENT = {skills: _recent(skills, "postings p") for skills in _VARIANTS}

# The same for a country of few postings (`FEW_IN_A_COUNTRY`): its postings first, from the
# countries' GIN index, then the other filters and the order. PostgreSQL cannot tell a country
# of no postings from one of many (for a code it has no statistics of, it guesses 0.5% of the
# rows), walks the newest-first index looking for them, and reads every posting to find none.
_RECENT_IN_A_FEW = {
    skills: _recent(
        skills,
        "(SELECT * FROM postings WHERE countries @> ARRAY[$9::text] OFFSET 0) p",
    )
    for skills in _VARIANTS
}
# A country with fewer postings than this is searched as `_RECENT_IN_A_FEW` does; its count as
# of the views' last refresh (`posting_countries`), read again after `_COUNTRIES_SECONDS`.
FEW_IN_A_COUNTRY: Final = 2_000
_COUNTRIES_SECONDS: Final = 60.0
_COUNTRIES = "SELECT country, count(*) AS postings FROM posting_countries GROUP BY country"

_RELEVANT = {
    skills: f"""
SELECT posting_id, received_at, rank, coalesce(rank::text, 'null') AS rank_json, last_updated
FROM (
    SELECT p.posting_id, p.received_at, p.last_updated,
           ts_rank_cd(p.search, websearch_to_tsquery('english', $1)) AS rank
    FROM postings p
    {_filter(skills)}
) ranked
WHERE ($17::real IS NULL OR (rank, posting_id) < ($17, $18::text))
ORDER BY rank DESC, posting_id DESC
LIMIT $19
"""  # noqa: S608 - assembled from this module's constants; values are bind parameters
    for skills in _VARIANTS
}

# The postings of an export, oldest first (`columnar.QUERY_COLUMNS`), read by a cursor
# (`export_cursor`: binary rows into Arrow arrays in C++) with no Python object a posting:
# numbers as float8 and lists of codes as text[] (empty for none), as the export's schema has
# them; the places (jsonb) read by PostgreSQL into one array a field of theirs
# (`columnar.LOCATION_COLUMNS`: jsonb_to_recordset, no parsing); the skills from the posting's
# row as stored (`postings.skills`, migration 0025, json: its text as it is; their names from
# the skills table, read once: `_EXPORT_SKILL_NAMES`).
_EXPORT_VALUES: Final = {
    "id": "p.posting_id",
    "salary_currency": "p.salary_currency::text",
    columnar.SKILLS_COLUMN: "p.skills::text",
    **{
        field.name: f"p.{field.name}::float8"
        for field in EXPORT_SCHEMA
        if field.type == pa.float64()
    },
}
_SQL_TYPES: Final = {
    pa.string(): "text",
    pa.bool_(): "boolean",
    pa.int32(): "int4",
    pa.float32(): "real",
}


def _arrays(source: str, columns: dict[str, pa.Field], alias: str) -> str:
    """A lateral subquery giving `alias.<column>`: the array of one field of every object of
    the JSON array `source` (`jsonb_to_recordset`), in order; empty for none."""
    fields = ", ".join(f'"{field.name}" {_SQL_TYPES[field.type]}' for field in columns.values())
    arrays = ", ".join(
        f"""coalesce(array_agg(r."{field.name}"), '{{}}') AS {column}"""
        for column, field in columns.items()
    )
    # One aggregate over the function's rows as it gives them: every array in the JSON's order.
    return f"CROSS JOIN LATERAL (SELECT {arrays} FROM {source} AS r({fields})) {alias}"  # noqa: S608


_EXPORT_FROM: Final = f"""postings p
{_arrays("jsonb_to_recordset(p.locations)", columnar.LOCATION_COLUMNS, "places")}"""
_EXPORT_COLUMNS: Final = ", ".join(
    f"places.{name}"
    if name in columnar.LOCATION_COLUMNS
    else f"{_EXPORT_VALUES.get(name, f'p.{name}')} AS {name}"
    for name in columnar.QUERY_COLUMNS
)
_EXPORT = {
    skills: f"""
SELECT {_EXPORT_COLUMNS}
FROM {_EXPORT_FROM}
{_filter(skills)}
ORDER BY p.received_at, p.posting_id
"""  # noqa: S608 - assembled from this module's constants; values are bind parameters
    for skills in _VARIANTS
}
# The same as `export_cursor.CURSOR`, fetched a batch at a time (COPY takes no parameter).
_EXPORT_CURSOR = {
    skills: f"DECLARE {CURSOR} NO SCROLL CURSOR FOR {statement}"
    for skills, statement in _EXPORT.items()
}
# Every posting (no filter): no parameter, so that PostgreSQL can stream it by COPY.
_EXPORT_ALL = f"SELECT {_EXPORT_COLUMNS} FROM {_EXPORT_FROM} ORDER BY p.received_at, p.posting_id"  # noqa: S608
# An export gives Arrow's freed pages back every this many batches.
_EXPORT_RELEASE_EVERY: Final = 10
_EXPORT_SKILL_NAMES = "SELECT skill_id, name, category FROM skills"

_COUNT = {
    skills: f"SELECT count(*) FROM postings p {_filter(skills)}"  # noqa: S608 - constants only
    for skills in _VARIANTS
}

_POSTING = "SELECT * FROM postings WHERE posting_id = $1"
_POSTING_SKILLS = """
SELECT s.skill_id, k.name, k.category, s.required, s.mentions, s.confidence, s.spans
FROM posting_skills s JOIN skills k USING (skill_id)
WHERE s.posting_id = $1
ORDER BY s.required DESC, s.mentions DESC, k.name
"""

# Counts from the view skill_postings (as of its last refresh; 0 for a skill not in it yet).
_FIND_SKILLS = """
SELECT k.skill_id, k.name, k.category, coalesce(c.postings, 0) AS postings
FROM skills k LEFT JOIN skill_postings c USING (skill_id)
WHERE $1::text IS NULL
   OR k.skill_id LIKE '%' || $1 || '%'
   OR lower(k.name) LIKE '%' || lower($1) || '%'
ORDER BY postings DESC, k.name
LIMIT $2
"""

_SKILL = """
SELECT k.skill_id, k.name, k.category, k.source_ids,
       count(s.posting_id) AS postings,
       count(s.posting_id) FILTER (WHERE s.required) AS required_postings
FROM skills k LEFT JOIN posting_skills s USING (skill_id)
WHERE k.skill_id = $1
GROUP BY k.skill_id
"""

_CO_OCCURRING = """
WITH basis AS (
    SELECT posting_id FROM posting_skills WHERE skill_id = $1 ORDER BY posting_id LIMIT $2
)
SELECT o.skill_id, k.name, count(*) AS postings, (SELECT count(*) FROM basis) AS basis
FROM basis JOIN posting_skills o USING (posting_id) JOIN skills k ON k.skill_id = o.skill_id
WHERE o.skill_id <> $1
GROUP BY o.skill_id, k.name
ORDER BY postings DESC, o.skill_id
LIMIT $3
"""


# The skills asked for (or the `$6` most in demand in the range), then their series.
_DEMAND = """
WITH chosen AS (
    SELECT d.skill_id, sum(d.postings)::int AS total
    FROM skill_demand d
    WHERE d.grain = $1 AND d.country = $2 AND d.occupation = $3
      AND ($4::text[] IS NULL OR d.skill_id = ANY($4))
      AND ($5::date IS NULL OR d.period >= $5) AND ($6::date IS NULL OR d.period < $6)
    GROUP BY d.skill_id
    ORDER BY total DESC, d.skill_id
    LIMIT $7
)
SELECT c.skill_id, k.name, c.total, d.period, d.postings,
       (SELECT refreshed_at FROM read_views_refreshed) AS refreshed_at
FROM chosen c
JOIN skills k USING (skill_id)
JOIN skill_demand d
  ON d.skill_id = c.skill_id AND d.grain = $1 AND d.country = $2 AND d.occupation = $3
WHERE ($5::date IS NULL OR d.period >= $5) AND ($6::date IS NULL OR d.period < $6)
ORDER BY c.total DESC, c.skill_id, d.period
"""

_PAY = """
SELECT currency, postings, p25, p50, p75,
       (SELECT refreshed_at FROM read_views_refreshed) AS refreshed_at
FROM skill_pay
WHERE skill_id = $1 AND country = $2
ORDER BY postings DESC, currency
"""

# When the views were refreshed: each row of a statistics answer carries it; this for none.
_REFRESHED = "SELECT refreshed_at FROM read_views_refreshed"
_READY = """
SELECT (SELECT 1 FROM postings LIMIT 1), (SELECT 1 FROM read_views_refreshed LIMIT 1)
"""

# What the pay statistics count (migration 0019's skill_pay).
PAY_BASIS: Final = (
    "pay for a year (the middle of a range) in the posting's currency, whatever period it was"
    " stated for; a job posted several times (a near-duplicate cluster) counts once"
)


def filter_parameters(posting_filter: PostingFilter) -> list[Any]:
    """$1-$16 of the filter, in the order of `_filter`."""
    slots = list(posting_filter.skills) + [None] * (MAX_SKILLS - len(posting_filter.skills))
    return [
        posting_filter.q,
        *slots,
        posting_filter.required,
        posting_filter.company,
        posting_filter.country,
        posting_filter.work_mode,
        posting_filter.employment_type,
        posting_filter.seniority,
        posting_filter.salary_min,
        posting_filter.since,
        posting_filter.until,
        posting_filter.occupation,
    ]


class PostgresReadModel:
    """Implements `jobstream_api.ports.ReadModel`. The pool is made on first use (the service
    starts, and says it is not ready, while PostgreSQL is away); `await .close()` when done."""

    def __init__(
        self,
        settings: PostgresSettings,
        *,
        statement_timeout_ms: int = 2_000,
        max_connections: int = 8,
        export_batch: int = 2_000,
        item_cache: VersionedCache[str] | None = None,
        stats_cache: VersionedCache[DemandStats | PayStats] | None = None,
    ) -> None:
        self._settings = settings
        # What `answer_cache` says; None: everything made for every request.
        self._items = item_cache  # result items' JSON
        self._stats = stats_cache  # statistics answers
        self._skill_names = _SkillNames()
        # Postings a batch of an export (a Parquet row group): about 13 MB of rows.
        self._export_batch = export_batch
        self._statement_timeout_ms = statement_timeout_ms
        self._max_connections = max_connections
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()
        # postings a country (`_few_in`), and when they were read
        self._countries: tuple[float, dict[str, int]] | None = None

    async def pool(self) -> asyncpg.Pool:
        async with self._lock:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    **self._settings.reader_connect_kwargs(),
                    min_size=1,
                    max_size=self._max_connections,
                    timeout=10,
                    # Nothing to undo on release: the service sets no session state (an
                    # export's settings are SET LOCAL), and asyncpg still rolls back a
                    # transaction left open. Its default reset is a round trip a request.
                    reset=_keep_session,
                    server_settings={
                        "application_name": APPLICATION_NAME,
                        "statement_timeout": str(self._statement_timeout_ms),
                        "default_transaction_read_only": "on",
                        "plan_cache_mode": "force_custom_plan",
                        "TimeZone": "UTC",  # times in JSON built by PostgreSQL
                    },
                )
            return self._pool

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        pool = await self.pool()
        async with pool.acquire(timeout=10) as conn:
            yield conn

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def readiness(self) -> str | None:
        try:
            async with self._connection() as conn:
                # the tables and the views' bookkeeping are there (the migrations ran)
                await conn.fetchval(_READY)
        except Exception as error:  # any failure to read means not ready
            return f"database unreadable: {type(error).__name__}: {error}"
        return None

    async def search_postings(self, query: PostingQuery) -> PostingPage:
        return PostingPage.model_validate_json(await self.search_postings_json(query))

    async def search_postings_json(self, query: PostingQuery) -> bytes:
        # The page's postings first; then the JSON of the items the cache does not hold, built
        # by PostgreSQL (`_ITEM`) but their skills; the page is written around them without
        # parsing them again (the contract suite holds them to `PostingPage`).
        cursor = query.cursor
        skills = len(query.filter.skills)
        after: object = None
        if query.sort == "relevance":
            after = cursor.rank if cursor else None
        else:
            after = cursor.received_at if cursor else None
        parameters = [
            *filter_parameters(query.filter),
            after,
            cursor.posting_id if cursor else None,
            query.limit + 1,  # one more tells whether there is a next page
        ]
        async with self._connection() as conn:
            if query.sort == "relevance":
                statement = _RELEVANT[skills]
            elif query.filter.country is not None and await self._few_in(
                conn, query.filter.country
            ):
                statement = _RECENT_IN_A_FEW[skills]
            else:
                statement = _RECENT[skills]
            rows = await conn.fetch(statement, *parameters)
            rows, more = rows[: query.limit], len(rows) > query.limit
            items = {row["posting_id"]: self._cached(row) for row in rows}
            wanted = [posting_id for posting_id, item in items.items() if item is None]
            if wanted:
                built = await conn.fetch(_ITEMS, wanted)
                stored = [orjson.loads(row["skills"]) for row in built]
                names = await self._skill_names.names(
                    conn, {skill["id"] for skills in stored for skill in skills}
                )
                for row, skills in zip(built, stored, strict=True):
                    refs = orjson.dumps(fields.skill_refs(skills, names)).decode()
                    whole = f'{row["item"][:-1]},"skills":{refs}}}'  # the object, its skills
                    items[row["posting_id"]] = whole
                    if self._items is not None:
                        self._items.put(row["posting_id"], row["last_updated"], whole)
        next_cursor = None
        if more:
            last = rows[-1]
            key = last["rank"] if query.sort == "relevance" else last["received_at"].isoformat()
            next_cursor = query.cursor_after(key, last["posting_id"]).encode()
        listed = ",".join(
            f'{item[:-1]},"rank":{row["rank_json"]}}}'  # the item's JSON object, and its rank
            for row in rows
            if (item := items[row["posting_id"]]) is not None  # None: deleted meanwhile
        )
        page = f'{{"items":[{listed}],"next_cursor":{json.dumps(next_cursor)}}}'
        return page.encode()

    async def _few_in(self, conn: asyncpg.Connection, country: str) -> bool:
        """Whether the country had fewer than FEW_IN_A_COUNTRY postings at the views' last
        refresh (counts read again every _COUNTRIES_SECONDS)."""
        now = time.monotonic()
        if self._countries is None or now - self._countries[0] > _COUNTRIES_SECONDS:
            rows = await conn.fetch(_COUNTRIES)
            self._countries = (now, {row["country"]: row["postings"] for row in rows})
        return self._countries[1].get(country, 0) < FEW_IN_A_COUNTRY

    def _cached(self, row: asyncpg.Record) -> str | None:
        if self._items is None:
            return None
        return self._items.get(row["posting_id"], row["last_updated"])

    async def get_posting(self, posting_id: str) -> PostingDetail | None:
        async with self._connection() as conn:
            row = await conn.fetchrow(_POSTING, posting_id)
            if row is None:
                return None
            skill_rows = await conn.fetch(_POSTING_SKILLS, posting_id)
        skills = [
            [r["skill_id"], r["name"], r["category"], r["required"], r["mentions"],
             r["confidence"], json.loads(r["spans"])]
            for r in skill_rows
        ]  # fmt: skip
        return _detail(row, skills)

    def export(self, posting_filter: PostingFilter) -> AsyncIterator[pa.RecordBatch]:
        return self._export(posting_filter)

    async def _export(self, posting_filter: PostingFilter) -> AsyncIterator[pa.RecordBatch]:
        # Its own connection (`export_cursor`, blocking: in threads), not the pool's.
        everything = posting_filter == PostingFilter()
        cursor = ExportCursor(
            self._settings,
            application_name=APPLICATION_NAME,
            names_query=_EXPORT_SKILL_NAMES,
            query=_EXPORT_ALL if everything else _EXPORT_CURSOR[len(posting_filter.skills)],
            parameters=None if everything else filter_parameters(posting_filter),
            batch=self._export_batch,
        )
        try:
            names = columnar.SkillNames(await asyncio.to_thread(cursor.open))
            # A batch's fetch, its conversion and its writing (the caller's, in a thread)
            # overlap, each in a thread of its own: PostgreSQL writes the next batch while one
            # is converted and the one before written; a few batches in memory at most.
            batches: asyncio.Queue[asyncio.Future[pa.RecordBatch] | None] = asyncio.Queue(1)

            async def read() -> None:
                try:
                    while (rows := await asyncio.to_thread(cursor.fetch)) is not None:
                        await batches.put(
                            asyncio.ensure_future(
                                asyncio.to_thread(columnar.export_batch, rows, names)
                            )
                        )
                        del rows
                finally:
                    await batches.put(None)

            reading = asyncio.ensure_future(read())
            try:
                written = 0
                while (converting := await batches.get()) is not None:
                    yield await converting
                    del converting
                    # Arrow's allocator (mimalloc) keeps freed pages for reuse; given back
                    # now and then, the export's memory stays that of a few batches (after
                    # every batch: ~10% of the export's CPU, the next batch's page faults).
                    written += 1
                    if written % _EXPORT_RELEASE_EVERY == 0:
                        pa.default_memory_pool().release_unused()
                await reading  # its error, if it failed
            finally:
                if not reading.done():  # left early: what was read is dropped, reading stops
                    while not batches.empty():
                        batches.get_nowait()  # (room for the end it puts as it stops)
                    reading.cancel()
                    with suppress(asyncio.CancelledError):
                        await reading
        finally:
            # after a fetch still under way (its thread runs on when its task is cancelled)
            await asyncio.to_thread(cursor.close)

    async def count_postings(self, posting_filter: PostingFilter) -> int:
        async with self._connection() as conn:
            count: int = await conn.fetchval(
                _COUNT[len(posting_filter.skills)], *filter_parameters(posting_filter)
            )
        return count

    async def find_skills(self, query: SkillQuery) -> SkillList:
        async with self._connection() as conn:
            rows = await conn.fetch(_FIND_SKILLS, query.q, query.limit)
        return SkillList(
            items=[
                SkillSummary(
                    id=row["skill_id"],
                    name=row["name"],
                    category=row["category"],
                    postings=row["postings"],
                )
                for row in rows
            ]
        )

    async def get_skill(self, skill_id: str) -> SkillDetail | None:
        async with self._connection() as conn:
            row = await conn.fetchrow(_SKILL, skill_id)
            if row is None:
                return None
            others = await conn.fetch(_CO_OCCURRING, skill_id, CO_OCCURRENCE_SAMPLE, 20)
        return SkillDetail(
            id=row["skill_id"],
            name=row["name"],
            category=row["category"],
            source_ids=json.loads(row["source_ids"]),
            postings=row["postings"],
            required_postings=row["required_postings"],
            co_occurring=[
                CoOccurring(id=other["skill_id"], name=other["name"], postings=other["postings"])
                for other in others
            ],
            co_occurring_basis=min(row["postings"], CO_OCCURRENCE_SAMPLE),
        )

    async def skill_demand(self, query: DemandQuery) -> DemandStats:
        limit = len(query.skills) if query.skills else query.limit
        async with self._connection() as conn:
            if (held := await self._held_stats(conn, query)) is not None:
                assert isinstance(held, DemandStats)
                return held
            rows = await conn.fetch(
                _DEMAND,
                query.bucket,
                query.country or "*",
                query.occupation or "*",
                list(query.skills) or None,
                query.since,
                query.until,
                limit,
            )
            refreshed_at = rows[0]["refreshed_at"] if rows else await conn.fetchval(_REFRESHED)
        series: dict[str, SkillDemand] = {}
        for row in rows:
            skill = series.setdefault(
                row["skill_id"],
                SkillDemand(id=row["skill_id"], name=row["name"], total=row["total"], series=[]),
            )
            skill.series.append(DemandPoint(period=row["period"], postings=row["postings"]))
        answer = DemandStats(
            bucket=query.bucket,
            since=query.since,
            until=query.until,
            country=query.country,
            occupation=query.occupation,
            skills=list(series.values()),
            refreshed_at=refreshed_at,
        )
        return self._keep_stats(query, answer)

    async def pay_stats(self, query: PayQuery) -> PayStats:
        async with self._connection() as conn:
            if (held := await self._held_stats(conn, query)) is not None:
                assert isinstance(held, PayStats)
                return held
            rows = await conn.fetch(_PAY, query.skill or "*", query.country or "*")
            refreshed_at = rows[0]["refreshed_at"] if rows else await conn.fetchval(_REFRESHED)
        answer = PayStats(
            skill=query.skill,
            country=query.country,
            basis=PAY_BASIS,
            groups=[
                PayGroup(
                    currency=row["currency"],
                    postings=row["postings"],
                    p25=row["p25"],
                    p50=row["p50"],
                    p75=row["p75"],
                )
                for row in rows
            ],
            refreshed_at=refreshed_at,
        )
        return self._keep_stats(query, answer)

    async def _held_stats(
        self, conn: asyncpg.Connection, query: DemandQuery | PayQuery
    ) -> DemandStats | PayStats | None:
        """The answer made for the views as they are now (refreshed when they were), if kept."""
        if self._stats is None:
            return None
        return self._stats.get(query, await conn.fetchval(_REFRESHED))

    def _keep_stats(self, query: DemandQuery | PayQuery, answer: Stats) -> Stats:
        # under the refresh its rows were read at (the views may have been refreshed since
        # `_held_stats` looked)
        if self._stats is not None:
            self._stats.put(query, answer.refreshed_at, answer)
        return answer


class _SkillNames:
    """The skills' names by id, read from the skills table as result items need them and kept
    SKILL_NAMES_SECONDS (reference data, not an answer: kept with or without the answer
    caches)."""

    def __init__(self) -> None:
        self._kept: VersionedCache[str] = VersionedCache(SKILL_NAMES_KEPT, SKILL_NAMES_SECONDS)

    async def names(self, conn: asyncpg.Connection, ids: Iterable[str]) -> dict[str, str]:
        """The name of each of `ids` the skills table has (one query for those not kept)."""
        found: dict[str, str] = {}
        missing = []
        for skill_id in ids:
            if (name := self._kept.get(skill_id, None)) is not None:
                found[skill_id] = name
            else:
                missing.append(skill_id)
        if missing:
            for row in await conn.fetch(_SKILL_NAMES, missing):
                found[row["skill_id"]] = row["name"]
                self._kept.put(row["skill_id"], None, row["name"])
        return found


async def _keep_session(_: asyncpg.Connection) -> None:
    return None


def _detail(row: Any, skills: list[list[Any]]) -> PostingDetail:
    """A posting row and its skills as [id, name, category, required, mentions, confidence,
    spans] lists."""
    text = row["text"]
    return PostingDetail(
        id=row["posting_id"],
        title=row["title"],
        company=row["company"],
        fields=fields.field_values(row, json.loads(row["evidence"])),
        locations=fields.places(json.loads(row["locations"])),
        pay=fields.pay(row),
        occupation=fields.occupation(row),
        sections=fields.sections(json.loads(row["sections"]), text),
        text=text,
        skills=[
            PostingSkill(
                id=skill_id,
                name=name,
                category=category,
                required=required,
                mentions=mentions,
                confidence=confidence,
                spans=fields.spans(spans),
            )
            for skill_id, name, category, required, mentions, confidence, spans in skills
        ],
        source=SourceOut(
            channel=row["source_channel"], name=row["source_name"], format=row["source_format"]
        ),
        parser_version=row["parser_version"],
        taxonomy_version=row["taxonomy_version"],
        received_at=row["received_at"],
        first_seen=row["first_seen"],
        last_updated=row["last_updated"],
        cluster_id=row["cluster_id"],
    )
