"""The composition root of the query API: settings in, the wired service out.

Tests pass their own `model` (the in-memory fake) and get the same HTTP edge the service runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from jobstream_api.adapters.http_api import QueryApi
from jobstream_api.adapters.postgres import PostgresReadModel
from jobstream_api.answer_cache import VersionedCache
from jobstream_api.ports import ReadModel
from jobstream_api.settings import ApiSettings


@dataclass(frozen=True)
class ApiService:
    model: ReadModel
    http: QueryApi
    postgres: PostgresReadModel | None  # the pool to close, when bootstrap made it


def bootstrap(settings: ApiSettings, model: ReadModel | None = None) -> ApiService:
    postgres = None
    if model is None:
        postgres = PostgresReadModel(
            settings.postgres,
            statement_timeout_ms=settings.statement_timeout_ms,
            max_connections=settings.max_connections,
            item_cache=VersionedCache(settings.item_cache_size, settings.item_cache_seconds),
            stats_cache=VersionedCache(settings.stats_cache_size),
        )
        model = postgres
    http = QueryApi(model, settings.token, settings.request_timeout_seconds)
    return ApiService(model, http, postgres)
