"""PostgreSQL adapter: batched, idempotent upserts of tagged postings and their skills.

A batch is one transaction: rows are COPYed into temporary tables, then merged with set-based
statements that apply the ordering rule of `jobstream_store.ordering`. A posting's skills are
replaced in the same transaction as the posting, so readers never see one without the other.
`PostgresPostingRepository` is the store's `PostingRepository` (jobstream_store.postings).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Final

import asyncpg
import numpy as np
import numpy.typing as npt
from pydantic import TypeAdapter
from pydantic_core import to_json

from jobstream import metrics
from jobstream.contracts import FLAT_FIELDS, PLACE_CODES, Location, TaggedPosting
from jobstream.errors import JobstreamError
from jobstream_store.adapters.database import REFUSED_ERRORS, UNAVAILABLE_ERRORS, Database
from jobstream_store.clusters import Stored, assign_clusters, band_keys
from jobstream_store.ordering import NEVER, content_hash, newest_per_posting, version_key
from jobstream_store.postings import (
    DatabaseUnavailable,
    RecordRefused,
    StoredPosting,
    StoredVersion,
    WriteResult,
)

# The columns the store writes, each once: the parsed posting's flat fields and place codes
# come from their one declaration (jobstream.contracts); `posting_values` gives a value to each
# (a unit test holds the two together) and tests/integration/test_store_schema.py holds the
# migrations to them.
POSTING_COLUMNS: Final = (
    # where it came from
    "posting_id", "content_hash", "source_channel", "source_name", "source_format",
    "external_id", "source_url", "received_at", "kafka_topic", "kafka_partition", "kafka_offset",
    # what the parser read
    *FLAT_FIELDS, *PLACE_CODES, "locations", "sections", "text", "evidence", "parser_version",
    "parser_version_key",
    # what the tagger found (skills: POSTING_SKILL_COLUMNS)
    "taxonomy_version", "tagged_at", "tagger_version", "occupation_code", "occupation_title",
    "occupation_confidence", "skills",
    # near-duplicates (clusters.py)
    "signature", "signature_bands", "cluster_id",
)  # fmt: skip
# Columns PostgreSQL fills itself (defaults, the search indexer).
POSTING_COLUMNS_OF_THE_DATABASE: Final = ("first_seen", "last_updated", "search")
POSTING_SKILL_COLUMNS: Final = (
    "posting_id", "skill_id", "required", "mentions", "first_span_start", "first_span_end",
    "confidence", "spans",
)  # fmt: skip

# Where a posting came in is kept from its first arrival; everything derived is replaced
# (its cluster only when its text changed: see _MERGE_POSTINGS).
_KEPT_ON_UPDATE = {
    "posting_id", "source_channel", "source_name", "source_format", "received_at", "cluster_id",
}  # fmt: skip

_CREATE_INCOMING = """
CREATE TEMP TABLE IF NOT EXISTS incoming_postings
    (LIKE postings INCLUDING DEFAULTS INCLUDING COMPRESSION) ON COMMIT DELETE ROWS
"""

# The search vector of each incoming row whose content is not stored as it is: computed before
# the cluster lock is taken (it is most of PostgreSQL's CPU a posting, and other store
# instances need not wait for it), so an unchanged repeat computes nothing. Filled afterwards
# by the indexer instead, each row was written twice, with every index entry
# (docs/benchmarks.md); the indexer still fills rows left without one.
_SEARCH_INCOMING = """
UPDATE incoming_postings i SET search = posting_search_document(i.title, i.text)
WHERE NOT EXISTS (
    SELECT FROM postings p WHERE p.posting_id = i.posting_id AND p.content_hash = i.content_hash
)
"""

# Returns the postings written, and whether each was new (xmax = 0: no earlier row version).
# $1/$2: each posting's cluster, as assigned under the lock. A row another instance rewrote
# after _SEARCH_INCOMING looked gets its vector here.
_MERGE_POSTINGS = f"""
INSERT INTO postings AS p ({", ".join(POSTING_COLUMNS)}, search)
SELECT {", ".join("c.cluster_id" if c == "cluster_id" else f"i.{c}" for c in POSTING_COLUMNS)},
       i.search
