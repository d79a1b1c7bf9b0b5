"""Tagger settings (environment variables `JOBSTREAM_TAGGER_*`)."""

from pydantic_settings import SettingsConfigDict

from jobstream.settings import StageSettings


class TaggerSettings(StageSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_TAGGER_", frozen=True)

    http_port: int = 18103
