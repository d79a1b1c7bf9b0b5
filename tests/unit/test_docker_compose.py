"""The docker-compose deployment, as `docker compose config` resolves it (no engine needed)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from jobstream_stack.services import SERVICES
from jobstream_stack.settings import StackSettings

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
PROMETHEUS_CONFIG = REPO_ROOT / "deploy" / "prometheus" / "prometheus.docker.yml"
DOCKERFILE = "deploy/docker/Dockerfile"

APP_SERVICES = {
    name: settings.model_fields["http_port"].default for name, settings in SERVICES.items()
}
INFRA_SERVICES = {"kafka", "postgres", "prometheus", "grafana"}


def _compose_unavailable() -> str | None:
    if shutil.which("docker") is None:
        return "the docker client is not installed"
    return None


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    reason = _compose_unavailable()
    if reason:
        pytest.skip(reason)
    result = subprocess.run(
        ["docker", "compose", "-f", COMPOSE_FILE.name, "config", "--format", "json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, (
        f"{result.stderr}\n(no `docker compose`? `jobstream stack install-test-tools` builds it)"
    )
    config: dict[str, Any] = json.loads(result.stdout)
    return config


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = compose["services"]
    return found


def _scrape_targets() -> dict[str, tuple[str, int]]:
    """job_name -> (host, port) of prometheus.docker.yml, read as text (no YAML parser here)."""
    text = PROMETHEUS_CONFIG.read_text(encoding="utf-8")
    targets: dict[str, tuple[str, int]] = {}
    for block in re.split(r"^\s*-\s*job_name:\s*", text, flags=re.MULTILINE)[1:]:
        job = block.split()[0].strip("\"'")
        hosts = re.findall(r"[\"']?([A-Za-z0-9_.-]+):(\d+)[\"']?", block)
        assert len(hosts) == 1, f"job {job}: expected one target, found {hosts}"
        targets[job] = (hosts[0][0], int(hosts[0][1]))
    return targets


def test_prometheus_config_scrapes_the_service_ports() -> None:
    """Runs without docker: the scrape config alone against the services' documented ports."""
    assert _scrape_targets() == {name: (name, port) for name, port in APP_SERVICES.items()}


def test_all_services_are_defined(services: dict[str, Any]) -> None:
    assert set(services) == INFRA_SERVICES | set(APP_SERVICES)


