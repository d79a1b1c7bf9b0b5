"""Sections of a posting, for telling preferred skills from required ones.

A section runs from a heading line to the next heading line. A heading is a short line that is
not a bullet and does not end a sentence, and that either ends with ":" or names a usual section
("Requirements", "Nice to haves", "About the role").
"""

from __future__ import annotations

import bisect
import re
from typing import Final

MAX_HEADING_CHARS: Final = 60

_HEADING_WORDS: Final = re.compile(
    r"\b(?:responsibilities|requirements|qualifications|skills|summary|description|overview"
    r"|benefits|perks|about|duties|scope|must[- ]haves?|required|preferred|nice[- ]to[- ]haves?"
    r"|good[- ]to[- ]haves?|bonus|pluses|desired|desirable|what you|who you|what we|the role"
    r"|your role|experience required|compensation)\b",
    re.IGNORECASE,
)
_PREFERRED: Final = re.compile(
    r"\b(?:preferred|nice[- ]to[- ]haves?|good[- ]to[- ]haves?|bonus|pluses|desired|desirable"
    r"|optional)\b",
    re.IGNORECASE,
)
_BULLET: Final = re.compile(r"[-*•·▪◦‣\u2013\u2014]|\d{1,3}[.)]\s")


def is_heading(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > MAX_HEADING_CHARS or line[-1] in ".!?;,":
        return False
    if _BULLET.match(line):
        return False
    return line.endswith(":") or _HEADING_WORDS.search(line) is not None


class PreferredSections:
    """Where in a text the preferred ("nice to have") sections lie."""

    def __init__(self, text: str) -> None:
        starts: list[int] = []
        ends: list[int] = []
        offset = 0
        open_start: int | None = None
        for line in text.split("\n"):
            if is_heading(line):
                if open_start is not None:
                    starts.append(open_start)
                    ends.append(offset)
                open_start = offset if _PREFERRED.search(line) else None
            offset += len(line) + 1
        if open_start is not None:
            starts.append(open_start)
            ends.append(len(text))
        self._starts = starts
        self._ends = ends

    def __contains__(self, offset: int) -> bool:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index >= 0 and offset < self._ends[index]
