"""The store's composition root: the stage core around a `PostingRepository`, wired to
PostgreSQL and Kafka (dead letters).

`bootstrap(settings)` builds the real adapters; a test passes a fake repository and fake
sinks instead (`tests/fakes.py`), with a retry policy that does not sleep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from jobstream import metrics
from jobstream.kafka.publisher import Publisher
from jobstream.ops_http import ReadinessCheck
from jobstream.ports import Clock, DeadLetterSink, SystemClock
from jobstream.retry import RetryPolicy
from jobstream.stages import BatchOutcome, StageCore
from jobstream.topology import STORE
from jobstream.wiring import Resource, StageService, brake_for
from jobstream_store.adapters.database import Database
from jobstream_store.adapters.read_views import run_view_refresher
from jobstream_store.adapters.repository import PostgresPostingRepository
from jobstream_store.adapters.search_index import run_search_indexer
from jobstream_store.postings import PostingRepository, StoredPosting, stored_posting
from jobstream_store.settings import StoreSettings


@dataclass(frozen=True)
class WriteTo:
    """The store's output: postings into its repository, counted as written or unchanged."""

    repository: PostingRepository

    async def deliver(self, items: Sequence[StoredPosting]) -> None:
        result = await self.repository.write(items)
        metrics.POSTINGS_STORED.labels("written").inc(result.written)
        metrics.POSTINGS_STORED.labels("unchanged").inc(result.unchanged)


def count_outcomes(clock: Clock, outcome: BatchOutcome[StoredPosting]) -> None:
    """The store's own view of a batch: its size, and each posting's time from ingest."""
    if not outcome.delivered:
        return
    metrics.STORE_BATCH_SIZE.observe(len(outcome.delivered))
    now = clock.now()
    for item in outcome.delivered:
        latency = (now - item.posting.received_at).total_seconds()
        metrics.END_TO_END_LATENCY.observe(max(latency, 0.0))


def bootstrap(
    settings: StoreSettings,
    *,
    repository: PostingRepository | None = None,
    dead_letters: DeadLetterSink | None = None,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
) -> StageService:
    clock = clock or SystemClock()
    # Deliberately unbounded: while PostgreSQL is unreachable the store waits it out (backoff
    # up to 10 s), acknowledging nothing, so Kafka keeps the offsets and /readyz says why;
    # a bounded retry would only turn an outage into a crash loop.
    retry = retry or RetryPolicy(give_up_after=None)
    resources: list[Resource] = []
    checks: dict[str, ReadinessCheck] = {}
    background = []
    if dead_letters is None:
        publisher = Publisher(settings.kafka)
        dead_letters = publisher
        resources.append(publisher)
        checks["kafka_producer"] = publisher.is_connected
    if repository is None:
        database = Database(settings.postgres, waiting_for=lambda: retry.waiting_for)
        repository = PostgresPostingRepository(database)
        resources.append(database)
        checks["postgres"] = database.readiness
        background.append(partial(run_search_indexer, database))
        background.append(partial(run_view_refresher, database, settings.views_refresh_seconds))
    core = StageCore(
        name=STORE.name,
        process=stored_posting,
        output=WriteTo(repository),
        dead_letters=dead_letters,
        brake=brake_for(settings),
        retry=retry,
        clock=clock,
        on_outcome=partial(count_outcomes, clock),
        publishes=False,
    )
    return StageService(STORE, settings, core, resources, checks, background)
