"""The operations endpoints every service serves: /metrics, /healthz (alive), /readyz (ready)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from jobstream import metrics as jobstream_metrics

# A readiness check returns None when fine, or a short reason when not ready.
ReadinessCheck = Callable[[], Awaitable[str | None]]

Middleware = Callable[
    [web.Request, Callable[[web.Request], Awaitable[web.StreamResponse]]],
    Awaitable[web.StreamResponse],
]

# A check that takes longer than this counts as failed: /readyz and /metrics answer in time.
CHECK_TIMEOUT_SECONDS = 5.0


async def evaluate(checks: Mapping[str, ReadinessCheck]) -> dict[str, str]:
    """Run every check at once; the problems of those that fail, by check name.

    Each result is also set on `jobstream_ready{check}`, so Prometheus sees what /readyz says.
    """

    async def run(check: ReadinessCheck) -> str | None:
        try:
            return await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
        except TimeoutError:
            return f"no answer within {CHECK_TIMEOUT_SECONDS:.0f} s"
        except Exception as error:  # a failing check means not ready, never a crash
            return f"{type(error).__name__}: {error}"

    results = await asyncio.gather(*(run(check) for check in checks.values()))
    problems = {}
    for name, problem in zip(checks, results, strict=True):
        jobstream_metrics.READY.labels(name).set(0 if problem else 1)
        if problem:
            problems[name] = problem
    return problems


def build_ops_app(
    checks: Mapping[str, ReadinessCheck],
    routes: Iterable[web.AbstractRouteDef] = (),
    middlewares: Iterable[Middleware] = (),
    registry: CollectorRegistry = REGISTRY,
) -> web.Application:
    """The ops endpoints, plus a service's own `routes` (ingest adds POST /postings) and
    `middlewares` (the query API's token, deadline and error handling); /metrics serves
    `registry` (the lag exporter has one of its own)."""

    async def metrics(_: web.Request) -> web.Response:
        await evaluate(checks)  # jobstream_ready is as fresh as the scrape
        body = generate_latest(registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(_: web.Request) -> web.Response:
        problems = await evaluate(checks)
        status = 503 if problems else 200
        body = {"status": "not ready" if problems else "ready", "problems": problems}
        return web.json_response(body, status=status)

    app = web.Application(middlewares=tuple(middlewares))  # type: ignore[arg-type]
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
    middlewares: Iterable[Middleware] = (),
    registry: CollectorRegistry = REGISTRY,
) -> web.AppRunner:
    """Serve the endpoints in the running event loop; `await runner.cleanup()` stops them."""
    app = build_ops_app(checks, routes, middlewares, registry)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
