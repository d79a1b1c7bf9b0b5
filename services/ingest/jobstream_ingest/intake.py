"""The pure core of ingest: bytes a person handed in become a raw posting or a rejection.

No I/O here; the inbox, the CLI and (later) HTTP all call `read_posting`.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import PurePath

from jobstream.contracts import MAX_TEXT_CHARS, Channel, RawPosting, Source

TEXT_FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md"}


@dataclass(frozen=True)
class Rejection:
    """Why an input was not published, in words a person understands."""

    reason: str  # short code, used as a metric label
    message: str
    detected_format: str | None = None


def detect_format(name: str) -> str | None:
    return TEXT_FORMATS.get(PurePath(name).suffix.lower())


def read_posting(
    name: str, data: bytes, channel: Channel, max_bytes: int
) -> RawPosting | Rejection:
    fmt = detect_format(name)
    if fmt is None:
        suffix = PurePath(name).suffix or "(none)"
        return Rejection(
            "unsupported_format",
            f"files ending in {suffix} are not read; use .txt or .md",
        )
    if len(data) > max_bytes:
        return Rejection(
            "too_large", f"{len(data):,} bytes is over the limit of {max_bytes:,} bytes", fmt
        )
    text = decode_text(data)
    if isinstance(text, Rejection):
        return text
    if not text.strip():
        return Rejection("empty", "the file has no text", fmt)
    if len(text) > MAX_TEXT_CHARS:
        return Rejection(
            "too_large", f"{len(text):,} characters is over the limit of {MAX_TEXT_CHARS:,}", fmt
        )
    source = Source(channel=channel, name=PurePath(name).name[:200], format=fmt)
    return RawPosting.from_text(text, source)


def decode_text(data: bytes) -> str | Rejection:
    """Decode text the way people save it: UTF-8 (BOM or not), UTF-16 with a BOM, or cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[len(codecs.BOM_UTF8) :], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16")
    if b"\x00" in data:
        return Rejection("binary", "the file holds binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Legacy single-byte text (Windows editors): cp1252 leaves five bytes undefined; text
    # that uses them is not cp1252, and latin-1 would only mangle it.
    return _decode(data, "cp1252")


def _decode(data: bytes, encoding: str) -> str | Rejection:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        return Rejection(
            "bad_encoding", f"not valid {encoding} text (byte {error.start}): {error.reason}"
        )
    if "\x00" in text:
        return Rejection("binary", "the text holds NUL characters")
    return text
