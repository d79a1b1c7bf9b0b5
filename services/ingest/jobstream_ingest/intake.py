"""The pure core of ingest: the bytes of one input become raw postings and rejections.

One input (a file, stdin, an HTTP body) may hold many postings (a JSON list, JSON Lines, CSV):
`read_postings` returns one outcome per posting, a `RawPosting` or a `Rejection` saying why,
numbered by record, so the good postings of a file go even when some records are bad. A
problem with the whole input is a single `Rejection` with no record number.

No I/O here; the inbox, the CLI and HTTP all call `read_postings` (formats in `formats/`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Final

from pydantic import ValidationError

from jobstream.contracts import Channel, ProvidedFields, RawPosting, Source, SourceFormat
from jobstream.logs import get_logger
from jobstream_ingest.formats.compression import gunzip, is_gzip
from jobstream_ingest.formats.errors import FormatError, Reason
from jobstream_ingest.formats.fields import posting_fields
from jobstream_ingest.formats.markup import html_to_text
from jobstream_ingest.formats.pdf import pdf_to_text
from jobstream_ingest.formats.structured import Item, csv_items, json_items, jsonl_items
from jobstream_ingest.formats.text import decode_text, repair
from jobstream_ingest.formats.word import docx_to_text

log = get_logger(__name__)

FORMAT_BY_SUFFIX: Final[Mapping[str, SourceFormat]] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".pdf": "pdf",
    ".docx": "docx",
}
GZIP_SUFFIXES: Final = (".gz", ".gzip")
_CONTROL_CHARACTERS: Final = re.compile(r"[\x00-\x1f\x7f]")
# HTML is parsed only up to this many times the posting text limit (Limits.max_markup_chars).
MARKUP_RATIO: Final = 10
# Room in one record of a bulk file for the fields beside the posting text.
RECORD_FIELDS_CHARS: Final = 64 * 1024
# How a record of a many-posting file is named in messages.
RECORD_WORDS: Final[Mapping[str, str]] = {"json": "item", "jsonl": "line", "csv": "row"}


@dataclass(frozen=True)
class Limits:
    """Bounds on one input; the defaults are IngestSettings' defaults."""

    max_file_bytes: int = 10 * 1024 * 1024
    max_text_bytes: int = 200 * 1024
    max_postings: int = 10_000
    # Bulk files (JSON Lines, CSV) are streamed: no size limit, this many records at most.
    max_bulk_postings: int = 10_000_000

    @property
    def max_record_chars(self) -> int:
        """A line of a bulk file longer than this is refused unread: its posting text (HTML
        too) with room for the fields beside it. Bounds the memory one record may take."""
        return self.max_markup_chars + RECORD_FIELDS_CHARS

    @property
    def max_markup_chars(self) -> int:
        """HTML larger than this is not parsed (parsing costs far more memory than its size).
        Markup of 10 times the text limit (2 MiB) is generous for a posting; its text would almost
        surely be over the limit anyway."""
        return min(self.max_file_bytes, MARKUP_RATIO * self.max_text_bytes)


@dataclass(frozen=True)
class Rejection:
    """Why an input, or one record of it, was not published, in words a person understands."""

    reason: Reason  # short code, used as a metric label
    message: str
    detected_format: SourceFormat | None = None
    record: int | None = None  # which record of a many-posting input; None: the whole input

    def describe(self) -> str:
        if self.record is None:
            return self.message
        word = RECORD_WORDS.get(self.detected_format or "", "record")
        return f"{word} {self.record}: {self.message}"


Outcome = RawPosting | Rejection


@dataclass(frozen=True)
class Detected:
    format: SourceFormat | None
    compressed: bool


def detect_format(name: str) -> Detected:
    """The format a file name says, looking through a .gz suffix."""
    path = PurePath(name.lower())
    compressed = path.suffix in GZIP_SUFFIXES
    if compressed:
        path = path.with_suffix("")
    return Detected(FORMAT_BY_SUFFIX.get(path.suffix), compressed)


def read_postings(
    name: str | None,
    data: bytes,
    channel: Channel,
    limits: Limits,
    fmt: SourceFormat | None = None,
) -> list[Outcome]:
    """Every posting in one input, or the rejections that say why not.

    `name` is the file or upload name (its directories are dropped); `fmt` overrides the
    format its suffix says (stdin, an HTTP body with a content type). gzip is recognised by
    its magic bytes whatever the name. A reader failing in a way it did not foresee rejects
    the input (see `unforeseen`) and logs the traceback: no entry point stops for it.
    """
    try:
        return _read_postings(name, data, channel, limits, fmt)
    except Exception as error:
        log.exception("reading failed", input=name, channel=channel)
        return [unforeseen(error)]