FROM incoming_postings i
LEFT JOIN unnest($1::text[], $2::text[]) AS c(posting_id, cluster_id) USING (posting_id)
ON CONFLICT (posting_id) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in POSTING_COLUMNS if c not in _KEPT_ON_UPDATE)},
    received_at = LEAST(p.received_at, EXCLUDED.received_at),
    cluster_id = CASE WHEN p.signature IS NOT DISTINCT FROM EXCLUDED.signature
                      THEN coalesce(p.cluster_id, EXCLUDED.cluster_id)
                      ELSE EXCLUDED.cluster_id END,
    search = coalesce(EXCLUDED.search, posting_search_document(EXCLUDED.title, EXCLUDED.text)),
    last_updated = now()
WHERE (EXCLUDED.parser_version_key, EXCLUDED.tagged_at) >= (p.parser_version_key, p.tagged_at)
  AND EXCLUDED.content_hash <> p.content_hash
RETURNING posting_id, (xmax = 0) AS inserted
"""  # noqa: S608 - column names are the constants above, values are bound by COPY

_MERGE_SKILLS = """
INSERT INTO skills (skill_id, name, category, source_ids)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])
ON CONFLICT (skill_id) DO UPDATE SET
    name = EXCLUDED.name, category = EXCLUDED.category, source_ids = EXCLUDED.source_ids,
    updated_at = now()
WHERE (skills.name, skills.category, skills.source_ids)
    IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.source_ids)
"""

# Clusters are assigned one store transaction at a time (held until commit), so that two
# instances writing near-duplicates at once cannot both found a cluster: the second sees the
# first's rows. Taken before the transaction writes or locks any shared row (until then it
# only fills its own temporary table), so writers never wait on each other in another order
# (no deadlock).
_CLUSTER_LOCK = "SELECT pg_advisory_xact_lock(hashtext('jobstream.clusters'))"

# The stored postings sharing a band key with the batch (and the batch's own rows), at most
# MAX_CANDIDATES: a posting copied thousands of times is still compared with enough of them.
# One probe of the GIN index per key, not `signature_bands && $1`: with a batch's thousands of
# keys that operator compares every key with every band of a row, and PostgreSQL ran it as a
# sequential scan over every stored posting; a GIN scan of all the keys at once was slower
# still (docs/benchmarks.md, "The store, PostgreSQL's share"). Each probe sits behind
# `OFFSET 0` and the ids are handed over as an array: written as a join, PostgreSQL was free to
# turn it around into a scan of every stored posting testing each against every key, and did.
MAX_CANDIDATES = 20_000
# The signature comes as PostgreSQL's binary form of the array (`_int4_values`).
_CANDIDATES = """
SELECT posting_id, cluster_id, title, array_send(signature) AS signature, signature_bands
FROM postings
WHERE posting_id = ANY (ARRAY(
    SELECT DISTINCT m.posting_id FROM unnest($1::bigint[]) AS k(key)
    CROSS JOIN LATERAL (
        SELECT posting_id FROM postings p WHERE p.signature_bands @> ARRAY[k.key] OFFSET 0
    ) AS m
))
LIMIT $2
"""
# Planned with the batch's keys each time: PostgreSQL's generic plan of it (chosen after five
# executions of the prepared statement) took many times the CPU. Not compiled to machine code:
# the lookup's estimated cost (thousands of probes) is over PostgreSQL's threshold for JIT, and
# compiling a plan used once took more CPU than running it.
_PLANNING = "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off"

_DELETE_POSTING_SKILLS = """
DELETE FROM posting_skills WHERE posting_id IN (SELECT unnest($1::text[]))
"""


# jsonb columns are written as pydantic's JSON (in Rust; PostgreSQL normalises it anyway).
_LOCATIONS: Final = TypeAdapter(list[Location])


class PostgresPostingRepository:
    """The store's postings in PostgreSQL, with asyncpg's errors mapped onto the error model."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def write(self, batch: Sequence[StoredPosting]) -> WriteResult:
        try:
            pool = await self._database.pool()
            async with pool.acquire() as conn:
                with metrics.STORE_COMMIT_SECONDS.time():
                    return await write_postings(conn, batch)
        except JobstreamError:
            raise
        except REFUSED_ERRORS as error:
            raise RecordRefused(f"PostgreSQL refused it: {error}") from error
        except UNAVAILABLE_ERRORS as error:
            message = f"database unavailable: {type(error).__name__}: {error}"
            raise DatabaseUnavailable(message) from error

    async def stored(self, posting_id: str) -> StoredVersion | None:
        pool = await self._database.pool()
        async with pool.acquire() as conn:
            row = await conn.fetchrow(_STORED_VERSION, posting_id)
        if row is None:
            return None
        return StoredVersion(
            posting_id=row["posting_id"],
            title=row["title"],
            parser_version=row["parser_version"],
            tagged_at=row["tagged_at"],
            received_at=row["received_at"],
            source_name=row["source_name"],
            kafka_offset=row["kafka_offset"],
            skill_ids=tuple(row["skill_ids"]),
        )


