"""The docker-compose deployment, as `docker compose config` resolves it (no engine needed).

No Docker engine runs on these machines, so what would make `docker compose up` fail is
checked on the resolved configuration instead: the start-up order (roles, then migrations,
then the services), readiness health checks, an inbox the ingest user may write, stages that
publish no host port (so `--scale` works) and a Prometheus that finds every instance.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from jobstream.topology import CONSUMING_STAGES, MAX_RECORD_BYTES
from jobstream_stack.operators import alertmanager_config
from jobstream_stack.prometheus import native_exporters
from jobstream_stack.services import SERVICES
from jobstream_stack.settings import StackSettings

# Not a unit test: it runs an outside program (`docker compose`, which `jobstream dev
# install-test-tools` installs), so `pytest -m unit` stays pure Python.
pytestmark = pytest.mark.tools

REPO_ROOT = Path(__file__).parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
PROMETHEUS_CONFIG = REPO_ROOT / "deploy" / "prometheus" / "prometheus.docker.yml"
POSTGRES_INIT = REPO_ROOT / "deploy" / "docker" / "postgres-init"
DOCKERFILE = "deploy/docker/Dockerfile"

APP_SERVICES = {
    name: settings.model_fields["http_port"].default for name, settings in SERVICES.items()
}
STAGES = {stage.name for stage in CONSUMING_STAGES}
ONE_SHOTS = {"migrate", "inbox-permissions"}
INFRA_SERVICES = {"kafka", "postgres", "prometheus", "grafana"}
# Where alerts go, as in the native stack (jobstream_stack/operators.py).
ALERTING_SERVICES = {"alertmanager", "alert-receiver"}
ALERTMANAGER_CONFIG = REPO_ROOT / "deploy" / "alertmanager" / "alertmanager.docker.yml"
# Compose service -> the exporter it is in the native stack's Prometheus configuration.
EXPORTER_SERVICES = {"lag-exporter": "kafka", "postgres-exporter": "postgres"}
# The image's user (deploy/docker/Dockerfile: APP_UID / APP_GID).
APP_USER = "jobstream"


def compose_config() -> dict[str, Any]:
    result = subprocess.run(
        ["docker", "compose", "-f", COMPOSE_FILE.name, "config", "--format", "json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, (
        f"{result.stderr}\n(no `docker compose`? `jobstream dev install-test-tools` builds it)"
    )
    config: dict[str, Any] = json.loads(result.stdout)
    return config


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    if shutil.which("docker") is None:
        pytest.skip("the docker client is not installed")
    return compose_config()


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = compose["services"]
    return found


def scrape_jobs() -> dict[str, dict[str, Any]]:
    """The jobs that find a service's instances through DNS (the exporters' are fixed)."""
    return {name: job for name, job in all_scrape_jobs().items() if "dns_sd_configs" in job}


def all_scrape_jobs() -> dict[str, dict[str, Any]]:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    return {job["job_name"]: job for job in config["scrape_configs"]}


def healthcheck_url(service: dict[str, Any]) -> str:
    test = " ".join(service["healthcheck"]["test"])
    return test.split("urlopen('", 1)[1].split("'", 1)[0]


def test_prometheus_finds_every_instance_of_every_service_through_dns() -> None:
    """Runs without docker: the scrape config alone against the services' documented ports."""
    jobs = scrape_jobs()
    assert set(jobs) == set(APP_SERVICES)
    for name, port in APP_SERVICES.items():
        job = jobs[name]
        assert "static_configs" not in job, f"{name}: a fixed target finds one instance only"
        [dns] = job["dns_sd_configs"]
        # An A lookup of the compose service's name returns every container of it.
        assert dns["names"] == [name] and dns["type"] == "A" and dns["port"] == port
        assert {"target_label": "service", "replacement": name} in job["relabel_configs"]


def test_the_exporters_are_scraped_as_in_the_native_stack() -> None:
    """The alerts on the exporters (deploy/prometheus/rules) select the job `<name>-exporter`
    and the label `exporter`: the compose jobs must be named and labelled as the native ones."""
    jobs = all_scrape_jobs()
    assert set(jobs) == set(APP_SERVICES) | {f"{name}-exporter" for name in native_exporters()}
    for service, exporter in EXPORTER_SERVICES.items():
        [config] = jobs[f"{exporter}-exporter"]["static_configs"]
        [target] = config["targets"]
        assert target.split(":")[0] == service
        assert config["labels"] == {"exporter": exporter}


def test_all_services_are_defined(services: dict[str, Any]) -> None:
    expected = (
        INFRA_SERVICES | ONE_SHOTS | set(APP_SERVICES) | set(EXPORTER_SERVICES) | ALERTING_SERVICES
    )
    assert set(services) == expected


