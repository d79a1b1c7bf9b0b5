"""Ingest settings (environment variables `JOBSTREAM_INGEST_*`)."""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from jobstream.contracts import MAX_TEXT_CHARS
from jobstream.settings import ServiceSettings
from jobstream.topology import MAX_RECORD_BYTES, service
from jobstream_ingest.intake import Limits


class IngestSettings(ServiceSettings):
    # hide_input_in_errors: a refused api_token must not be echoed in the error.
    model_config = SettingsConfigDict(
        env_prefix="JOBSTREAM_INGEST_", frozen=True, hide_input_in_errors=True
    )

    http_port: int = service("ingest").http_port
    inbox_dir: Path | None = Field(None, description="watched folder; default <state dir>/inbox")
    max_file_bytes: int = Field(
        10 * 1024 * 1024,
        ge=1,
        description="larger files read whole, uploads (and gzip contents) are refused; bulk JSON"
        " Lines / CSV files in the inbox and the CLI are streamed, of any size",
    )
    max_text_bytes: int = Field(
        200 * 1024,
        ge=1,
        # a posting is one Kafka record, with room for what later stages add to it
        le=min(MAX_TEXT_CHARS, MAX_RECORD_BYTES // 4),
        description="a posting whose text is longer (UTF-8 bytes) is rejected",
    )
    max_postings_per_file: int = Field(
        10_000,
        ge=1,
        description="an input read whole (JSON, and JSON Lines / CSV sent over HTTP) with more"
        " is rejected",
    )
    max_postings_per_bulk_file: int = Field(
        10_000_000,
        ge=1,
        description="records a streamed JSON Lines / CSV file (inbox, CLI) may hold; the rest"
        " of a longer one is rejected",
    )
    stable_seconds: float = Field(
        0.5, ge=0, description="a file must keep its size this long before it is read"
    )
    rescan_seconds: float = Field(
        5.0, gt=0, description="the inbox is also scanned this often, whatever events say"
    )
    batch_files: int = Field(
        100, ge=1, le=10_000, description="inbox files published together before they move"
    )
    recent_ids: int = Field(
        100_000,
        ge=0,
        description="posting ids the service remembers (already_seen counts repeats of them)",
    )
    api_token: SecretStr | None = Field(
        None,
        min_length=16,
        description="bearer token POST /postings requires; unset: no token needed",
    )
    pause_after_publish_seconds: float = Field(
        0,
        ge=0,
        description="fault injection for tests: wait between publishing and moving inbox files",
    )

    @property
    def inbox(self) -> Path:
        return self.inbox_dir or self.runtime.state_dir / "inbox"

    @property
    def limits(self) -> Limits:
        return Limits(
            self.max_file_bytes,
            self.max_text_bytes,
            self.max_postings_per_file,
            self.max_postings_per_bulk_file,
        )
