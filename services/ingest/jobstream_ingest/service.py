"""The ingest service's entry point: watches the inbox folder, accepts POST /postings, serves
ops endpoints (wired by `bootstrap.py`)."""

from __future__ import annotations

import asyncio
import ipaddress
import signal

from jobstream.eventloop import use_uvloop
from jobstream.kafka.admin import wait_for_topics
from jobstream.logs import configure_logging, get_logger
from jobstream.ops_http import start_ops_server
from jobstream_ingest.bootstrap import bootstrap
from jobstream_ingest.settings import IngestSettings

log = get_logger(__name__)


async def run(settings: IngestSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await wait_for_topics(settings.kafka)
    service = bootstrap(settings)
    publisher = service.publisher
    assert publisher is not None  # the real one: bootstrap was given no fake
    async with publisher:
        runner = await start_ops_server(
            settings.http_host, settings.http_port, service.checks, service.api.routes()
        )
        _warn_if_open(settings)
        log.info(
            "watching inbox",
            inbox=str(settings.inbox),
            api=f"http://{settings.http_host}:{settings.http_port}/postings",
            token_required=settings.api_token is not None,
        )
        try:
            await service.inbox.run(stop)
        finally:
            await runner.cleanup()
    log.info("stopped")


def _warn_if_open(settings: IngestSettings) -> None:
    """POST /postings without a token is meant for a loopback address only."""
    if settings.api_token is not None:
        return
    try:
        loopback = ipaddress.ip_address(settings.http_host).is_loopback
    except ValueError:
        loopback = settings.http_host == "localhost"
    if not loopback:
        log.warning(
            "POST /postings accepts anyone: set JOBSTREAM_INGEST_API_TOKEN",
            host=settings.http_host,
        )


def serve(settings: IngestSettings) -> None:
    configure_logging("ingest", settings.runtime.log_level)
    use_uvloop()
    asyncio.run(run(settings))
