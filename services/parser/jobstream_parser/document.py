"""A cleaned posting split once into lines with offsets, shared by every extractor."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from jobstream_parser.anchors import anchor_positions, lowered

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
    lower: str = field(init=False)
    _anchors: dict[str, list[int]] = field(init=False)
    _starts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        lines = []
        offset = 0
        for raw in self.text.split("\n"):
            if raw:
                lines.append(Line(offset, offset + len(raw), raw))
            offset += len(raw) + 1
        self.lines = lines
        self._starts = [line.start for line in lines]
        self.lower = lowered(self.text)
        self._anchors = anchor_positions(self.lower)

    @property
    def head(self) -> list[Line]:
        """The first lines, within the first `HEAD_CHARS` characters."""
        return [line for line in self.lines[:HEAD_LINES] if line.start < HEAD_CHARS]

    def line_at(self, offset: int) -> Line | None:
        """The line holding `offset` (a binary search)."""
        index = bisect.bisect_right(self._starts, offset) - 1
        if index >= 0 and offset <= self.lines[index].end:
            return self.lines[index]
        return None

    def lines_for(self, extractor: str) -> list[Line]:
        """The lines holding an anchor word of `extractor` (see anchors.py), in order."""
        indexes = set()
        for position in self._anchors[extractor]:
            index = bisect.bisect_right(self._starts, position) - 1
            if index >= 0 and position < self.lines[index].end:
                indexes.add(index)
        return [self.lines[index] for index in sorted(indexes)]

    def scan(
        self, pattern: re.Pattern[str], extractor: str, back: int = 60, ahead: int = 100
    ) -> Iterator[re.Match[str]]:
        """`pattern.finditer` over windows around the anchors of `extractor` only.

        A window runs from `back` characters before an anchor to `ahead` after it (so it must
        hold any match that contains or follows the anchor); overlapping windows merge, so no
        match is found twice. Lookbehinds still see the text before a window.
        """
        for start, end in self.windows(extractor, back, ahead):
            yield from pattern.finditer(self.text, start, end)

    def windows(self, extractor: str, back: int, ahead: int) -> list[tuple[int, int]]:
        """Merged `[start, end)` windows around the anchors of `extractor`."""
        windows: list[list[int]] = []
        for position in sorted(self._anchors[extractor]):
            start, end = max(0, position - back), min(len(self.text), position + ahead)
            if windows and start <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], end)
            else:
                windows.append([start, end])
        return [(start, end) for start, end in windows]


def is_bullet(line: str) -> bool:
    return BULLET.match(line) is not None
