"""The plumbing ceiling's pass-through stages (bench/passthrough.py): same events, no work."""

from __future__ import annotations

import pytest

from bench.passthrough import pass_parsed_with, pass_raw
from jobstream.contracts import RawPosting, Source, TaggedPosting, encode
from jobstream.stages import Record
from jobstream_tagger.taxonomy import load_taxonomy
from tests.fakes import FakeClock
from tests.support import parsed_posting

pytestmark = pytest.mark.unit


def test_the_parser_pass_through_forwards_the_text_unparsed() -> None:
    raw = RawPosting.from_text(
        "Contract: Data Engineer\nRequirements\n- SQL", Source(channel="cli")
    )
    event = pass_raw(Record("raw", 0, 0, None, encode(raw)))
    assert (event.posting_id, event.received_at, event.text) == (
        raw.posting_id,
        raw.received_at,
        raw.text,
    )
    assert event.employment_type is None and event.sections == []  # nothing parsed


def test_the_tagger_pass_through_forwards_without_tagging() -> None:
    text = "We use Python and Kafka."
    parsed = parsed_posting(text, parser_version="0.0.0")
    taxonomy = load_taxonomy()

    tagged = pass_parsed_with(taxonomy, FakeClock())(Record("parsed", 0, 0, None, encode(parsed)))

    assert (tagged.posting_id, tagged.text, tagged.skills) == (parsed.posting_id, text, [])
    assert tagged.taxonomy_version == taxonomy.version and tagged.tagged_at == FakeClock().now()
    assert TaggedPosting.model_validate_json(tagged.model_dump_json()) == tagged