def test_the_lag_exporter_runs_from_the_image_and_is_scraped_where_it_listens(
    services: dict[str, Any],
) -> None:
    exporter = services["lag-exporter"]
    assert exporter["command"] == ["serve", "lag-exporter"]
    assert exporter["image"] == services["store"]["image"]
    assert exporter["depends_on"]["kafka"]["condition"] == "service_healthy"
    env = exporter["environment"]
    assert env["JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["JOBSTREAM_LAG_EXPORTER_HTTP_HOST"] == "0.0.0.0"
    port = int(env["JOBSTREAM_LAG_EXPORTER_HTTP_PORT"])
    [config] = all_scrape_jobs()["kafka-exporter"]["static_configs"]
    assert config["targets"] == [f"lag-exporter:{port}"]
    assert healthcheck_url(exporter) == f"http://127.0.0.1:{port}/healthz"
    assert not exporter.get("ports")


def test_postgres_exporter_connects_as_the_monitor_role_the_init_script_makes(
    services: dict[str, Any],
) -> None:
    exporter, postgres_env = services["postgres-exporter"], services["postgres"]["environment"]
    env = exporter["environment"]
    assert exporter["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert env["DATA_SOURCE_USER"] == postgres_env["JOBSTREAM_PG_MONITOR_USER"]
    assert env["DATA_SOURCE_PASS"] == postgres_env["JOBSTREAM_PG_MONITOR_PASSWORD"]
    # The address only: the credentials are never part of a URL that could be logged.
    assert env["DATA_SOURCE_URI"].startswith("postgres:5432/")
    assert "@" not in env["DATA_SOURCE_URI"]
    assert "--disable-settings-metrics" in exporter["command"]
    assert not exporter.get("ports")


def test_app_services_share_one_image_build(services: dict[str, Any]) -> None:
    names = set(APP_SERVICES) | ONE_SHOTS
    builds = {name: services[name].get("build") for name in names}
    assert all(builds.values()), builds
    assert {build["dockerfile"] for build in builds.values()} == {DOCKERFILE}
    assert len({build["context"] for build in builds.values()}) == 1
    assert Path(next(iter(builds.values()))["context"]).resolve() == REPO_ROOT.resolve()
    assert len({services[name]["image"] for name in names}) == 1
    assert (REPO_ROOT / DOCKERFILE).is_file()


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_app_service_starts_after_kafka_and_the_migrations(
    services: dict[str, Any], name: str
) -> None:
    service = services[name]
    assert service["command"] == ["serve", name]
    assert service["restart"] == "unless-stopped"
    depends = service["depends_on"]
    assert depends["kafka"]["condition"] == "service_healthy"
    assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_migrate_runs_once_as_the_owner_after_postgres(services: dict[str, Any]) -> None:
    migrate = services["migrate"]
    assert migrate["command"][0] == "migrate" and "--wait" in migrate["command"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    env, postgres_env = migrate["environment"], services["postgres"]["environment"]
    assert env["JOBSTREAM_PG_OWNER_USER"] == postgres_env["JOBSTREAM_PG_OWNER_USER"]
    assert env["JOBSTREAM_PG_OWNER_PASSWORD"] == postgres_env["JOBSTREAM_PG_OWNER_PASSWORD"]
    assert env["JOBSTREAM_PG_OWNER_PASSWORD"]


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
    # The services connect as the service role and never migrate (an empty owner password).
    assert env["JOBSTREAM_PG_OWNER_PASSWORD"] == ""
    assert env["JOBSTREAM_STATE_DIR"]


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_app_service_is_healthy_only_when_ready(services: dict[str, Any], name: str) -> None:
    test = services[name]["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1] == "python"
    assert healthcheck_url(services[name]) == f"http://127.0.0.1:{APP_SERVICES[name]}/readyz"


def test_stages_publish_no_host_port_so_they_scale(services: dict[str, Any]) -> None:
    """`docker compose up --scale parser=3` starts three containers only when none of them
    claims a fixed host port or a fixed container name (`config` cannot try `--scale`)."""
    for name in STAGES:
        assert not services[name].get("ports"), name
        assert "container_name" not in services[name], name


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
    assert host_ports("ingest") == {APP_SERVICES["ingest"]}
    # the declared default, not what this run's environment may override
    assert host_ports("prometheus") == {StackSettings.model_fields["prometheus_port"].default}
    assert host_ports("grafana") == {3000}
    assert host_ports("alertmanager") == {StackSettings.model_fields["alertmanager_port"].default}


def test_prometheus_sends_alerts_to_alertmanager(services: dict[str, Any]) -> None:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    [alertmanagers] = config["alerting"]["alertmanagers"]
    [static] = alertmanagers["static_configs"]
    [target] = static["targets"]
    host, port = target.split(":")
    assert host == "alertmanager" and "alertmanager" in services["prometheus"]["depends_on"]
    assert services["alertmanager"]["ports"][0]["target"] == int(port)


def test_alertmanager_routes_as_the_native_stack_to_the_receiver(services: dict[str, Any]) -> None:
    """The compose file's routes are the native stack's (one place: alertmanager_config), and
    its webhook is the receiver's address inside the compose network."""
    receiver = services["alert-receiver"]
    assert receiver["command"] == ["serve", "alert-receiver"]
    assert receiver["image"] == services["store"]["image"]
    env = receiver["environment"]
    assert env["JOBSTREAM_ALERT_RECEIVER_HTTP_HOST"] == "0.0.0.0"
    port = int(env["JOBSTREAM_ALERT_RECEIVER_HTTP_PORT"])
    assert healthcheck_url(receiver) == f"http://127.0.0.1:{port}/readyz"
    # It only receives webhooks: no database or Kafka secret is handed to it.
    assert not any("PASSWORD" in name for name in env)
    written = yaml.safe_load(ALERTMANAGER_CONFIG.read_text(encoding="utf-8"))
    group_wait = StackSettings.model_fields["alert_group_wait_seconds"].default
    expected = alertmanager_config(f"http://alert-receiver:{port}/alerts", group_wait)
    assert written == expected
    mounts = {volume["target"]: volume for volume in services["alertmanager"]["volumes"]}
    mount = mounts["/etc/alertmanager/alertmanager.yml"]
    assert Path(mount["source"]) == ALERTMANAGER_CONFIG.resolve() and mount["read_only"]
    assert "--config.file=/etc/alertmanager/alertmanager.yml" in services["alertmanager"]["command"]


def test_kafka_is_a_single_kraft_node_without_topic_auto_creation(
    services: dict[str, Any],
) -> None:
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


def test_postgres_creates_the_roles_the_services_use(services: dict[str, Any]) -> None:
    postgres = services["postgres"]
    env = postgres["environment"]
    assert postgres["image"] == "postgres:15"
    # Healthy only once it listens on TCP, which it does after the init scripts ran.
    assert "pg_isready -h 127.0.0.1" in " ".join(postgres["healthcheck"]["test"])
    init = next(v for v in postgres["volumes"] if v["target"] == "/docker-entrypoint-initdb.d")
    assert Path(init["source"]) == POSTGRES_INIT.resolve() and init["read_only"] is True
    assert any(path.suffix == ".sh" for path in POSTGRES_INIT.iterdir())
    for app in [*APP_SERVICES, "migrate"]:
        app_env = services[app]["environment"]
        assert app_env["JOBSTREAM_PG_DATABASE"] == env["JOBSTREAM_PG_DATABASE"]
        assert app_env["JOBSTREAM_PG_USER"] == env["JOBSTREAM_PG_USER"]
        assert app_env["JOBSTREAM_PG_PASSWORD"] == env["JOBSTREAM_PG_PASSWORD"]
    # The superuser is the image's own, for the init script only.
    assert env["POSTGRES_USER"] not in {env["JOBSTREAM_PG_USER"], env["JOBSTREAM_PG_OWNER_USER"]}


def test_ingest_mounts_an_inbox_its_user_may_write(services: dict[str, Any]) -> None:
    ingest = services["ingest"]
    inbox = ingest["environment"]["JOBSTREAM_INGEST_INBOX_DIR"]
    binds = [volume for volume in ingest["volumes"] if volume["type"] == "bind"]
    [bind] = [volume for volume in binds if volume["target"] == inbox]
    assert Path(bind["source"]) == REPO_ROOT.resolve() / "inbox"
    # Docker creates a missing bind source as root: the one-shot hands it to the app user
    # before ingest starts.
    fix = services["inbox-permissions"]
    assert ingest["depends_on"]["inbox-permissions"]["condition"] == (
        "service_completed_successfully"
    )
    assert fix["user"] == "root" and fix["restart"] == "no"
    assert fix["entrypoint"] == ["chown", f"{APP_USER}:{APP_USER}", inbox]
    [fix_bind] = [volume for volume in fix["volumes"] if volume["target"] == inbox]
    assert fix_bind["source"] == bind["source"]
    dockerfile = (REPO_ROOT / DOCKERFILE).read_text(encoding="utf-8")
    assert f"USER {APP_USER}" in dockerfile


def test_prometheus_loads_the_dns_configuration_and_the_rules(services: dict[str, Any]) -> None:
    mounts = {volume["target"]: volume for volume in services["prometheus"]["volumes"]}
    config_mount = mounts["/etc/prometheus/prometheus.yml"]
    assert Path(config_mount["source"]) == PROMETHEUS_CONFIG.resolve()
    rules = mounts["/etc/prometheus/rules"]
    assert Path(rules["source"]) == (PROMETHEUS_CONFIG.parent / "rules").resolve()
    assert rules["read_only"] is True
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    assert config["global"]["scrape_interval"] == "5s"
    # Relative to the config file: the mounted rules folder beside it in the container.
    assert config["rule_files"] == ["rules/*.yml"]
    for name, job in scrape_jobs().items():
        port = int(services[name]["environment"][f"JOBSTREAM_{name.upper()}_HTTP_PORT"])
        assert job["dns_sd_configs"][0]["port"] == port


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
