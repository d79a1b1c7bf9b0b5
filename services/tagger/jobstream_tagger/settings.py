"""Tagger settings (environment variables `JOBSTREAM_TAGGER_*`)."""

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from jobstream.settings import StageSettings


class TaggerSettings(StageSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_TAGGER_", frozen=True)

    http_port: int = 18103
    # A taxonomy.json to tag with instead of the packaged one (same format; checked at start).
    taxonomy_path: Path | None = None
    # A folder with span model files (`jobstream tagger train --out DIR`) to tag with instead
    # of the packaged model (checked against its card at start).
    model_path: Path | None = None
    # Benchmarks only (bench/pipeline.py measures the plumbing ceiling with it): forward the
    # parsed posting with no skills, without tagging: same hops, same database write.
    passthrough: bool = False
