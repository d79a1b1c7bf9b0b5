"""The labour-market dashboard: generated, provisioned with a read-only PostgreSQL data source,
and every panel's and variable's query returns data from a seeded database.

Grafana puts in its macros and variables before sending a query; the proof does the same with
the values Grafana would use (the variables' own first answers, the dashboard's time range),
then runs each query as the reader role, the role Grafana's data source uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import yaml

from jobstream.settings import PostgresSettings
from jobstream_stack import labour_market
from tests.integration.api.test_read_model_contract import postgres_model

REPO_ROOT = Path(__file__).resolve().parents[3]
PROVISIONING = REPO_ROOT / "deploy" / "grafana" / "provisioning"
# The catalogue's postings are received in March 2026: the dashboard's "last year" then.
TIME_RANGE = {"$__timeFrom()": "'2025-06-01T00:00:00Z'", "$__timeTo()": "'2026-05-31T23:59:59Z'"}


@pytest.mark.unit
def test_the_file_is_what_the_generator_writes() -> None:
    for path, text in labour_market.rendered().items():
        assert path.read_text(encoding="utf-8") == text, "run `jobstream stack dashboards`"


@pytest.mark.unit
def test_the_data_source_is_provisioned_as_the_reader() -> None:
    provisioned = yaml.safe_load((PROVISIONING / "datasources" / "postgres.yml").read_text())
    [source] = provisioned["datasources"]
    assert {"uid": source["uid"], "type": source["type"]} == labour_market.DATASOURCE
    assert source["user"] == "$JOBSTREAM_PG_READER_USER"
    assert source["secureJsonData"]["password"] == "$JOBSTREAM_PG_READER_PASSWORD"
    compose = (REPO_ROOT / "docker-compose.yml").read_text()
    grafana = compose[compose.index("\n  grafana:") :]
    for variable in ("JOBSTREAM_PG_READER_USER", "JOBSTREAM_PG_READER_PASSWORD"):
        assert f"{variable}: ${{{variable}:-" in grafana, variable
    dashboard = json.loads(next(iter(labour_market.rendered().values())))
    for panel in dashboard["panels"]:
        assert panel["datasource"] == labour_market.DATASOURCE
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        assert panel["targets"][0]["rawSql"]


@pytest.fixture
async def reader(database: PostgresSettings) -> AsyncIterator[asyncpg.Connection]:
    model = await postgres_model(database)  # the catalogue, stored and the views refreshed
    await model.close()
    conn = await asyncpg.connect(**database.reader_connect_kwargs())
    try:
        yield conn
    finally:
        await conn.close()


def sql_string(values: list[str]) -> str:
    """Grafana's ${var:sqlstring}: each value quoted, comma-separated."""
    return ",".join("'" + value.replace("'", "''") + "'" for value in values)


def put_in(sql: str, values: dict[str, str]) -> str:
    for name, value in {**TIME_RANGE, **values}.items():
        sql = sql.replace(name, value)
    assert "$" not in sql, f"a macro or variable left: {sql}"
    return sql


@pytest.mark.postgres
async def test_every_query_returns_data_from_a_seeded_database(
    reader: asyncpg.Connection,
) -> None:
    dashboard = labour_market.dashboard_json()
    answers: dict[str, list[str]] = {}
    for variable in dashboard["templating"]["list"]:
        rows = await reader.fetch(variable["query"])
        assert rows, variable["name"]
        answers[variable["name"]] = [str(row[0]) for row in rows]
    assert answers["skill"][:2] == ["python", "kafka"]
    assert answers["country"][0] == "*" and "DE" in answers["country"]

    panels = [panel for panel in dashboard["panels"] if panel["type"] != "row"]
    assert len(panels) == len(labour_market.PANELS) >= 8
    for country in ("*", "DE"):
        values = {
            "${skill:sqlstring}": sql_string(answers["skill"][:3]),
            "${country:sqlstring}": sql_string([country]),
        }
        for panel in panels:
            target = panel["targets"][0]
            rows = await reader.fetch(put_in(target["rawSql"], values))
            assert rows, f"{panel['title']} ({country}): no rows"
            if target["format"] == "time_series":
                assert list(rows[0].keys()) == ["time", "metric", "value"], panel["title"]
            assert all(value is not None for value in rows[0].values()), panel["title"]
    assert re.search(r"\$__timeFrom\(\)", json.dumps(dashboard))  # the range is Grafana's
