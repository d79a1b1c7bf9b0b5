"""The parser's speed-ups that remember what a line says (bounded caches keyed by the line's
text) and its gates read from the one anchor pass: the same findings as reading afresh."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstream_parser.anchors import ANCHORS
from jobstream_parser.cleaning import clean
from jobstream_parser.document import Document, Line
from jobstream_parser.places import find_locations
from jobstream_parser.sections import find_sections, heading_of

pytestmark = pytest.mark.unit


def test_a_remembered_heading_starts_its_body_where_this_line_is() -> None:
    label = "Requirements: " + "Python, SQL and distributed systems at scale, " * 2
    heading_line = "Nice to have"
    for start in (0, 500, 12):
        heading = heading_of(Line(start, start + len(label), label))
        assert heading is not None
        assert (heading.kind, heading.text) == ("requirements", "Requirements")
        assert heading.body_start == start + len("Requirements: ")
        whole = heading_of(Line(start, start + len(heading_line), heading_line))
        assert whole == ("preferred", heading_line, start + len(heading_line))


def test_sections_of_a_repeated_line_are_where_each_text_has_them() -> None:
    body = "Requirements:\n- 5 years of Go\n"
    for prefix in ("", "Senior Engineer\nAcme\n\n", "x" * 300 + "\n"):
        text = clean(prefix + body).text
        sections = find_sections(Document(text))
        assert [(s.kind, text[s.start : s.end]) for s in sections][-1] == (
            "requirements",
            "- 5 years of Go",
        )


def test_a_remembered_legal_paragraph_is_a_section_in_each_text() -> None:
    notice = "Acme is an equal opportunity employer and does not discriminate against anyone."
    for prefix in ("", "Engineer\n\nWe build things.\n"):
        text = clean(prefix + notice + "\n").text
        sections = find_sections(Document(text))
        assert [(s.kind, text[s.start : s.end]) for s in sections][-1] == ("legal", notice)


def test_a_remembered_place_is_spanned_in_the_text_at_hand() -> None:
    for prefix in ("", "Data Engineer\n", "Data Engineer\nAcme Robotics\nSome words here\n"):
        text = prefix + "Location: Berlin, Germany\nWe build things.\n"
        document = Document(text)
        places = find_locations(document, document.head)
        assert [(p.city, p.country_code) for p in places] == [("Berlin", "DE")]
        start, end = places[0].span or (0, 0)
        assert text[start:end] == "Berlin, Germany"


def test_a_footer_line_seen_early_in_one_text_ends_a_later_text() -> None:
    # The cleaned form of "Similar jobs" is remembered from the first text, where it is too
    # early to be a board's footer; in the second it comes after enough lines and ends it.
    early = clean("Engineer\nSimilar jobs\nWe build things.\n")
    assert "Similar jobs" in early.text
    late = clean("Engineer\nAcme\nLine three\nLine four\nLine five\nSimilar jobs\nOther job\n")
    assert late.text.endswith("Line five")
    assert late.boilerplate_lines == 2


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [word for name in ("no_experience", "based_at", "zone") for word in ANCHORS[name]]
            + ["Keine", "BASÉ", "Hour", "experience", "x", " ", "\n", "İ", "sin", "grad"]
        ),
        max_size=12,
    )
)
def test_gates_say_what_a_substring_test_says(words: list[str]) -> None:
    document = Document("".join(words))
    for name in ("no_experience", "based_at", "zone"):
        expected = any(word in document.lower for word in ANCHORS[name])
        assert document.mentions(name) is expected
