"""Finding a fixed set of cue phrases in lower-cased text, as whole words, in one pass.

The preferred-section cues ("nice to have", "is a plus") and the unknown-term cues ("experience
with") are short phrase lists scanned in every posting; an Aho-Corasick automaton finds them
all in one pass where a regular expression with many alternatives would try each at every
position.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from ahocorasick_rs import AhoCorasick, MatchKind


class Phrase(NamedTuple):
    phrase: str
    start: int
    end: int


class PhraseFinder:
    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = tuple(dict.fromkeys(phrase.lower() for phrase in phrases))
        self._automaton = AhoCorasick(self.phrases, matchkind=MatchKind.LeftmostLongest)

    def find(self, lowered: str) -> list[Phrase]:
        """Whole-word occurrences of the phrases in `lowered` (text already lower-cased)."""
        found = []
        last = len(lowered)
        for index, start, end in self._automaton.find_matches_as_indexes(lowered):
            if start > 0 and (lowered[start - 1].isalnum() or lowered[start - 1] == "_"):
                continue
            if end < last and (lowered[end].isalnum() or lowered[end] == "_"):
                continue
            found.append(Phrase(self.phrases[index], start, end))
        return found
