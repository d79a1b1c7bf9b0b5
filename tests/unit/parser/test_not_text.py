"""Text that is not prose is refused: deciding from the first half's ASCII letters when they
are enough refuses exactly what counting the whole sample refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstream_parser import parse
from jobstream_parser.parse import NotAPosting

pytestmark = pytest.mark.unit

PIECES = ["a", "Word", " ", "\n", "1234", "€", "日本語", "ü", "--", "•", "!!", "x" * 50, "9" * 50]


def _whole_sample(text: str) -> str | None:
    """The reference: the reason for refusing, counting the letters of the whole sample."""
    sample = text[: parse.SAMPLE_CHARS]
    visible = len(sample) - sample.count(" ") - sample.count("\n")
    if visible > 0 and parse._ascii_letters(sample) >= parse.MIN_LETTER_SHARE * visible:
        return None
    letters = len(parse._NOT_LETTERS.sub("", sample))
    if visible == 0 or (letters == 0 and parse._ALPHANUMERIC.search(sample) is None):
        return "empty"
    return "not_text" if letters < parse.MIN_LETTER_SHARE * visible else None


def _refused(text: str) -> str | None:
    try:
        parse._refuse_non_text(text)
    except NotAPosting as refusal:
        return refusal.reason
    return None


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=200).map("".join))
def test_refusals_are_those_of_the_whole_sample(text: str) -> None:
    assert _refused(text) == _whole_sample(text)
