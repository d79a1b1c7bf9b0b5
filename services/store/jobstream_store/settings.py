"""Store settings (environment variables `JOBSTREAM_STORE_*`; Postgres: `JOBSTREAM_PG_*`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jobstream.settings import PostgresSettings, StageSettings
from jobstream.topology import service


class StoreSettings(StageSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_STORE_", frozen=True)

    http_port: int = service("store").http_port
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    # A refresh over 200,000 postings took 84 s on the loaded 2-core machine (docs/read-side.md):
    # weekly figures can wait five minutes, the CPU is better spent writing.
    views_refresh_seconds: float = Field(
        300.0,
        gt=0,
        le=86_400,
        description="how often the skill-demand views are refreshed (when postings changed)",
    )
