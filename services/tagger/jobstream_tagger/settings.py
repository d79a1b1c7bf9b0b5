"""Tagger settings (environment variables `JOBSTREAM_TAGGER_*`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jobstream.settings import ServiceSettings


class TaggerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_TAGGER_", frozen=True)

    http_port: int = 18103
    batch_size: int = Field(500, ge=1, le=10_000)
    batch_seconds: float = Field(0.05, gt=0, le=10)
