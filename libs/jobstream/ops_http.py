"""The operations endpoints every service serves: /metrics, /healthz (alive), /readyz (ready)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

# A readiness check returns None when fine, or a short reason when not ready.
ReadinessCheck = Callable[[], Awaitable[str | None]]


def build_ops_app(
    checks: Mapping[str, ReadinessCheck], routes: Iterable[web.AbstractRouteDef] = ()
) -> web.Application:
    """The ops endpoints, plus a service's own `routes` (ingest adds POST /postings)."""

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(_: web.Request) -> web.Response:
        problems = {}
        for name, check in checks.items():
            try:
                problem = await check()
            except Exception as error:  # a failing check means not ready, never a crash
                problem = f"{type(error).__name__}: {error}"
            if problem:
                problems[name] = problem
        status = 503 if problems else 200
        body = {"status": "not ready" if problems else "ready", "problems": problems}
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.add_routes(routes)
    return app


async def start_ops_server(
    host: str,
    port: int,
    checks: Mapping[str, ReadinessCheck],
    routes: Iterable[web.AbstractRouteDef] = (),
) -> web.AppRunner:
    """Serve the endpoints in the running event loop; `await runner.cleanup()` stops them."""
    runner = web.AppRunner(build_ops_app(checks, routes), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
