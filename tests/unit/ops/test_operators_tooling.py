"""Operators' tooling without servers: every alert routed to a receiver (amtool), the lag
exporter's metric families from a snapshot, the alert receiver's reading of a webhook."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import CollectorRegistry, generate_latest

from jobstream.alert_receiver import received_alerts
from jobstream.cluster import ClusterSnapshot, GroupState, PartitionState
from jobstream.exporter import SnapshotCollector
from jobstream_stack.operators import ALERTMANAGER_COMMANDS, RECEIVERS, alertmanager_config
from jobstream_stack.prometheus import RULES_DIR, prometheus_config, render
from jobstream_stack.steps import StackError
from jobstream_stack.system import ensure_commands

pytestmark = pytest.mark.unit

WEBHOOK = "http://127.0.0.1:19096/alerts"


@pytest.fixture(scope="module")
def amtool() -> str:
    try:
        ensure_commands(ALERTMANAGER_COMMANDS, start_services=False)
    except StackError as error:
        pytest.fail(f"amtool is needed: {error}")
    found = shutil.which("amtool")
    assert found
    return found


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("alertmanager") / "alertmanager.yml"
    path.write_text(yaml.safe_dump(alertmanager_config(WEBHOOK, 30)))
    return path


def alerts() -> list[dict[str, object]]:
    return [
        rule
        for path in sorted(RULES_DIR.glob("*.yml"))
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]


def test_amtool_accepts_the_configuration(amtool: str, config_file: Path) -> None:
    result = subprocess.run(
        [amtool, "check-config", str(config_file)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_routed_to_a_receiver_that_delivers(amtool: str, config_file: Path) -> None:
    config = yaml.safe_load(config_file.read_text())
    delivering = {
        receiver["name"]
        for receiver in config["receivers"]
        if any(hook["url"] == WEBHOOK for hook in receiver.get("webhook_configs", []))
    }
    assert delivering == set(RECEIVERS.values())
    rules = alerts()
    assert len(rules) >= 10
    for rule in rules:
        labels = {"alertname": str(rule["alert"]), **rule["labels"]}  # type: ignore[dict-item]
        expected = RECEIVERS[labels["severity"]]
        result = subprocess.run(
            [amtool, "config", "routes", "test", f"--config.file={config_file}",
             f"--verify.receivers={expected}", *(f"{k}={v}" for k, v in labels.items())],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, (rule["alert"], result.stdout, result.stderr)
        assert result.stdout.strip() in delivering


def test_prometheus_sends_alerts_to_alertmanager_and_scrapes_the_exporters() -> None:
    config = prometheus_config(
        {"parser": "127.0.0.1:1"}, ["r.yml"], 5,
        exporters={"kafka": "127.0.0.1:2", "postgres": "127.0.0.1:3"},
        alertmanagers=["127.0.0.1:4"], supervisor="127.0.0.1:5",
    )  # fmt: skip
    parsed = yaml.safe_load(render(config))
    jobs = {job["job_name"]: job["static_configs"][0] for job in parsed["scrape_configs"]}
    assert jobs["kafka-exporter"] == {"targets": ["127.0.0.1:2"], "labels": {"exporter": "kafka"}}
    assert jobs["postgres-exporter"]["labels"] == {"exporter": "postgres"}
    # An exporter is no service: `up{service!=""}` (services up, ServiceDown) leaves it out.
    assert "service" not in jobs["kafka-exporter"]["labels"]
    # Nor is the supervisor, which runs under `make run` only: no exporter either, so a stack
    # started without it (`jobstream stack start`) raises no JobstreamExporterDown.
    assert jobs["supervisor"] == {"targets": ["127.0.0.1:5"], "labels": {"component": "supervisor"}}
    assert parsed["alerting"]["alertmanagers"] == [
        {"static_configs": [{"targets": ["127.0.0.1:4"]}]}
    ]


SNAPSHOT = ClusterSnapshot(
    brokers=(1, 2, 3),
    partitions=[
        PartitionState("raw", 0, leader=1, replicas=(1, 2, 3), in_sync=(1, 2, 3), oldest=0, end=10),
        PartitionState("raw", 1, leader=2, replicas=(2, 3, 1), in_sync=(2, 3), oldest=5, end=20),
        PartitionState("tagged", 0, leader=-1, replicas=(3, 1, 2), in_sync=(), oldest=0, end=7),
    ],
    groups=[
        # Committed on partition 0 only: partition 1 lags from its oldest offset.
        GroupState("parser", members=0, topics=("raw",), committed={("raw", 0): 4}),
        GroupState("store", members=2, topics=("tagged",), committed={("tagged", 0): 7}),
    ],
)


def samples(snapshot: ClusterSnapshot | None) -> dict[str, float]:
    registry = CollectorRegistry()
    collector = SnapshotCollector(max_age_seconds=60)
    if snapshot is not None:
        collector.update(snapshot)
    registry.register(collector)
    found = {}
    for line in generate_latest(registry).decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            found[name] = float(value)
    return found


def test_the_exporter_reports_brokers_partitions_and_group_lag() -> None:
    got = samples(SNAPSHOT)
    assert got["jobstream_lag_exporter_kafka_up"] == 1
    assert got["kafka_brokers"] == 3
    assert got['kafka_topic_partitions{topic="raw"}'] == 2
    assert got['kafka_topic_partition_leader{partition="0",topic="tagged"}'] == -1
    assert got['kafka_topic_partition_under_replicated_partition{partition="1",topic="raw"}'] == 1
    assert got['kafka_topic_partition_under_replicated_partition{partition="0",topic="raw"}'] == 0
    assert got['kafka_topic_partition_in_sync_replica{partition="1",topic="raw"}'] == 2
    assert got['kafka_consumergroup_members{consumergroup="parser"}'] == 0
    lag = 'kafka_consumergroup_lag{consumergroup="parser",partition="%s",topic="raw"}'
    assert got[lag % 0] == 6 and got[lag % 1] == 15
    assert (
        got['kafka_consumergroup_current_offset{consumergroup="parser",partition="0",topic="raw"}']
        == 4
    )
    assert (
        'kafka_consumergroup_current_offset{consumergroup="parser",partition="1",topic="raw"}'
        not in got
    )
    assert got['kafka_consumergroup_lag{consumergroup="store",partition="0",topic="tagged"}'] == 0
    # Groups report only the topics they read.
    assert not any('consumergroup="store"' in key and "raw" in key for key in got)


def test_a_stale_or_missing_reading_is_not_served_as_current() -> None:
    assert samples(None) == {"jobstream_lag_exporter_kafka_up": 0}


def test_the_receiver_reads_alertmanager_webhooks() -> None:
    payload = {
        "version": "4", "receiver": "pager", "status": "firing",
        "alerts": [{"status": "firing", "labels": {"alertname": "X", "severity": "critical"},
                    "annotations": {"summary": "s"}, "startsAt": "2026-01-01T00:00:00Z"}],
    }  # fmt: skip
    [alert] = received_alerts(payload)
    assert alert["receiver"] == "pager" and alert["labels"]["alertname"] == "X"
    bad_payloads: list[object] = [{}, {"alerts": "no"}, {"alerts": [{"labels": "no"}]}, []]
    for bad in bad_payloads:
        with pytest.raises(ValueError):
            received_alerts(bad)
