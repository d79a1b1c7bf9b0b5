"""The search indexer: fills `postings.search` for rows written without it.

The store writes each posting's vector with it (`repository._MERGE_POSTINGS`); this fills
the rows left without one (stored before the store did so, or cleared by hand). Runs beside
the write path in every store instance. `FOR UPDATE SKIP LOCKED` lets instances
share the work and never makes the indexer wait for a row the writer holds (so the two cannot
deadlock); a row rewritten with new content gets `search = NULL` and is indexed again.
"""

from __future__ import annotations

import asyncio

import asyncpg

from jobstream import metrics
from jobstream.logs import get_logger
from jobstream_store.adapters.database import Database

log = get_logger(__name__)

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


async def run_search_indexer(database: Database, batch: int = 200, idle_seconds: float = 1) -> None:
    """Make written postings searchable, beside the write path, for as long as the store runs."""
    while True:
        try:
            pool = await database.pool()
            async with pool.acquire() as conn:
                indexed = await index_pending(conn, batch)
                if indexed < batch:
                    metrics.SEARCH_PENDING.set(await pending_count(conn))
            metrics.SEARCH_INDEXED.inc(indexed)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # Best-effort work beside the write path: it must never take the store down.
            log.warning("search indexer waits", error=f"{type(error).__name__}: {error}")
            indexed = 0
        if indexed < batch:
            await asyncio.sleep(idle_seconds)
