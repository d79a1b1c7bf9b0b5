# ruff: noqa: RUF001 - real postings use en dashes
"""Salary figures are looked for only near the salary's anchors: currency signs, codes in
capitals and pay words. Nothing the salary rules accept is ever outside those windows."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstream_parser import money
from jobstream_parser.anchors import ANCHORS, CURRENCY_CODES, WORD_START_ONLY
from jobstream_parser.document import Document
from jobstream_parser.heads import alternatives, literal_heads
from tests.support import pure_python_only

pytestmark = pytest.mark.unit

PIECES = [
    "Salary", "pay", "repay", "Base", "database", "OTE", "remote", "rate", "accurate", "gross",
    "learning", "Budget", "stipend", "Gehalt", "salário", "Rémunération", "USD", "usd", "EUR",
    "euros", "strong", "open", "years", "$", "€", "£", "R$", "zł", "50,000", "60.000", "120k",
    "45 000", "100", "3.8", "2024", " - ", " to ", " and ", "–", " per year", "/hr", " a month",
    "annual", "up to ", "from ", ": ", "\n", " ", ", ", "(", ")", "w" * 30,
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def _scanning_everything(document: Document) -> Document:
    windows = document.windows

    def everywhere(extractor: str, back: int, ahead: int) -> list[tuple[int, int]]:
        if extractor == "salary":
            return [(0, len(document.text))]
        return windows(extractor, back, ahead)

    document.windows = everywhere  # type: ignore[method-assign]
    return document


@pure_python_only
@settings(max_examples=500, deadline=None)
@given(texts)
def test_windows_hold_every_salary_the_whole_text_holds(text: str) -> None:
    assert money.find_salary(Document(text)) == money.find_salary(
        _scanning_everything(Document(text))
    )


@pure_python_only
@settings(max_examples=500, deadline=None)
@given(texts)
def test_the_quick_test_for_pay_words_changes_nothing(text: str) -> None:
    found = money.find_salary(Document(text))
    with patch.object(Document, "has_anchor", lambda self, extractor, start, end: True):
        assert money.find_salary(Document(text)) == found


@pytest.mark.parametrize(
    ("before", "found"),
    [("repay ", False), ("a pay ", True), ("a Pay: ", True)],
)
def test_a_pay_word_is_a_word_of_the_text(before: str, found: bool) -> None:
    # The 40 characters before the figures start at "pay": in "repay" it is no pay word.
    text = before + "w" * (41 - len(before)) + " 5,000 - 6,000 per year"

    assert (money.find_salary(Document(text)) is not None) is found


def test_the_codes_read_are_the_codes_anchored() -> None:
    assert tuple(code.lower() for code in money._CODES) == CURRENCY_CODES


def test_every_pay_word_is_an_anchor() -> None:
    anchors = ANCHORS["salary"]
    for alternative in alternatives(money._CUE.pattern):
        (head,) = literal_heads(alternative) or [""]
        covering = [anchor for anchor in anchors if head.startswith(anchor)]
        # An anchor counted only at the start of a word covers only a word after a \b.
        assert any(
            anchor not in WORD_START_ONLY or alternative.startswith(r"\b") for anchor in covering
        ), alternative


WEEK_PIECES = [
    "40", "37.5", "37,5", "20", "1", "9", " ", "-", " hours", "hour", " Hrs", "HR", "h", " per ",
    " a ", "/", " each ", "every ", "working ", "work ", "week", "WEEK", "weekly", "\n", ". ",
    "durée du travail", "the", "x" * 12,
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WEEK_PIECES), max_size=30).map("".join))
def test_a_weeks_hours_are_found_around_their_anchors_as_in_the_whole_text(text: str) -> None:
    document = Document(text)
    around = document.scan(money._WEEKLY_HOURS, "weekly_hours", 8, 40)
    whole = money._WEEKLY_HOURS.finditer(text)
    assert [match.span() for match in around] == [match.span() for match in whole]
