"""The store against failures: PostgreSQL down for 20 s under load, and kill -9 mid-batch.

The outage test runs its own PostgreSQL cluster, so stopping it does not disturb other tests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from jobstream.kafka.admin import ensure_topics
from jobstream.kafka.publisher import Publisher
from jobstream.settings import KafkaSettings, PostgresSettings
from jobstream.topology import TAGGED_POSTINGS
from jobstream_stack.layout import StackLayout
from jobstream_stack.postgres import PostgresServer
from jobstream_stack.settings import StackSettings
from jobstream_stack.system import free_port
from jobstream_store.adapters.search_index import pending_count
from tests.e2e.harness import Services, eventually
from tests.support import tagged_posting

pytestmark = pytest.mark.e2e


@pytest.fixture
def private_postgres(tmp_path: Path) -> Iterator[tuple[PostgresServer, PostgresSettings]]:
    settings = PostgresSettings(port=free_port())
    server = PostgresServer(StackLayout(tmp_path / "pg"), settings, StackSettings())
    server.start()
    try:
        yield server, settings
    finally:
        server.destroy()


@pytest.fixture
async def store_only(kafka_settings: KafkaSettings, tmp_path: Path) -> AsyncIterator[Services]:
    await ensure_topics(kafka_settings)
    services = Services(StackLayout(tmp_path / "state"), kafka_settings, PostgresSettings())
    services.layout.create()
    yield services
    services.stop()
    print(services.log_tails())


async def count(settings: PostgresSettings) -> int:
    conn = await asyncpg.connect(**settings.connect_kwargs())
    try:
        return int(await conn.fetchval("SELECT count(*) FROM postings"))
    finally:
        await conn.close()


async def test_a_database_outage_is_waited_out(
    store_only: Services,
    private_postgres: tuple[PostgresServer, PostgresSettings],
    kafka_settings: KafkaSettings,
) -> None:
    server, postgres = private_postgres
    store_only.postgres = postgres
    await asyncio.to_thread(store_only.start, ["store"])
    postings = [tagged_posting(n) for n in range(1_500)]
    async with Publisher(kafka_settings) as publisher:
        await publisher.publish(TAGGED_POSTINGS, postings[:500])
        await eventually(lambda: count(postgres), "the first postings in the database")

        await asyncio.to_thread(server.stop)
        down_since = time.monotonic()
        await publisher.publish(TAGGED_POSTINGS, postings[500:])

        async def not_ready() -> bool:
            return store_only.status("store", "/readyz") == 503

        await eventually(not_ready, "/readyz to report the database down", timeout=30)
        await asyncio.sleep(max(0.0, 20 - (time.monotonic() - down_since)))
        assert store_only.is_running("store"), "the store must wait, not die"
        await asyncio.to_thread(server.start)

    async def all_stored() -> bool:
        return await count(postgres) == len(postings)

    await eventually(all_stored, "all postings after the outage", timeout=90)

    async def ready() -> bool:
        return store_only.status("store", "/readyz") == 200

    await eventually(ready, "/readyz to recover", timeout=30)


async def test_a_store_killed_mid_batch_loses_and_duplicates_nothing(
    store_only: Services, database: PostgresSettings, kafka_settings: KafkaSettings
) -> None:
    store_only.postgres = database
    await asyncio.to_thread(store_only.start, ["store"])
    postings = [tagged_posting(n) for n in range(5_000)]
    async with Publisher(kafka_settings) as publisher:
        await publisher.publish(TAGGED_POSTINGS, postings)

    async def some_stored() -> int:
        return await count(database)

    stored_before_kill = await eventually(some_stored, "the first batches stored")
    store_only.kill("store")
    assert stored_before_kill < len(postings), "the kill came too late to test anything"
    await asyncio.to_thread(store_only.start, ["store"])

    async def all_stored() -> bool:
        return await count(database) == len(postings)

    await eventually(all_stored, "every posting after the restart", timeout=120)
    conn = await asyncpg.connect(**database.connect_kwargs())
    try:
        per_posting = await conn.fetch(
            "SELECT count(*) AS skills FROM posting_skills GROUP BY posting_id"
        )
    finally:
        await conn.close()
    assert len(per_posting) == len(postings)
    assert {row["skills"] for row in per_posting} == {15}

    async def all_searchable() -> bool:
        conn = await asyncpg.connect(**database.connect_kwargs())
        try:
            return await pending_count(conn) == 0
        finally:
            await conn.close()

    await eventually(all_searchable, "the search indexer to catch up", timeout=120)
