"""Skill-like terms the taxonomy does not know, found next to strong cues.

"experience with Snowplow and Dagster", "proficiency in Zig": the words after such a cue are
very likely skills. Those the tagger did not tag are reported (counted in a metric and logged by
the service) so the taxonomy can grow; they are never tagged.

A term is one to three tokens that look like a name: capitalised ("Snowplow"), with a digit or
tech punctuation ("Vite.js", "C++20"), or mixed case ("dbt-Core", "tRPC"). Plain lower-case
words ("large scale systems") and usual capitalised openers ("The", "Modern") are not terms.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Final, NamedTuple

from jobstream_tagger.phrases import Phrase, PhraseFinder

MAX_TERMS_PER_POSTING: Final = 20
MAX_TERM_CHARS: Final = 60

_CUE_WORDS: Final = (
    "experience", "experienced", "expertise", "proficiency", "proficient", "familiarity",
    "familiar", "knowledge", "fluency", "fluent", "skilled", "skills", "background", "hands-on",
)  # fmt: skip
_PREPOSITIONS: Final = ("with", "in", "of", "using", "on", "working with")
UNKNOWN_TERM_CUES: Final = tuple(
    f"{word} {preposition}" for word in _CUE_WORDS for preposition in _PREPOSITIONS
)
_CUES: Final = PhraseFinder(UNKNOWN_TERM_CUES)
_CUE_SET: Final = frozenset(UNKNOWN_TERM_CUES)
# One name-like token: capitalised, or with a digit, "." "#" "+" or an inner capital.
_NAME_WORD: Final = r"(?:[A-Z][\w.#+-]*|[a-z][\w-]*[A-Z0-9.#+][\w.#+-]*)"
_TERM: Final = re.compile(rf"{_NAME_WORD}(?:[ ]{_NAME_WORD}){{0,2}}")
_LIST_SEPARATOR: Final = re.compile(r"\s*(?:,|/|\band\b|\bor\b|&)\s*(?:and\s+|or\s+)?")
_OPENERS: Final = frozenset(
    {"a", "an", "the", "our", "your", "their", "this", "these", "that", "those", "any", "all",
     "some", "other", "modern", "large", "multiple", "various", "both", "each", "at", "one",
     "two", "three", "several", "many", "most", "more", "new", "high", "low", "strong",
     "building", "working", "designing", "developing", "using", "writing", "leading", "managing",
     "english", "it", "we", "you", "i", "in", "on", "of", "with", "and", "or", "min", "minimum",
     "years", "year", "experience", "knowledge", "e.g", "e.g.", "i.e", "i.e.", "etc", "such"}
)  # fmt: skip
_MAX_LIST_ITEMS: Final = 6


class UnknownTerm(NamedTuple):
    term: str
    start: int
    end: int
    cue: str  # the cue word, lower-cased: one of a fixed set, fit for a metric label


def find_unknown_terms(
    text: str, tagged: Sequence[tuple[int, int]], cues: Sequence[Phrase] | None = None
) -> list[UnknownTerm]:
    """Name-like terms after a cue that overlap no tagged span (`tagged`: sorted spans).

    `cues`: the UNKNOWN_TERM_CUES found in `text` (others are ignored), if known already.
    """
    found: list[UnknownTerm] = []
    if cues is None:
        cues = _CUES.find(text.lower())
    for cue in cues:
        if cue.phrase not in _CUE_SET:
            continue
        position = cue.end
        while position < len(text) and text[position] in " \t":
            position += 1
        for _ in range(_MAX_LIST_ITEMS):
            term = _TERM.match(text, position)
            if term is None:
                break
            start = term.start()
            words = term.group().rstrip(".").split()
            if words and words[0].lower() not in _OPENERS and len(term.group()) <= MAX_TERM_CHARS:
                end = start + len(" ".join(words))
                if not _overlaps(tagged, start, end):
                    cue_word = cue.phrase.split()[0]
                    found.append(UnknownTerm(text[start:end], start, end, cue_word))
                    if len(found) >= MAX_TERMS_PER_POSTING:
                        return found
            separator = _LIST_SEPARATOR.match(text, term.end())
            if separator is None or separator.end() == term.end():
                break
            position = separator.end()
    return found


def _overlaps(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether `[start, end)` overlaps one of `spans` (sorted, not overlapping each other)."""
    index = bisect.bisect_left(spans, (end, end)) - 1
    return index >= 0 and spans[index][1] > start
