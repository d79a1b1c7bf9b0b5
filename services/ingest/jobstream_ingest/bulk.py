"""Bulk files read as streams: JSON Lines and CSV, plain or gzip, record by record.

A file of a million postings is never held whole: bytes are decompressed and decoded chunk by
chunk (`formats/text.py` decides the encoding at the first non-ASCII byte), split into lines,
and each record becomes an outcome as `read_postings` would make it. Memory stays flat
whatever the file's size; what bounds it is the size of one record (`Limits.max_record_chars`)
and the batch the caller publishes.

Records are numbered as `read_postings` numbers them (JSON Lines: by line; CSV: by row after
the header), so a reader resumed with `skip_through=N` continues exactly after record N.

No I/O here beyond reading the stream the caller opened (`files.py` and `inbox.py` open files
and publish what comes out in batches, recording how far they got).
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Final

from jobstream.contracts import Channel, Source, SourceFormat
from jobstream_ingest.formats.compression import GZIP_MAGIC
from jobstream_ingest.formats.errors import FormatError
from jobstream_ingest.formats.structured import Item, csv_delimiter, csv_records, jsonl_record
from jobstream_ingest.formats.text import DETECTION_WINDOW, StreamDecoder, check_sample
from jobstream_ingest.intake import (
    RECORD_WORDS,
    Limits,
    Outcome,
    Rejection,
    extract_item,
    posting_or_rejection,
    source_name,
)

STREAMED_FORMATS: Final = frozenset({"jsonl", "csv"})
# A bulk file whose first this many records are all rejected is not read further: it is the
# wrong kind of file, and reading millions of bad records would only cost time.
PROBE_RECORDS: Final = 1_000
CHUNK_BYTES: Final = 1024 * 1024


def is_streamed(fmt: SourceFormat | None) -> bool:
    return fmt in STREAMED_FORMATS


@dataclass(frozen=True)
class BulkOptions:
    name: str | None
    channel: Channel
    fmt: SourceFormat
    limits: Limits
    skip_through: int = 0  # records up to this number were handled by an earlier run


class Chunks:
    """The bytes of a stream in chunks, gunzipped when they start with gzip's magic bytes.

    `raw_bytes` is how far the underlying stream has been read (a progress bar's measure:
    for a gzip file, of its compressed size).
    """

    def __init__(self, stream: BinaryIO, size: int = CHUNK_BYTES) -> None:
        self._stream = _Counting(stream)
        self._size = size
        self._head = self._stream.read(len(GZIP_MAGIC))
        self.compressed = self._head == GZIP_MAGIC

    @property
    def raw_bytes(self) -> int:
        return self._stream.count

    def __iter__(self) -> Iterator[bytes]:
        if not self.compressed:
            if self._head:
                yield self._head
            while chunk := self._stream.read(self._size):
                yield chunk
            return
        raw = io.BufferedReader(_Prepended(self._head, self._stream))
        try:
            with gzip.GzipFile(fileobj=raw) as gunzipped:
                while chunk := gunzipped.read(self._size):
                    yield chunk
        except (OSError, EOFError, zlib.error) as error:
            raise FormatError(
                "bad_gzip", f"the gzip data is cut off or corrupt: {error}"
            ) from error


class _Counting:
    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.count = 0

    def read(self, size: int) -> bytes:
        data = self._stream.read(size)
        self.count += len(data)
        return data


class _Prepended(io.RawIOBase):
    """A stream whose first bytes were already read (to sniff gzip), put back in front."""

    def __init__(self, head: bytes, rest: _Counting) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def stream_postings(chunks: Chunks, options: BulkOptions) -> Iterator[Outcome]:
    """Every record of a bulk file as an outcome, one at a time.

    A problem with the whole file (no header, no text column) is one Rejection without a record
    number, as is one found part-way (corrupt gzip, an over-long CSV line): records before it
    have been yielded already. Past `limits.max_bulk_postings` records the rest is one
    rejection naming the first record not read.
    """
    fmt, limits = options.fmt, options.limits
    source = Source(
        channel=options.channel,
        name=source_name(options.name),
        format=fmt,
        compressed=chunks.compressed,
    )
    decoder = StreamDecoder()
    # A resumed file counts toward its limit what earlier runs handled.
    count, usable = options.skip_through, 0
    try:
        lines = _lines(_decoded(chunks, decoder), limits.max_record_chars)
        for item in _records(fmt, lines, options.skip_through):
            if item.number is not None and item.number <= options.skip_through:
                continue
            count += 1
            if count > limits.max_bulk_postings:
                yield _over_count(fmt, item.number, limits.max_bulk_postings)
                return
            extract = extract_item(item, fmt, limits, decoder.encoding or "utf-8")
            outcome = posting_or_rejection(extract, source, limits)
            usable += not isinstance(outcome, Rejection)
            yield outcome
            if count == PROBE_RECORDS and not usable and options.skip_through == 0:
                yield _hopeless(fmt, count)
                return
    except FormatError as error:
        yield Rejection(error.reason, error.message, fmt)
        return
    if count == 0 and options.skip_through == 0:
        yield Rejection("empty", "the file holds no postings", fmt)


def _decoded(chunks: Iterable[bytes], decoder: StreamDecoder) -> Iterator[str]:
    """Text pieces; the start is checked for binary data like a whole file would be."""
    checked = 0
    for chunk in chunks:
        text = decoder.decode(chunk)
        if checked < DETECTION_WINDOW and text:
            check_sample(text[: DETECTION_WINDOW - checked])
            checked += len(text)
        yield text
    yield decoder.decode(b"", final=True)


@dataclass(frozen=True)
class _Line:
    number: int
    text: str | None  # None: over the record size limit, its text dropped


def _lines(pieces: Iterable[str], max_chars: int) -> Iterator[_Line]:
    """The lines of the text (each with its "\\n"), numbered from 1; a line over `max_chars`
    comes as None without ever being held whole. Splits on "\\n" only: JSON strings may hold
    U+2028 and other characters that str.splitlines() would also break on."""
    number = 0
    parts: list[str] = []
    size = 0
    for piece in pieces:
        start = 0
        while (end := piece.find("\n", start)) >= 0:
            number += 1
            size += end + 1 - start
            if size > max_chars:
                yield _Line(number, None)
            else:
                parts.append(piece[start : end + 1])
                yield _Line(number, "".join(parts))
            parts.clear()
            size = 0
            start = end + 1
        if start < len(piece):
            size += len(piece) - start
            if size <= max_chars:
                parts.append(piece[start:])
            else:
                parts.clear()
    if size:
        yield _Line(number + 1, None if size > max_chars else "".join(parts))


def _records(fmt: SourceFormat, lines: Iterator[_Line], skip_through: int) -> Iterator[Item]:
    if fmt == "jsonl":
        return _jsonl(lines, skip_through)
    return _csv(lines)


def _jsonl(lines: Iterator[_Line], skip_through: int) -> Iterator[Item]:
    for line in lines:
        if line.number <= skip_through:
            continue  # handled by an earlier run: not even parsed
        if line.text is None:
            yield Item(line.number, FormatError("too_large", "over the size limit of one record"))
        elif line.text.strip():
            yield jsonl_record(line.number, line.text)


def _csv(lines: Iterator[_Line]) -> Iterator[Item]:
    first = next(lines, None)
    if first is None or first.text is None:
        raise FormatError("empty", "the CSV file has no header row")

    def texts() -> Iterator[str]:
        yield first.text or ""
        for line in lines:
            if line.text is None:
                raise FormatError(
                    "too_large",
                    f"line {line.number:,} is over the size limit of one record; the rest of"
                    " the file was not read",
                )
            yield line.text

    return csv_records(texts(), csv_delimiter(first.text))


def _hopeless(fmt: SourceFormat, count: int) -> Rejection:
    word = RECORD_WORDS.get(fmt, "record")
    return Rejection(
        "no_usable_records",
        f"the first {count:,} {word}s were all rejected, so the rest of the file was not read;"
        " fix the file and drop it in again",
        fmt,
    )


def _over_count(fmt: SourceFormat, number: int | None, limit: int) -> Rejection:
    word = RECORD_WORDS.get(fmt, "record")
    return Rejection(
        "too_many_postings",
        f"over the limit of {limit:,} postings a file: {word}s from {number:,} on were not read;"
        " split the file and drop the rest in again",
        fmt,
        number,
    )
