"""The parser service: raw postings in, parsed postings out (faust worker)."""

from __future__ import annotations

from jobstream.contracts import ParsedPosting, RawPosting, decode
from jobstream.kafka.worker import run_stage_worker, transform_handler
from jobstream.topology import PARSER
from jobstream_parser.parse import parse
from jobstream_parser.settings import ParserSettings


def parse_record(value: bytes | None) -> ParsedPosting:
    return parse(decode(RawPosting, value))


def serve(settings: ParserSettings) -> None:
    run_stage_worker(
        PARSER,
        settings,
        lambda publisher: transform_handler(PARSER, publisher, parse_record),
    )