def _read_postings(
    name: str | None,
    data: bytes,
    channel: Channel,
    limits: Limits,
    fmt: SourceFormat | None,
) -> list[Outcome]:
    detected = detect_format(name) if name else Detected(None, False)
    fmt = fmt or detected.format
    compressed = detected.compressed or is_gzip(data)
    try:
        if len(data) > limits.max_file_bytes:
            raise FormatError("too_large", _over(len(data), limits.max_file_bytes))
        if is_gzip(data):
            data = gunzip(data, limits.max_file_bytes)
        elif detected.compressed:
            raise FormatError("bad_gzip", "the name ends in .gz but the content is not gzip")
        if fmt is None:
            raise FormatError("unsupported_format", _unsupported(name))
        extracts = _extract(fmt, data, limits)
    except FormatError as error:
        return [Rejection(error.reason, error.message, fmt)]
    if not extracts:
        return [Rejection("empty", "the file holds no postings", fmt)]
    source = Source(
        channel=channel,
        name=source_name(name),
        format=fmt,
        compressed=compressed,
    )
    return [posting_or_rejection(extract, source, limits) for extract in extracts]


@dataclass(frozen=True)
class Extract:
    """The text of one posting and the fields its input gave, before the checks."""

    number: int | None
    text: str
    provided: ProvidedFields = field(default_factory=ProvidedFields)
    encoding: str | None = None
    replaced_bytes: int = 0


def _extract(fmt: SourceFormat, data: bytes, limits: Limits) -> list[Extract | Rejection]:
    if fmt == "pdf":
        return [Extract(None, pdf_to_text(data, max_chars=limits.max_text_bytes))]
    if fmt == "docx":
        return [Extract(None, docx_to_text(data, max_bytes=limits.max_file_bytes))]
    if fmt in ("txt", "md", "html"):
        decoded = decode_text(data)
        text = decoded.text
        if fmt == "html":
            text = html_to_text(text, limits.max_markup_chars)
        return [
            Extract(None, text, encoding=decoded.encoding, replaced_bytes=decoded.replaced_bytes)
        ]
    decoded = decode_text(data, keep_escapes=True)
    readers = {"json": json_items, "jsonl": jsonl_items, "csv": csv_items}
    items = readers[fmt](decoded.text, limits.max_postings)
    return [extract_item(item, fmt, limits, decoded.encoding) for item in items]


def extract_item(
    item: Item, fmt: SourceFormat, limits: Limits, encoding: str | None
) -> Extract | Rejection:
    """A record's posting text and fields, its escaped bytes repaired and counted."""
    try:
        if isinstance(item.record, FormatError):
            raise item.record
        text, provided = posting_fields(item.record, limits.max_markup_chars)
    except FormatError as error:
        return Rejection(error.reason, error.message, fmt, item.number)
    text, replaced = repair(text)
    fields = {}
    for name, value in provided.model_dump(exclude_none=True).items():
        fields[name], count = repair(value)
        replaced += count
    return Extract(item.number, text, ProvidedFields(**fields), encoding, replaced)


def posting_or_rejection(extract: Extract | Rejection, source: Source, limits: Limits) -> Outcome:
    """The raw posting of an extract that passes the checks on every posting."""
    if isinstance(extract, Rejection):
        return extract

    def reject(reason: Reason, message: str) -> Rejection:
        return Rejection(reason, message, source.format, extract.number)

    text = extract.text
    if not text.strip():
        return reject("empty", "the posting has no text")
    if "\x00" in text:
        return reject("binary", "the text holds NUL characters")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as error:  # lone surrogates, possible in JSON (\ud800)
        return reject("bad_encoding", f"the text holds an unpaired surrogate at {error.start:,}")
    if size > limits.max_text_bytes:
        return reject("too_large", "the posting text is " + _over(size, limits.max_text_bytes))
    source = source.model_copy(
        update={
            "record": extract.number,
            "encoding": extract.encoding,
            "replaced_bytes": extract.replaced_bytes,
        }
    )
    try:
        return RawPosting.from_text(text, source, extract.provided)
    except ValidationError as error:
        problem = error.errors()[0]
        return reject("bad_field", f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}")


def unforeseen(error: Exception) -> Rejection:
    """A reader failed in a way it did not foresee. The input is rejected with the error, so
    neither the service nor a CLI run stops, and the input does not fail again forever."""
    return Rejection("unreadable", f"cannot read it: {type(error).__name__}: {error}"[:500])


def source_name(name: str | None) -> str | None:
    """The name a posting records as its source: the last part of a path (an upload may name
    `../../etc/passwd`), without control characters (PostgreSQL text refuses NUL), bounded."""
    if not name:
        return None
    base = _CONTROL_CHARACTERS.sub("", PurePath(name).name)[:200]
    return base or None


def _over(size: int, limit: int) -> str:
    return f"{size:,} bytes, over the limit of {limit:,}"


def _unsupported(name: str | None) -> str:
    suffix = PurePath(name).suffix if name else ""
    known = ", ".join(sorted(FORMAT_BY_SUFFIX)) + " (and any of them .gz)"
    what = f"files ending in {suffix}" if suffix else "input without a known format"
    return f"{what} cannot be read; use {known}"
