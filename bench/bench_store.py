"""Store: tagged postings (~4 KB of text, 15 skills each) written to PostgreSQL, batches of 500.

Runs against the native stack's PostgreSQL, in a throwaway database that is dropped after.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg

from bench.corpus import postings
from jobstream.settings import PostgresSettings, RuntimeSettings
from jobstream_stack.layout import StackLayout
from jobstream_stack.postgres import PostgresServer, drop_database, ensure_database
from jobstream_stack.settings import StackSettings
from jobstream_store.adapters.migrate import migrate_as_owner
from jobstream_store.adapters.repository import write_postings
from jobstream_store.postings import StoredPosting
from tests.support import tagged_posting

POSTINGS = 20_000
BATCH = 500


async def _measure() -> dict[str, object]:
    base = PostgresSettings()
    server = PostgresServer(StackLayout(RuntimeSettings().state_dir), base, StackSettings())
    name = f"jobstream_bench_{uuid.uuid4().hex[:8]}"
    admin = await server.superuser_connection()
    await ensure_database(admin, name, base.owner_user)
    try:
        settings = base.model_copy(update={"database": name})
        await migrate_as_owner(settings)
        bodies = list(postings(200))
        batches = [
            [
                StoredPosting(tagged_posting(n, body=bodies[n % 200]), "bench", 0, n)
                for n in range(start, start + BATCH)
            ]
            for start in range(0, POSTINGS, BATCH)
        ]
        conn = await asyncpg.connect(**settings.connect_kwargs())
        try:
            started = time.perf_counter()
            for batch in batches:
                await write_postings(conn, batch)
            written = time.perf_counter() - started  # search vectors included
        finally:
            await conn.close()
        return {
            "store_postings_per_s": round(POSTINGS / written, 1),
        }
    finally:
        await drop_database(admin, name)
        await admin.close()


def run() -> dict[str, object]:
    return asyncio.run(_measure())
