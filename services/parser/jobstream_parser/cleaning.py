"""Cleaning: the one form of a posting's text that the parsed event carries.

Every span the parser and the tagger report is an offset into this cleaned text.
"""

from __future__ import annotations

import re
from typing import Final

_LINE_BREAK: Final = re.compile(r"\r\n?")
# Four newlines in a row are three blank lines; runs longer than that shrink to two blank lines.
_BLANK_RUN: Final = re.compile(r"\n{4,}")


def clean_text(text: str) -> str:
    """Normalise line breaks and white space at line ends, and nothing else.

    Drops a leading byte-order mark, turns CRLF and CR into LF, strips trailing white space on
    every line and shortens runs of three or more blank lines to two.
    """
    text = _LINE_BREAK.sub("\n", text.removeprefix("\ufeff"))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUN.sub("\n\n\n", text)
