"""The Grafana dashboards: generated, provisioned by docker-compose, reading known series."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from jobstream_stack.grafana import DASHBOARDS_DIR, DATASOURCE, PROVISIONED_DATASOURCE, rendered
from jobstream_stack.prometheus import RULES_DIR

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).resolve().parents[3]
PROVISIONING = REPO_ROOT / "deploy" / "grafana" / "provisioning"


def load(name: str) -> dict[str, Any]:
    dashboard: dict[str, Any] = json.loads((DASHBOARDS_DIR / name).read_text(encoding="utf-8"))
    return dashboard


def exprs(dashboard: dict[str, Any]) -> list[str]:
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def test_the_files_are_what_the_generator_writes() -> None:
    files = rendered()
    assert set(files) == {path.name for path in DASHBOARDS_DIR.glob("*.json")}
    for name, text in files.items():
        assert (DASHBOARDS_DIR / name).read_text(encoding="utf-8") == text, (
            f"{name} drifted: run `jobstream stack dashboards`"
        )


def test_an_overview_and_a_per_service_view() -> None:
    overview = load("jobstream-overview.json")
    titles = " | ".join(panel["title"].lower() for panel in overview["panels"])
    for needed in (
        "events consumed per stage",
        "consumer lag per stage",
        "end-to-end latency",
        "error ratio",
        "dead letters",
        "ingest outcomes",
        "store batches",
        "store commit time",
    ):
        assert needed in titles, needed
    joined = " ".join(exprs(overview))
    for quantile in ("p50", "p95", "p99"):
        assert f"jobstream:end_to_end_latency_seconds:{quantile}" in joined

    service = load("jobstream-service.json")
    variables = {variable["name"]: variable for variable in service["templating"]["list"]}
    assert set(variables) == {"datasource", "service", "instance"}
    assert variables["service"]["allValue"] == variables["instance"]["allValue"] == ".+"
    assert "$service" in variables["instance"]["definition"]  # instances of the chosen services
    assert all('service=~"$service", instance=~"$instance"' in expr for expr in exprs(service))


def test_data_quality_broker_and_postgres_panels() -> None:
    overview = load("jobstream-overview.json")
    titles = " | ".join(panel["title"].lower() for panel in overview["panels"])
    for needed in ("fields found", "unlinked skills", "rejections by reason", "dead letters"):
        assert needed in titles, needed
    infrastructure = load("jobstream-infrastructure.json")
    joined = " ".join(exprs(infrastructure))
    for metric in ("kafka_brokers", "under_replicated", "kafka_topic_partition_leader",
                   "kafka_consumergroup_lag", "kafka_consumergroup_members", "pg_up",
                   "pg_stat_database_xact_commit"):  # fmt: skip
        assert metric in joined, metric


def test_panels_use_the_provisioned_data_source_and_fit_the_grid() -> None:
    datasource = yaml.safe_load((PROVISIONING / "datasources" / "prometheus.yml").read_text())
    [provisioned] = datasource["datasources"]
    assert provisioned["uid"] == PROVISIONED_DATASOURCE["uid"]
    assert provisioned["type"] == DATASOURCE["type"]
    uids = set()
    for path in DASHBOARDS_DIR.glob("*.json"):
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        uids.add(dashboard["uid"])
        # Panels read the data source chosen in the `datasource` variable, the provisioned
        # one by default.
        [variable] = [v for v in dashboard["templating"]["list"] if v["type"] == "datasource"]
        assert variable["name"] == "datasource" and variable["query"] == "prometheus"
        assert variable["current"]["value"] == provisioned["uid"]
        assert DATASOURCE["uid"] == "${datasource}"
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(ids) == len(set(ids))
        for panel in dashboard["panels"]:
            grid = panel["gridPos"]
            assert grid["x"] + grid["w"] <= 24
            if panel["type"] != "row":
                assert panel["datasource"] == DATASOURCE and panel["targets"], panel["title"]
    assert len(uids) == 3


def test_queries_read_recorded_series_or_metrics_that_exist() -> None:
    recorded = {
        rule["record"]
        for path in RULES_DIR.glob("*.yml")
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "record" in rule
    }
    from prometheus_client.metrics import MetricWrapperBase

    from jobstream import metrics
    from tests.unit.ops.test_prometheus_rules import supervisor_families

    known = {
        "up", "process_cpu_seconds_total", "process_resident_memory_bytes",
        "jobstream_lag_exporter_kafka_up",
    } | supervisor_families()  # fmt: skip
    for metric in vars(metrics).values():
        if isinstance(metric, MetricWrapperBase):
            for family in metric.describe():
                known |= {family.name + suffix for suffix in ("", "_total", "_bucket")}
    for path in DASHBOARDS_DIR.glob("*.json"):
        for expr in exprs(json.loads(path.read_text(encoding="utf-8"))):
            for name in re.findall(r"\bjobstream:[a-z0-9_:]+", expr):
                assert name in recorded, (path.name, name)
            for name in re.findall(r"\b(?:jobstream|process)_[a-z0-9_]+|\bup\b", expr):
                assert name in known, (path.name, name)
