"""The language read from function words: scores added up word by word give what counting
each word first gave."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstream_parser import language
from jobstream_parser.language import FoundLanguage, find_language

pytestmark = pytest.mark.unit

WORDS = [*language._SHARES_OF, "Acme", "engineer", "and,", "\n", "x"]


def _counted_first(text: str) -> FoundLanguage | None:
    """The reference: count each function word, then score the distinct words in order."""
    sample = text[: language.SAMPLE_CHARS]
    counts = Counter(word for word in sample.lower().split() if word in language._SHARES_OF)
    scores: dict[str, int] = {}
    for word, count in counts.items():
        for name, share in language._SHARES_OF[word]:
            scores[name] = scores.get(name, 0) + share * count
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if score < language.MIN_HITS * language.UNIT or score < language.MIN_MARGIN * runner_up:
        return None
    return FoundLanguage(best, (0, len(sample.rstrip())))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join))
def test_scores_word_by_word_rank_as_counts_do(text: str) -> None:
    assert find_language(text) == _counted_first(text)


def test_a_language_needs_a_margin_over_the_next() -> None:
    assert find_language("und der die mit und der die mit") == FoundLanguage("de", (0, 31))
    assert find_language("und der die het een van und der die het een van") is None  # a tie
