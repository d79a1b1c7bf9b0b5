"""Tagger settings (environment variables `JOBSTREAM_TAGGER_*`)."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jobstream.settings import StageSettings
from jobstream.topology import service


class TaggerSettings(StageSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_TAGGER_", frozen=True)

    http_port: int = service("tagger").http_port
    taxonomy_path: Path | None = Field(
        None,
        description="a taxonomy.json to tag with instead of the packaged one (checked at start)",
    )
    model_path: Path | None = Field(
        None,
        description="a folder of span model files (`jobstream tagger train --out DIR`) to tag "
        "with instead of the packaged model (checked against its card at start)",
    )
