"""The parser's near-duplicate signature: what it estimates, and that it estimates it well."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstream_parser.similarity import BINS, MAX_BYTES, MIN_WORDS, signature, similarity

pytestmark = pytest.mark.unit

VOCABULARY = (
    "design build operate services kafka python postgres teams customers review code mentor "
    "engineers ship production reliable systems data pipelines observable monitoring alerts "
    "incidents on-call cloud platform security privacy compliance product managers roadmap "
    "milestones users growth payments search ranking models latency throughput storage"
)
WORDS = VOCABULARY.split()


def _text(rng: random.Random, words: int) -> str:
    lines = []
    for _ in range(words // 12):
        lines.append(" ".join(rng.choice(WORDS) for _ in range(12)) + ".")
    return "\n".join(lines)


def _shingles(lowered: str) -> set[bytes]:
    """The definition the signature estimates: the 24 bytes from each word start."""
    data = b" " + lowered.encode() + b" " * 24
    return {data[i : i + 24] for i in range(1, len(data) - 24) if data[i - 1] <= 32 < data[i]}


def _jaccard(first: str, second: str) -> float:
    a, b = _shingles(first), _shingles(second)
    return len(a & b) / len(a | b)


def test_a_signature_has_one_16_bit_value_per_bin() -> None:
    values = signature("senior backend engineer at acme, we build payments systems")
    assert values is not None and len(values) == BINS
    assert all(0 <= value <= 0xFFFF for value in values)


@pytest.mark.parametrize("text", ["", "word", "two words", "two\nlines"])
def test_too_few_words_give_no_signature(text: str) -> None:
    assert len(text.split()) < MIN_WORDS
    assert signature(text) is None


def test_the_same_text_gives_the_same_signature() -> None:
    text = _text(random.Random(1), 300)
    assert signature(text) == signature(text)
    assert similarity(signature(text) or [], signature(text) or []) == 1.0


def test_a_changed_date_keeps_a_repost_near_identical() -> None:
    body = _text(random.Random(2), 400)
    first = "open date: 06-01-15\n" + body
    second = "open date: 12-21-18\n" + body
    estimate = similarity(signature(first) or [], signature(second) or [])
    assert estimate >= 0.9
    assert abs(estimate - _jaccard(first, second)) < 0.08


def test_different_texts_are_far_apart() -> None:
    rng = random.Random(3)
    first, second = _text(rng, 400), _text(rng, 400)
    assert similarity(signature(first) or [], signature(second) or []) < 0.2


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 1.0))
def test_the_estimate_follows_the_jaccard_similarity(seed: int, share: float) -> None:
    """Two texts sharing a part of their lines: the estimate is within 4 standard errors of
    MinHash with 128 values (0.044 at most) of the exact similarity."""
    rng = random.Random(seed)
    common = _text(rng, 240).split("\n")
    kept = common[: int(len(common) * share)]
    first = "\n".join(kept + _text(rng, 240).split("\n"))
    second = "\n".join(kept + _text(rng, 240).split("\n"))
    exact = _jaccard(first, second)
    estimate = similarity(signature(first) or [], signature(second) or [])
    assert abs(estimate - exact) <= 4 * (exact * (1 - exact) / BINS) ** 0.5 + 0.03


def test_only_the_first_bytes_of_a_huge_text_count() -> None:
    head = _text(random.Random(4), 9_000)
    assert len(head.encode()) > MAX_BYTES
    assert signature(head) == signature(head + "\n" + _text(random.Random(5), 500))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_signature_or_none(text: str) -> None:
    values = signature(text.lower())
    assert values is None or (len(values) == BINS and all(0 <= v <= 0xFFFF for v in values))
