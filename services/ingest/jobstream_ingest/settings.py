"""Ingest settings (environment variables `JOBSTREAM_INGEST_*`)."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jobstream.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_INGEST_", frozen=True)

    http_port: int = 18101
    inbox_dir: Path | None = Field(None, description="watched folder; default <state dir>/inbox")
    max_file_bytes: int = Field(5 * 1024 * 1024, ge=1)
    stable_seconds: float = Field(
        0.5, ge=0, description="a file must keep its size this long before it is read"
    )

    @property
    def inbox(self) -> Path:
        return self.inbox_dir or self.runtime.state_dir / "inbox"
