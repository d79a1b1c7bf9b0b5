"""The query API's HTTP edge over the in-memory read model: statuses, errors that name the
parameter, the token, and answers that match the OpenAPI document's schemas."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import jsonschema  # type: ignore[import-untyped]
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openapi_spec_validator import validate
from pydantic import SecretStr

from jobstream.ops_http import build_ops_app
from jobstream_api.adapters.memory import MemoryReadModel
from jobstream_api.bootstrap import bootstrap
from jobstream_api.openapi import openapi_document
from jobstream_api.settings import ApiSettings
from tests.read_side import catalogue

pytestmark = pytest.mark.unit

Client = TestClient[web.Request, web.Application]
POSTINGS = catalogue()
TOKEN = "a-token-of-twenty-chars"


async def client_for(token: str | None = None) -> Client:
    settings = ApiSettings(token=SecretStr(token) if token else None)
    service = bootstrap(settings, model=MemoryReadModel(POSTINGS))
    app = build_ops_app(
        {"postgres": service.model.readiness}, service.http.routes(), service.http.middlewares()
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    client = await client_for()
    yield client
    await client.close()


def schema_of(document: dict[str, Any], path: str, status: str) -> dict[str, Any]:
    """The response schema of an operation, resolvable against the document's components."""
    ref = document["paths"][path]["get"]["responses"][status]["content"]["application/json"]
    return {**ref["schema"], "components": document["components"]}


def test_the_document_is_valid_openapi() -> None:
    for token_required in (False, True):
        validate(openapi_document(token_required=token_required))


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/postings?skill=kafka&limit=2", "/postings"),
        ("/postings?q=streaming&sort=relevance", "/postings"),
        (f"/postings/{POSTINGS[0].posting_id}", "/postings/{id}"),
        ("/skills?q=ka", "/skills"),
        ("/skills/kafka", "/skills/{id}"),
        ("/stats/skills?skill=python&bucket=month", "/stats/skills"),
        ("/stats/pay?skill=python", "/stats/pay"),
    ],
)
async def test_answers_match_the_documented_schemas(
    client: Client, path: str, template: str
) -> None:
    document = await (await client.get("/openapi.json")).json()
    response = await client.get(path)
    assert response.status == 200, await response.text()
    body = await response.json()
    jsonschema.validate(body, schema_of(document, template, "200"))
    # the security headers every answer carries
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


async def test_postings_page_and_next_cursor(client: Client) -> None:
    first = await (await client.get("/postings?skill=kafka&limit=4")).json()
    assert len(first["items"]) == 4 and first["next_cursor"]
    assert all(any(s["id"] == "kafka" for s in item["skills"]) for item in first["items"])
    rest = await client.get(
        "/postings", params=[("skill", "kafka"), ("limit", "4"), ("cursor", first["next_cursor"])]
    )
    second = await rest.json()
    assert len(second["items"]) == 2 and second["next_cursor"] is None
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/postings?limit=500", "limit"),
        ("/postings?limit=abc", "limit"),
        ("/postings?skill=Kafka!", "skill"),
        ("/postings?work_mode=moon", "work_mode"),
        ("/postings?since=yesterday", "since"),
        ("/postings?since=2026-03-05&until=2026-03-01", "until"),
        ("/postings?salary_min=-5", "salary_min"),
        ("/postings?country=Atlantis", "country"),
        ("/stats/skills?country=XX", "country"),
        ("/postings?sort=relevance", "sort"),
        ("/postings?cursor=garbage", "cursor"),
        ("/postings?q=" + "x" * 201, "q"),
        ("/postings?q=", "q"),
        ("/postings?colour=red", "colour"),
        ("/postings?limit=1&limit=2", "limit"),
        ("/postings?required=true", "required"),
        ("/postings?" + "&".join(f"skill=s{n}" for n in range(6)), "skill"),
        ("/postings?occupation=developer", "occupation"),
        ("/postings/not-an-id", "id"),
        ("/skills?limit=0", "limit"),
        ("/skills/NOT_A_SKILL", "id"),
        ("/skills/kafka?x=1", "x"),
        ("/stats/skills?bucket=year", "bucket"),
        ("/stats/skills?country=DE&occupation=x", "occupation"),
        ("/stats/pay?skill=a%20b", "skill"),
    ],
)
async def test_a_bad_parameter_is_a_400_naming_it(
    client: Client, path: str, parameter: str
) -> None:
    response = await client.get(path)
    assert response.status == 400, await response.text()
    body = await response.json()
    assert body["error"] == "bad_parameter"
    assert body["parameter"] == parameter
    assert body["message"].startswith(f"{parameter}: ")


