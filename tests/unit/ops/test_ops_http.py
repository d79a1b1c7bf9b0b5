"""/healthz, /readyz and /metrics of every service (the aiohttp app, in process)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from jobstream import ops_http
from jobstream.ops_http import build_ops_app

Client = TestClient[web.Request, web.Application]

pytestmark = pytest.mark.unit

state = {"postgres": "database unavailable: ConnectionRefusedError"}


async def kafka_ok() -> str | None:
    return None


async def postgres() -> str | None:
    return state.get("postgres")


async def hangs() -> str | None:
    await asyncio.sleep(60)
    return None


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    app = build_ops_app({"kafka_producer": kafka_ok, "postgres": postgres})
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_healthz_says_alive_whatever_the_dependencies(
    client: Client,
) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "alive"}


async def test_readyz_names_the_failing_check(
    client: Client,
) -> None:
    response = await client.get("/readyz")
    assert response.status == 503
    body = await response.json()
    assert body["status"] == "not ready"
    assert body["problems"] == {"postgres": "database unavailable: ConnectionRefusedError"}


async def test_metrics_carry_each_check_as_a_gauge(
    client: Client,
) -> None:
    text = await (await client.get("/metrics")).text()
    assert 'jobstream_ready{check="postgres"} 0.0' in text
    assert 'jobstream_ready{check="kafka_producer"} 1.0' in text
    assert "jobstream_build_info{" in text
    state.pop("postgres")
    try:
        assert (await client.get("/readyz")).status == 200
        text = await (await client.get("/metrics")).text()
        assert 'jobstream_ready{check="postgres"} 1.0' in text
    finally:
        state["postgres"] = "database unavailable: ConnectionRefusedError"


async def test_a_check_that_hangs_fails_in_bounded_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ops_http, "CHECK_TIMEOUT_SECONDS", 0.2)
    app = build_ops_app({"stuck": hangs})
    async with TestClient(TestServer(app)) as client:
        response = await asyncio.wait_for(client.get("/readyz"), timeout=5)
        assert response.status == 503
        assert "no answer within" in (await response.json())["problems"]["stuck"]
