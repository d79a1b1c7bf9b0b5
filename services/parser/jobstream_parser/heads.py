"""Where a pattern's matches can start: the literal text each of its alternatives starts with.

Python's `re` tries a word-list pattern at every position of a text, trying each word in turn
(a `\\b` or a named group before the words rules out its quick skip to a possible first
character), so a search over 100 characters with a few dozen words costs microseconds. But
every match of `salar|\\bpay\\b|compensation` starts with "salar", "pay" or "compensation":
one Aho-Corasick pass finds where those are, and the pattern is tried only there.

`literal_heads` reads them from the pattern's source, and is sound or says nothing: it returns
None when some alternative may start with anything else (`\\d`, `.`, a negated class, an
alternative that may be empty), and a head may be shorter than what the alternative surely
starts with, never longer. A small class of literal characters (`[1-4]`, `[íi]`) gives each
of them as a head; an optional group or class (`(?:fully )?remote`) gives its heads and those
of what follows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from ahocorasick_rs import AhoCorasick, Implementation, MatchKind

# Zero-width openings skipped before a head: they say where a match may be, not what it holds.
_ZERO_WIDTH: Final = re.compile(r"\\b|\^|\(\?<?[=!]")
# Characters that end a literal head.
_SPECIAL: Final = frozenset("\\.^$[]()|+?*{}")
# A class of more characters than this ("[a-z]") starts almost anywhere: no use as heads.
MAX_CLASS_CHARS: Final = 12


def _structure(source: str) -> Iterator[tuple[int, str]]:
    """The pattern's `(`, `)` and `|` with their indexes, skipping escapes and classes."""
    in_class, escaped = False, False
    for index, char in enumerate(source):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()|":
            yield index, char


def alternatives(source: str) -> list[str]:
    """The top-level alternatives of a pattern: split at `|` outside groups and classes."""
    parts: list[str] = []
    depth, start = 0, 0
    for index, char in _structure(source):
        if char == "|":
            if depth == 0:
                parts.append(source[start:index])
                start = index + 1
        else:
            depth += 1 if char == "(" else -1
    parts.append(source[start:])
    return parts


def literal_heads(source: str) -> list[str] | None:
    """The literal text that each match of the pattern `source` starts with, one or more per
    alternative; None when an alternative may start with something else."""
    heads: list[str] = []
    for alternative in alternatives(source):
        found = _heads_of(alternative)
        if found is None:
            return None
        heads.extend(found)
    return heads


def _heads_of(alternative: str) -> list[str] | None:
    text = _skip_zero_width(alternative)
    if text.startswith("(?:") or text.startswith("(?P<"):
        end = _group_end(text)
        if end is None:
            return None
        inner = text[3:end] if text.startswith("(?:") else text[text.index(">") + 1 : end]
        return _then_maybe_rest(literal_heads(inner), text[end + 1 :])
    if text.startswith("["):
        end = text.find("]", 2)  # "[]...]" would hold "]": _class_chars refuses "]" first
        return _then_maybe_rest(_class_chars(text[1:end]) if end > 0 else None, text[end + 1 :])
    head = _literal_head(text)
    return [head] if head else None


def _then_maybe_rest(heads: list[str] | None, after: str) -> list[str] | None:
    """The heads of a group or class, and of what follows it when a quantifier after it
    (`?`, `*`) lets a match start there; None for `{m,n}` (it may allow none) or when any
    part has no known heads."""
    quantifier = after[:1]
    if heads is None or quantifier == "{":
        return None
    if quantifier in {"?", "*"}:
        rest = _heads_of(after[1:])  # a lazy "??" leaves "?" first: no heads, None
        return None if rest is None else heads + rest
    return heads


def _class_chars(body: str) -> list[str] | None:
    """The characters a class `[body]` of literal characters and ranges holds; None for a
    negated class, one with an escape such as `\\w` or `\\d` or `\\u2013`, or a large one."""
    if not body or body[0] in "^]":
        return None
    chars: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            if index + 1 >= len(body) or body[index + 1].isalnum():
                return None
            index += 1
            char = body[index]
        elif char == "[":
            return None  # a nested set ("[[:alpha:]]" in other engines): not read here
        if body[index + 1 : index + 2] == "-" and index + 2 < len(body):
            last = body[index + 2]
            if last == "\\" or ord(last) < ord(char) or ord(last) - ord(char) > MAX_CLASS_CHARS:
                return None
            chars.extend(chr(code) for code in range(ord(char), ord(last) + 1))
            index += 3
        else:
            chars.append(char)
            index += 1
    return chars if len(chars) <= MAX_CLASS_CHARS else None


def _skip_zero_width(text: str) -> str:
    while True:
        opening = _ZERO_WIDTH.match(text)
        if opening is None:
            return text
        if opening.group().startswith("(?"):
            end = _group_end(text)
            if end is None:
                return text
            text = text[end + 1 :]
        else:
            text = text[opening.end() :]


