"""Store settings (environment variables `JOBSTREAM_STORE_*`; Postgres: `JOBSTREAM_PG_*`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jobstream.settings import PostgresSettings, StageSettings


class StoreSettings(StageSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_STORE_", frozen=True)

    http_port: int = 18104
    # Under load batches fill up to batch_size anyway; when a trickle comes in, a short wait
    # keeps latency low (200 ms cost as much latency as the rest of the pipeline, bench/).
    batch_seconds: float = Field(0.05, gt=0, le=10)
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
