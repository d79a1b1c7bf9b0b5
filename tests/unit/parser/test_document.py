# ruff: noqa: RUF001 - real postings use curly quotes and accented letters
"""The shared document's scans find what the patterns themselves find in the windows around
the anchors: case-insensitive patterns scanned as their lower-case twins, and patterns tried
only where a match may start."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstream_parser import dates, experience, people, terms
from jobstream_parser.anchors import lowered
from jobstream_parser.document import Document, ascii_head_finder, is_bullet, lower_twin
from jobstream_parser.heads import CASE_FOLD_EXCEPTIONS
from tests.support import pure_python_only

pytestmark = pytest.mark.unit

# (pattern, extractor, back, ahead, starts) as the extractors scan them.
SCANS: list[tuple[re.Pattern[str], str, int, int, re.Pattern[str] | None]] = [
    (terms._EMPLOYMENT, "employment", 60, 60, None),
    (terms._WORK_MODE, "work_mode", 60, 60, None),
    (terms._HOURS, "hours", 30, 80, terms._HOURS_START),
    (experience._MENTION, "experience", 40, 20, None),
    (people._TEXT_LEVEL, "seniority", 30, 80, None),
    (people._DEGREE, "education", 60, 60, None),
    (dates._LABELLED, "dates", 40, 60, None),
]
PIECES = [
    "Full-Time", "PART TIME", "Contract-to-Hire", "contractor", "Internship", "Per Diem",
    "Fully Remote", "HYBRID", "3 days in the Office", "in the Acme office 2 days a week",
    "On-site", "Work from Home", "Télétravail", "Híbrido", "5+ Years", "3-5 YEARS",
    "a minimum of two years", "Zwei Jahre", "8:00 AM to 5:00 PM PST", "Seniority level: Senior",
    "Entry-Level position", "we are hiring a Senior", "Bachelor's Degree", "MS/BS", "PhD",
    "Date Posted: March 3, 2024", "POSTED ON 2024-02-29", "9:00-17:00", "12h30 à 18h", "7 am",
    "6 months", "12-month contract", "\u0666 months", "\uff13 years", "1099",
    "İ", "ı", "ſ", "K", "É", " ", "\n", ", ", "-", "(", ")", ":", "/",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=8), max_size=30).map("".join)


def _reference(
    document: Document, pattern: re.Pattern[str], name: str, back: int, ahead: int
) -> list[tuple[tuple[int, int], str | None]]:
    return [
        (match.span(), match.lastgroup)
        for start, end in document.windows(name, back, ahead)
        for match in pattern.finditer(document.text, start, end)
    ]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_scans_find_what_the_patterns_find(text: str) -> None:
    document = Document(text)
    for pattern, name, back, ahead, starts in SCANS:
        found = [
            (match.span(), match.lastgroup)
            for match in document.scan(pattern, name, back=back, ahead=ahead, starts=starts)
        ]
        assert found == _reference(document, pattern, name, back, ahead), pattern.pattern[:40]


def test_digits_are_heads_in_ascii_windows_and_other_scripts_digits_still_count() -> None:
    # "\\d{1,2} months" may start with any digit: an ASCII window is tried where a digit or a
    # word starts; a window holding "٦" (an Arabic-Indic six, a `\\d` too) is scanned whole.
    finder = ascii_head_finder(terms._EMPLOYMENT)

    assert finder is not None
    assert finder.starts("a 6 months post") == [2]
    assert ascii_head_finder(re.compile("temporary|seasonal")) is None  # no digits: heads.py
    for text in ("Contract: 6 months", "Contract: \u0666 months", "Job type: Full-time, 12 months"):
        document = Document(text)
        found = [
            (match.span(), match.lastgroup)
            for match in document.scan(terms._EMPLOYMENT, "employment", back=60, ahead=60)
        ]
        assert found == _reference(document, terms._EMPLOYMENT, "employment", 60, 60)
        assert found  # every one of them states a term


def test_twins_are_lower_case_and_case_sensitive() -> None:
    twin = lower_twin(terms._WORK_MODE)

    assert twin is not None
    assert not twin.flags & re.IGNORECASE
    assert "[a-z]" in twin.pattern and "[A-Z]" not in twin.pattern
    assert "(?P<" not in twin.pattern and r"\w" in twin.pattern
    assert lower_twin(re.compile("Acme")) is None  # case-sensitive: scanned as it is


def test_lower_case_matches_as_ignorecase_does_but_for_the_exceptions() -> None:
    letters = {
        char.lower()
        for pattern, *_ in SCANS
        for char in pattern.pattern
        if char.isalpha() and len(char.lower()) == 1
    }
    cased = [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF
        and (chr(code).lower() != chr(code) or chr(code).upper() != chr(code))
    ]
    differ = {
        char
        for char in [*cased, *CASE_FOLD_EXCEPTIONS]
        for letter in letters
        if (re.fullmatch(re.escape(letter), char, re.IGNORECASE) is not None)
        != (lowered(char) == letter)
    }

    assert differ == set(CASE_FOLD_EXCEPTIONS)


@pytest.mark.parametrize(
    ("line", "bullet"),
    [
        ("- Build things", True),
        ("12. Build things", True),
        ("\u0661) Build things", True),  # an Arabic-Indic digit is a digit
        ("b) Build things", True),
        ("B) Build things", False),
        ("-Build things", False),
        ("2024 was a good year", False),
        ("", False),
    ],
)
def test_bullets(line: str, bullet: bool) -> None:
    assert is_bullet(line) is bullet


def test_windows_merge_around_anchors_in_order() -> None:
    text = "$" + " " * 50 + "$" + " " * 300 + "$" + " " * 10
    document = Document(text)

    # Anchors at 0, 51 and 352; 20 characters back, 40 ahead; clipped to the text.
    assert document.windows("salary", back=20, ahead=40) == [(0, 91), (332, 363)]
    assert document.windows("salary", back=400, ahead=400) == [(0, len(text))]
    assert Document("no anchors here").windows("salary", back=20, ahead=40) == []


HOURS_PIECES = [
    "9am", "9 am", "9:00", "9:30 PM", "9 a.m.", "17h", "9h30", "12h", " to ", "-", "–", " until ",
    "team ", "program ", "spam", "amazing", "Pacific Time", "PST", "UTC+2", "time zone",
    "business hours", "(CET)", "hours", " ", "\n", ", ", "1", "22", ":",
]  # fmt: skip


@pure_python_only
@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(HOURS_PIECES), max_size=30).map("".join))
def test_hours_windows_hold_every_time_the_whole_text_holds(text: str) -> None:
    document = Document(text)
    found = terms.find_working_hours(document)
    whole = Document(text)
    windows = whole.windows

    def everywhere(extractor: str, back: int, ahead: int) -> list[tuple[int, int]]:
        return [(0, len(text))] if extractor == "hours" else windows(extractor, back, ahead)

    whole.windows = everywhere  # type: ignore[method-assign]
    assert terms.find_working_hours(whole) == found


LOWER_PIECES = [
    "ΟΔΟΣ", "Σ", "ΣΑΣ Σ", "ς", "Straße", "İstanbul", "İ", "ı", "ſ", "K", "É", "ÀÉÎ", "DŽ", "ﬃ",
    "Engineer", "REMOTE", "a", " ", "\n", "\n\n", ".", "'", "\u0301", "\u00ad",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LOWER_PIECES) | st.text(max_size=4), max_size=25).map("".join))
def test_lower_case_line_by_line_is_the_whole_texts(text: str) -> None:
    # A final sigma's lower case depends on its neighbours: never across a line break.
    assert lowered(text, text.split("\n")) == lowered(text)
    assert len(lowered(text, text.split("\n"))) == len(text)