_STORED_VERSION = """
SELECT p.posting_id, p.title, p.parser_version, p.tagged_at, p.received_at, p.source_name,
       p.kafka_offset,
       array(SELECT skill_id FROM posting_skills s WHERE s.posting_id = p.posting_id
             ORDER BY skill_id) AS skill_ids
FROM postings p WHERE p.posting_id = $1
"""


async def write_postings(conn: asyncpg.Connection, batch: Sequence[StoredPosting]) -> WriteResult:
    """Apply a batch in one transaction; raises asyncpg.DataError-family errors for bad values."""
    newest = {item.posting.posting_id: item for item in newest_per_posting(batch)}
    async with conn.transaction():
        await conn.execute(_PLANNING)
        await conn.execute(_CREATE_INCOMING)
        await conn.copy_records_to_table(
            "incoming_postings",
            records=[posting_row(item) for item in newest.values()],
            columns=POSTING_COLUMNS,
        )
        await conn.execute(_SEARCH_INCOMING)
        await conn.execute(_CLUSTER_LOCK)
        clusters = await _clusters(conn, [item.posting for item in newest.values()])
        merged = await conn.fetch(_MERGE_POSTINGS, list(clusters), list(clusters.values()))
        written = [newest[row["posting_id"]].posting for row in merged]
        replaced = [row["posting_id"] for row in merged if not row["inserted"]]
        if written:
            await conn.execute(_MERGE_SKILLS, *skill_columns(written))
            if replaced:
                await conn.execute(_DELETE_POSTING_SKILLS, replaced)
            await conn.copy_records_to_table(
                "posting_skills",
                records=[row for posting in written for row in posting_skill_rows(posting)],
                columns=POSTING_SKILL_COLUMNS,
            )
    return WriteResult(written=len(written), unchanged=len(batch) - len(written))


async def _clusters(conn: asyncpg.Connection, postings: list[TaggedPosting]) -> dict[str, str]:
    """The near-duplicate cluster of each posting (clusters.py), from the stored postings that
    share a band key with one of them."""
    keys = sorted({key for posting in postings for key in band_keys(posting.signature)})
    rows = await conn.fetch(_CANDIDATES, keys, MAX_CANDIDATES) if keys else []
    stored = (
        Stored(
            row["posting_id"],
            row["cluster_id"],
            row["title"],
            _int4_values(row["signature"]),
            tuple(row["signature_bands"]),
        )
        for row in rows
    )
    return assign_clusters(postings, stored)


# PostgreSQL's binary form of a one-dimensional integer[] (`array_send`): a header of five
# big-endian int32 (dimensions, has-nulls flag, element type, length, lower bound), then each
# element as its byte length (4) and its value.
_INT4_OID: Final = 23
_BIG_ENDIAN_INT32: Final = np.dtype(">i4")


def _int4_values(data: bytes | None) -> npt.NDArray[np.int32] | None:
    """A signature read as `array_send(signature)`, as int32 values: no Python int a value
    (the candidates of a batch are thousands of signatures of ~130 values)."""
    if data is None:
        return None
    header = np.frombuffer(data, _BIG_ENDIAN_INT32, count=3)
    dimensions, has_nulls, element_type = (int(value) for value in header)
    if dimensions == 0:
        return np.empty(0, np.int32)
    if dimensions != 1 or has_nulls or element_type != _INT4_OID:
        raise ValueError(f"not a one-dimensional integer[] without NULLs: {data[:12]!r}")
    pairs = np.frombuffer(data, _BIG_ENDIAN_INT32, offset=20).reshape(-1, 2)
    if not (pairs[:, 0] == 4).all():
        raise ValueError("an element of the integer[] is not 4 bytes long")
    return pairs[:, 1].astype(np.int32)


def posting_row(item: StoredPosting, cluster_id: str | None = None) -> tuple[Any, ...]:
    """The row of a posting, in the order of POSTING_COLUMNS; `cluster_id` as assign_clusters
    chose it."""
    values = posting_values(item, cluster_id)
    return tuple(values[column] for column in POSTING_COLUMNS)


