"""The parser's composition root: the stage core around `parse`, wired to Kafka.

`bootstrap(settings)` reads the gazetteer of towns (a broken one stops start-up, before
consuming) and builds the real adapters; a test passes fakes of the ports instead
(`tests/fakes.py`), and the benchmarks' plumbing ceiling passes its own `process`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import jobstream_parser
from jobstream import metrics
from jobstream.contracts import ParsedPosting, RawPosting, decode
from jobstream.ports import Clock, DeadLetterSink, EventSink, SystemClock
from jobstream.stages import BatchOutcome, Record
from jobstream.topology import PARSER
from jobstream.wiring import KafkaPorts, StageService, publishing_stage
from jobstream_parser import geo
from jobstream_parser.parse import parse
from jobstream_parser.settings import ParserSettings

_log = logging.getLogger(__name__)


def parse_record(record: Record) -> ParsedPosting:
    """A raw posting's record to its parsed posting (the stage dead-letters what raises)."""
    return parse(decode(RawPosting, record.value))


def parse_for(settings: ParserSettings) -> Callable[[Record], ParsedPosting]:
    """`parse_record`, stamping the settings' version override when there is one."""
    version = settings.version_override
    if version is None:
        return parse_record

    def parse_as_version(record: Record) -> ParsedPosting:
        return parse_record(record).model_copy(update={"parser_version": version})

    return parse_as_version


def count_outcomes(outcome: BatchOutcome[ParsedPosting]) -> None:
    """The parser's own view of a batch: postings parsed (and the fields found in them), and
    dead letters by reason."""
    for letter in outcome.dead_letters:
        metrics.PARSER_OUTCOMES.labels("dead_letter", letter.reason).inc()
    metrics.PARSER_OUTCOMES.labels("parsed", "ok").inc(len(outcome.delivered))
    for parsed in outcome.delivered:
        for field in parsed.evidence:
            metrics.PARSER_FIELDS_FOUND.labels(field).inc()


def bootstrap(
    settings: ParserSettings,
    *,
    events: EventSink | None = None,
    dead_letters: DeadLetterSink | None = None,
    clock: Clock | None = None,
    process: Callable[[Record], ParsedPosting] | None = None,
) -> StageService:
    geo.load_towns()
    # "python" where `make` could not compile the parser (or a source changed since): slower.
    _log.info("parser modules: %s build", jobstream_parser.BUILD)
    kafka = KafkaPorts.for_settings(settings, events, dead_letters)
    core = publishing_stage(
        PARSER,
        settings,
        process or parse_for(settings),
        events=kafka.events,
        dead_letters=kafka.dead_letters,
        clock=clock or SystemClock(),
        on_outcome=count_outcomes,
    )
    return StageService(PARSER, settings, core, kafka.resources, kafka.checks())
