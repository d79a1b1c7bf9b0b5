"""The store service's entry point: tagged postings in, rows in PostgreSQL (a faust worker).

A batch is acknowledged to Kafka only after its transaction committed. While PostgreSQL is
unreachable the batch is retried with backoff and nothing is acknowledged, so the offsets stay
uncommitted and /readyz says why. A record PostgreSQL refuses (a bad value) is isolated and
dead-lettered, so it cannot block the others (`jobstream.stages`, `bootstrap.py`).
"""

from __future__ import annotations

from jobstream.kafka.worker import run_stage_worker
from jobstream_store.bootstrap import bootstrap
from jobstream_store.settings import StoreSettings


def serve(settings: StoreSettings) -> None:
    run_stage_worker(bootstrap(settings))
