"""Proof that the operators' view works: a real Prometheus scrapes a running pipeline.

A private Prometheus (Debian's package, the stack's own start-up code, a free port, a 1 s
scrape interval, the project's rule files) scrapes every service of a test pipeline, the
exporters and the stack's supervisor watching the services.
Postings go in through ingest's HTTP API; then every recording rule and every Grafana panel
query is evaluated through Prometheus's HTTP API, and each must return data.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from jobstream.exporter import LagExporterSettings
from jobstream.kafka.publisher import Publisher
from jobstream.settings import KafkaSettings, PostgresSettings, RuntimeSettings
from jobstream.topology import RAW_POSTINGS
from jobstream_stack.layout import StackLayout
from jobstream_stack.operators import HttpProcess, LagExporter, PostgresExporter
from jobstream_stack.postgres import PostgresServer
from jobstream_stack.prometheus import PrometheusServer
from jobstream_stack.services import SERVICES, service_process
from jobstream_stack.settings import StackSettings
from jobstream_stack.supervision import RestartPolicy
from jobstream_stack.supervisor import Program, Supervisor
from jobstream_stack.system import free_port
from tests.e2e.harness import Services, eventually

# Generous: the budget covers starting the pipeline, the exporters and Prometheus, and their
# first scrapes; it took 52 s on a quiet machine and over 120 s at load 8-12.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(360)]

REPO_ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = REPO_ROOT / "deploy" / "grafana" / "dashboards"
# What Grafana puts in for its built-in variables, for a Prometheus scraping every second.
BUILT_IN = {"$__rate_interval": "1m", "$__interval": "1s", "$__range": "5m"}


@pytest.fixture
def pipeline(ops_pipeline: Services) -> Services:
    """Here the pipeline measures its lag every second (`ops_pipeline`)."""
    return ops_pipeline


@pytest.fixture
def exporters(
    pipeline: Services, kafka_settings: KafkaSettings, database: PostgresSettings, tmp_path: Path
) -> Iterator[dict[str, str]]:
    """The lag exporter of the test's namespace, and PostgreSQL's exporter as a monitoring
    role of the test's own (the stack's role and password are left alone)."""
    layout = StackLayout(tmp_path / "exporters")
    layout.create()
    stack = StackSettings(postgres_exporter_port=free_port())
    lag = LagExporter(
        layout, stack, LagExporterSettings(http_port=free_port()),
        {**os.environ, "JOBSTREAM_KAFKA_NAMESPACE": kafka_settings.namespace,
         "JOBSTREAM_LAG_EXPORTER_POLL_SECONDS": "1"},
    )  # fmt: skip
    server = PostgresServer(StackLayout(RuntimeSettings().state_dir), PostgresSettings(), stack)
    role = f"monitor_{uuid.uuid4().hex[:8]}"
    postgres = PostgresExporter(layout, stack, database, server, role=role)
    started: list[HttpProcess] = []
    try:
        processes: list[HttpProcess] = [lag, postgres]
        for process in processes:
            process.start()
            started.append(process)
        yield {"kafka": f"{lag.host}:{lag.port}", "postgres": f"{postgres.host}:{postgres.port}"}
    finally:
        for process in started:
            process.stop()
        asyncio.run(drop_role(server, role))


async def drop_role(server: PostgresServer, role: str) -> None:
    conn = await server.superuser_connection()
    try:
        await conn.execute(
            await conn.fetchval("SELECT format('DROP ROLE IF EXISTS %I', $1::text)", role)
        )
    finally:
        await conn.close()


@pytest.fixture
def supervisor(pipeline: Services) -> Iterator[str]:
    """The stack's supervisor watching the running services (as under `make run`), serving
    its /metrics on a free port; yields that address."""
    programs = [
        Program(name, service_process(pipeline.layout, name), start=lambda: None)
        for name in SERVICES
    ]
    address = ("127.0.0.1", free_port())
    watcher = Supervisor(pipeline.layout, programs, RestartPolicy(), lambda _: None, address)
    stopping = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stopping,), daemon=True)
    thread.start()
    try:
        yield f"{address[0]}:{address[1]}"
    finally:
        stopping.set()
        thread.join(timeout=30)


@pytest.fixture
def prometheus(
    pipeline: Services, exporters: dict[str, str], supervisor: str, tmp_path: Path
) -> Iterator[PrometheusServer]:
    layout = StackLayout(tmp_path / "prometheus-state")
    layout.create()
    settings = StackSettings(prometheus_port=free_port(), prometheus_scrape_seconds=1)
    targets = {name: f"127.0.0.1:{port}" for name, port in pipeline.ports.items()}
    server = PrometheusServer(layout, settings, targets, exporters=exporters, supervisor=supervisor)
    try:
        server.start()
        yield server
    finally:
        server.stop()  # the private instance this test started, never the stack's


def api(server: PrometheusServer, path: str, **params: str) -> Any:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    with urllib.request.urlopen(f"{server.url}/api/v1/{path}{query}", timeout=10) as response:
        body = json.loads(response.read())
    assert body["status"] == "success", body
    return body["data"]


def instant(server: PrometheusServer, expr: str) -> list[dict[str, Any]]:
    data = api(server, "query", query=expr)
    result: list[dict[str, Any]] = data["result"]
    return result


def post_postings(pipeline: Services, body: object) -> dict[str, Any]:
    request = urllib.request.Request(
        pipeline.url("ingest", "/postings"),
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def panel_queries() -> list[tuple[str, str, str]]:
    """(dashboard, panel title, expr) of every panel target, variables put in."""
    found = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        values = dict(BUILT_IN)
        for variable in dashboard.get("templating", {}).get("list", []):
            values[f"${variable['name']}"] = variable.get("allValue") or ".+"
        for panel in all_panels(dashboard["panels"]):
            for target in panel.get("targets", []):
                expr = target["expr"]
                for name in sorted(values, key=len, reverse=True):
                    expr = expr.replace(name, values[name])
                found.append((path.stem, panel["title"], expr))
    return found


def all_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels", []))


async def test_every_recording_rule_and_dashboard_query_returns_data(
    pipeline: Services,
    prometheus: PrometheusServer,
    kafka_settings: KafkaSettings,
    pg: asyncpg.Connection,
) -> None:
    # Another start reuses the running instance rather than starting a second one.
    pid = prometheus.process.pid()
    prometheus.start()
    assert prometheus.process.pid() == pid

    async def all_targets_up() -> bool:
        targets = (await asyncio.to_thread(api, prometheus, "targets"))["activeTargets"]
        expected = len(SERVICES) + 3  # and the two exporters and the supervisor
        return len(targets) == expected and all(target["health"] == "up" for target in targets)

    # Prometheus applies new targets every 5 s: wait for its first scrapes, so what follows
    # is seen as a change.
    await eventually(all_targets_up, "Prometheus to scrape services, exporters, supervisor", 30)

    # Postings in through the HTTP API, one of them without text (rejected by ingest), and a
    # record that is not an event at all (dead-lettered by the parser). Two made-up products
    # after a cue: the span model finds the first (an unlinked skill), the second is left to
    # the cue rule (an unknown term), so the data-quality panel's two series both have data.
    postings = [
        {"title": f"Platform Engineer {n}", "company": f"Initech {n}",
         "text": f"Platform Engineer {n}\nWe run Kubernetes, Terraform and PostgreSQL.\n"
                 "Hands-on experience with Zorblaxdb and Quuxly is a plus.\n"}
        for n in range(20)
    ]  # fmt: skip
    answer = await asyncio.to_thread(post_postings, pipeline, [*postings, {"text": "  "}])
    assert len(answer["posting_ids"]) == 20 and len(answer["rejected"]) == 1
    async with Publisher(kafka_settings) as publisher:
        await publisher.producer.send_and_wait(
            kafka_settings.topic(RAW_POSTINGS), b"not json", key=b"broken"
        )

    async def stored() -> bool:
        return bool(await pg.fetchval("SELECT count(*) FROM postings") == 20)

    await eventually(stored, "20 postings stored")

    async def store_rate_seen() -> bool:
        result = await asyncio.to_thread(
            instant, prometheus, 'jobstream:events_consumed:rate1m{stage="store"} > 0'
        )
        return bool(result)

    await eventually(store_rate_seen, "the recorded store rate", timeout=30)

    groups = (await asyncio.to_thread(api, prometheus, "rules"))["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    assert {rule["type"] for rule in rules} == {"recording", "alerting"}
    for rule in rules:
        assert rule["health"] == "ok", (rule["name"], rule.get("lastError"))

    async def returns_data(expr: str) -> bool:
        return bool(await asyncio.to_thread(instant, prometheus, expr))

    recording = [rule["name"] for rule in rules if rule["type"] == "recording"]
    assert len(recording) >= 15
    for name in recording:
        await eventually(partial(returns_data, name), f"data for {name}", timeout=10)

    queries = panel_queries()
    assert len({dashboard for dashboard, _, _ in queries}) == 3 and len(queries) >= 40
    for dashboard, title, expr in queries:
        await eventually(partial(returns_data, expr), f"{dashboard} / {title}: {expr}", timeout=10)

    # Nothing is on fire after a healthy run (dead letters are: the broken record).
    firing = {
        alert["labels"]["alertname"]
        for alert in (await asyncio.to_thread(api, prometheus, "alerts"))["alerts"]
    }
    assert firing <= {"JobstreamDeadLetters"}, firing
