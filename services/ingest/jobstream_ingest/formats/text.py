"""Bytes to text the way people save it: UTF-8 (BOM or not), UTF-16/32 with a BOM, or cp1252."""

from __future__ import annotations

import codecs
import re

from jobstream_ingest.formats.errors import FormatError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 control characters other than tab, newlines, form feed and escape: text has almost none.
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.02


def decode_text(data: bytes) -> str:
    """The text in `data`; raises FormatError for binary data or text in no known encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(_decode(data, encoding))
    if b"\x00" in data:
        raise FormatError("binary", "the file holds binary data (NUL bytes), not text")
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    # Legacy single-byte text (Windows editors, old exports): cp1252 is a superset of latin-1's
    # printable characters. It leaves five bytes undefined; text using them is not cp1252, and
    # latin-1 would only turn them into invisible control characters.
    return _checked(_decode(data, "cp1252"))


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        name = encoding.removesuffix("-sig")
        raise FormatError(
            "bad_encoding", f"not valid {name} text (byte {error.start:,}): {error.reason}"
        ) from error


def _checked(text: str) -> str:
    if "\x00" in text:
        raise FormatError("binary", "the text holds NUL characters, so it is binary data")
    controls = len(_CONTROL.findall(text))
    if controls > 8 and controls > _MAX_CONTROL_SHARE * len(text):
        raise FormatError("binary", f"{controls:,} control characters: binary data, not text")
    return text
