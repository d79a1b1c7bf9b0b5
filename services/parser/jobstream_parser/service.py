"""The parser service's entry point: raw postings in, parsed postings out (a faust worker)."""

from __future__ import annotations

from jobstream.kafka.worker import run_stage_worker
from jobstream_parser.bootstrap import bootstrap
from jobstream_parser.settings import ParserSettings


def serve(settings: ParserSettings) -> None:
    run_stage_worker(bootstrap(settings))