def test_app_services_share_one_image_build(services: dict[str, Any]) -> None:
    builds = {name: services[name].get("build") for name in APP_SERVICES}
    assert all(builds.values()), builds
    assert {build["dockerfile"] for build in builds.values()} == {DOCKERFILE}
    assert len({build["context"] for build in builds.values()}) == 1
    assert Path(next(iter(builds.values()))["context"]).resolve() == REPO_ROOT.resolve()
    assert (REPO_ROOT / DOCKERFILE).is_file()


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_app_service_runs_its_serve_command(services: dict[str, Any], name: str) -> None:
    service = services[name]
    assert service["command"] == ["serve", name]
    assert service["restart"] == "unless-stopped"
    for dependency in ("kafka", "postgres"):
        assert service["depends_on"][dependency]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_app_service_environment(services: dict[str, Any], name: str) -> None:
    env = services[name]["environment"]
    prefix = f"JOBSTREAM_{name.upper()}_"
    assert env[f"{prefix}HTTP_HOST"] == "0.0.0.0"
    assert int(env[f"{prefix}HTTP_PORT"]) == APP_SERVICES[name]
    assert env["JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["JOBSTREAM_PG_HOST"] == "postgres"
    assert int(env["JOBSTREAM_PG_PORT"]) == 5432
    for key in ("JOBSTREAM_PG_DATABASE", "JOBSTREAM_PG_USER", "JOBSTREAM_PG_PASSWORD"):
        assert env[key], key
    assert env["JOBSTREAM_STATE_DIR"]


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_app_service_healthcheck_hits_its_own_healthz(services: dict[str, Any], name: str) -> None:
    test = " ".join(services[name]["healthcheck"]["test"])
    assert "python" in test
    assert f"http://127.0.0.1:{APP_SERVICES[name]}/healthz" in test


def test_every_published_port_is_bound_to_loopback(services: dict[str, Any]) -> None:
    published = [
        (name, port) for name, service in services.items() for port in service.get("ports", [])
    ]
    assert published, "no port is published at all"
    for name, port in published:
        assert port.get("host_ip") == "127.0.0.1", (name, port)


def test_published_host_ports(services: dict[str, Any]) -> None:
    def host_ports(name: str) -> set[int]:
        return {int(port["published"]) for port in services[name].get("ports", [])}

    assert host_ports("kafka") == {19092}
    assert host_ports("postgres") == {55432}
    # the declared default, not what this run's environment may override
    assert host_ports("prometheus") == {StackSettings.model_fields["prometheus_port"].default}
    assert host_ports("grafana") == {3000}


def test_kafka_is_a_single_kraft_node_without_topic_auto_creation(
    services: dict[str, Any],
) -> None:
    from jobstream.topology import MAX_RECORD_BYTES

    kafka = services["kafka"]
    env = kafka["environment"]
    assert kafka["image"].startswith("apache/kafka:")
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert int(env["KAFKA_MESSAGE_MAX_BYTES"]) == MAX_RECORD_BYTES
    assert int(env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"]) == 1
    assert int(env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"]) == 1
    assert int(env["KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"]) == 0
    # The services use the internal listener; the host gets the EXTERNAL one on 127.0.0.1.
    advertised = env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert "PLAINTEXT://kafka:9092" in advertised
    assert "EXTERNAL://127.0.0.1:19092" in advertised
    assert [port["target"] for port in kafka["ports"]] == [19092]
    assert any(volume["type"] == "volume" for volume in kafka["volumes"])
    assert "healthcheck" in kafka


def test_postgres_matches_the_services_credentials(services: dict[str, Any]) -> None:
    postgres = services["postgres"]
    env = postgres["environment"]
    assert postgres["image"] == "postgres:15"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    for app in APP_SERVICES:
        app_env = services[app]["environment"]
        assert app_env["JOBSTREAM_PG_DATABASE"] == env["POSTGRES_DB"]
        assert app_env["JOBSTREAM_PG_USER"] == env["POSTGRES_USER"]
        assert app_env["JOBSTREAM_PG_PASSWORD"] == env["POSTGRES_PASSWORD"]


def test_ingest_mounts_the_inbox(services: dict[str, Any]) -> None:
    ingest = services["ingest"]
    inbox = ingest["environment"]["JOBSTREAM_INGEST_INBOX_DIR"]
    binds = [volume for volume in ingest["volumes"] if volume["type"] == "bind"]
    assert any(
        volume["target"] == inbox and Path(volume["source"]) == REPO_ROOT.resolve() / "inbox"
        for volume in binds
    ), binds


def test_prometheus_scrapes_every_service_on_its_http_port(services: dict[str, Any]) -> None:
    mounts = {volume["target"]: volume for volume in services["prometheus"]["volumes"]}
    config_mount = mounts["/etc/prometheus/prometheus.yml"]
    assert Path(config_mount["source"]) == PROMETHEUS_CONFIG.resolve()

    targets = _scrape_targets()
    assert set(targets) == set(APP_SERVICES)
    for name in APP_SERVICES:
        env_port = int(services[name]["environment"][f"JOBSTREAM_{name.upper()}_HTTP_PORT"])
        assert targets[name] == (name, env_port)
    rules = mounts["/etc/prometheus/rules"]
    assert Path(rules["source"]) == (PROMETHEUS_CONFIG.parent / "rules").resolve()
    assert rules["read_only"] is True
    text = PROMETHEUS_CONFIG.read_text(encoding="utf-8")
    assert re.search(r"^\s*scrape_interval:\s*5s\s*$", text, flags=re.MULTILINE)
    # Relative to the config file: the mounted rules folder beside it in the container.
    assert re.search(r"^rule_files:\n\s*-\s*rules/\*\.yml\s*$", text, flags=re.MULTILINE)
    for name in APP_SERVICES:
        assert re.search(rf"^\s*service:\s*{name}\s*$", text, flags=re.MULTILINE), name


def test_grafana_is_provisioned_with_prometheus(services: dict[str, Any]) -> None:
    mounts = {volume["target"]: volume for volume in services["grafana"]["volumes"]}
    provisioning = Path(mounts["/etc/grafana/provisioning"]["source"])
    dashboards = Path(mounts["/var/lib/grafana/dashboards"]["source"])
    assert provisioning == (REPO_ROOT / "deploy" / "grafana" / "provisioning").resolve()
    assert dashboards == (REPO_ROOT / "deploy" / "grafana" / "dashboards").resolve()
    assert dashboards.is_dir()
    datasource = (provisioning / "datasources" / "prometheus.yml").read_text(encoding="utf-8")
    assert "http://prometheus:9090" in datasource
    provider = (provisioning / "dashboards" / "jobstream.yml").read_text(encoding="utf-8")
    assert "/var/lib/grafana/dashboards" in provider
