"""The search indexer: fills `postings.search` for rows written without it.

Runs beside the write path in every store instance. `FOR UPDATE SKIP LOCKED` lets instances
share the work and never makes the indexer wait for a row the writer holds (so the two cannot
deadlock); a row rewritten with new content gets `search = NULL` and is indexed again.
"""

from __future__ import annotations

import asyncpg

_INDEX_PENDING = """
UPDATE postings SET search = posting_search_document(title, text)
WHERE posting_id IN (
    SELECT posting_id FROM postings WHERE search IS NULL
    LIMIT $1 FOR UPDATE SKIP LOCKED
)
"""


async def index_pending(conn: asyncpg.Connection, limit: int = 200) -> int:
    """Index up to `limit` pending postings; returns how many were indexed."""
    status: str = await conn.execute(_INDEX_PENDING, limit)
    return int(status.rsplit(" ", 1)[1])


async def pending_count(conn: asyncpg.Connection) -> int:
    count: int = await conn.fetchval("SELECT count(*) FROM postings WHERE search IS NULL")
    return count
