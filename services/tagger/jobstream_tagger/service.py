"""The tagger service: parsed postings in, skill-tagged postings out (faust worker)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from jobstream import metrics
from jobstream.contracts import ParsedPosting, TaggedPosting, decode, utc_now
from jobstream.kafka.worker import run_stage_worker, transform_handler
from jobstream.logs import configure_logging, get_logger
from jobstream.topology import TAGGER
from jobstream_tagger.occupation import load_coder
from jobstream_tagger.settings import TaggerSettings
from jobstream_tagger.tag import analyse, matcher_for
from jobstream_tagger.taxonomy import Taxonomy, load_taxonomy
from jobstream_tagger.unknown import UnknownTerm

log = get_logger(__name__)


def tag_records_with(taxonomy: Taxonomy) -> Callable[[bytes | None], TaggedPosting]:
    def tag_record(value: bytes | None) -> TaggedPosting:
        parsed = decode(ParsedPosting, value)
        tagging = analyse(parsed, taxonomy)
        if tagging.unknown_terms:
            report_unknown_terms(parsed.posting_id, tagging.unknown_terms)
        # Stamped here, at the edge: the pure tagger does not read clocks.
        return tagging.posting.model_copy(update={"tagged_at": utc_now()})

    return tag_record


def pass_records_with(taxonomy: Taxonomy) -> Callable[[bytes | None], TaggedPosting]:
    """The plumbing ceiling's tagger: decode and forward with no skills (bench only)."""

    def pass_record(value: bytes | None) -> TaggedPosting:
        parsed = decode(ParsedPosting, value)
        return TaggedPosting.model_construct(
            **dict(parsed),
            taxonomy_version=taxonomy.version,
            skills=[],
            occupation=None,
            tagged_at=utc_now(),
        )

    return pass_record


def report_unknown_terms(posting_id: str, terms: Sequence[UnknownTerm]) -> None:
    """Count unknown skill-like terms by cue word and log them, so the taxonomy can grow."""
    for term in terms:
        metrics.TAGGER_UNKNOWN_TERMS.labels(term.cue).inc()
    log.info(
        "unknown skill-like terms",
        posting_id=posting_id,
        terms=sorted({term.term for term in terms}),
    )


def taxonomy_for(settings: TaggerSettings) -> Taxonomy:
    """The packaged taxonomy, or the file the settings name."""
    if settings.taxonomy_path is None:
        return load_taxonomy()
    return Taxonomy.from_json(settings.taxonomy_path.read_bytes())


def serve(settings: TaggerSettings) -> None:
    # Before the first line is logged: it too must be a JSON line (run_stage_worker configures
    # logging again, the same way).
    configure_logging(TAGGER.name, settings.runtime.log_level)
    taxonomy = taxonomy_for(settings)  # once, before consuming: a broken one stops start-up
    matcher_for(taxonomy)  # build the automaton before the first batch, not during it
    load_coder()  # and the occupation index
    # The taxonomy and automaton tables are some 100,000 objects that live as long as the
    # process: run_stage_worker freezes them with the rest of start-up, which keeps the garbage
    # collector from walking them again and again while tagging (a tenth of its time otherwise).
    log.info("taxonomy loaded", version=taxonomy.version, skills=len(taxonomy))
    transform = (pass_records_with if settings.passthrough else tag_records_with)(taxonomy)
    run_stage_worker(
        TAGGER, settings, lambda publisher: transform_handler(TAGGER, publisher, transform)
    )
