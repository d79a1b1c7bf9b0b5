"""The read side's views, refreshed beside the store's write path (migrations 0009, 0018)."""

from __future__ import annotations

import asyncio
import time

from jobstream import metrics
from jobstream.logs import get_logger
from jobstream_store.adapters.database import Database

log = get_logger(__name__)


async def run_view_refresher(database: Database, every_seconds: float) -> None:
    """Refresh the read side's skill-demand views when the tables changed (migrations 0009,
    0018: REFRESH ... CONCURRENTLY, so writes never wait; one store instance at a time)."""
    while True:
        await asyncio.sleep(every_seconds)
        try:
            pool = await database.pool()
            async with pool.acquire() as conn:
                started = time.perf_counter()
                if await conn.fetchval("SELECT refresh_read_views()"):
                    metrics.VIEWS_REFRESH_SECONDS.observe(time.perf_counter() - started)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # Best-effort work beside the write path: it must never take the store down.
            log.warning("view refresh waits", error=f"{type(error).__name__}: {error}")
