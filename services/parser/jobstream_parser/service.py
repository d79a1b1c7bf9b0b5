"""The parser service: raw postings in, parsed postings out (faust worker)."""

from __future__ import annotations

from collections.abc import Callable

from jobstream import metrics
from jobstream.contracts import InvalidEvent, ParsedPosting, RawPosting, decode
from jobstream.kafka.worker import run_stage_worker, transform_handler
from jobstream.topology import PARSER
from jobstream_parser.parse import PARSER_VERSION, NotAPosting, parse
from jobstream_parser.settings import ParserSettings


def parse_record(value: bytes | None) -> ParsedPosting:
    """Decode, parse and count the outcome; the stage core dead-letters what raises."""
    try:
        parsed = parse(decode(RawPosting, value))
    except InvalidEvent:
        metrics.PARSER_OUTCOMES.labels("dead_letter", "invalid_event").inc()
        raise
    except NotAPosting as refused:
        metrics.PARSER_OUTCOMES.labels("dead_letter", refused.reason).inc()
        raise
    except Exception:
        metrics.PARSER_OUTCOMES.labels("dead_letter", "processing_error").inc()
        raise
    metrics.PARSER_OUTCOMES.labels("parsed", "ok").inc()
    for field in parsed.evidence:
        metrics.PARSER_FIELDS_FOUND.labels(field).inc()
    return parsed


def pass_record(value: bytes | None) -> ParsedPosting:
    """The plumbing ceiling's parser: decode and forward the text unparsed (bench only)."""
    raw = decode(RawPosting, value)
    return ParsedPosting(
        posting_id=raw.posting_id,
        received_at=raw.received_at,
        source=raw.source,
        parser_version=PARSER_VERSION,
        text=raw.text,
        provided=raw.provided,
    )


def transform_for(settings: ParserSettings) -> Callable[[bytes | None], ParsedPosting]:
    """`parse_record`, stamping the settings' version override when there is one (or the
    pass-through, for the benchmarks' plumbing ceiling)."""
    if settings.passthrough:
        return pass_record
    version = settings.version_override
    if version is None:
        return parse_record

    def parse_as_version(value: bytes | None) -> ParsedPosting:
        return parse_record(value).model_copy(update={"parser_version": version})

    return parse_as_version


def serve(settings: ParserSettings) -> None:
    transform = transform_for(settings)
    run_stage_worker(
        PARSER,
        settings,
        lambda publisher: transform_handler(PARSER, publisher, transform),
    )
