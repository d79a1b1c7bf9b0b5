"""Where a posting asks for skills as preferred ("nice to have") rather than required.

Three shapes, found without help from the parser:
- A preferred section runs from a heading line ("Nice to haves", "Preferred qualifications:")
  to the next heading. A heading is a short line that is not a bullet, does not end a sentence,
  and either ends with ":" or names a usual section.
- An inline label: a line "Nice to have: Terraform." or "- Bonus: Rust" is preferred to its end;
  a line "Requirements: Java" ends a preferred section like a heading would.
- A cue in a clause: "Kafka is a plus", "ideally with Go", "cloud (AWS preferred)". The clause
  runs between sentence ends (". ", ";", a line end); a cue inside parentheses covers only
  what the parentheses hold.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Final

from jobstream_tagger.phrases import Phrase, PhraseFinder

MAX_HEADING_CHARS: Final = 60
MAX_LABEL_CHARS: Final = 40
MAX_CLAUSE_CHARS: Final = 400

# Both are matched against lower-cased text: re.IGNORECASE makes these alternations some three
# times slower, and they run on several lines of every posting.
_HEADING_WORDS: Final = re.compile(
    r"\b(?:responsibilities|requirements|qualifications|skills|summary|description|overview"
    r"|benefits|perks|about|duties|scope|must[- ]haves?|required|preferred|nice[- ]to[- ]haves?"
    r"|good[- ]to[- ]haves?|bonus|pluses|desired|desirable|what you|who you|what we|the role"
    r"|your role|experience required|compensation)\b"
)
_PREFERRED: Final = re.compile(
    r"\b(?:preferred|nice[- ]to[- ]haves?|good[- ]to[- ]haves?|bonus|pluses|desired|desirable"
    r"|optional|a plus)\b"
)
_BULLET: Final = re.compile(r"[-*•·▪◦‣\u2013\u2014]|\d{1,3}[.)]\s")
# "Nice to have: Terraform", "- Bonus points: Rust": a label, a colon, then content.
_INLINE_LABEL: Final = re.compile(
    rf"[ \t]*(?:[-*•·▪◦‣\u2013\u2014][ \t]*)?(?P<label>[^:\n]{{1,{MAX_LABEL_CHARS}}}):[ \t]*(?=\S)"
)
# Cues inside a clause that make what the clause asks for preferred ("Kafka is a plus").
CLAUSE_CUES: Final = (
    "a plus", "a big plus", "a huge plus", "a strong plus", "a definite plus", "a real plus",
    "a nice plus", "an added plus", "an advantage", "a big advantage", "a strong advantage",
    "a definite advantage", "an asset", "a strong asset", "a bonus", "a big bonus",
    "bonus points", "nice to have", "nice-to-have", "nice to haves", "nice-to-haves",
    "preferred", "preferably", "ideally", "desirable", "advantageous",
)  # fmt: skip
# Words that make a heading preferred but mean little inside a sentence.
HEADING_CUES: Final = (
    "bonus", "pluses", "desired", "optional", "good to have", "good-to-have", "good to haves",
)  # fmt: skip
PREFERRED_CUES: Final = (*CLAUSE_CUES, *HEADING_CUES)
_CUES: Final = PhraseFinder(PREFERRED_CUES)
_CUE_SET: Final = frozenset(PREFERRED_CUES)
_CLAUSE_CUE_SET: Final = frozenset(CLAUSE_CUES)
_CLAUSE_END: Final = re.compile(r"[;!?\n]|\.(?=\s|$)")


def is_heading(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > MAX_HEADING_CHARS or line[-1] in ".!?;,":
        return False
    if _BULLET.match(line):
        return False
    return line.endswith(":") or _HEADING_WORDS.search(line.lower()) is not None


class PreferredSections:
    """Where in a text the preferred parts lie; `offset in sections` asks about one offset."""

    def __init__(self, text: str, cues: Sequence[Phrase] | None = None) -> None:
        """`cues`: the PREFERRED_CUES found in `text` (others are ignored), if known already."""
        if cues is None:
            cues = _CUES.find(text.lower())
        else:
            cues = [cue for cue in cues if cue.phrase in _CUE_SET]
        ranges: list[tuple[int, int]] = []
        if cues:  # no cue word anywhere: nothing is preferred
            ranges = _section_ranges(text, cues)
            # A cue in a section found already ("Nice to have" as a heading) adds nothing
            # its clause would not: the section holds the clause.
            clause_cues = [cue for cue in cues if cue.phrase in _CLAUSE_CUE_SET]
            ranges.extend(_cue_clauses(text, _outside(clause_cues, ranges)))
        self._ranges = _merged(ranges)
        self._starts = [start for start, _ in self._ranges]

    @property
    def ranges(self) -> Sequence[tuple[int, int]]:
        """The preferred parts as `[start, end)` offsets, in order, not overlapping."""
        return self._ranges

    def __bool__(self) -> bool:
        """Whether any part of the text is preferred."""
        return bool(self._ranges)

    def __contains__(self, offset: int) -> bool:
        if not self._starts:
            return False
        index = bisect.bisect_right(self._starts, offset) - 1
        return index >= 0 and offset < self._ranges[index][1]


def _section_ranges(text: str, cues: Sequence[Phrase]) -> list[tuple[int, int]]:
    """Preferred sections under headings, and preferred inline-labelled lines.

    Only the lines holding a cue word can open one; a section then runs over the lines that
    follow until the next heading or labelled line.
    """
    ranges: list[tuple[int, int]] = []
    covered = -1
    for cue in cues:
        start = text.rfind("\n", 0, cue.start) + 1
        if start <= covered:
            continue  # this line is in a range found already
        end = _line_end(text, start)
        line = text[start:end]
        label = _label(line)
        if label is not None:
            if _PREFERRED.search(label["label"].lower()):
                ranges.append((start + label.end(), end))
            covered = end
        elif is_heading(line) and _PREFERRED.search(line.lower()):
            section_end = _next_heading(text, end + 1)
            ranges.append((start, section_end))
            covered = section_end - 1
    return ranges


def _outside(cues: Sequence[Phrase], ranges: Sequence[tuple[int, int]]) -> list[Phrase]:
    """The cues that start in none of `ranges` (both in text order: one walk along both)."""
    outside = []
    current = 0
    for cue in cues:
        while current < len(ranges) and ranges[current][1] <= cue.start:
            current += 1
        if current == len(ranges) or cue.start < ranges[current][0]:
            outside.append(cue)
    return outside


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end == -1 else end


def _label(line: str) -> re.Match[str] | None:
    """ "Nice to have: Terraform": a section word as a label, then content on the same line."""
    if ":" not in line[: MAX_LABEL_CHARS + 4]:
        return None
    label = _INLINE_LABEL.match(line)
    return label if label is not None and _HEADING_WORDS.search(label["label"].lower()) else None


def _next_heading(text: str, start: int) -> int:
    """Where the next heading or labelled line begins, from `start` (a line start) on."""
    size = len(text)
    while start < size:
        end = _line_end(text, start)
        if end - start <= MAX_HEADING_CHARS + 8:
            line = text[start:end]
            if is_heading(line) or _label(line):
                return start
        # A long line can only be labelled, and only with a colon near its start: look for
        # that before copying the line (paragraphs of a posting run to kilobytes).
        elif text.find(":", start, start + MAX_LABEL_CHARS + 4) != -1 and _label(text[start:end]):
            return start
        start = end + 1
    return size


def _cue_clauses(text: str, cues: Sequence[Phrase]) -> list[tuple[int, int]]:
    clauses = []
    for cue in cues:
        opening = text.rfind("(", max(0, cue.start - 80), cue.start)
        closing = text.find(")", cue.end, cue.end + 80)
        if opening != -1 and closing != -1 and ")" not in text[opening : cue.start]:
            clauses.append((opening, closing + 1))
            continue
        start = _clause_start(text, cue.start)
        limit = min(len(text), cue.end + MAX_CLAUSE_CHARS)
        after = _CLAUSE_END.search(text, cue.end, limit)
        clauses.append((start, after.start() if after else limit))
    return clauses


def _clause_start(text: str, position: int) -> int:
    """Where the clause holding `position` starts: after the last ";", "!", "?", line end or
    sentence-ending "." before it (at most MAX_CLAUSE_CHARS back)."""
    floor = max(0, position - MAX_CLAUSE_CHARS)
    start = max(
        text.rfind(";", floor, position),
        text.rfind("!", floor, position),
        text.rfind("?", floor, position),
        text.rfind("\n", floor, position),
        text.rfind(". ", floor, position),
        text.rfind(".\t", floor, position),
    )
    return floor if start == -1 else start + 1


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif start < end:
            merged.append((start, end))
    return merged
