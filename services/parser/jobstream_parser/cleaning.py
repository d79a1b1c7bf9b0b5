"""Cleaning: the one form of a posting's text that the parsed event carries and the tagger reads.

Every span the parser and the tagger report is an offset into this cleaned text. Cleaning
normalises Unicode (NFKC), line breaks, white space and bullets; drops invisible and control
characters; collapses lines repeated verbatim; and removes job-board boilerplate (safety tips,
"see more jobs", "show more", cookie and terms notices). The employer's own legal text (EEO,
privacy notice) stays: the parser marks it as the `legal` section.

Everything here is a single pass of C-speed regex substitutions plus one loop over lines, so
the cost is linear in the input. The loop does per line only what the line needs: most lines
are printable ASCII without runs of white space, markup or boilerplate words, and cheap tests
(`str.isprintable`, `str.isascii`, `in`, one character) skip the work for them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final, NamedTuple

from jobstream.contracts import MAX_TEXT_CHARS
from jobstream.errors import JobstreamError
from jobstream_parser.line_cache import LINE_CACHE_SIZE, MAX_CACHED_LINE_CHARS

# A line this long that appears a second time anywhere is a copy (pasted twice, scraped twice).
MIN_REPEATED_LINE_CHARS: Final = 40
# A job-board block (safety tips, similar jobs) only ends a posting, never starts one.
MIN_LINES_BEFORE_BOARD_BLOCK: Final = 5
MAX_NOTED_CHARS: Final = 200
MAX_COMPANY_CARD_CHARS: Final = 60
MAX_BOARD_LINE_CHARS: Final = 400
# Words every board-block marker holds (lower case): a cheap test before the pattern.
_BOARD_WORD: Final = re.compile("job|tips|safety|viewed|notified")
# A board line longer than this is a cookie or "by clicking apply" notice (the longest short one
# is "be an early applicant!"); those notices hold one of these words (lower case).
MAX_SHORT_BOARD_LINE_CHARS: Final = 22
_NOTICE_WORD: Final = re.compile("cookie|by clicking|by applying")
# Either kind of word: most lines have none, and one search says so.
_BOARD_OR_NOTICE_WORD: Final = re.compile(f"{_BOARD_WORD.pattern}|{_NOTICE_WORD.pattern}")

_LINE_BREAKS: Final = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_RARE_BREAKS: Final = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# Controls, zero-width and bidi characters, noncharacters and lone surrogates: never content.
# (The surrogates are written with chr(): mypyc, which compiles this module as it is, refuses
# surrogates in string literals; see docs/parser.md, speed.)
_INVISIBLE: Final = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    f"\ufeff\ufdd0-\ufdef\ufffe\uffff{chr(0xD800)}-{chr(0xDFFF)}]"
)
# "**Requirements**", "__Benefits:__": emphasis around a whole line.
_EMPHASIS: Final = re.compile(r"^(\*\*|__)([^*_\n]{1,200})\1(:?)$")
_MARKDOWN_HEADING: Final = re.compile(r"^#{1,6} ")
# Bullet marks that become "- ": symbols always, dashes/stars/plus only before a space.
_BULLET: Final = re.compile(r"^(?:[•·▪◦‣●○■□➢➤►▸✓✔❖]|[-\u2013\u2014*+](?= ))[ ]?")
# The first characters of a line that may hold markup (a heading, emphasis or a bullet).
_MARKUP_FIRST: Final = frozenset("#*_•·▪◦‣●○■□➢➤►▸✓✔❖-\u2013\u2014+")
# NFKC turns one character into at most this many (U+FDFA).
MAX_NFKC_GROWTH: Final = 18

# Lines a job board adds around a posting; dropped one by one.
_BOARD_LINE: Final = re.compile(
    r"(?:show (?:more|less)|see (?:more|less)|…? ?more|apply now|easy apply|apply|save|save job"
    r"|report (?:this )?job|share|copy link|actively recruiting|be an early applicant|promoted"
    r"|.{0,200}\b(?:we use cookies|accept (?:all )?cookies|cookie (?:policy|settings)"
    r"|by clicking (?:on )?[\"“]?apply|by applying,? you agree).{0,200})[.!]?",
    re.IGNORECASE,
)
# Where a job board's own footer starts (safety tips, more jobs): the rest is not the posting.
_BOARD_BLOCK: Final = re.compile(
    r"see more jobs|job search (?:safety )?tips|job (?:search )?safety|safety tips"
    r"|similar jobs|people also viewed|more jobs (?:like this|from)|jobs you may"
    r"|recommended jobs for you|get notified about new",
    re.IGNORECASE,
)


class Cleaned(NamedTuple):
    text: str
    duplicate_lines: int
    boilerplate_lines: int
    boilerplate: list[str]


class TooLong(JobstreamError, ValueError):
    """Cleaning made the text longer than an event may carry (NFKC can expand characters)."""


def clean_text(text: str) -> str:
    """The cleaned text alone (see `clean`)."""
    return clean(text).text


def clean(text: str) -> Cleaned:
    """Normalise, collapse repeats and remove job-board boilerplate; see the module docstring.

    Lines are stripped, runs of white space become one space, bullets become "- ", and runs of
    blank lines become one blank line (a paragraph break). Raises `TooLong` when Unicode
    normalisation grew the text past what an event may carry.
    """
    if "\r" in text or any(char in text for char in _RARE_BREAKS):
        text = _LINE_BREAKS.sub("\n", text)
    # Invisible characters go and NFKC applies line by line, where a line needs it: a printable
    # line holds no invisible character (nor white space but plain spaces), and an ASCII line
    # is its own NFKC. Line by line is the same as for the whole text (a line break is never
    # composed with anything). A text that NFKC might grow past what an event may carry (a
    # character becomes at most 18) is normalised whole, NFC if NFKC makes it too long.
    by_line = len(text) <= MAX_TEXT_CHARS // MAX_NFKC_GROWTH
    if not by_line:
        text = _INVISIBLE.sub("", text)
        normalised = unicodedata.normalize("NFKC", text)
        if len(normalised) > MAX_TEXT_CHARS:  # a few characters expand to many under NFKC
            normalised = unicodedata.normalize("NFC", text)
            if len(normalised) > MAX_TEXT_CHARS:
                raise TooLong(f"{len(normalised):,} characters after Unicode normalisation")
        text = normalised

    out: list[str] = []
    seen: set[str] = set()
    previous = ""
    duplicates = 0
    removed = 0
    notes: list[str] = []
    content_lines = 0
    lines = text.split("\n")
    for index, raw_line in enumerate(lines):
        if by_line and len(raw_line) <= MAX_CACHED_LINE_CHARS:
            line, board_block, board_line = _read_line_cached(raw_line)
        else:
            line, board_block, board_line = _read_line(raw_line, by_line)
        if not line:
            if out and out[-1]:
                out.append("")
            continue
        if line == previous or (len(line) >= MIN_REPEATED_LINE_CHARS and line in seen):
            duplicates += 1
            continue
        if board_block and content_lines >= MIN_LINES_BEFORE_BOARD_BLOCK:
            rest = lines[index + 1 :]
            if by_line:
                rest = [unicodedata.normalize("NFKC", _INVISIBLE.sub("", raw)) for raw in rest]
            block = [line, *(raw for raw in rest if raw.strip())]
            removed += len(block) + _drop_company_card(out)
            notes.append(line[:MAX_NOTED_CHARS])
            break
        if board_line:
            removed += 1
            notes.append(line[:MAX_NOTED_CHARS])
            continue
        if len(line) >= MIN_REPEATED_LINE_CHARS:
            seen.add(line)
        out.append(line)
        previous = line
        content_lines += 1
    while out and not out[-1]:
        out.pop()
    return Cleaned("\n".join(out), duplicates, removed, notes)


def _read_line(raw_line: str, by_line: bool) -> tuple[str, bool, bool]:
    """A raw line as the cleaned text has it (`by_line`: Unicode normalisation is still to do),
    whether it starts a job board's footer, and whether it is a board's line of its own."""
    if by_line:
        printable = raw_line.isprintable()
        if not printable:
            raw_line = _INVISIBLE.sub("", raw_line)
        if not raw_line.isascii():
            raw_line = unicodedata.normalize("NFKC", raw_line)
            printable = raw_line.isprintable()
    else:
        printable = raw_line.isprintable()
    # Every run of white space one space, the line stripped, as " ".join(line.split()) does;
    # that costs a string per word, so it is done only where there are more than single
    # spaces. Then markup: most lines have none, and "- " bullets are already as wanted.
    runs = not printable or "  " in raw_line
    line = " ".join(raw_line.split()) if runs else raw_line.strip(" ")
    if line and line[0] in _MARKUP_FIRST and not line.startswith("- "):
        line = _normalise_line(line)
    if not line or len(line) > MAX_BOARD_LINE_CHARS:
        return line, False, False
    # Lower case settles the word tests for an ASCII line (what IGNORECASE matches); any other
    # line goes to the patterns.
    lowered = line.lower() if line.isascii() else None
    words = lowered is None or _BOARD_OR_NOTICE_WORD.search(lowered) is not None
    board_block = (
        words
        and (lowered is None or _BOARD_WORD.search(lowered) is not None)
        and _BOARD_BLOCK.search(line) is not None
    )
    board_line = (
        len(line) <= MAX_SHORT_BOARD_LINE_CHARS
        or (words and (lowered is None or _NOTICE_WORD.search(lowered) is not None))
    ) and _BOARD_LINE.fullmatch(line) is not None
    return line, board_block, board_line


@lru_cache(maxsize=LINE_CACHE_SIZE)
def _read_line_cached(raw_line: str) -> tuple[str, bool, bool]:
    """`_read_line(raw_line, by_line=True)`, each distinct short line read once: postings of
    one employer or board repeat most of their lines (their boilerplate, their headings)."""
    return _read_line(raw_line, True)


def _normalise_line(line: str) -> str:
    if not line or line[0] not in _MARKUP_FIRST:
        return line
    if line[0] == "#":
        line = _MARKDOWN_HEADING.sub("", line)
    if line[0] in "*_":
        emphasis = _EMPHASIS.match(line)
        if emphasis is not None:
            line = emphasis.group(2).strip() + emphasis.group(3)
    if not line:
        return line
    bullet = _BULLET.match(line)
    if bullet is not None:
        rest = line[bullet.end() :].strip()
        return "- " + rest if rest else ""
    return line


def _drop_company_card(out: list[str]) -> int:
    """A board's company card right above its footer: the company's name again (a short line
    seen earlier) and a one-line description. Returns how many lines it dropped."""
    while out and not out[-1]:
        out.pop()
    if len(out) >= 3:
        name = out[-2]
        if 0 < len(name) <= MAX_COMPANY_CARD_CHARS and name in out[:-2]:
            del out[-2:]
            return 2
    return 0
