"""The store service: tagged postings in, rows in PostgreSQL (faust worker).

A batch is acknowledged to Kafka only after its transaction committed. While PostgreSQL is
unreachable the batch is retried with backoff and nothing is acknowledged, so the offsets stay
uncommitted and /readyz says why. A record PostgreSQL refuses (a bad value) is isolated and
dead-lettered, so it cannot block the others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import asyncpg
from structlog.contextvars import bound_contextvars
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from jobstream import metrics
from jobstream.contracts import DeadLetter, InvalidEvent, TaggedPosting, decode, utc_now
from jobstream.kafka.publisher import Publisher
from jobstream.kafka.worker import batch_done, count_dead_letters, run_stage_worker
from jobstream.logs import get_logger
from jobstream.settings import PostgresSettings
from jobstream.stages import BatchHandler, Record, dead_letter_for
from jobstream.topology import STORE
from jobstream_store.migrate import migrate_as_owner, pending
from jobstream_store.repository import StoredPosting, write_postings
from jobstream_store.search_index import index_pending, pending_count
from jobstream_store.settings import StoreSettings

log = get_logger(__name__)

# Errors that say "the database is not there right now": retried, never dead-lettered.
TRANSIENT_ERRORS = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # a connection torn down in the middle of an operation
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)
# Errors that say "this record cannot be stored": the record goes to the dead-letter topic.
REFUSED_ERRORS = (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError)


class SchemaNotReady(RuntimeError):
    """The database lacks migrations and this process may not apply them."""


class Database:
    """A connection pool created on first use, migrated once, and a readiness check."""

    def __init__(self, settings: PostgresSettings) -> None:
        self._settings = settings
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()
        self.last_error: str | None = None

    async def pool(self) -> asyncpg.Pool:
        async with self._lock:
            if self._pool is None:
                await self._migrate()
                self._pool = await asyncpg.create_pool(
                    **self._settings.connect_kwargs(), min_size=1, max_size=4, timeout=10
                )
            return self._pool

    async def _migrate(self) -> None:
        """Migrate as the owner when given its password; otherwise insist it was done."""
        if self._settings.owner_password is not None:
            applied = await migrate_as_owner(self._settings)
            if applied:
                log.info("migrations applied", migrations=applied)
            return
        conn = await asyncpg.connect(**self._settings.connect_kwargs())
        try:
            missing = await pending(conn)
        finally:
            await conn.close()
        if missing:
            raise SchemaNotReady(f"migrations not applied: {missing}; run `jobstream migrate`")

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def readiness(self) -> str | None:
        if self.last_error:
            return self.last_error
        try:
            pool = await asyncio.wait_for(self.pool(), timeout=5)
            async with pool.acquire(timeout=5) as conn:
                await conn.fetchval("SELECT 1")
        except Exception as error:  # any failure to reach the database means not ready
            return f"database unreachable: {type(error).__name__}"
        return None


def decode_batch(
    records: Sequence[Record],
) -> tuple[list[StoredPosting], list[DeadLetter]]:
    postings, dead = [], []
    for record in records:
        try:
            posting = decode(TaggedPosting, record.value)
        except InvalidEvent as error:
            dead.append(dead_letter_for(record, "store", "invalid_event", str(error)))
            continue
        postings.append(StoredPosting(posting, record.topic, record.partition, record.offset))
    return postings, dead


def store_handler(database: Database, publisher: Publisher) -> BatchHandler:
    async def write(batch: Sequence[StoredPosting]) -> list[DeadLetter]:
        """Write the batch; if PostgreSQL refuses it, write one by one to isolate the bad rows."""
        pool = await database.pool()
        async with pool.acquire() as conn:
            try:
                with metrics.STORE_COMMIT_SECONDS.time():
                    result = await write_postings(conn, batch)
                _count(result.written, result.unchanged)
                return []
            except REFUSED_ERRORS:
                pass
            dead = []
            for item in batch:
                try:
                    result = await write_postings(conn, [item])
                    _count(result.written, result.unchanged)
                except REFUSED_ERRORS as error:
                    dead.append(_refused(item, error))
            return dead

    async def handle(records: Sequence[Record]) -> None:
        with bound_contextvars(**batch_context(records)):
            await handle_batch(records)
        batch_done(STORE.name)

    async def handle_batch(records: Sequence[Record]) -> None:
        with metrics.PROCESSING_SECONDS.labels(STORE.name).time():
            metrics.EVENTS_CONSUMED.labels(STORE.name).inc(len(records))
            batch, dead = decode_batch(records)
            if batch:
                async for attempt in AsyncRetrying(
                    retry=retry_if_exception_type(TRANSIENT_ERRORS),
                    wait=wait_exponential(multiplier=0.2, max=10),
                    before_sleep=lambda state: _database_down(database, state.outcome),
                    reraise=True,
                ):
                    with attempt:
                        dead += await write(batch)
                database.last_error = None
                metrics.STORE_BATCH_SIZE.observe(len(batch))
                now = utc_now()
                for item in batch:
                    latency = (now - item.posting.received_at).total_seconds()
                    metrics.END_TO_END_LATENCY.observe(max(latency, 0.0))
            await publisher.publish_dead_letters(dead)
        count_dead_letters(STORE, dead)

    return handle


def batch_context(records: Sequence[Record]) -> dict[str, object]:
    """Where a batch came from, for the log lines written while it is handled."""
    if not records:
        return {}
    return {
        "topic": records[0].topic,
        "partitions": sorted({record.partition for record in records}),
        "records": len(records),
    }


def _count(written: int, unchanged: int) -> None:
    metrics.POSTINGS_STORED.labels("written").inc(written)
    metrics.POSTINGS_STORED.labels("unchanged").inc(unchanged)


def _refused(item: StoredPosting, error: Exception) -> DeadLetter:
    record = Record(
        topic=item.topic,
        partition=item.partition,
        offset=item.offset,
        key=item.posting.posting_id.encode(),
        value=item.posting.model_dump_json().encode(),
    )
    return dead_letter_for(record, "store", "db_rejected", f"PostgreSQL refused it: {error}")


def _database_down(database: Database, outcome: object) -> None:
    error = getattr(outcome, "exception", lambda: None)()
    database.last_error = f"database unavailable: {type(error).__name__}: {error}"
    log.warning("database unavailable, retrying", error=str(error))


async def run_search_indexer(database: Database, batch: int = 200, idle_seconds: float = 1) -> None:
    """Make written postings searchable, beside the write path (see search_index.py)."""
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


async def run_view_refresher(database: Database, every_seconds: float) -> None:
    """Refresh the read side's skill-demand views when postings changed (migration 0009:
    REFRESH ... CONCURRENTLY, so writes never wait; one store instance at a time refreshes)."""
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


def serve(settings: StoreSettings) -> None:
    database = Database(settings.postgres)
    run_stage_worker(
        STORE,
        settings,
        lambda publisher: store_handler(database, publisher),
        extra_checks={"postgres": database.readiness},
        on_stop=database.close,
        background=[
            lambda: run_search_indexer(database),
            lambda: run_view_refresher(database, settings.views_refresh_seconds),
        ],
    )
