# ruff: noqa: RUF001 - real postings use curly quotes and accented letters
"""Literal heads of patterns (what every match starts with) and the searches they speed up:
`Document.find` finds what `pattern.search` finds in the same slice of the text, and
`Document.search` what it finds between the same offsets of the whole text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstream_parser import experience, money, parse, people, sections
from jobstream_parser.anchors import lowered
from jobstream_parser.document import Document
from jobstream_parser.heads import alternatives, finditer, head_finder, literal_heads, search
from jobstream_parser.language import find_language

pytestmark = pytest.mark.unit


def test_alternatives_split_at_the_top_level_only() -> None:
    assert alternatives(r"a|b(?:c|d)|[|(]e|\|f") == ["a", "b(?:c|d)", "[|(]e", r"\|f"]


@pytest.mark.parametrize(
    ("source", "heads"),
    [
        (r"salar|\bpay\b", ["salar", "pay"]),
        ("nice[- ]to[- ]haves?", ["nice"]),
        (r"missions?\b", ["mission"]),
        ("what you(?:'ll)? bring", ["what you"]),
        ("(?P<year>annual|yearly)|(?P<hour>hourly)", ["annual", "yearly", "hourly"]),
        ("(?:up to|max(?:imum)?)[ ]?:?$", ["up to", "max"]),
        (r"(?<![\w-])(?:full|part)[- ]time", ["full", "part"]),
        (r"^(?:url|link)[ ]?:", ["url", "link"]),
        (r"\$\d", ["$"]),
        ("ab{2}", ["a"]),
        ("5+ years", ["5"]),
        # An optional group or class: its heads, and those of what follows it.
        ("(?:a|b)?c", ["a", "b", "c"]),
        ("(?:fully |full(?:y)? )?remote", ["fully ", "full", "remote"]),
        ("[ab]*c", ["a", "b", "c"]),
        ("(?:a)?", None),
        ("(?:a)??b", None),
        ("(?:a){0,2}b", None),
        ("(?:a|)c", None),
        # A small class of literal characters: each of them.
        ("[abc]d", ["a", "b", "c"]),
        ("(?:[1-4]|one) days?", ["1", "2", "3", "4", "one"]),
        (r"[\-a]x", ["-", "a"]),
        ("[a-]", ["a", "-"]),
        ("[^a]b", None),
        (r"[a\w]b", None),
        ("[a-z]", None),
        (r"\d+", None),
        ("(?i:abc)", None),
        ("abc|.x", None),
    ],
)
def test_literal_heads_are_what_every_match_starts_with(
    source: str, heads: list[str] | None
) -> None:
    assert literal_heads(source) == heads


def test_verbose_patterns_have_no_known_heads() -> None:
    assert head_finder(re.compile("a b", re.VERBOSE)) is None


# The patterns the extractors look for with `Document.find`, and text that holds their words.
FOUND = [
    money._CUE, money._NOT_PAY, money._PERIOD_BEFORE, money._UP_TO, money._FROM,
    sections._LEGAL_TEXT, experience._CUE, experience._NOT_EXPERIENCE, people._PREFERRED_WORDS,
]  # fmt: skip
PIECES = [
    "Salary", "PAY", "paid", "base", "Base", "rate", "Rates", "wages", "Compensation", "OTE",
    "Vergütung", "Rémunération", "stipend", "Budget", "Annual", "HOURLY", "day rate", "up to",
    "Up To", "max", "from ", "At least", "à partir de", "Equal Opportunity", "does not",
    "discriminate", "E-Verify", "experience", "Experiência", "as a Senior Engineer", "for the",
    "AGO", "a plus", "Nice to have", "Senior ENGINEER", "Product Managers", "Entwicklerin",
    "Remote", "On-site", "Careers", "Jobs", "roles", "Hiring", "Benefits", "Stelle",
    "İ", "ı", "ſ", "K", " ", "\n", ": ", ",", "$", "5",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(0, 200), st.integers(0, 200))
def test_find_finds_what_search_finds_in_the_slice(text: str, first: int, second: int) -> None:
    document = Document(text)
    start, end = sorted((first, second))
    for pattern in FOUND:
        found = document.find(pattern, start, end)
        expected = pattern.search(text[start:end])
        assert (found and (found.span(), found.lastgroup)) == (
            expected and (expected.span(), expected.lastgroup)
        ), pattern.pattern[:40]
        searched, expected = document.search(pattern, start, end), pattern.search(text, start, end)
        assert (searched and (searched.span(), searched.lastgroup)) == (
            expected and (expected.span(), expected.lastgroup)
        ), pattern.pattern[:40]


# Patterns searched for in short strings (a title, a company's name) with `search`, and in the
# text with `finditer`.
SEARCHED = [
    parse._JOB_WORDS,
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(texts)
def test_search_finds_what_the_pattern_finds(text: str) -> None:
    for pattern in SEARCHED:
        found, expected = search(pattern, text), pattern.search(text)
        assert (found and found.span()) == (expected and expected.span()), pattern.pattern[:40]
        spans = [match.span() for match in finditer(pattern, text)]
        assert spans == [match.span() for match in pattern.finditer(text)], pattern.pattern[:40]


def test_the_patterns_found_have_heads() -> None:
    assert all(head_finder(pattern) is not None for pattern in [*FOUND, *SEARCHED])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["the", "and", "of", "la", "il", "İl", "ΟΔΟΣ", "Σ", "über", " ", "\n"])
        | st.text(max_size=4),
        max_size=600,
    ).map(" ".join)
)
def test_language_from_the_document_lower_case_is_the_same(text: str) -> None:
    assert find_language(text, lowered(text)) == find_language(text)
