"""The tagger service's entry point: parsed postings in, skill-tagged postings out (a faust
worker)."""

from __future__ import annotations

from jobstream.kafka.worker import run_stage_worker
from jobstream.logs import configure_logging
from jobstream.topology import TAGGER
from jobstream_tagger.bootstrap import bootstrap
from jobstream_tagger.settings import TaggerSettings


def serve(settings: TaggerSettings) -> None:
    # Before the first line is logged (loading the taxonomy): it too must be a JSON line.
    configure_logging(TAGGER.name, settings.runtime.log_level)
    run_stage_worker(bootstrap(settings))
