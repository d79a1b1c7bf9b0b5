"""Store settings (environment variables `JOBSTREAM_STORE_*`; Postgres: `JOBSTREAM_PG_*`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jobstream.settings import PostgresSettings, ServiceSettings


class StoreSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_STORE_", frozen=True)

    http_port: int = 18104
    batch_size: int = Field(500, ge=1, le=10_000)
    batch_seconds: float = Field(0.2, gt=0, le=10)
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
