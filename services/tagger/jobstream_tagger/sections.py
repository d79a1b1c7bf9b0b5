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
from typing import Final

MAX_HEADING_CHARS: Final = 60
MAX_LABEL_CHARS: Final = 40
MAX_CLAUSE_CHARS: Final = 400

_HEADING_WORDS: Final = re.compile(
    r"\b(?:responsibilities|requirements|qualifications|skills|summary|description|overview"
    r"|benefits|perks|about|duties|scope|must[- ]haves?|required|preferred|nice[- ]to[- ]haves?"
    r"|good[- ]to[- ]haves?|bonus|pluses|desired|desirable|what you|who you|what we|the role"
    r"|your role|experience required|compensation)\b",
    re.IGNORECASE,
)
_PREFERRED: Final = re.compile(
    r"\b(?:preferred|nice[- ]to[- ]haves?|good[- ]to[- ]haves?|bonus|pluses|desired|desirable"
    r"|optional|a plus)\b",
    re.IGNORECASE,
)
_BULLET: Final = re.compile(r"[-*•·▪◦‣\u2013\u2014]|\d{1,3}[.)]\s")
# "Nice to have: Terraform", "- Bonus points: Rust": a label, a colon, then content.
_INLINE_LABEL: Final = re.compile(
    rf"[ \t]*(?:[-*•·▪◦‣\u2013\u2014][ \t]*)?(?P<label>[^:\n]{{1,{MAX_LABEL_CHARS}}}):[ \t]*(?=\S)"
)
# A cue inside a clause that makes what the clause asks for preferred.
_CLAUSE_CUE: Final = re.compile(
    r"\b(?:(?:is|are|would be|will be|as|be|considered)\s+(?:a\s+|an\s+)?"
    r"(?:big\s+|huge\s+|strong\s+|definite\s+|real\s+|nice\s+|added\s+)?"
    r"(?:plus|bonus|advantage|asset)|a plus|nice[- ]to[- ]haves?|preferred|preferably|ideally"
    r"|desirable|bonus points)\b",
    re.IGNORECASE,
)
_CLAUSE_END: Final = re.compile(r"[;!?\n]|\.(?=\s|$)")


def is_heading(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > MAX_HEADING_CHARS or line[-1] in ".!?;,":
        return False
    if _BULLET.match(line):
        return False
    return line.endswith(":") or _HEADING_WORDS.search(line) is not None


class PreferredSections:
    """Where in a text the preferred parts lie; `offset in sections` asks about one offset."""

    def __init__(self, text: str) -> None:
        ranges: list[tuple[int, int]] = []
        offset = 0
        open_start: int | None = None
        for line in text.split("\n"):
            end = offset + len(line)
            label = _INLINE_LABEL.match(line)
            if label is not None and _HEADING_WORDS.search(label["label"]):
                if open_start is not None:
                    ranges.append((open_start, offset))
                    open_start = None
                if _PREFERRED.search(label["label"]):
                    ranges.append((offset + label.end(), end))
            elif is_heading(line):
                if open_start is not None:
                    ranges.append((open_start, offset))
                open_start = offset if _PREFERRED.search(line) else None
            offset = end + 1
        if open_start is not None:
            ranges.append((open_start, len(text)))
        ranges.extend(_cue_clauses(text))
        self._ranges = _merged(ranges)
        self._starts = [start for start, _ in self._ranges]

    def __contains__(self, offset: int) -> bool:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index >= 0 and offset < self._ranges[index][1]


def _cue_clauses(text: str) -> list[tuple[int, int]]:
    clauses = []
    for cue in _CLAUSE_CUE.finditer(text):
        opening = text.rfind("(", max(0, cue.start() - 80), cue.start())
        closing = text.find(")", cue.end(), cue.end() + 80)
        if opening != -1 and closing != -1 and ")" not in text[opening : cue.start()]:
            clauses.append((opening, closing + 1))
            continue
        start = max(0, cue.start() - MAX_CLAUSE_CHARS)
        for end_mark in _CLAUSE_END.finditer(text, start, cue.start()):
            start = end_mark.end()
        limit = min(len(text), cue.end() + MAX_CLAUSE_CHARS)
        after = _CLAUSE_END.search(text, cue.end(), limit)
        clauses.append((start, after.start() if after else limit))
    return clauses


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif start < end:
            merged.append((start, end))
    return merged
