"""Bytes to text without garbling: the encoding is decided from the bytes, bad bytes replaced.

- A byte-order mark decides: UTF-8, UTF-16 or UTF-32.
- UTF-16/32 without a mark is recognised by its NUL bytes (charset-normalizer confirms it);
  other NUL bytes mean binary data.
- UTF-8 that is valid, or mostly valid (it holds valid multi-byte characters and few invalid
  bytes: a stray cp1252 quote pasted into a UTF-8 posting), stays UTF-8: only the invalid
  bytes are replaced, each run of them by one U+FFFD, and counted.
- Anything else is legacy text: charset-normalizer picks the encoding (cp1252 preferred when
  it reads as well as the best candidate: Western European exports are the common case, and
  the detector cannot tell cp1252 from cp1250 on text that uses letters both share).

Decoding is incremental (`StreamDecoder`), so a file of a gigabyte is decoded chunk by chunk.
Until the first non-ASCII byte every ASCII-compatible encoding agrees, so the decision is made
there, on a window of the bytes that follow. Invalid bytes travel as lone surrogates
(Python's surrogateescape) until `repair` turns them into U+FFFD per record, so each posting
can say how many of its bytes were replaced.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Final

from charset_normalizer import from_bytes

from jobstream_ingest.formats.errors import FormatError

_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Encodings the detector chooses among: the legacy code pages postings are really saved in.
# Left to itself it also proposes cp775, mac_latin2 and the like for plain French.
LEGACY_CANDIDATES: Final = (
    "cp1252", "cp1250", "cp1251", "koi8_r", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
    "cp874", "iso8859_15", "iso8859_2", "iso8859_5", "cp932", "euc_jp", "gb18030", "big5",
    "euc_kr", "utf_16_le", "utf_16_be",
)  # fmt: skip
WIDE_CANDIDATES: Final = ("utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be")
# cp1252 wins when its chaos (charset-normalizer's measure of implausible text) is this close
# to the best candidate's.
_WESTERN_TOLERANCE: Final = 0.02
# Bytes after the first non-ASCII one that decide the encoding of a stream.
DETECTION_WINDOW: Final = 64 * 1024
# UTF-8 with invalid bytes stays UTF-8 when they are at most this share of the bytes read...
_STRAY_SHARE: Final = 0.01
# C0 control characters other than tab, newlines, form feed and escape: text has almost none.
_CONTROL: Final = re.compile(r"[\x01-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_CONTROL_BYTES: Final = bytes([*range(0x01, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_MAX_CONTROL_SHARE: Final = 0.02
# surrogateescape turns an invalid byte 0xNN into U+DCNN; valid text never decodes to these.
_ESCAPED: Final = re.compile("[\udc80-\udcff]+")
_NON_ASCII: Final = re.compile(rb"[\x80-\xff]")
# Bytes at the start that decide a BOM, or wide text (UTF-16/32 without BOM) by its NULs.
_START_BYTES: Final = 1024
_MIN_WIDE_BYTES: Final = 32
_CP1252_UNDEFINED: Final = b"\x81\x8d\x8f\x90\x9d"
# A short sample is topped up to this many bytes with the ASCII before it: a few words of
# context tell the detector more than the accented letters alone.
_CONTEXT: Final = 1024


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    replaced_bytes: int


def decode_text(data: bytes, *, keep_escapes: bool = False) -> Decoded:
    """The text in `data` (a whole input), its encoding and how many bytes were replaced;
    raises FormatError for binary data or bytes that are text in no encoding.

    `keep_escapes`: invalid bytes stay escaped, for a reader of many records to `repair`
    record by record (each posting then counts its own)."""
    decoder = StreamDecoder()
    text = decoder.decode(data, final=True)
    # `repair` counts what it replaces: the escapes are counted once, by one or the other.
    if keep_escapes:
        replaced = escaped_bytes(text)
    else:
        text, replaced = repair(text)
    return Decoded(check_sample(text), decoder.encoding or "utf-8", replaced)


def _utf8(text: str) -> bytes | None:
    """`text` in UTF-8, or None when it holds a surrogate (an escaped byte among them).

    The codec checks every character in C; `_ESCAPED`'s scan of a whole text costs several
    times as much (docs/benchmarks.md), and nearly every text holds no escape."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


def escaped_bytes(text: str) -> int:
    """How many invalid bytes `text` holds escaped (see `repair`)."""
    if text.isascii() or _utf8(text) is not None:
        return 0
    return sum(len(run) for run in _ESCAPED.findall(text))


def repair(text: str) -> tuple[str, int]:
    """`text` with each run of escaped invalid bytes replaced by U+FFFD, and how many bytes."""
    if text.isascii() or _utf8(text) is not None or _ESCAPED.search(text) is None:
        return text, 0
    replaced = 0

    def one_mark(run: re.Match[str]) -> str:
        nonlocal replaced
        replaced += len(run.group())
        return "\ufffd"

    return _ESCAPED.sub(one_mark, text), replaced