def posting_values(item: StoredPosting, cluster_id: str | None = None) -> dict[str, Any]:
    """The value of each column of a posting's row."""
    posting = item.posting
    occupation = posting.occupation
    values: dict[str, Any] = {
        "posting_id": posting.posting_id,
        "content_hash": content_hash(posting),
        "source_channel": posting.source.channel,
        "source_name": posting.source.name,
        "source_format": posting.source.format,
        "external_id": posting.provided.external_id,
        "source_url": posting.provided.url,
        "received_at": posting.received_at,
        **posting.flat_fields(),  # title, company, ... salary_*, date_posted: same names
        "locations": _LOCATIONS.dump_json(posting.locations).decode(),
        "sections": to_json(
            [
                {
                    "kind": section.kind,
                    "heading": section.heading,
                    "start": section.span.start,
                    "end": section.span.end,
                }
                for section in posting.sections
            ]
        ).decode(),
        "text": posting.text,
        "parser_version": posting.parser_version,
        "parser_version_key": list(version_key(posting.parser_version)),
        "taxonomy_version": posting.taxonomy_version,
        "tagged_at": posting.tagged_at or NEVER,
        "kafka_topic": item.topic,
        "kafka_partition": item.partition,
        "kafka_offset": item.offset,
        "evidence": to_json(
            {field: [span.start, span.end] for field, span in posting.evidence.items()}
        ).decode(),
        "occupation_code": occupation.code if occupation else None,
        "occupation_title": occupation.title if occupation else None,
        "occupation_confidence": occupation.confidence if occupation else None,
        "tagger_version": posting.tagger_version,
        "skills": skills_json(posting),
        **posting.place_codes(),  # countries, subdivisions, remote_scope: same names
        "signature": posting.signature.values if posting.signature else None,
        "signature_bands": band_keys(posting.signature),
        "cluster_id": cluster_id,
    }
    return values


def skill_columns(postings: Sequence[TaggedPosting]) -> tuple[list[Any], ...]:
    """The distinct skills of the postings, as columns for one `unnest` upsert (sorted by id,
    so concurrent writers lock skill rows in the same order)."""
    skills = {skill.skill_id: skill for posting in postings for skill in posting.skills}
    ordered = [skills[skill_id] for skill_id in sorted(skills)]
    return (
        [skill.skill_id for skill in ordered],
        [skill.name for skill in ordered],
        [skill.category for skill in ordered],
        [json.dumps(skill.source_ids, sort_keys=True) for skill in ordered],
    )


def skills_json(posting: TaggedPosting) -> str:
    """The posting's skills as its `skills` column holds them (migration 0025): the values of
    its posting_skills rows but the spans, written directly (a skill id needs no escaping: its
    pattern is [a-z0-9-]), each confidence as the float4 of posting_skills holds it."""
    return (
        "["
        + ",".join(
            f'{{"id":"{skill.skill_id}","required":{"true" if skill.required else "false"},'
            f'"mentions":{skill.mentions:d},"confidence":{_float4_text(skill.confidence)}}}'
            for skill in posting.skills
        )
        + "]"
    )


@lru_cache(maxsize=1_024)
def _float4_text(value: float) -> str:
    """The shortest text of `value` rounded to float4 (as PostgreSQL writes a real): the
    tagger's confidences are a few constants, so this is a cache look-up."""
    return str(np.float32(value))


def posting_skill_rows(posting: TaggedPosting) -> list[tuple[Any, ...]]:
    return [
        (
            posting.posting_id,
            skill.skill_id,
            skill.required,
            skill.mentions,
            skill.spans[0].start if skill.spans else 0,
            skill.spans[0].end if skill.spans else 0,
            skill.confidence,
            # JSON of two ints a span, written directly: json.dumps was most of the cost of
            # building a posting's skill rows.
            "[" + ",".join(f"[{span.start:d},{span.end:d}]" for span in skill.spans) + "]",
        )
        for skill in posting.skills
    ]


async def postings_with_skills(
    conn: asyncpg.Connection, posting_ids: Sequence[str]
) -> list[asyncpg.Record]:
    """The given postings with their skill names (required first): what `make run` shows."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT p.posting_id, p.title, p.company, p.received_at,
               coalesce(array_agg(k.name ORDER BY s.required DESC, s.mentions DESC, k.name)
                        FILTER (WHERE s.skill_id IS NOT NULL), '{}') AS skills
        FROM postings p
        LEFT JOIN posting_skills s USING (posting_id)
        LEFT JOIN skills k USING (skill_id)
        WHERE p.posting_id IN (SELECT unnest($1::text[]))
        GROUP BY p.posting_id
        ORDER BY p.received_at, p.posting_id
        """,
        list(posting_ids),
    )
    return rows