def _group_end(text: str) -> int | None:
    """The index of the parenthesis that closes the group `text` starts with."""
    depth = 0
    for index, char in _structure(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    return None


def _literal_head(text: str) -> str:
    """Literal characters up to the first special one, less the last when a quantifier makes
    it optional; an escaped punctuation mark ("\\$") is a literal."""
    head: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and not text[index + 1].isalnum():
            char, index = text[index + 1], index + 1
        elif char in _SPECIAL:
            if char in "?*{" and head:
                head.pop()
            break
        head.append(char)
        index += 1
    return "".join(head)


class HeadFinder:
    """Finds where a pattern's matches may start, with one Aho-Corasick pass."""

    def __init__(self, heads: list[str]) -> None:
        self._automaton = AhoCorasick(
            sorted(set(heads)), matchkind=MatchKind.Standard, implementation=Implementation.DFA
        )

    def starts(self, text: str) -> list[int]:
        """Every offset in `text` where a head starts, in order."""
        found = self._automaton.find_matches_as_indexes(text, overlapping=True)
        if len(found) < 2:  # the common case: nothing to sort
            return [start for _, start, _ in found]
        return sorted({start for _, start, _ in found})

    def finditer(
        self, pattern: re.Pattern[str], text: str, haystack: str
    ) -> Iterator[re.Match[str]]:
        """`pattern.finditer(text)`, tried where a head starts in `haystack` (`text` or it in
        lower case): each match after the last, as `finditer` finds them."""
        matched_to = 0
        for at in self.starts(haystack):
            if at < matched_to:
                continue
            match = pattern.match(text, at)
            if match is not None:
                yield match
                matched_to = max(match.end(), at + 1)

    def first(
        self, pattern: re.Pattern[str], text: str, haystack: str, offset: int = 0, end: int = -1
    ) -> re.Match[str] | None:
        """The first match of `pattern` in `text` at `offset` plus a place where a head starts
        in `haystack` (`text[offset:end]`, or it in lower case), up to `end` (or the end)."""
        for at in self.starts(haystack):
            match = (
                pattern.match(text, offset + at)
                if end < 0
                else pattern.match(text, offset + at, end)
            )
            if match is not None:
                return match
        return None


# Flags as plain integers: `&` on `re.RegexFlag` runs Python code (a microsecond a call).
IGNORECASE: Final = int(re.IGNORECASE)
VERBOSE: Final = int(re.VERBOSE)

# By the pattern's id, with the pattern itself (so its id is not reused): hashing a compiled
# pattern hashes its code, microseconds for a word list.
_FINDERS: dict[int, tuple[re.Pattern[str], HeadFinder | None]] = {}


def head_finder(pattern: re.Pattern[str]) -> HeadFinder | None:
    """The finder of a pattern's heads (lower case when the pattern ignores case), or None
    when its heads are not known."""
    cached = _FINDERS.get(id(pattern))
    if cached is not None and cached[0] is pattern:
        return cached[1]
    # Verbose patterns ignore their white space: their source is not their literal text.
    heads = None if pattern.flags & VERBOSE else literal_heads(pattern.pattern)
    if heads is not None and pattern.flags & IGNORECASE:
        heads = [head.lower() for head in heads]
    finder = HeadFinder(heads) if heads else None
    _FINDERS[id(pattern)] = (pattern, finder)
    return finder


# Characters that IGNORECASE matches to an ASCII letter but that lower case does not turn into
# it (U+0130 capital I with a dot, U+0131 dotless i, U+017F long s): a text with one is
# searched by the pattern itself.
CASE_FOLD_EXCEPTIONS: Final = "\u0130\u0131\u017f"


def search(pattern: re.Pattern[str], text: str, lowered: str | None = None) -> re.Match[str] | None:
    """`pattern.search(text)`, the pattern tried only where one of its heads starts.

    `lowered` is `text` in lower case, character for character (`anchors.lowered`), when the
    caller has it; a case-insensitive pattern's heads are looked for there.
    """
    finder = head_finder(pattern)
    if finder is None:
        return pattern.search(text)
    haystack = text
    if pattern.flags & IGNORECASE:
        haystack = text.lower() if lowered is None else lowered
        if len(haystack) != len(text) or any(char in text for char in CASE_FOLD_EXCEPTIONS):
            return pattern.search(text)
    return finder.first(pattern, text, haystack)


def finditer(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, the pattern tried only where one of its heads starts."""
    finder = head_finder(pattern)
    if finder is None:
        return pattern.finditer(text)
    haystack = text
    if pattern.flags & IGNORECASE:
        haystack = text.lower()
        if len(haystack) != len(text) or any(char in text for char in CASE_FOLD_EXCEPTIONS):
            return pattern.finditer(text)
    return finder.finditer(pattern, text, haystack)
