"""Store settings (environment variables `JOBSTREAM_STORE_*`; Postgres: `JOBSTREAM_PG_*`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jobstream.settings import PostgresSettings, StageSettings


class StoreSettings(StageSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_STORE_", frozen=True)

    http_port: int = 18104
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    views_refresh_seconds: float = Field(
        30.0,
        gt=0,
        le=86_400,
        description="how often the skill-demand views are refreshed (when postings changed)",
    )
