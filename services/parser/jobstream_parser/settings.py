"""Parser settings (environment variables `JOBSTREAM_PARSER_*`)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jobstream.settings import StageSettings
from jobstream.topology import service


class ParserSettings(StageSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_PARSER_", frozen=True)

    http_port: int = service("parser").http_port
    # Stamps parsed postings with this version instead of the code's PARSER_VERSION. For
    # tests that simulate a parser upgrade (and a canary under another name); leave unset.
    version_override: str | None = Field(None, pattern=r"^[0-9][0-9A-Za-z.+-]{0,31}$")
