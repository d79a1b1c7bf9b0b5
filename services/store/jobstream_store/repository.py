"""PostgreSQL adapter: idempotent upserts of tagged postings and their skills (asyncpg).

Rule for a posting that is already stored: the row and its skills are rewritten only when what
the pipeline derived changed (title, company, text, parser or taxonomy version); an event
that repeats the stored state (a duplicate, a re-ingest, a replay) changes nothing, and the
earliest `received_at` and `first_seen` are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from jobstream.contracts import TaggedPosting

_UPSERT_POSTING = """
INSERT INTO postings AS p (
    posting_id, source_channel, source_name, source_format, received_at, title, company, text,
    parser_version, taxonomy_version, kafka_topic, kafka_partition, kafka_offset
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (posting_id) DO UPDATE SET
    received_at = LEAST(p.received_at, EXCLUDED.received_at),
    title = EXCLUDED.title,
    company = EXCLUDED.company,
    text = EXCLUDED.text,
    parser_version = EXCLUDED.parser_version,
    taxonomy_version = EXCLUDED.taxonomy_version,
    kafka_topic = EXCLUDED.kafka_topic,
    kafka_partition = EXCLUDED.kafka_partition,
    kafka_offset = EXCLUDED.kafka_offset,
    last_updated = now()
WHERE (p.title, p.company, p.text, p.parser_version, p.taxonomy_version)
    IS DISTINCT FROM
    (EXCLUDED.title, EXCLUDED.company, EXCLUDED.text, EXCLUDED.parser_version,
     EXCLUDED.taxonomy_version)
RETURNING posting_id
"""

_DELETE_SKILLS = "DELETE FROM posting_skills WHERE posting_id = $1"

_INSERT_SKILL = """
INSERT INTO posting_skills (
    posting_id, skill_id, skill_name, category, required, mentions, first_span_start,
    first_span_end
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
"""


@dataclass(frozen=True)
class StoredPosting:
    """A tagged posting with the Kafka position of the event that carried it."""

    posting: TaggedPosting
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class WriteResult:
    written: int
    unchanged: int


async def write_postings(conn: asyncpg.Connection, batch: Sequence[StoredPosting]) -> WriteResult:
    """Upsert a batch in one transaction: a posting and its skills change together or not at all."""
    written = 0
    async with conn.transaction():
        for item in batch:
            posting = item.posting
            row = await conn.fetchrow(
                _UPSERT_POSTING,
                posting.posting_id,
                posting.source.channel,
                posting.source.name,
                posting.source.format,
                posting.received_at,
                posting.title,
                posting.company,
                posting.text,
                posting.parser_version,
                posting.taxonomy_version,
                item.topic,
                item.partition,
                item.offset,
            )
            if row is None:
                continue
            written += 1
            await conn.execute(_DELETE_SKILLS, posting.posting_id)
            await conn.executemany(
                _INSERT_SKILL,
                [
                    (
                        posting.posting_id,
                        skill.skill_id,
                        skill.name,
                        skill.category,
                        skill.required,
                        skill.mentions,
                        skill.spans[0].start if skill.spans else 0,
                        skill.spans[0].end if skill.spans else 0,
                    )
                    for skill in posting.skills
                ],
            )
    return WriteResult(written=written, unchanged=len(batch) - written)


async def count_postings(conn: asyncpg.Connection) -> int:
    count: int = await conn.fetchval("SELECT count(*) FROM postings")
    return count


async def postings_with_skills(
    conn: asyncpg.Connection, posting_ids: Sequence[str]
) -> list[asyncpg.Record]:
    """The given postings with their skill names (required first): what `make run` shows."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT p.posting_id, p.title, p.company, p.received_at,
               coalesce(array_agg(s.skill_name ORDER BY s.required DESC, s.mentions DESC,
                                  s.skill_name)
                        FILTER (WHERE s.skill_id IS NOT NULL), '{}') AS skills
        FROM postings p LEFT JOIN posting_skills s USING (posting_id)
        WHERE p.posting_id = ANY($1::text[])
        GROUP BY p.posting_id
        ORDER BY p.received_at, p.posting_id
        """,
        list(posting_ids),
    )
    return rows
