"""The ingest service: watches the inbox folder and serves its ops endpoints."""

from __future__ import annotations

import asyncio
import signal

from jobstream.kafka.admin import ensure_topics
from jobstream.kafka.publisher import Publisher
from jobstream.logs import configure_logging, get_logger
from jobstream.ops_http import start_ops_server
from jobstream_ingest.inbox import Inbox
from jobstream_ingest.settings import IngestSettings

log = get_logger(__name__)


async def run(settings: IngestSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await ensure_topics(settings.kafka)
    async with Publisher(settings.kafka) as publisher:
        runner = await start_ops_server(
            settings.http_host, settings.http_port, {"kafka": publisher.is_connected}
        )
        inbox = Inbox(settings.inbox, publisher, settings.max_file_bytes, settings.stable_seconds)
        log.info("watching inbox", inbox=str(settings.inbox))
        try:
            await inbox.run(stop)
        finally:
            await runner.cleanup()
    log.info("stopped")


def serve(settings: IngestSettings) -> None:
    configure_logging("ingest", settings.runtime.log_level)
    asyncio.run(run(settings))
