"""The query API service: JSON endpoints, the explorer page and the ops endpoints on one port."""

from __future__ import annotations

import asyncio
import ipaddress
import signal

from jobstream.eventloop import use_uvloop
from jobstream.logs import configure_logging, get_logger
from jobstream.ops_http import start_ops_server
from jobstream_api.bootstrap import bootstrap
from jobstream_api.settings import ApiSettings

log = get_logger(__name__)


async def run(settings: ApiSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    service = bootstrap(settings)
    runner = await start_ops_server(
        settings.http_host,
        settings.http_port,
        {"postgres": service.model.readiness},
        service.http.routes(),
        service.http.middlewares(),
    )
    _warn_if_open(settings)
    log.info(
        "serving",
        url=f"http://{settings.http_host}:{settings.http_port}/",
        role=settings.postgres.reader_user,
        token_required=settings.token is not None,
    )
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        if service.postgres is not None:
            await service.postgres.close()
    log.info("stopped")


def _warn_if_open(settings: ApiSettings) -> None:
    """Without a token the postings are readable by anyone who reaches the port."""
    if settings.token is not None:
        return
    try:
        loopback = ipaddress.ip_address(settings.http_host).is_loopback
    except ValueError:
        loopback = settings.http_host == "localhost"
    if not loopback:
        log.warning(
            "the query API answers anyone: set JOBSTREAM_API_TOKEN", host=settings.http_host
        )


def serve(settings: ApiSettings) -> None:
    configure_logging("api", settings.runtime.log_level)
    use_uvloop()
    asyncio.run(run(settings))
