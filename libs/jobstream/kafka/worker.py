"""Running a consuming stage as a faust worker, with its ops endpoints and structured logs."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import cast

import faust
from faust.worker import Worker
from pydantic import BaseModel

from jobstream import metrics
from jobstream.contracts import DeadLetter
from jobstream.eventloop import use_uvloop
from jobstream.kafka.admin import wait_for_topics
from jobstream.kafka.faust_stage import add_batch_agent, build_faust_app, source_topic
from jobstream.kafka.lag import LagMonitor
from jobstream.kafka.publisher import Publisher
from jobstream.logs import configure_logging, get_logger, lazy_fields, logging_config
from jobstream.ops_http import ReadinessCheck, start_ops_server
from jobstream.settings import StageSettings
from jobstream.stages import BatchHandler, BatchResult, Record, StageName, transform_batch
from jobstream.topology import Stage

log = get_logger(__name__)


def transform_handler(
    stage: Stage, publisher: Publisher, transform: Callable[[bytes | None], BaseModel]
) -> BatchHandler:
    """For parser and tagger: transform each record, publish results and dead letters."""
    if stage.writes is None:
        raise ValueError(f"stage {stage.name} has no output topic to publish to")
    output = stage.writes
    name = cast(StageName, stage.name)

    async def handle(records: Sequence[Record]) -> None:
        with metrics.PROCESSING_SECONDS.labels(stage.name).time():
            metrics.EVENTS_CONSUMED.labels(stage.name).inc(len(records))
            result = transform_logged(records, name, transform)
            await publisher.start()
            await publisher.publish(output, result.events)
            await publisher.publish_dead_letters(result.dead_letters)
        metrics.EVENTS_PRODUCED.labels(stage.name).inc(len(result.events))
        count_dead_letters(stage, result.dead_letters)
        batch_done(stage.name)

    return handle


def transform_logged(
    records: Sequence[Record], stage: StageName, transform: Callable[[bytes | None], BaseModel]
) -> BatchResult:
    """`transform_batch`, record by record, so whatever the domain code logs about a record
    carries its posting id, topic, partition and offset."""
    result = BatchResult()
    for record in records:
        with lazy_fields(partial(record_context, record)):
            one = transform_batch([record], stage, transform)
        result.events += one.events
        result.dead_letters += one.dead_letters
    return result


def record_context(record: Record) -> dict[str, object]:
    """Where a record came from, for log lines (the key is the posting id)."""
    context: dict[str, object] = {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
    }
    if record.key is not None:
        context["posting_id"] = record.key[:128].decode("utf-8", "replace")
    return context


def batch_done(stage: str) -> None:
    """The stage made progress: `jobstream status` and the no-progress alert read this."""
    metrics.LAST_EVENT_TIMESTAMP.labels(stage).set(time.time())


def count_dead_letters(stage: Stage, dead_letters: Sequence[DeadLetter]) -> None:
    """Every dead letter is counted and logged with where it came from."""
    for letter in dead_letters:
        metrics.EVENTS_FAILED.labels(stage.name, letter.reason).inc()
        metrics.DEAD_LETTERS.labels(stage.name, letter.reason).inc()
        log.warning(
            "dead letter",
            reason=letter.reason,
            error=letter.error,
            posting_id=letter.posting_id,
            topic=letter.source_topic,
            partition=letter.source_partition,
            offset=letter.source_offset,
        )


def faust_readiness(app: faust.App) -> ReadinessCheck:
    async def check() -> str | None:
        if not app.started:
            return "faust app not started"
        if app.rebalancing:
            return "consumer group rebalancing"
        return None

    return check


def assigned_partitions(app: faust.App, topic: str) -> list[int]:
    """The partitions of `topic` the app's consumer is assigned (none before it started)."""
    try:
        assignment = app.consumer.assignment()
    except Exception:  # faust raises ConsumerNotStarted until its consumer thread is up
        return []
    return [tp.partition for tp in assignment if tp.topic == topic]


def run_stage_worker(
    stage: Stage,
    settings: StageSettings,
    build_handler: Callable[[Publisher], BatchHandler],
    *,
    extra_checks: Mapping[str, ReadinessCheck] | None = None,
    on_stop: Callable[[], Awaitable[None]] | None = None,
    background: Sequence[Callable[[], Awaitable[None]]] = (),
) -> None:
    """Create the topics (waiting for the broker), then run the stage until SIGTERM/SIGINT."""
    level = settings.runtime.log_level
    configure_logging(stage.name, level)
    use_uvloop()
    asyncio.run(wait_for_topics(settings.kafka))
    # asyncio.run closed its loop; faust and aiokafka want a current loop to build on.
    asyncio.set_event_loop(asyncio.new_event_loop())

    # Series that exist from the start (at 0) make "no progress" visible before any event.
    metrics.EVENTS_CONSUMED.labels(stage.name)
    metrics.EVENTS_PRODUCED.labels(stage.name)
    app = build_faust_app(stage, settings)
    publisher = Publisher(settings.kafka)
    add_batch_agent(
        app,
        source_topic(app, settings, stage.reads),
        build_handler(publisher),
        batch_size=settings.batch_size,
        batch_seconds=settings.batch_seconds,
    )
    checks = {"kafka_consumer": faust_readiness(app), "kafka_producer": publisher.is_connected}
    checks.update(extra_checks or {})
    lag = LagMonitor(stage, settings.kafka, lambda: assigned_partitions(app, lag.topic))

    ops_servers = []

    async def start() -> None:
        await publisher.start()
        ops_servers.append(await start_ops_server(settings.http_host, settings.http_port, checks))
        log.info(
            "consuming",
            topic=settings.kafka.topic(stage.reads),
            group=settings.kafka.group(stage),
            ops=f"http://{settings.http_host}:{settings.http_port}",
        )

    async def close(*_: object, **__: object) -> None:
        # The consumer has stopped by now; close what this module opened.
        await publisher.stop()
        if on_stop is not None:
            await on_stop()
        for runner in ops_servers:
            await runner.cleanup()
        log.info("stopped")

    app.task(start)
    app.task(lambda: lag.run(settings.lag_poll_seconds))
    for task in background:  # long-running side work of the stage (e.g. the search indexer)
        app.task(task)
    app.on_before_shutdown.connect(close)

    # What start-up made (modules, pydantic validators, the app) lives as long as the process:
    # frozen, the garbage collector stops walking it again and again while batches of
    # decoded events come and go (docs/benchmarks.md: the store's CPU per posting fell by 30%).
    gc.collect()
    gc.freeze()
    Worker(
        app,
        loglevel=level,
        logging_config=logging_config(stage.name, level),
        quiet=True,
        redirect_stdouts=False,
    ).execute_from_commandline()
