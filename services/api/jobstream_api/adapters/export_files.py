"""`jobstream export`'s files: record batches of `export.EXPORT_SCHEMA` to CSV, JSON Lines or
Parquet, in constant memory.

Each batch is written and dropped before the next is read. Parquet writes a batch as it is (a
row group); JSON Lines and CSV write its rows. A file is written under a temporary name and
renamed when complete, so a failed export leaves no half file behind.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Final, Literal, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from jobstream_api.export import CSV_COLUMNS, EXPORT_SCHEMA, csv_row, json_line, rows

Format = Literal["csv", "jsonl", "parquet"]

# Columns worth a Parquet dictionary (few distinct values); ids, titles and texts are not.
_DICTIONARY_COLUMNS: Final = [
    "company", "work_mode", "employment_type", "seniority", "occupation_code",
    "occupation_title", "salary_currency", "salary_period", "education", "language",
    "working_hours", "time_zone", "parser_version", "taxonomy_version", "source_channel",
    "source_format",
]  # fmt: skip


class BatchWriter(Protocol):
    def write(self, batch: pa.RecordBatch) -> None: ...


class JsonLinesWriter:
    def __init__(self, out: IO[bytes]) -> None:
        self._out = out

    def write(self, batch: pa.RecordBatch) -> None:
        lines = [json_line(row) for row in rows(batch)]
        if lines:
            self._out.write(("\n".join(lines) + "\n").encode())


class CsvWriter:
    def __init__(self, out: IO[bytes]) -> None:
        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        self._csv = csv.writer(self._text)
        self._csv.writerow(CSV_COLUMNS)

    def write(self, batch: pa.RecordBatch) -> None:
        self._csv.writerows(csv_row(row) for row in rows(batch))

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


# Columns whose row groups' minimum and maximum let a reader skip them (times, numbers,
# codes); not the texts, ids, places and skills: a tenth of the writer's CPU for nothing.
_STATISTICS_COLUMNS: Final = [
    name
    for name in EXPORT_SCHEMA.names
    if name not in {"id", "title", "url", "locations", "skills", "source_name", "text"}
]


class ParquetWriter:
    def __init__(self, out: IO[bytes]) -> None:
        self._writer = pq.ParquetWriter(
            out,
            EXPORT_SCHEMA,
            compression="zstd",
            use_dictionary=_DICTIONARY_COLUMNS,
            write_statistics=_STATISTICS_COLUMNS,
        )

    def write(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows:
            self._writer.write_batch(batch)

    def close(self) -> None:
        self._writer.close()


WRITERS: Final[dict[Format, Callable[[IO[bytes]], BatchWriter]]] = {
    "csv": CsvWriter,
    "jsonl": JsonLinesWriter,
    "parquet": ParquetWriter,
}


@contextmanager
def open_output(target: str) -> Iterator[IO[bytes]]:
    """stdout for "-"; otherwise a temporary file beside `target`, renamed to it at the end
    (and removed if the export fails)."""
    if target == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    final = Path(target)
    partial = final.with_name(f".{final.name}.part")
    try:
        with partial.open("wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)


@contextmanager
def batch_writer(fmt: Format, out: IO[bytes]) -> Iterator[BatchWriter]:
    writer = WRITERS[fmt](out)
    yield writer
    close = getattr(writer, "close", None)
    if close is not None:
        close()
