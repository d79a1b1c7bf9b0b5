"""`jobstream export`: stored postings to CSV, JSON Lines or Parquet, in constant memory.

The read model streams the postings as Arrow record batches of the stated schema
(`EXPORT_SCHEMA`), a batch at a time; each batch is written and dropped before the next is
read. Parquet writes a batch as it is (a row group); JSON Lines and CSV write its rows. A file
is written under a temporary name and renamed when complete, so a failed export leaves no half
file behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any, Final, Literal, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

Format = Literal["csv", "jsonl", "parquet"]

_LOCATION = pa.struct(
    [("text", pa.string()), ("city", pa.string()), ("region", pa.string()),
     ("country", pa.string()), ("country_code", pa.string()), ("subdivision_code", pa.string()),
     ("remote", pa.bool_()), ("area", pa.string())]
)  # fmt: skip
_SKILL = pa.struct(
    [("id", pa.string()), ("name", pa.string()), ("category", pa.string()),
     ("required", pa.bool_()), ("mentions", pa.int32()), ("confidence", pa.float32())]
)  # fmt: skip
_UTC = pa.timestamp("us", tz="UTC")

# The stated schema of an exported posting (Parquet's, and the keys of every JSON Lines
# document, in this order). Readable by pandas, DuckDB and Spark: plain types, lists of
# structs, UTC timestamps in microseconds.
EXPORT_SCHEMA: Final = pa.schema(
    [
        ("id", pa.string()), ("title", pa.string()), ("company", pa.string()),
        ("url", pa.string()), ("work_mode", pa.string()), ("employment_type", pa.string()),
        ("seniority", pa.string()), ("occupation_code", pa.string()),
        ("occupation_title", pa.string()), ("experience_years_min", pa.float64()),
        ("experience_years_max", pa.float64()), ("salary_min", pa.float64()),
        ("salary_max", pa.float64()), ("salary_currency", pa.string()),
        ("salary_period", pa.string()), ("salary_annual_min", pa.float64()),
        ("salary_annual_max", pa.float64()), ("education", pa.string()), ("language", pa.string()),
        ("date_posted", pa.date32()), ("working_hours", pa.string()),
        ("time_zone", pa.string()), ("locations", pa.list_(_LOCATION)),
        ("countries", pa.list_(pa.string())), ("subdivisions", pa.list_(pa.string())),
        ("remote_scope", pa.list_(pa.string())), ("cluster_id", pa.string()),
        ("skills", pa.list_(_SKILL)),
        ("received_at", _UTC), ("first_seen", _UTC), ("last_updated", _UTC),
        ("parser_version", pa.string()), ("taxonomy_version", pa.string()),
        ("source_channel", pa.string()), ("source_name", pa.string()),
        ("source_format", pa.string()), ("text", pa.string()),
    ]
)  # fmt: skip
EXPORT_FIELDS: Final = tuple(EXPORT_SCHEMA.names)
SKILL_TYPE: Final = _SKILL
LOCATION_TYPE: Final = _LOCATION
# Columns worth a Parquet dictionary (few distinct values); ids, titles and texts are not.
_DICTIONARY_COLUMNS: Final = [
    "company", "work_mode", "employment_type", "seniority", "occupation_code",
    "occupation_title", "salary_currency", "salary_period", "education", "language",
    "working_hours", "time_zone", "parser_version", "taxonomy_version", "source_channel",
    "source_format",
]  # fmt: skip
# CSV has no lists: these columns hold the items joined by "; " (skills by id).
_CSV_LISTS: Final[dict[str, Callable[[dict[str, Any]], list[str]]]] = {
    "locations": lambda row: [place["text"] for place in row["locations"]],
    "countries": lambda row: row["countries"],
    "subdivisions": lambda row: row["subdivisions"],
    "remote_scope": lambda row: row["remote_scope"],
    "required_skills": lambda row: [s["id"] for s in row["skills"] if s["required"]],
    "preferred_skills": lambda row: [s["id"] for s in row["skills"] if not s["required"]],
}
CSV_COLUMNS: Final = (
    *(name for name in EXPORT_FIELDS if name not in {*_CSV_LISTS, "skills", "text"}),
    *_CSV_LISTS,
    "text",
)


class BatchWriter(Protocol):
    def write(self, batch: pa.RecordBatch) -> None: ...


def rows(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    """A batch's postings as dicts (the keys of EXPORT_FIELDS, in order); a skill's confidence
    with the digits a float32 holds (0.8, not 0.800000011920929)."""
    postings: list[dict[str, Any]] = batch.to_pylist()
    for posting in postings:
        for skill in posting["skills"]:
            skill["confidence"] = float(f"{skill['confidence']:.7g}")
    return postings


class JsonLinesWriter:
    def __init__(self, out: IO[bytes]) -> None:
        self._out = out

    def write(self, batch: pa.RecordBatch) -> None:
        lines = [json.dumps(row, ensure_ascii=False, default=_iso) for row in rows(batch)]
        if lines:
            self._out.write(("\n".join(lines) + "\n").encode())


class CsvWriter:
    def __init__(self, out: IO[bytes]) -> None:
        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        self._csv = csv.writer(self._text)
        self._csv.writerow(CSV_COLUMNS)

    def write(self, batch: pa.RecordBatch) -> None:
        for row in rows(batch):
            for name, items in _CSV_LISTS.items():
                row[name] = "; ".join(items(row))
            self._csv.writerow([_cell(row[name]) for name in CSV_COLUMNS])

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


class ParquetWriter:
    def __init__(self, out: IO[bytes]) -> None:
        self._writer = pq.ParquetWriter(
            out, EXPORT_SCHEMA, compression="zstd", use_dictionary=_DICTIONARY_COLUMNS
        )

    def write(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows:
            self._writer.write_batch(batch)

    def close(self) -> None:
        self._writer.close()


def _iso(value: Any) -> str:
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _cell(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


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
