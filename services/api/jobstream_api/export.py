"""`jobstream export`: stored postings to CSV, JSON Lines or Parquet, in constant memory.

The read model streams each posting as one JSON document (`EXPORT_FIELDS`, built by
PostgreSQL) through a server-side cursor, a batch at a time; each batch is written and
dropped before the next is read. JSON Lines writes the documents as they come; CSV flattens
them; Parquet parses a batch with Arrow's JSON reader (in C++) against the stated schema
(`EXPORT_SCHEMA`) and writes it as a row group. A file is written under a temporary name and
renamed when complete, so a failed export leaves no half file behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Final, Literal, Protocol

import pyarrow as pa
import pyarrow.json as pa_json
import pyarrow.parquet as pq

Format = Literal["csv", "jsonl", "parquet"]

_LOCATION = pa.struct(
    [("text", pa.string()), ("city", pa.string()), ("region", pa.string()),
     ("country", pa.string())]
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
        ("salary_period", pa.string()), ("education", pa.string()), ("language", pa.string()),
        ("date_posted", pa.date32()), ("working_hours", pa.string()),
        ("time_zone", pa.string()), ("locations", pa.list_(_LOCATION)),
        ("countries", pa.list_(pa.string())), ("skills", pa.list_(_SKILL)),
        ("received_at", _UTC), ("first_seen", _UTC), ("last_updated", _UTC),
        ("parser_version", pa.string()), ("taxonomy_version", pa.string()),
        ("source_channel", pa.string()), ("source_name", pa.string()),
        ("source_format", pa.string()), ("text", pa.string()),
    ]
)  # fmt: skip
EXPORT_FIELDS: Final = tuple(EXPORT_SCHEMA.names)
# Arrow's JSON reader parses dates only as timestamps: read as one, then cast.
_READ_SCHEMA: Final = EXPORT_SCHEMA.set(
    EXPORT_SCHEMA.get_field_index("date_posted"), pa.field("date_posted", pa.timestamp("s"))
)
# CSV has no lists: these columns hold the items joined by "; " (skills by id).
_CSV_LISTS: Final[dict[str, Callable[[dict[str, Any]], list[str]]]] = {
    "locations": lambda row: [place["text"] for place in row["locations"]],
    "countries": lambda row: row["countries"],
    "required_skills": lambda row: [s["id"] for s in row["skills"] if s["required"]],
    "preferred_skills": lambda row: [s["id"] for s in row["skills"] if not s["required"]],
}
CSV_COLUMNS: Final = (
    *(name for name in EXPORT_FIELDS if name not in {"locations", "countries", "skills", "text"}),
    *_CSV_LISTS,
    "text",
)


class BatchWriter(Protocol):
    def write(self, documents: Sequence[bytes]) -> None: ...


class JsonLinesWriter:
    def __init__(self, out: IO[bytes]) -> None:
        self._out = out

    def write(self, documents: Sequence[bytes]) -> None:
        for document in documents:
            self._out.write(document)
            self._out.write(b"\n")


class CsvWriter:
    def __init__(self, out: IO[bytes]) -> None:
        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        self._csv = csv.writer(self._text)
        self._csv.writerow(CSV_COLUMNS)

    def write(self, documents: Sequence[bytes]) -> None:
        for document in documents:
            row = json.loads(document)
            for name, items in _CSV_LISTS.items():
                row[name] = "; ".join(items(row))
            self._csv.writerow([_cell(row[name]) for name in CSV_COLUMNS])

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


class ParquetWriter:
    def __init__(self, out: IO[bytes]) -> None:
        self._writer = pq.ParquetWriter(out, EXPORT_SCHEMA, compression="zstd")

    def write(self, documents: Sequence[bytes]) -> None:
        if not documents:
            return
        data = b"\n".join(documents)
        table = pa_json.read_json(
            io.BytesIO(data),
            # one block: a posting may be far larger than the default block of 1 MiB
            read_options=pa_json.ReadOptions(block_size=len(data) + 1),
            parse_options=pa_json.ParseOptions(
                explicit_schema=_READ_SCHEMA, unexpected_field_behavior="error"
            ),
        )
        position = EXPORT_SCHEMA.get_field_index("date_posted")
        table = table.set_column(
            position, EXPORT_SCHEMA.field(position), table.column(position).cast(pa.date32())
        )
        self._writer.write_table(table.select(EXPORT_FIELDS))

    def close(self) -> None:
        self._writer.close()


def _cell(value: Any) -> Any:
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
