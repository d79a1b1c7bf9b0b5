"""Parser settings (environment variables `JOBSTREAM_PARSER_*`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jobstream.settings import ServiceSettings


class ParserSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_PARSER_", frozen=True)

    http_port: int = 18102
    batch_size: int = Field(500, ge=1, le=10_000)
    batch_seconds: float = Field(0.05, gt=0, le=10)
