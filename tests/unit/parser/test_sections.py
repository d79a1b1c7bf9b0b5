# ruff: noqa: RUF001 - real postings use curly quotes
"""Section headings in their spellings, and the quick test that rules out kinds before their
patterns run."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstream_parser.document import Line
from jobstream_parser.heads import literal_heads
from jobstream_parser.sections import _HEADLESS_KINDS, _KINDS, candidate_kinds, heading_of

pytestmark = pytest.mark.unit

# Words of every kind's pattern and what sits around them in headings.
WORDS = sorted({head for _, pattern in _KINDS for head in literal_heads(pattern.pattern) or []})
labels = st.lists(
    st.sampled_from([*WORDS, " ", "-", "'", "s", "what you'll ", "to haves", "ll", ":"])
    | st.text(max_size=6),
    max_size=8,
).map("".join)


def test_every_kind_has_heads_so_the_quick_test_applies() -> None:
    assert not _HEADLESS_KINDS


@settings(max_examples=500, deadline=None)
@given(labels)
def test_a_kind_whose_pattern_matches_is_always_a_candidate(label: str) -> None:
    lowered = label.lower()
    candidates = candidate_kinds(lowered)
    for index, (_, pattern) in enumerate(_KINDS):
        if pattern.search(lowered):
            assert index in candidates, (index, lowered)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Nice to haves", "preferred"),
        ("Must Haves (Required Skills):", "requirements"),
        ("What it takes to catch our eye", "requirements"),
        ("What you’ll do", "responsibilities"),
        ("Sobre a vaga", "summary"),
        ("HOW TO APPLY", "other"),
        ("Acme Robotics", None),
        ("Experience with Kafka", None),
        ("Top 10 Perks", None),
        ("Perks and Benefits", "benefits"),
        ("1. Responsibilities", None),
        ("Benefits: health insurance, 30 days of paid leave.", "benefits"),
    ],
)
def test_heading_spellings(line: str, kind: str | None) -> None:
    heading = heading_of(Line(0, len(line), line))

    assert (heading.kind if heading else None) == kind
