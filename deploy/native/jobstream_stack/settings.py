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

    kafka_version: str = "4.1.1"
    kafka_controller_port: int = Field(19093, ge=1, le=65_535)
    kafka_heap_mb: int = Field(512, ge=256)
    start_timeout_seconds: float = Field(120, gt=0)
    prometheus_host: str = "127.0.0.1"
    prometheus_port: int = Field(19090, ge=1, le=65_535)
    prometheus_scrape_seconds: float = Field(5, gt=0, le=300)
    prometheus_retention: str = Field("7d", pattern=r"^[0-9]+[smhdwy]$")
    # The supervisor of `stack up` / `stack supervise` (supervision.py says what each does).
    restart_first_backoff_seconds: float = Field(1.0, gt=0)
    restart_max_backoff_seconds: float = Field(60.0, gt=0)
    restart_healthy_after_seconds: float = Field(60.0, gt=0)
    crash_loop_restarts: int = Field(5, ge=2)
    crash_loop_window_seconds: float = Field(300.0, gt=0)

    @property
    def restart_policy(self) -> RestartPolicy:
        return RestartPolicy(
            first_backoff=self.restart_first_backoff_seconds,
            max_backoff=self.restart_max_backoff_seconds,
            healthy_after=self.restart_healthy_after_seconds,
            crash_loop_restarts=self.crash_loop_restarts,
            crash_loop_window=self.crash_loop_window_seconds,
        )
