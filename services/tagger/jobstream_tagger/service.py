"""The tagger service: parsed postings in, skill-tagged postings out (faust worker)."""

from __future__ import annotations

from collections.abc import Callable

from jobstream.contracts import ParsedPosting, TaggedPosting, decode, utc_now
from jobstream.kafka.worker import run_stage_worker, transform_handler
from jobstream.topology import TAGGER
from jobstream_tagger.settings import TaggerSettings
from jobstream_tagger.tag import tag
from jobstream_tagger.taxonomy import Taxonomy, load_taxonomy


def tag_records_with(taxonomy: Taxonomy) -> Callable[[bytes | None], TaggedPosting]:
    def tag_record(value: bytes | None) -> TaggedPosting:
        tagged = tag(decode(ParsedPosting, value), taxonomy)
        # Stamped here, at the edge: the pure tagger does not read clocks.
        return tagged.model_copy(update={"tagged_at": utc_now()})

    return tag_record


def serve(settings: TaggerSettings) -> None:
    taxonomy = load_taxonomy()  # once, before consuming: a broken taxonomy stops start-up
    run_stage_worker(
        TAGGER,
        settings,
        lambda publisher: transform_handler(TAGGER, publisher, tag_records_with(taxonomy)),
    )
