"""The ingest service: watches the inbox folder, accepts POST /postings, serves ops endpoints."""

from __future__ import annotations

import asyncio
import ipaddress
import signal

from jobstream.eventloop import use_uvloop
from jobstream.kafka.admin import wait_for_topics
from jobstream.kafka.publisher import Publisher
from jobstream.logs import configure_logging, get_logger
from jobstream.ops_http import start_ops_server
from jobstream_ingest.http_api import PostingsApi
from jobstream_ingest.inbox import Inbox, InboxOptions
from jobstream_ingest.publishing import Ingestor, RecentIds
from jobstream_ingest.settings import IngestSettings

log = get_logger(__name__)


async def run(settings: IngestSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await wait_for_topics(settings.kafka)
    async with Publisher(settings.kafka) as publisher:
        # The inbox and HTTP share one memory of recent ids: a posting dropped in both ways
        # is a duplicate too. The service sends repeats again (see publishing.py).
        ingestor = Ingestor(publisher, RecentIds(settings.recent_ids), republish=True)
        api = PostingsApi(ingestor, settings.limits, settings.api_token)
        runner = await start_ops_server(
            settings.http_host,
            settings.http_port,
            {"kafka": publisher.is_connected},
            api.routes(),
        )
        _warn_if_open(settings)
        options = InboxOptions(
            stable_seconds=settings.stable_seconds,
            rescan_seconds=settings.rescan_seconds,
            batch_files=settings.batch_files,
            pause_after_publish_seconds=settings.pause_after_publish_seconds,
        )
        inbox = Inbox(settings.inbox, ingestor, settings.limits, options)
        log.info(
            "watching inbox",
            inbox=str(settings.inbox),
            api=f"http://{settings.http_host}:{settings.http_port}/postings",
            token_required=settings.api_token is not None,
        )
        try:
            await inbox.run(stop)
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
