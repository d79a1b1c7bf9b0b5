"""Replay settings (environment variables `JOBSTREAM_REPLAY_*`; Kafka: `JOBSTREAM_KAFKA_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jobstream.settings import KafkaSettings, RuntimeSettings

# The metrics endpoint of a running replay listens here only (never on other interfaces).
METRICS_HOST = "127.0.0.1"


class ReplaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_REPLAY_", frozen=True)

    batch_size: int = Field(500, ge=1, le=10_000, description="records read and sent per batch")
    checkpoint_dir: Path | None = Field(
        None, description="where checkpoints are kept; default JOBSTREAM_STATE_DIR/replay"
    )
    stall_seconds: float = Field(
        30, gt=0, le=3_600, description="give up when a partition makes no progress this long"
    )
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)

    @property
    def checkpoints(self) -> Path:
        return self.checkpoint_dir or self.runtime.state_dir / "replay"
