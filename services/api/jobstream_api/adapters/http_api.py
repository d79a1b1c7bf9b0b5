"""The query API over HTTP (aiohttp): a thin adapter from requests to the read model.

Each handler reads its parameters with `jobstream_api.queries` (a bad one is a 400 naming it),
asks the `ReadModel` port, and writes the answer's JSON. Middleware adds what every request
shares: the optional bearer token, a deadline, errors as JSON, metrics, security headers.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Final

import asyncpg
from aiohttp import web
from pydantic import BaseModel, SecretStr

from jobstream import metrics
from jobstream.errors import JobstreamError
from jobstream.logs import get_logger
from jobstream_api import queries
from jobstream_api.openapi import openapi_document
from jobstream_api.ports import ReadModel

log = get_logger(__name__)

STATIC_DIR: Final = Path(str(resources.files("jobstream_api") / "static"))
# Paths anyone may read with a token configured: the page, its files, the API's description
# and the ops endpoints hold no posting data.
_OPEN_PREFIXES: Final = ("/static/", "/openapi.json", "/metrics", "/healthz", "/readyz")
# Errors that mean "the database cannot answer now": 503, try again.
_UNAVAILABLE = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)
_SECURITY_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class QueryApi:
    def __init__(
        self, model: ReadModel, token: SecretStr | None, request_timeout_seconds: float = 5.0
    ) -> None:
        self.model = model
        self._token = token.get_secret_value().encode() if token else None
        self._timeout = request_timeout_seconds
        self._document = openapi_document(token_required=token is not None)

    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get("/", self.page),
            web.get("/openapi.json", self.openapi),
            web.get("/postings", self.postings),
            web.get("/postings/{id}", self.posting),
            web.get("/skills", self.skills),
            web.get("/skills/{id}", self.skill),
            web.get("/stats/skills", self.demand),
            web.get("/stats/pay", self.pay),
            web.static("/static", STATIC_DIR, append_version=False),
        ]

    def middlewares(self) -> list[Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]]:
        return [self._middleware]

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        route = request.match_info.route.resource
        endpoint = route.canonical if route is not None else "unmatched"
        started = time.perf_counter()
        try:
            self._authorise(request)
            response = await asyncio.wait_for(handler(request), self._timeout)
        except queries.BadParameter as error:
            response = _error(400, "bad_parameter", str(error), parameter=error.name)
        except _Unauthorised:
            response = _error(401, "unauthorized", "send Authorization: Bearer <token>")
        except TimeoutError:
            response = _error(503, "timeout", "the answer took too long; narrow the query")
        except asyncpg.QueryCanceledError:
            response = _error(503, "timeout", "the query took too long; narrow the query")
        except _UNAVAILABLE as error:
            log.warning("database unavailable", error=f"{type(error).__name__}: {error}")
            response = _error(503, "unavailable", "the database cannot answer now; try again")
        except asyncpg.PostgresError as error:  # e.g. a migration not applied yet
            log.error("query failed", endpoint=endpoint, error=f"{type(error).__name__}: {error}")
            response = _error(500, "query_failed", "the query failed; the service's log says why")
        except web.HTTPException as error:  # aiohttp's own 404, 405, ...: raised on, counted
            self._count(endpoint, error.status, started)
            error.headers.update(_SECURITY_HEADERS)
            raise
        self._count(endpoint, response.status, started)
        response.headers.update(_SECURITY_HEADERS)
        return response

    @staticmethod
    def _count(endpoint: str, status: int, started: float) -> None:
        if endpoint not in ("/metrics", "/healthz", "/readyz"):
            metrics.API_REQUESTS.labels(endpoint, str(status)).inc()
            metrics.API_REQUEST_SECONDS.labels(endpoint).observe(time.perf_counter() - started)

    def _authorise(self, request: web.Request) -> None:
        if self._token is None or request.path == "/" or request.path.startswith(_OPEN_PREFIXES):
            return
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        supplied = given.strip().encode("utf-8", "surrogateescape")
        if scheme.lower() != "bearer" or not hmac.compare_digest(supplied, self._token):
            raise _Unauthorised

    async def page(self, _: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "index.html")

    async def openapi(self, _: web.Request) -> web.Response:
        return web.json_response(self._document)

    async def postings(self, request: web.Request) -> web.Response:
        query = queries.posting_query(_params(request))
        body = await self.model.search_postings_json(query)
        return web.Response(body=body, content_type="application/json")

    async def posting(self, request: web.Request) -> web.Response:
        posting_id = queries.posting_id(request.match_info["id"])
        found = await self.model.get_posting(posting_id)
        if found is None:
            return _error(404, "not_found", f"no posting {posting_id} is stored")
        return _json(found)

    async def skills(self, request: web.Request) -> web.Response:
        return _json(await self.model.find_skills(queries.skill_query(_params(request))))

    async def skill(self, request: web.Request) -> web.Response:
        skill_id = queries.skill_id(request.match_info["id"])
        queries.refuse_unknown(_params(request), set())
        found = await self.model.get_skill(skill_id)
        if found is None:
            return _error(404, "not_found", f"no stored posting asks for {skill_id}")
        return _json(found)

    async def demand(self, request: web.Request) -> web.Response:
        return _json(await self.model.skill_demand(queries.demand_query(_params(request))))

    async def pay(self, request: web.Request) -> web.Response:
        return _json(await self.model.pay_stats(queries.pay_query(_params(request))))


class _Unauthorised(JobstreamError):
    pass


def _params(request: web.Request) -> dict[str, list[str]]:
    return {name: request.query.getall(name) for name in request.query}


def _json(answer: BaseModel) -> web.Response:
    return web.Response(body=answer.model_dump_json().encode(), content_type="application/json")


def _error(status: int, error: str, message: str, **extra: object) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="jobstream"'} if status == 401 else None
    body = {"error": error, "message": message, **extra}
    return web.json_response(body, status=status, headers=headers)