class StreamDecoder:
    """Bytes to text, chunk by chunk; invalid bytes come out escaped (see `repair`).

    `encoding` is None until decided (pure ASCII so far), then a Python codec name.
    """

    def __init__(self) -> None:
        self.encoding: str | None = None
        self._decoder: codecs.IncrementalDecoder | None = None
        self._held = b""  # bytes not yet decoded: a start too short to judge, or a window
        self._context = b""  # the last ASCII bytes passed on before the window
        self._started = False

    def decode(self, chunk: bytes, final: bool = False) -> str:
        if self._decoder is not None:
            return self._run(chunk, final)
        data = self._held + chunk
        self._held = b""
        if not self._started:
            if len(data) < _START_BYTES and not final:  # enough to judge a BOM and NULs
                self._held = data
                return ""
            self._started = True
            if self._start(data):
                return self._run(data, final)
        first = _NON_ASCII.search(data)
        if first is None:  # ASCII so far: every candidate encoding reads it alike
            self._context = (self._context + data)[-_CONTEXT:]
            return data.decode("ascii")
        ascii_part, window = data[: first.start()], data[first.start() :]
        self._context = (self._context + ascii_part)[-_CONTEXT:]
        if len(window) < DETECTION_WINDOW and not final:
            self._held = window
            return ascii_part.decode("ascii")
        self._choose(window, final)
        return ascii_part.decode("ascii") + self._run(window, final)

    def _run(self, data: bytes, final: bool) -> str:
        assert self._decoder is not None
        try:
            return self._decoder.decode(data, final)
        except UnicodeDecodeError as error:  # strict decoders: text with a byte-order mark
            name = (self.encoding or "").removesuffix("-sig")
            raise FormatError(
                "bad_encoding", f"not valid {name} text (byte {error.start:,}): {error.reason}"
            ) from error

    def _start(self, data: bytes) -> bool:
        """Decide from the first bytes when they can: a BOM, or NULs (wide text or binary)."""
        for bom, encoding in _BOMS:
            if data.startswith(bom):
                errors = "surrogateescape" if encoding == "utf-8-sig" else "strict"
                self._use(encoding, errors)
                return True
        head = data[:DETECTION_WINDOW]
        if b"\x00" not in head:
            return False
        match = from_bytes(head, cp_isolation=list(WIDE_CANDIDATES)).best()
        # Wide text decodes its NUL bytes into letters: NUL or control characters left over,
        # or a few bytes only, are binary data that happened to decode.
        if match is None or len(head) < _MIN_WIDE_BYTES or not _plausible(str(match)):
            raise FormatError("binary", "the file holds binary data (NUL bytes), not text")
        self._use(match.encoding.replace("_", "-"), "surrogateescape")
        return True

    def _choose(self, window: bytes, final: bool) -> None:
        probe = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        text = probe.decode(window[:DETECTION_WINDOW], final and len(window) <= DETECTION_WINDOW)
        invalid = escaped_bytes(text)
        if invalid == 0 or _mostly_utf8(text, invalid):
            self._use("utf-8", "surrogateescape")
            return
        sample = window[:DETECTION_WINDOW]
        # ASCII context only tops a short sample up: much of it would dilute the measure of
        # chaos the detector compares encodings by.
        context = self._context[len(self._context) - max(_CONTEXT - len(sample), 0) :]
        self._use(legacy_encoding(context + sample), "surrogateescape")

    def _use(self, encoding: str, errors: str) -> None:
        self.encoding = encoding
        self._decoder = codecs.getincrementaldecoder(encoding)(errors)


def _mostly_utf8(text: str, invalid: int) -> bool:
    """UTF-8 with stray bytes: valid multi-byte characters, and few invalid bytes beside them.

    Legacy single-byte text almost never forms valid multi-byte UTF-8 sequences by chance (a
    capital accented letter followed by a symbol of 0x80-0xBF), so one valid character is
    evidence; the invalid bytes must not outnumber the valid characters, or be a small share.
    """
    valid = sum(1 for char in text if char > "\x7f") - invalid
    return valid > 0 and (invalid <= valid or invalid <= _STRAY_SHARE * len(text))


def legacy_encoding(sample: bytes) -> str:
    """The legacy encoding `sample` reads best in; FormatError when it reads in none.

    cp1252 is judged without the five bytes it leaves undefined: a stray one must not hand
    a Western text to cp1251 (where 0x81 is a letter), garbling every accent; it is replaced.
    """
    best = from_bytes(sample, cp_isolation=list(LEGACY_CANDIDATES)).best()
    western = from_bytes(sample.translate(None, _CP1252_UNDEFINED), cp_isolation=["cp1252"]).best()
    if western is not None and (best is None or western.chaos <= best.chaos + _WESTERN_TOLERANCE):
        return "cp1252"
    if best is None:
        raise FormatError(
            "bad_encoding", "not text in UTF-8 or any legacy encoding recognised; save it as UTF-8"
        )
    return str(best.encoding)


def _plausible(text: str) -> bool:
    try:
        check_sample(text)
    except FormatError:
        return False
    return True


def _control_characters(text: str) -> int:
    """How many characters of `_CONTROL` `text` holds."""
    data = _utf8(text)
    if data is None:  # escaped bytes: the scan of the text itself
        return len(_CONTROL.findall(text))
    # They are ASCII, and no byte of a multi-byte UTF-8 character is: counted in the bytes,
    # in C, rather than by `_CONTROL`'s scan of the text.
    return len(data) - len(data.translate(None, _CONTROL_BYTES))


def check_sample(text: str) -> str:
    """`text`, or FormatError when it is binary data (NULs, many control characters)."""
    if "\x00" in text:
        raise FormatError("binary", "the text holds NUL characters, so it is binary data")
    controls = _control_characters(text)
    if controls > 8 and controls > _MAX_CONTROL_SHARE * len(text):
        raise FormatError("binary", f"{controls:,} control characters: binary data, not text")
    return text
