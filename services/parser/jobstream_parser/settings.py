"""Parser settings (environment variables `JOBSTREAM_PARSER_*`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jobstream.settings import StageSettings
from jobstream.topology import service


class ParserSettings(StageSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_PARSER_", frozen=True)

    http_port: int = service("parser").http_port
    version_override: str | None = Field(
        None,
        pattern=r"^[0-9][0-9A-Za-z.+-]{0,31}$",
        description="stamp parsed postings with this version instead of the parser's own"
        " (tests simulate an upgrade with it; a canary under another name)",
    )
