"""The tagger's composition root: the stage core around `analyse`, wired to Kafka.

`bootstrap(settings)` loads the taxonomy (a broken one stops start-up, before consuming) and
builds the real adapters; a test passes a taxonomy and fakes of the ports instead
(`tests/fakes.py`), and the benchmarks' plumbing ceiling passes its own `process`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from prometheus_client import Counter

from jobstream import metrics
from jobstream.contracts import ParsedPosting, TaggedPosting, TaggedSkill, decode
from jobstream.logs import get_logger
from jobstream.ports import Clock, DeadLetterSink, EventSink, SystemClock
from jobstream.stages import Record
from jobstream.topology import TAGGER
from jobstream.wiring import KafkaPorts, StageService, publishing_stage
from jobstream_tagger import output
from jobstream_tagger.occupation import load_coder
from jobstream_tagger.settings import TaggerSettings
from jobstream_tagger.spans.model import SpanModel, load_span_model
from jobstream_tagger.tag import analyse, matcher_for, span_model
from jobstream_tagger.taxonomy import Taxonomy, load_taxonomy
from jobstream_tagger.unknown import UnknownTerm

log = get_logger(__name__)


def tag_records_with(
    taxonomy: Taxonomy, clock: Clock, model: SpanModel | None = None
) -> Callable[[Record], TaggedPosting]:
    def tag_record(record: Record) -> TaggedPosting:
        parsed = decode(ParsedPosting, record.value)
        tagging = analyse(parsed, taxonomy, model)
        if tagging.unknown_terms:
            report_unknown_terms(parsed.posting_id, tagging.unknown_terms)
        count_unlinked(tagging.posting.skills)
        # Stamped here, at the edge: the pure tagger does not read clocks.
        return output.stamped(tagging.posting, clock.now())

    return tag_record


def report_unknown_terms(posting_id: str, terms: Sequence[UnknownTerm]) -> None:
    """Count unknown skill-like terms by cue word and log them, so the taxonomy can grow."""
    for term in terms:
        metrics.TAGGER_UNKNOWN_TERMS.labels(term.cue).inc()
    log.info(
        "unknown skill-like terms",
        posting_id=posting_id,
        terms=sorted({term.term for term in terms}),
    )


def count_unlinked(skills: Sequence[TaggedSkill]) -> None:
    """Count the skills no taxonomy entry names, by layer (what the taxonomy could learn)."""
    by_layer: dict[str, int] = {}
    for skill in skills:
        if not skill.linked:
            by_layer[skill.category] = by_layer.get(skill.category, 0) + 1  # its layer
    for layer, count in by_layer.items():
        _unlinked_counter(layer).inc(count)


@functools.cache
def _unlinked_counter(layer: str) -> Counter:
    """The counter's child of a layer (`labels()` costs a lock and a dict look-up a call)."""
    return metrics.TAGGER_UNLINKED_SKILLS.labels(layer)


def model_for(settings: TaggerSettings) -> SpanModel:
    """The packaged span model, or the one in the folder the settings name."""
    if settings.model_path is None:
        return span_model()
    return load_span_model(settings.model_path)


def taxonomy_for(settings: TaggerSettings) -> Taxonomy:
    """The packaged taxonomy, or the file the settings name."""
    if settings.taxonomy_path is None:
        return load_taxonomy()
    return Taxonomy.from_json(settings.taxonomy_path.read_bytes())


def bootstrap(
    settings: TaggerSettings,
    *,
    taxonomy: Taxonomy | None = None,
    events: EventSink | None = None,
    dead_letters: DeadLetterSink | None = None,
    clock: Clock | None = None,
    process: Callable[[Record], TaggedPosting] | None = None,
) -> StageService:
    clock = clock or SystemClock()
    if taxonomy is None:
        taxonomy = taxonomy_for(settings)
        log.info("taxonomy loaded", version=taxonomy.version, skills=len(taxonomy))
    # The automaton is built now, before the first batch, not during it. The taxonomy and
    # its tables are some 100,000 objects that live as long as the process: the worker
    # freezes them with the rest of start-up, which keeps the garbage collector from walking
    # them again and again while tagging (a tenth of its time otherwise).
    matcher_for(taxonomy)
    load_coder()  # and the occupation index
    model = model_for(settings)  # checked against its card: a broken one stops start-up
    log.info("span model loaded", version=model.version)
    kafka = KafkaPorts.for_settings(settings, events, dead_letters)
    core = publishing_stage(
        TAGGER,
        settings,
        process or tag_records_with(taxonomy, clock, model),
        events=kafka.events,
        dead_letters=kafka.dead_letters,
        clock=clock,
    )
    return StageService(TAGGER, settings, core, kafka.resources, kafka.checks())
