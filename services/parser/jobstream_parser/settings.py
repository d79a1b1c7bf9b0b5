"""Parser settings (environment variables `JOBSTREAM_PARSER_*`)."""

from pydantic_settings import SettingsConfigDict

from jobstream.settings import StageSettings


class ParserSettings(StageSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_PARSER_", frozen=True)

    http_port: int = 18102
