"""Unknown skill-like terms: found next to strong cues, reported, never tagged.

Which terms are unknown depends on what was tagged; the cue rules are tested against the
taxonomy's matches alone (they do not change when the span model is trained again)."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from jobstream.ports import SystemClock
from jobstream.stages import Record
from jobstream_tagger.bootstrap import tag_records_with
from jobstream_tagger.tag import taxonomy_mentions
from jobstream_tagger.taxonomy import load_taxonomy
from jobstream_tagger.tools.inspection import tag_text
from jobstream_tagger.unknown import find_unknown_terms
from tests.support import parsed_posting

pytestmark = pytest.mark.unit


def _terms(text: str) -> list[str]:
    tagged = [(start, end) for start, end, _, _ in taxonomy_mentions(text, load_taxonomy())]
    return [term.term for term in find_unknown_terms(text, tagged)]


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Experience with Snowplow is required.", ["Snowplow"]),
        ("Hands-on experience with Dagster, Prefect and Kafka.", ["Dagster", "Prefect"]),
        ("Proficiency in Zig or Nim", ["Zig", "Nim"]),
        ("familiarity with tRPC and Vite.js", ["tRPC", "Vite.js"]),
        ("Knowledge of Foo Bar Baz Qux", ["Foo Bar Baz"]),  # at most three words
        ("Experience working with Snowflake", []),  # known: tagged, so not unknown
        ("experience with large scale systems", []),  # plain words are not names
        ("Experience with The Platform", []),  # usual capitalised openers
        ("We like Snowplow.", []),  # no cue
    ],
)
def test_terms_next_to_cues(text: str, terms: list[str]) -> None:
    assert _terms(text) == terms


def test_unknown_terms_are_neither_tagged_nor_found_by_the_model() -> None:
    text = "Experience with Snowplow and Kafka; proficiency in Zig, familiarity with tRPC."
    tagging = tag_text(text, load_taxonomy())

    spans = [(span.start, span.end) for skill in tagging.posting.skills for span in skill.spans]
    assert "kafka" in {skill.skill_id for skill in tagging.posting.skills}
    for term in tagging.unknown_terms:
        assert text[term.start : term.end] == term.term
        assert not any(start < term.end and term.start < end for start, end in spans)
    # Each of the three names is either found by the span model (unlinked) or reported.
    unlinked = {skill.name.lower() for skill in tagging.posting.skills if not skill.linked}
    reported = {term.term.lower() for term in tagging.unknown_terms}
    for name in ("snowplow", "zig", "trpc"):
        assert any(name in found for found in unlinked | reported), name


def test_a_flood_of_cues_is_bounded() -> None:
    text = "Experience with Alpha1, Beta2, Gamma3. " * 100

    assert len(find_unknown_terms(text, [])) == 20


def test_the_service_counts_unknown_terms_by_cue() -> None:
    def count() -> float:
        value = REGISTRY.get_sample_value(
            "jobstream_tagger_unknown_terms_total", {"cue": "proficiency"}
        )
        return value or 0.0

    text = "Proficiency in Zig and Nim; experience with Kafka."
    parsed = parsed_posting(text)
    before = count()

    record = Record("parsed", 0, 0, None, parsed.model_dump_json().encode())
    tagged = tag_records_with(load_taxonomy(), SystemClock())(record)
    expected = tag_text(text, load_taxonomy()).unknown_terms

    assert [skill.skill_id for skill in tagged.skills if skill.linked] == ["kafka"]
    assert count() - before == sum(term.cue == "proficiency" for term in expected)


def test_a_degree_mention_that_holds_its_field_counts_as_covered() -> None:
    # "Master degree in Computer Science" is one mention over the field's own mention.
    text = "Experience with a Master degree in Computer Science, experience with Snowplow."

    assert _terms(text) == ["Snowplow"]
