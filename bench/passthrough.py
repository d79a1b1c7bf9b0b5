"""The plumbing ceiling's parser and tagger: the real stages, wired by their own bootstraps,
with a pass-through in place of parsing or tagging. Every hop, every event decoded and encoded,
the same database write; no parsing, no tagging. Benchmarks only (`bench/pipeline.py` starts
them as `python -m bench.passthrough serve parser|tagger`): production code has no such mode.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from jobstream.contracts import ParsedPosting, RawPosting, TaggedPosting, decode
from jobstream.kafka.worker import run_stage_worker
from jobstream.logs import configure_logging
from jobstream.ports import Clock, SystemClock
from jobstream.stages import Record
from jobstream_parser import bootstrap as parser
from jobstream_parser.parse import PARSER_VERSION
from jobstream_parser.settings import ParserSettings
from jobstream_tagger import bootstrap as tagger
from jobstream_tagger.settings import TaggerSettings
from jobstream_tagger.taxonomy import Taxonomy

SERVICES = ("parser", "tagger")


def pass_raw(record: Record) -> ParsedPosting:
    """Decode a raw posting and forward its text unparsed."""
    raw = decode(RawPosting, record.value)
    return ParsedPosting(
        posting_id=raw.posting_id,
        received_at=raw.received_at,
        source=raw.source,
        parser_version=PARSER_VERSION,
        text=raw.text,
        provided=raw.provided,
    )


def pass_parsed_with(taxonomy: Taxonomy, clock: Clock) -> Callable[[Record], TaggedPosting]:
    """Decode a parsed posting and forward it with no skills."""

    def pass_parsed(record: Record) -> TaggedPosting:
        parsed = decode(ParsedPosting, record.value)
        return TaggedPosting.model_construct(
            **dict(parsed),
            taxonomy_version=taxonomy.version,
            skills=[],
            occupation=None,
            tagged_at=clock.now(),
        )

    return pass_parsed


def serve(service: str) -> None:
    if service == "parser":
        run_stage_worker(parser.bootstrap(ParserSettings(), process=pass_raw))
        return
    settings = TaggerSettings()
    configure_logging("tagger", settings.runtime.log_level)
    taxonomy = tagger.taxonomy_for(settings)
    process = pass_parsed_with(taxonomy, SystemClock())
    run_stage_worker(tagger.bootstrap(settings, taxonomy=taxonomy, process=process))


def command(service: str) -> list[str]:
    """The command line of a pass-through stage (its `serve <name>` names the process)."""
    return [sys.executable, "-m", "bench.passthrough", "serve", service]


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "serve" or sys.argv[2] not in SERVICES:
        sys.exit(f"usage: python -m bench.passthrough serve {{{','.join(SERVICES)}}}")
    serve(sys.argv[2])
