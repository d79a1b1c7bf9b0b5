"""Running a wired stage (`jobstream.wiring.StageService`) as a faust worker, with its ops
endpoints, lag monitor and structured logs."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Sequence

import faust
from faust.worker import Worker

from jobstream.eventloop import use_uvloop
from jobstream.kafka.admin import wait_for_topics
from jobstream.kafka.faust_stage import add_batch_agent, build_faust_app, source_topic
from jobstream.kafka.lag import LagMonitor
from jobstream.logs import configure_logging, get_logger, logging_config
from jobstream.ops_http import ReadinessCheck, start_ops_server
from jobstream.stages import Record
from jobstream.wiring import StageService

log = get_logger(__name__)


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
    # The consumer may hand over a batch before `start` below has opened the producer.
    opened = asyncio.Event()

    async def handle(records: Sequence[Record]) -> None:
        await opened.wait()
        await service.core.handle(records)

    add_batch_agent(
        app,
        source_topic(app, settings, stage.reads),
        handle,
        batch_size=settings.batch_size,
        batch_seconds=settings.batch_seconds,
    )
    checks = {"kafka_consumer": faust_readiness(app), **service.checks}
    lag = LagMonitor(stage, settings.kafka, lambda: assigned_partitions(app, lag.topic))

    ops_servers = []

    async def start() -> None:
        for resource in service.resources:
            await resource.start()
        opened.set()
        ops_servers.append(await start_ops_server(settings.http_host, settings.http_port, checks))
        log.info(
            "consuming",
            topic=settings.kafka.topic(stage.reads),
            group=settings.kafka.group(stage),
            ops=f"http://{settings.http_host}:{settings.http_port}",
        )

    async def close(*_: object, **__: object) -> None:
        # The consumer has stopped by now; close what the stage opened, last opened first.
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
