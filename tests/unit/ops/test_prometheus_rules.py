"""Prometheus configuration and rules: promtool checks them, and every alert has a runbook."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from jobstream import metrics
from jobstream_ingest.settings import IngestSettings
from jobstream_parser.settings import ParserSettings
from jobstream_stack.prometheus import (
    PROMETHEUS_COMMANDS,
    RULES_DIR,
    native_targets,
    prometheus_config,
    render,
    scrape_target,
)
from jobstream_stack.services import SERVICES
from jobstream_stack.steps import StackError
from jobstream_stack.system import ensure_commands

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).resolve().parents[3]
PROMETHEUS_DIR = REPO_ROOT / "deploy" / "prometheus"
RUNBOOKS = REPO_ROOT / "docs" / "runbooks.md"


@pytest.fixture(scope="session")
def promtool() -> str:
    """promtool from Debian's `prometheus` package, installed when missing (as root)."""
    try:
        ensure_commands(PROMETHEUS_COMMANDS, start_services=False)
    except StackError as error:
        pytest.fail(f"promtool is needed: {error}")
    found = shutil.which("promtool")
    assert found
    return found


def run(promtool: str, *args: str, cwd: Path = PROMETHEUS_DIR) -> str:
    result = subprocess.run([promtool, *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def rules(kind: str) -> list[dict[str, Any]]:
    found = []
    for path in sorted(RULES_DIR.glob("*.yml")):
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
            found += [rule for rule in group["rules"] if kind in rule]
    return found


def test_promtool_unit_tests_of_the_rules_pass(promtool: str) -> None:
    tests = sorted(
        str(path.relative_to(PROMETHEUS_DIR)) for path in PROMETHEUS_DIR.glob("tests/*.yml")
    )
    assert len(tests) >= 2
    output = run(promtool, "test", "rules", *tests)
    assert output.count("SUCCESS") == len(tests)


def test_every_alert_is_unit_tested(promtool: str) -> None:
    tested = set()
    for path in PROMETHEUS_DIR.glob("tests/*.yml"):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]:
            for check in case.get("alert_rule_test", []):
                if check["exp_alerts"]:
                    tested.add(check["alertname"])
    assert tested == {rule["alert"] for rule in rules("alert")}


def test_promtool_checks_the_rules(promtool: str) -> None:
    files = [str(path) for path in sorted(RULES_DIR.glob("*.yml"))]
    run(promtool, "check", "rules", *files)


def test_promtool_checks_the_docker_configuration(promtool: str) -> None:
    output = run(promtool, "check", "config", "prometheus.docker.yml")
    assert "rules/alerts.yml" in output and "rules/recording.yml" in output


def test_promtool_checks_the_generated_native_configuration(promtool: str, tmp_path: Path) -> None:
    rule_files = []
    for source in sorted(RULES_DIR.glob("*.yml")):
        shutil.copyfile(source, tmp_path / source.name)
        rule_files.append(str(tmp_path / source.name))
    config = tmp_path / "prometheus.yml"
    config.write_text(render(prometheus_config(native_targets(), rule_files, 5)))
    output = run(promtool, "check", "config", str(config), cwd=tmp_path)
    assert "SUCCESS" in output


def test_native_targets_come_from_the_service_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = native_targets()
    assert defaults == {
        name: f"127.0.0.1:{settings.model_fields['http_port'].default}"
        for name, settings in SERVICES.items()
    }
    monkeypatch.setenv("JOBSTREAM_PARSER_HTTP_PORT", "28102")
    assert native_targets()["parser"] == "127.0.0.1:28102"
    # A service bound to every address is scraped on loopback.
    assert scrape_target(IngestSettings(http_host="0.0.0.0", http_port=1)) == "127.0.0.1:1"
    assert scrape_target(ParserSettings(http_host="10.1.2.3", http_port=2)) == "10.1.2.3:2"


def test_the_native_configuration_labels_each_job_with_its_service() -> None:
    config = prometheus_config({"parser": "127.0.0.1:1", "store": "127.0.0.1:2"}, ["/r/*.yml"], 1.5)
    parsed = yaml.safe_load(render(config))
    assert parsed["global"]["scrape_interval"] == "1500ms"
    assert parsed["rule_files"] == ["/r/*.yml"]
    assert parsed["scrape_configs"][1] == {
        "job_name": "store",
        "static_configs": [{"targets": ["127.0.0.1:2"], "labels": {"service": "store"}}],
    }


def test_every_alert_has_a_runbook_entry() -> None:
    text = RUNBOOKS.read_text(encoding="utf-8")
    sections = dict(
        re.findall(r"^## (\w+)\n(.*?)(?=^## |\Z)", text, flags=re.MULTILINE | re.DOTALL)
    )
    for rule in rules("alert"):
        name = rule["alert"]
        assert rule["annotations"]["runbook_url"] == f"docs/runbooks.md#{name.lower()}"
        assert name in sections, f"docs/runbooks.md has no section for {name}"
        for part in ("**Means.**", "**Check.**", "**Fix.**", "**Replay.**"):
            assert part in sections[name], f"{name}: no {part}"
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert {"summary", "description"} <= set(rule["annotations"])


def test_rules_use_only_metrics_that_exist() -> None:
    # The lag exporter's own gauge, and the families it reports (kafka_exporter's names).
    known = {"up", "jobstream_lag_exporter_kafka_up"} | exporter_families()
    known |= supervisor_families()
    for metric in vars(metrics).values():
        if isinstance(metric, MetricWrapperBase):
            for family in metric.describe():
                known |= {family.name + suffix for suffix in SUFFIXES}
    recorded = {rule["record"] for rule in rules("record")}
    for rule in rules("record") + rules("alert"):
        for name in re.findall(
            r"(?<![:\w])(jobstream_[a-z0-9_]+|kafka_[a-z0-9_]+|up)\b", rule["expr"]
        ):
            assert name in known, f"{rule.get('record') or rule['alert']}: unknown metric {name}"
        for name in re.findall(r"\bjobstream:[a-z0-9_:]+", rule["expr"]):
            assert name in recorded, f"unknown recording rule {name}"


SUFFIXES = ("", "_total", "_bucket", "_sum", "_count", "_info")


def exporter_families() -> set[str]:
    from jobstream.cluster import ClusterSnapshot, GroupState, PartitionState, families

    snapshot = ClusterSnapshot(
        brokers=(1,),
        partitions=[PartitionState("t", 0, 1, (1,), (1,), 0, 1)],
        groups=[GroupState("g", 1, ("t",), {("t", 0): 1})],
    )
    return {family.name for family in families(snapshot)}


def supervisor_families() -> set[str]:
    from jobstream_stack.supervision import ProgramState, SupervisorState
    from jobstream_stack.supervisor import SupervisorCollector

    state = SupervisorState(
        pid=1, started_at=0, updated_at=0, heartbeat_seconds=5,
        programs={"parser": ProgramState(name="parser")},
    )  # fmt: skip
    collector = SupervisorCollector(lambda: state)
    return {family.name + suffix for family in collector.collect() for suffix in SUFFIXES}
