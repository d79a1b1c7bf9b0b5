"""Running a wired stage (`jobstream.wiring.StageService`) as a faust worker, with its ops
endpoints, lag monitor and structured logs."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable
from typing import Final

from faust.worker import Worker

from jobstream.eventloop import use_uvloop
from jobstream.kafka.admin import wait_for_topics
from jobstream.kafka.consumer import BatchConsumer
from jobstream.kafka.faust_stage import build_faust_app
from jobstream.kafka.lag import LagMonitor
from jobstream.logs import configure_logging, get_logger, logging_config
from jobstream.ops_http import start_ops_server
from jobstream.topology import STORE, Stage
from jobstream.wiring import StageService

log = get_logger(__name__)

# The collector's thresholds in a stage (see `settle_heap`).
COLLECTOR_THRESHOLDS: Final = (50_000, 10, 10)
# The store's first threshold is above what one of its batches holds alive at once (500 decoded
# events and the rows made of them): lower, a collection fell inside nearly every batch and
# walked all of it, only to find it alive. Not the parser's: at this threshold its peak memory
# grew past its budget (docs/benchmarks.md, "What is left of the store's and PostgreSQL's
# share").
STORE_COLLECTOR_THRESHOLDS: Final = (200_000, 10, 10)


def collector_thresholds(stage: Stage) -> tuple[int, int, int]:
    """The collector's thresholds for a stage's worker."""
    return STORE_COLLECTOR_THRESHOLDS if stage.name == STORE.name else COLLECTOR_THRESHOLDS


def _without_arguments(task: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    """faust hands its app to a task whose signature takes an argument (a partial with
    defaults does): this one takes none."""

    async def run() -> None:
        await task()

    return run


def run_stage_worker(service: StageService) -> None:
    """Create the topics (waiting for the broker), then run the stage until SIGTERM/SIGINT."""
    stage, settings = service.stage, service.settings
    level = settings.runtime.log_level
    configure_logging(stage.name, level)
    use_uvloop()
    asyncio.run(wait_for_topics(settings.kafka))
    # asyncio.run closed its loop; faust and aiokafka want a current loop to build on.
    asyncio.set_event_loop(asyncio.new_event_loop())

    app = build_faust_app(stage, settings)
    consumer = BatchConsumer(stage, settings, service.core.handle)
    checks = {"kafka_consumer": consumer.readiness, **service.checks}
    lag = LagMonitor(stage, settings.kafka, consumer.assignment)
    ops_servers = []

    async def start() -> None:
        for resource in service.resources:
            await resource.start()
        ops_servers.append(await start_ops_server(settings.http_host, settings.http_port, checks))
        log.info(
            "consuming",
            topic=consumer.topic,
            group=consumer.group,
            ops=f"http://{settings.http_host}:{settings.http_port}",
        )
        await consumer.run()  # until `close` stops it

    async def close(*_: object, **__: object) -> None:
        # The batch in hand is finished and committed; then the rest closes, last opened first.
        await consumer.stop()
        for resource in reversed(service.resources):
            await resource.stop()
        for runner in ops_servers:
            await runner.cleanup()
        log.info("stopped")

    app.task(start)
    app.task(lambda: lag.run(settings.lag_poll_seconds))
    for task in service.background:
        app.task(_without_arguments(task))
    app.on_before_shutdown.connect(close)

    settle_heap(collector_thresholds(stage))
    Worker(
        app,
        loglevel=level,
        logging_config=logging_config(stage.name, level),
        quiet=True,
        redirect_stdouts=False,
    ).execute_from_commandline()


def settle_heap(thresholds: tuple[int, int, int] = COLLECTOR_THRESHOLDS) -> None:
    """The garbage collector as a stage runs with it, once start-up is done (the benchmarks
    call this too, so that they measure what the services do)."""
    # What start-up made (modules, pydantic validators, the app) lives as long as the process:
    # frozen, the garbage collector stops walking it again and again while batches of
    # decoded events come and go (docs/benchmarks.md: the store's CPU per posting fell by 30%).
    gc.collect()
    gc.freeze()
    # A batch is tens of thousands of small objects (decoded events) that die together when it
    # is done, freed by reference counting; at the default threshold (700 allocations) the
    # collector walks a batch's live objects again and again. Cycles are rare here: look less
    # often.
    gc.set_threshold(*thresholds)
