"""PostgreSQL adapter: the store's connection pool, migrated on first use, and how asyncpg's
errors map onto the error model (unavailable: transient; a refused value: permanent)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg

from jobstream.errors import TransientError
from jobstream.logs import get_logger
from jobstream.settings import PostgresSettings
from jobstream_store.adapters.migrate import migrate_as_owner, pending

log = get_logger(__name__)

# Errors that say "the database is not there right now": retried, never dead-lettered.
UNAVAILABLE_ERRORS = (
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


class SchemaNotReady(TransientError):
    """The database lacks migrations and this process may not apply them: retried like an
    unreachable database, until `jobstream migrate` has run."""


class Database:
    """A connection pool created on first use, migrated once, and a readiness check."""

    def __init__(
        self, settings: PostgresSettings, waiting_for: Callable[[], str | None] = lambda: None
    ) -> None:
        self._settings = settings
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()
        # What the store's writes are retrying on right now, if anything (its retry policy).
        self._waiting_for = waiting_for

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

    async def start(self) -> None:
        """Nothing to open ahead: the pool is created by the first write or readiness check."""

    async def stop(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def readiness(self) -> str | None:
        waiting = self._waiting_for()
        if waiting:
            return waiting
        try:
            pool = await asyncio.wait_for(self.pool(), timeout=5)
            async with pool.acquire(timeout=5) as conn:
                await conn.fetchval("SELECT 1")
        except Exception as error:  # any failure to reach the database means not ready
            return f"database unreachable: {type(error).__name__}"
        return None
