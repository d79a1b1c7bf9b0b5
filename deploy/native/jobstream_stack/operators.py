"""Operators' tooling of the native stack, beside Prometheus: what still works when a stage dies.

- the **lag exporter** (`jobstream serve lag-exporter`): brokers, partitions and every
  pipeline group's lag, read from Kafka, not from the stages;
- Debian's **prometheus-postgres-exporter**: PostgreSQL's own metrics, as a role with
  `pg_monitor` only;
- Debian's **prometheus-alertmanager**, routing every alert to a receiver: critical ones to
  `pager`, the rest to `tickets`; both deliver to `JOBSTREAM_STACK_ALERT_WEBHOOK_URL`, or to
- the stack's **alert receiver** (`jobstream serve alert-receiver`), which logs each alert and
  keeps it in `<state>/alerts/alerts.jsonl`.

Each listens on 127.0.0.1 only and is found again through its pid file, like Prometheus.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from pydantic import SecretStr

from jobstream.alert_receiver import AlertReceiverSettings
from jobstream.exporter import LagExporterSettings
from jobstream.settings import PostgresSettings
from jobstream_stack.layout import StackLayout
from jobstream_stack.postgres import PostgresServer, ensure_role
from jobstream_stack.processes import ManagedProcess
from jobstream_stack.services import jobstream_command
from jobstream_stack.settings import StackSettings
from jobstream_stack.steps import StackError, note, step
from jobstream_stack.system import ensure_commands, ensure_port_free

ALERTMANAGER_COMMANDS = {
    "prometheus-alertmanager": "prometheus-alertmanager",
    "amtool": "prometheus-alertmanager",
}
POSTGRES_EXPORTER_COMMANDS = {"prometheus-postgres-exporter": "prometheus-postgres-exporter"}
# Who gets what: the label an alert's route matches, and the receiver it goes to.
RECEIVERS = {"critical": "pager", "warning": "tickets"}
MONITOR_ROLE = "jobstream_monitor"


class HttpProcess(ABC):
    """A background process serving HTTP on a loopback address, ready when `ready_path`
    answers 200."""

    def __init__(
        self, layout: StackLayout, name: str, host: str, port: int, fingerprint: str,
        ready_path: str, timeout: float,
    ) -> None:  # fmt: skip
        self.name, self.host, self.port = name, host, port
        self.ready_path, self.timeout = ready_path, timeout
        self.process = ManagedProcess(
            name=name,
            pid_file=layout.run / f"{name}.pid",
            log_file=layout.logs / f"{name}.log",
            fingerprint=fingerprint,
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def is_ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}{self.ready_path}", timeout=2) as response:  # noqa: S310 - our own loopback URL
                return int(response.status) == 200
        except (urllib.error.URLError, OSError):
            return False

    def launch(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        """Start unless running and ready; wait until ready."""
        if self.process.is_running() and self.is_ready():
            note(f"{self.name} already running on {self.url}")
            return
        ensure_port_free(self.host, self.port, self.name)
        with step(f"start {self.name} on {self.url}"):
            self.process.start(argv, env=env)
            deadline = time.monotonic() + self.timeout
            while not self.is_ready():
                if self.process.has_exited():
                    tail = self.process.log_tail()
                    raise StackError(f"{self.name} exited; its log ends:\n{tail}")
                if time.monotonic() > deadline:
                    raise StackError(f"{self.name} not ready after {self.timeout:.0f} s")
                time.sleep(0.2)

    @abstractmethod
    def start(self) -> None:
        """Install what is missing, configure, and `launch`."""

    def stop(self) -> None:
        if self.process.stop(timeout=30):
            note(f"{self.name} stopped")

    def status(self) -> str:
        pid = self.process.pid()
        if pid is None:
            return "stopped"
        return f"running (pid {pid}), {self.url}" + ("" if self.is_ready() else ", not ready yet")


# -- Alertmanager ------------------------------------------------------------------------------


def alertmanager_config(webhook_url: str, group_wait_seconds: float) -> dict[str, Any]:
    """Every alert reaches a receiver: critical ones `pager`, everything else `tickets`."""
    wait = f"{max(1, round(group_wait_seconds))}s"
    receiver = {"url": webhook_url, "send_resolved": True, "max_alerts": 50}
    return {
        "route": {
            "receiver": RECEIVERS["warning"],
            "group_by": ["alertname", "stage", "consumergroup", "service"],
            "group_wait": wait,
            "group_interval": "5m",
            "repeat_interval": "4h",
            "routes": [
                {"matchers": [f'severity="{severity}"'], "receiver": name}
                for severity, name in RECEIVERS.items()
            ],
        },
        "receivers": [
            {"name": name, "webhook_configs": [dict(receiver)]} for name in RECEIVERS.values()
        ],
    }


class Alertmanager(HttpProcess):
    def __init__(self, layout: StackLayout, stack: StackSettings, webhook_url: str) -> None:
        self.dir = layout.root / "alertmanager"
        self.config_file = self.dir / "alertmanager.yml"
        super().__init__(
            layout, "alertmanager", stack.alertmanager_host, stack.alertmanager_port,
            str(self.config_file), "/-/ready", stack.start_timeout_seconds,
        )  # fmt: skip
        self.stack = stack
        self.webhook_url = webhook_url

    def configure(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        config = alertmanager_config(self.webhook_url, self.stack.alert_group_wait_seconds)
        header = "# Generated by jobstream_stack (operators.py); do not edit.\n"
        self.config_file.write_text(header + yaml.safe_dump(config, sort_keys=False))

    def start(self) -> None:
        ensure_commands(ALERTMANAGER_COMMANDS, start_services=False)
        self.configure()
        self.launch(
            [
                "prometheus-alertmanager",
                f"--config.file={self.config_file}",
                f"--storage.path={self.dir / 'data'}",
                f"--web.listen-address={self.host}:{self.port}",
                # One instance: no gossip port for a cluster of Alertmanagers.
                "--cluster.listen-address=",
            ]
        )


# -- exporters and the receiver ----------------------------------------------------------------


def _address_env(prefix: str, host: str, port: int) -> dict[str, str]:
    """The address a process of ours binds, as its settings read it from the environment."""
    return {f"JOBSTREAM_{prefix}_HTTP_HOST": host, f"JOBSTREAM_{prefix}_HTTP_PORT": str(port)}


class AlertReceiver(HttpProcess):
    def __init__(
        self, layout: StackLayout, stack: StackSettings, settings: AlertReceiverSettings
    ) -> None:
        super().__init__(
            layout, "alert-receiver", settings.http_host, settings.http_port,
            "serve alert-receiver", "/readyz", stack.start_timeout_seconds,
        )  # fmt: skip
        self.env = {
            **os.environ,
            **_address_env("ALERT_RECEIVER", settings.http_host, settings.http_port),
            "JOBSTREAM_ALERT_RECEIVER_LOG_FILE": str(layout.root / "alerts" / "alerts.jsonl"),
        }

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/alerts"

    def start(self) -> None:
        self.launch([jobstream_command(), "serve", "alert-receiver"], self.env)


class LagExporter(HttpProcess):
    def __init__(
        self, layout: StackLayout, stack: StackSettings, settings: LagExporterSettings,
        env: Mapping[str, str] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(
            layout, "lag-exporter", settings.http_host, settings.http_port,
            "serve lag-exporter", "/healthz", stack.start_timeout_seconds,
        )  # fmt: skip
        self.env = {
            **(os.environ if env is None else env),
            **_address_env("LAG_EXPORTER", settings.http_host, settings.http_port),
        }

    def start(self) -> None:
        self.launch([jobstream_command(), "serve", "lag-exporter"], self.env)


class PostgresExporter(HttpProcess):
    """Debian's postgres_exporter, connected as a role that may only read statistics."""

    def __init__(
        self, layout: StackLayout, stack: StackSettings, pg: PostgresSettings,
        server: PostgresServer, role: str = MONITOR_ROLE,
    ) -> None:  # fmt: skip
        super().__init__(
            layout, "postgres-exporter", stack.postgres_exporter_host,
            stack.postgres_exporter_port, f"{stack.postgres_exporter_host}:"
            f"{stack.postgres_exporter_port}", "/metrics", stack.start_timeout_seconds,
        )  # fmt: skip
        self.stack, self.pg, self.server, self.role = stack, pg, server, role
        self.password_file = layout.postgres / f"{role}.password"

    def _password(self) -> str:
        if not self.password_file.exists():
            self.password_file.parent.mkdir(parents=True, exist_ok=True)
            self.password_file.write_text(secrets.token_urlsafe(24))
            self.password_file.chmod(0o600)
        return self.password_file.read_text().strip()

    async def _ensure_role(self, password: str) -> None:
        conn = await self.server.superuser_connection()
        try:
            await ensure_role(conn, self.role, SecretStr(password))
            grant = "SELECT format('GRANT pg_monitor TO %I', $1::text)"
            await conn.execute(await conn.fetchval(grant, self.role))
        finally:
            await conn.close()

    def start(self) -> None:
        ensure_commands(POSTGRES_EXPORTER_COMMANDS, start_services=False)
        password = self._password()
        asyncio.run(self._ensure_role(password))
        # The password travels in the environment, never on the command line (ps shows that).
        dsn = (
            f"postgresql://{self.role}:{password}@{self.pg.host}:{self.pg.port}/"
            f"{self.pg.database}?sslmode=disable"
        )
        self.launch(
            [
                "prometheus-postgres-exporter",
                f"--web.listen-address={self.host}:{self.port}",
                "--disable-settings-metrics",
            ],
            {**os.environ, "DATA_SOURCE_NAME": dsn},
        )


def operators(
    layout: StackLayout, stack: StackSettings, pg: PostgresSettings, server: PostgresServer
) -> tuple[AlertReceiver, Alertmanager, LagExporter, PostgresExporter]:
    """The operators' processes of a stack, in start order."""
    receiver = AlertReceiver(layout, stack, AlertReceiverSettings())
    webhook = stack.alert_webhook_url or receiver.webhook_url
    return (
        receiver,
        Alertmanager(layout, stack, webhook),
        LagExporter(layout, stack, LagExporterSettings()),
        PostgresExporter(layout, stack, pg, server),
    )
