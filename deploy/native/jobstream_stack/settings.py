"""Settings of the native stack (environment variables `JOBSTREAM_STACK_*`).

Where Kafka and PostgreSQL listen comes from the settings the services use
(`JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS`, `JOBSTREAM_PG_HOST` / `JOBSTREAM_PG_PORT`), so the stack
and its clients cannot disagree.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jobstream_stack.supervision import RestartPolicy


class StackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_STACK_", frozen=True)

    kafka_version: str = Field("4.1.1", description="Kafka version resolved from Maven Central")
    kafka_controller_port: int = Field(
        19093, ge=1, le=65_535, description="the KRaft controller's port"
    )
    kafka_heap_mb: int = Field(512, ge=256, description="the broker's Java heap")
    start_timeout_seconds: float = Field(
        120, gt=0, description="how long a server or service may take to become ready"
    )
    prometheus_host: str = Field("127.0.0.1", description="address of the stack's Prometheus")
    prometheus_port: int = Field(19090, ge=1, le=65_535, description="its port")
    prometheus_scrape_seconds: float = Field(
        5, gt=0, le=300, description="how often it scrapes the services"
    )
    prometheus_retention: str = Field(
        "7d", pattern=r"^[0-9]+[smhdwy]$", description="how long it keeps samples"
    )
    # The supervisor of `stack up` / `stack supervise` (supervision.py says what each does).
    restart_first_backoff_seconds: float = Field(
        1.0, gt=0, description="the supervisor's first wait before starting a program again"
    )
    restart_max_backoff_seconds: float = Field(
        60.0, gt=0, description="the longest wait (the wait doubles after each quick exit)"
    )
    restart_healthy_after_seconds: float = Field(
        60.0, gt=0, description="a program up this long starts its backoff over"
    )
    crash_loop_restarts: int = Field(
        5, ge=2, description="this many restarts within the window: crash-looping (reported)"
    )
    crash_loop_window_seconds: float = Field(
        300.0, gt=0, description="the window crash loops are counted in"
    )
    supervisor_metrics_host: str = Field(
        "127.0.0.1", description="address of the supervisor's /metrics (restarts, crash loops)"
    )
    supervisor_metrics_port: int = Field(19309, ge=1, le=65_535, description="its port")

    @property
    def restart_policy(self) -> RestartPolicy:
        return RestartPolicy(
            first_backoff=self.restart_first_backoff_seconds,
            max_backoff=self.restart_max_backoff_seconds,
            healthy_after=self.restart_healthy_after_seconds,
            crash_loop_restarts=self.crash_loop_restarts,
            crash_loop_window=self.crash_loop_window_seconds,
        )

    # Operators' tooling (jobstream_stack.operators); the lag exporter's and the alert
    # receiver's addresses are their own settings (JOBSTREAM_LAG_EXPORTER_*,
    # JOBSTREAM_ALERT_RECEIVER_*), as for every service.
    alertmanager_host: str = Field("127.0.0.1", description="address of the stack's Alertmanager")
    alertmanager_port: int = Field(19095, ge=1, le=65_535, description="its port")
    alert_group_wait_seconds: float = Field(
        30, gt=0, le=3600, description="Alertmanager waits this long to group a new alert"
    )
    alert_webhook_url: str | None = Field(
        None, description="where Alertmanager delivers alerts; unset: the stack's receiver"
    )
    postgres_exporter_host: str = Field(
        "127.0.0.1", description="address of the stack's postgres_exporter"
    )
    postgres_exporter_port: int = Field(19187, ge=1, le=65_535, description="its port")