async def test_a_cursor_from_another_query_is_refused(client: Client) -> None:
    first = await (await client.get("/postings?skill=kafka&limit=1")).json()
    response = await client.get(
        "/postings", params=[("skill", "python"), ("limit", "1"), ("cursor", first["next_cursor"])]
    )
    assert response.status == 400
    assert "another query" in (await response.json())["message"]


async def test_unknown_posting_and_skill_are_404(client: Client) -> None:
    for path in ("/postings/" + "0" * 32, "/skills/cobol"):
        response = await client.get(path)
        assert response.status == 404
        assert (await response.json())["error"] == "not_found"


async def test_the_page_and_its_files_are_served(client: Client) -> None:
    page = await client.get("/")
    assert page.status == 200 and "posting explorer" in await page.text()
    for name, kind in (("app.js", "javascript"), ("style.css", "css")):
        response = await client.get(f"/static/{name}")
        assert response.status == 200 and kind in response.headers["Content-Type"]
    assert (await client.get("/static/../settings.py")).status in (403, 404)


async def test_with_a_token_data_needs_it_and_the_rest_stays_open() -> None:
    client = await client_for(TOKEN)
    try:
        refused = await client.get("/postings")
        assert refused.status == 401
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        wrong = await client.get("/skills", headers={"Authorization": "Bearer nope"})
        assert wrong.status == 401
        allowed = await client.get("/postings", headers={"Authorization": f"Bearer {TOKEN}"})
        assert allowed.status == 200
        for open_path in ("/", "/openapi.json", "/healthz", "/readyz", "/static/app.js"):
            assert (await client.get(open_path)).status == 200, open_path
        document = await (await client.get("/openapi.json")).json()
        assert document["paths"]["/postings"]["get"]["security"] == [{"bearer": []}]
        assert TOKEN not in await (await client.get("/metrics")).text()
    finally:
        await client.close()


async def test_requests_are_counted_by_route_not_path(client: Client) -> None:
    await client.get(f"/postings/{POSTINGS[0].posting_id}")
    await client.get("/postings?limit=999")
    text = await (await client.get("/metrics")).text()
    assert 'jobstream_api_requests_total{code="200",endpoint="/postings/{id}"}' in text
    assert 'jobstream_api_requests_total{code="400",endpoint="/postings"}' in text
    assert POSTINGS[0].posting_id not in text


class FailingModel(MemoryReadModel):
    """The fake, with the database failing the way a query can."""

    def __init__(self, error: Exception) -> None:
        super().__init__(POSTINGS)
        self.error = error

    async def search_postings(self, query: object) -> Any:
        raise self.error


@pytest.mark.parametrize(
    ("error", "status", "reason"),
    [
        (asyncpg.QueryCanceledError("canceling statement due to statement timeout"), 503,
         "timeout"),
        (ConnectionRefusedError("refused"), 503, "unavailable"),
        (asyncpg.UndefinedTableError('relation "skill_demand" does not exist'), 500,
         "query_failed"),
    ],
)  # fmt: skip
async def test_database_failures_are_json_errors(
    error: Exception, status: int, reason: str
) -> None:
    service = bootstrap(ApiSettings(), model=FailingModel(error))
    app = build_ops_app({}, service.http.routes(), service.http.middlewares())
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/postings")
        assert response.status == status
        body = await response.json()
        assert body["error"] == reason and "relation" not in body["message"]
