"""A cleaned posting split once into lines with offsets, shared by every extractor."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, NamedTuple

# The head: where a posting states its title, company, place and terms.
HEAD_LINES: Final = 12
HEAD_CHARS: Final = 3_000

BULLET: Final = re.compile(r"- |\d{1,3}[.)] |[a-z][.)] ")


class Line(NamedTuple):
    """A non-blank line of the cleaned text: `text == document.text[start:end]`."""

    start: int
    end: int
    text: str


@dataclass
class Document:
    text: str
    lines: list[Line] = field(init=False)

    def __post_init__(self) -> None:
        lines = []
        offset = 0
        for raw in self.text.split("\n"):
            if raw:
                lines.append(Line(offset, offset + len(raw), raw))
            offset += len(raw) + 1
        self.lines = lines

    @property
    def head(self) -> list[Line]:
        """The first lines, within the first `HEAD_CHARS` characters."""
        return [line for line in self.lines[:HEAD_LINES] if line.start < HEAD_CHARS]

    def line_at(self, offset: int) -> Line | None:
        """The line holding `offset` (a binary search)."""
        low, high = 0, len(self.lines)
        while low < high:
            middle = (low + high) // 2
            if self.lines[middle].end < offset:
                low = middle + 1
            else:
                high = middle
        if low < len(self.lines) and self.lines[low].start <= offset <= self.lines[low].end:
            return self.lines[low]
        return None


def is_bullet(line: str) -> bool:
    return BULLET.match(line) is not None
