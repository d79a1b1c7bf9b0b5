"""A cleaned posting split once into lines with offsets, shared by every extractor."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final, NamedTuple, TypeVar, cast

from jobstream_parser.anchors import anchor_positions, lowered
from jobstream_parser.heads import (
    CASE_FOLD_EXCEPTIONS,
    IGNORECASE,
    VERBOSE,
    HeadFinder,
    head_finder,
    literal_heads,
)

# The head: where a posting states its title, company, place and terms.
HEAD_LINES: Final = 12
HEAD_CHARS: Final = 3_000

BULLET: Final = re.compile(r"- |\d{1,3}[.)] |[a-z][.)] ")
_GROUP_NAME: Final = re.compile(r"\(\?P<\w+>")

T = TypeVar("T")


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
    _lower_scans: bool = field(init=False)
    _derived: dict[Callable[[Document], object], object] = field(init=False)

    def __post_init__(self) -> None:
        lines = []
        starts = []
        offset = 0
        new_line = tuple.__new__  # a NamedTuple's own __new__ is Python code: this is not
        raws = self.text.split("\n")
        for raw in raws:
            if raw:
                end = offset + len(raw)
                lines.append(new_line(Line, (offset, end, raw)))
                starts.append(offset)
                offset = end + 1
            else:
                offset += 1
        self.lines = lines
        self._starts = starts
        self.lower = lowered(self.text, raws)
        self._anchors = anchor_positions(self.text, self.lower)
        self._lower_scans = not any(char in self.text for char in CASE_FOLD_EXCEPTIONS)
        self._derived = {}

    def derived(self, compute: Callable[[Document], T]) -> T:
        """`compute(self)`, computed once: a view of the text that several extractors read."""
        if compute not in self._derived:
            self._derived[compute] = compute(self)
        return cast(T, self._derived[compute])

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

    def has_anchor(self, extractor: str, start: int, end: int) -> bool:
        """Whether an anchor word of `extractor` starts in `[start, end)`."""
        positions = self._anchors[extractor]
        return bisect.bisect_left(positions, start) < bisect.bisect_left(positions, end)

    def mentions(self, extractor: str) -> bool:
        """Whether the text holds an anchor word of `extractor` anywhere."""
        return bool(self._anchors[extractor])

    def lines_for(self, extractor: str) -> list[Line]:
        """The lines holding an anchor word of `extractor` (see anchors.py), in order."""
        indexes = set()
        for position in self._anchors[extractor]:
            index = bisect.bisect_right(self._starts, position) - 1
            if index >= 0 and position < self.lines[index].end:
                indexes.add(index)
        return [self.lines[index] for index in sorted(indexes)]

    def scan(
        self,
        pattern: re.Pattern[str],
        extractor: str,
        back: int = 60,
        ahead: int = 100,
        starts: re.Pattern[str] | None = None,
    ) -> Iterator[re.Match[str]]:
        """`pattern.finditer` over windows around the anchors of `extractor` only.

        A window runs from `back` characters before an anchor to `ahead` after it (so it must
        hold any match that contains or follows the anchor); overlapping windows merge, so no
        match is found twice. Lookbehinds still see the text before a window.

        The matches are those of `finditer`, found faster: the pattern is tried only where a
        match may start. `starts`, when given, finds those places (a pattern whose matches
        start with a digit after a lookbehind, say, is tried at every position by `re`; `\\d`
        with the lookbehind after it is not). Else, when the pattern's literal heads are known
        (heads.py), one Aho-Corasick pass finds them. Else a case-insensitive pattern runs as
        its case-sensitive twin over the lower-cased text (`lower_twin`), which `re` runs two
        to three times faster, and each find is matched again by the pattern for its groups.
        """
        ignore_case = bool(pattern.flags & IGNORECASE)
        finder = None
        if starts is None and (self._lower_scans or not ignore_case):
            finder = head_finder(pattern)
        twin = None
        ascii_finder = None
        if starts is None and self._lower_scans:
            twin = lower_twin(pattern)
            ascii_finder = ascii_head_finder(pattern) if finder is None else None
        for start, end in self.windows(extractor, back, ahead):
            if starts is not None:
                found = [begin.start() for begin in starts.finditer(self.text, start, end)]
            elif finder is not None:
                window = self.lower[start:end] if ignore_case else self.text[start:end]
                found = [start + at for at in finder.starts(window)]
            elif (
                ascii_finder is not None
                and (
                    window := self.lower[start:end] if ignore_case else self.text[start:end]
                ).isascii()
            ):
                found = [start + at for at in ascii_finder.starts(window)]
            elif twin is not None:
                found = [begin.start() for begin in twin.finditer(self.lower, start, end)]
                yield from self._matches_at(pattern, found, start, end, None)
                continue
            else:
                yield from pattern.finditer(self.text, start, end)
                continue
            yield from self._matches_at(pattern, found, start, end, twin)

    def _matches_at(
        self,
        pattern: re.Pattern[str],
        begins: list[int],
        start: int,
        end: int,
        twin: re.Pattern[str] | None,
    ) -> Iterator[re.Match[str]]:
        """The pattern's matches in `[start, end)` that start at one of `begins` (in order),
        each after the last, as `finditer` finds them. `twin`, when given, is tried first at
        each place, over the lower-cased text: it fails where the pattern fails, at less cost
        (most places a head starts at hold no match), and the pattern gives the match."""
        matched_to = start
        for begin in begins:
            if begin < matched_to:
                continue
            if twin is not None and twin.match(self.lower, begin, end) is None:
                continue
            match = pattern.match(self.text, begin, end)
            if match is not None:
                yield match
                matched_to = max(match.end(), begin + 1)

    def search(self, pattern: re.Pattern[str], start: int, end: int) -> re.Match[str] | None:
        """`pattern.search(self.text, start, end)`: the first match in `[start, end)`, where
        `\\b` and lookbehinds see the text around (unlike `find`'s slice), the pattern tried
        only where one of its literal heads starts (see heads.py)."""
        finder = head_finder(pattern)
        ignore_case = pattern.flags & IGNORECASE
        if finder is None or (ignore_case and not self._lower_scans):
            return pattern.search(self.text, start, end)
        window = self.lower[start:end] if ignore_case else self.text[start:end]
        return finder.first(pattern, self.text, window, start, end)

    def find(self, pattern: re.Pattern[str], start: int, end: int) -> re.Match[str] | None:
        """`pattern.search(self.text[start:end])` (offsets in that slice), the pattern tried
        only where one of its literal heads starts (see heads.py)."""
        sliced = self.text[start:end]
        finder = head_finder(pattern)
        ignore_case = pattern.flags & IGNORECASE
        if finder is None or (ignore_case and not self._lower_scans):
            return pattern.search(sliced)
        return finder.first(pattern, sliced, self.lower[start:end] if ignore_case else sliced)

    def in_lower_case(self, pattern: re.Pattern[str]) -> tuple[str, re.Pattern[str]]:
        """The text and the pattern to search it with: the lower-cased text and the pattern's
        case-sensitive twin (`lower_twin`) where they find the same matches at the same places
        (offsets are the same in both), else the text and the pattern."""
        twin = lower_twin(pattern) if self._lower_scans else None
        return (self.text, pattern) if twin is None else (self.lower, twin)

    def windows(self, extractor: str, back: int, ahead: int) -> list[tuple[int, int]]:
        """Merged `[start, end)` windows around the anchors of `extractor`."""
        windows: list[tuple[int, int]] = []
        positions = self._anchors[extractor]
        if not positions:
            return windows
        size = len(self.text)
        first = positions[0]
        start, end = max(0, first - back), min(size, first + ahead)
        for position in positions:  # in order: each window starts after the last started
            if position - back <= end:
                end = max(end, min(size, position + ahead))
            else:
                windows.append((start, end))
                start, end = position - back, min(size, position + ahead)
        windows.append((start, end))
        return windows


# By the pattern's id, with the pattern (see heads._FINDERS).
_TWINS: dict[int, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}


def lower_twin(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A case-insensitive pattern's twin for lower-cased text: the same pattern in lower case,
    case-sensitive, without group names. None for a pattern that is not case-insensitive.

    `re` compares a case-insensitive pattern's characters by their case folds and cannot skip
    ahead to where a word may start; nor can it when alternatives start with a named group. The
    twin finds the same matches at the same places in a text lower-cased character for
    character (`anchors.lowered`) that holds none of `CASE_FOLD_EXCEPTIONS`.
    """
    cached = _TWINS.get(id(pattern))
    if cached is not None and cached[0] is pattern:
        return cached[1]
    twin = None
    if pattern.flags & IGNORECASE and "\\N" not in pattern.pattern:
        source = _GROUP_NAME.sub("(?:", pattern.pattern)
        # Lower case all but what follows a backslash (\W is not \w).
        lowered_source = re.sub(
            r"\\.|[^\\]+", lambda part: part[0] if part[0][0] == "\\" else part[0].lower(), source
        )
        twin = re.compile(lowered_source, pattern.flags & ~re.IGNORECASE)
    _TWINS[id(pattern)] = (pattern, twin)
    return twin


# By the pattern's id, with the pattern (see heads._FINDERS).
_ASCII_FINDERS: dict[int, tuple[re.Pattern[str], HeadFinder | None]] = {}
# `\\d` and its quantifier, if any.
_DIGITS: Final = re.compile(r"\\d(?P<count>\{[^}]*\}|[?*+])?")


def ascii_head_finder(pattern: re.Pattern[str]) -> HeadFinder | None:
    """The finder of a pattern's heads where `\\d` is read as an ASCII digit ("0" to "9"):
    sound over ASCII text only (`\\d` matches every script's digits), where it finds where
    a pattern such as `\\d{1,2} months|temporary|...` may start without trying it at every
    position. None when the pattern has no `\\d` or its heads are not known even so."""
    cached = _ASCII_FINDERS.get(id(pattern))
    if cached is not None and cached[0] is pattern:
        return cached[1]
    source = pattern.pattern
    finder = None
    # A literal backslash ("\\\\d") or white space a verbose pattern ignores: not read.
    if "\\d" in source and "\\\\" not in source and not pattern.flags & VERBOSE:
        heads = literal_heads(_ascii_digits(source))
        if heads:
            finder = HeadFinder(
                [head.lower() for head in heads] if pattern.flags & IGNORECASE else heads
            )
    _ASCII_FINDERS[id(pattern)] = (pattern, finder)
    return finder


def _ascii_digits(source: str) -> str:
    """The pattern with `\\d` as `[0-9]` (`0-9` in a class), for reading its heads only: a
    count of at least one becomes one digit (what every match starts with), one that may be
    none `[0-9]*`."""
    parts: list[str] = []
    in_class = False
    index = 0
    while index < len(source):
        char = source[index]
        digits = _DIGITS.match(source, index) if char == "\\" else None
        if digits is not None and in_class:
            parts.append("0-9")
            index += 2
        elif digits is not None:
            count = digits.group("count") or ""
            parts.append("[0-9]*" if count in {"?", "*"} or count.startswith("{0") else "[0-9]")
            index = digits.end()
        elif char == "\\":
            parts.append(source[index : index + 2])
            index += 2
        else:
            if in_class:
                in_class = char != "]"
            elif char == "[":
                in_class = True
            parts.append(char)
            index += 1
    return "".join(parts)


def is_bullet(line: str) -> bool:
    # Only a line that starts as a bullet may be one: a cheap test before the pattern.
    first = line[:1]
    if first == "-" or "a" <= first <= "z" or first.isdecimal():
        return BULLET.match(line) is not None
    return False
