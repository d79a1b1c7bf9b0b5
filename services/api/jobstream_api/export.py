"""What an export holds: the stated schema of an exported posting, and a posting's row in
each text format (pure: no files, no database).

The read model streams postings as Arrow record batches of `EXPORT_SCHEMA`; the export's
writers (`adapters/export_files.py`) write Parquet from the batches as they are, and JSON Lines
and CSV from `json_line` and `csv_row`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any, Final

import pyarrow as pa

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


def rows(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    """A batch's postings as dicts (the keys of EXPORT_FIELDS, in order); a skill's confidence
    with the digits a float32 holds (0.8, not 0.800000011920929)."""
    postings: list[dict[str, Any]] = batch.to_pylist()
    for posting in postings:
        for skill in posting["skills"]:
            skill["confidence"] = float(f"{skill['confidence']:.7g}")
    return postings


def json_line(row: dict[str, Any]) -> str:
    """A posting (of `rows`) as one JSON Lines document."""
    return json.dumps(row, ensure_ascii=False, default=_iso)


def csv_row(row: dict[str, Any]) -> list[Any]:
    """A posting (of `rows`) as the cells of CSV_COLUMNS: lists joined, empty for none."""
    lists = {name: "; ".join(items(row)) for name, items in _CSV_LISTS.items()}
    return [_cell(lists[name] if name in lists else row[name]) for name in CSV_COLUMNS]


def _iso(value: Any) -> str:
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _cell(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value
