"""A posting cut into chunks: the runs of text between white space, as SkillSpan's tokens are.

SkillSpan's annotators worked on white-space tokens ("Kafka/RabbitMQ;", "(AWS", "posted:");
the span model sees the same units, so a SkillSpan sentence and a posting are cut alike.
`str.split()` cuts (in C, a few microseconds for 4 KB); where each chunk starts is read off the
code points with numpy (white space that is followed by a non-space), so a posting is never
walked character by character in Python. Lines are kept apart: a chunk's neighbours are on
its line, as a sentence's tokens are in SkillSpan.

A chunk's *word* is the chunk without the punctuation around it ("(AWS" -> "AWS", "Kafka;" ->
"Kafka", "e.g." -> "e.g"); "C++", "C#", ".NET" and "Node.js" keep theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

# Every character str.split() and str.isspace() take for white space.
_SPACES: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# What each code point up to U+3000 (the last white space) is: 1 white space, 2 a line end
# too (what str.splitlines() ends a line at); one table look-up per character.
_TOP: Final = 0x3000
_KIND: Final = np.zeros(_TOP + 2, dtype=np.uint8)  # the last entry: every code point above
_KIND[[ord(char) for char in _SPACES]] = 1
_KIND[[ord(char) for char in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"]] = 2

LEADING: Final = "([{\"'\u201c\u2018*\u2022\u00b7\u25aa\u2013\u2014>-"
TRAILING: Final = ")]}\"'\u201d\u2019,;:.!?\u2026*"
_EMPTY: Final = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Chunks:
    """The chunks of a text, where each starts, and where each line's first chunk is."""

    texts: list[str]
    starts: npt.NDArray[np.int64]
    # Indices of the chunks that start a line (the first chunk, 0, among them), ascending.
    line_starts: npt.NDArray[np.int64]

    @property
    def starts_line(self) -> npt.NDArray[np.bool_]:
        """Per chunk and one past the last: whether a line starts there (past the end: yes)."""
        mask = np.zeros(len(self.texts) + 1, dtype=bool)
        mask[self.line_starts] = True
        mask[-1] = True
        return mask

    @property
    def lines(self) -> npt.NDArray[np.int64]:
        """Per chunk, the number of its line (from 0)."""
        lines: npt.NDArray[np.int64] = np.cumsum(self.starts_line[:-1]) - 1
        return lines


def chunk(text: str) -> Chunks:
    """The chunks of `text`, their offsets, and the lines they are on."""
    texts = text.split()
    if not texts:
        return Chunks(texts, _EMPTY, _EMPTY)
    if text.isascii():
        codes: npt.NDArray[np.integer] = np.frombuffer(text.encode("ascii"), np.uint8)
        kind = _KIND[codes]
    else:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
        kind = _KIND[np.minimum(codes, _TOP + 1)]
    space = kind != 0
    opens = ~space
    opens[1:] &= space[:-1]
    starts = np.flatnonzero(opens)
    if len(starts) != len(texts):  # cannot happen: the same white space; kept safe anyway
        starts = np.array([match.start() for match in re.finditer(r"\S+", text)], np.int64)
    breaks = np.flatnonzero(kind == 2)
    line_starts = np.unique(np.searchsorted(starts, breaks))
    line_starts = line_starts[line_starts < len(texts)]
    if not len(line_starts) or line_starts[0] != 0:
        line_starts = np.concatenate(([0], line_starts))
    return Chunks(texts, starts.astype(np.int64), line_starts.astype(np.int64))


def trimmed(text: str) -> tuple[int, int]:
    """How many characters of punctuation a chunk has before and after its word."""
    size = len(text)
    lead = 0
    while lead < size - 1 and text[lead] in LEADING:
        lead += 1
    trail = 0
    while trail < size - lead - 1 and text[size - 1 - trail] in TRAILING:
        trail += 1
    if trail and text[size - trail] == ")":
        inner = text[lead : size - trail]
        if "(" in inner and ")" not in inner:
            trail -= 1  # "API(s)," -> "API(s)": that bracket closes one in the word
    return lead, trail


def word(text: str) -> str:
    """The chunk without the punctuation around it (the chunk itself if that is all it is)."""
    lead, trail = trimmed(text)
    return text[lead : len(text) - trail]
