"""COPY's CSV of the export as Arrow batches: values CSV bends, and rows larger than Arrow's
default blocks."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

import pytest

from jobstream_api.adapters.columnar import COPY_COLUMNS, NESTED_COLUMN, SkillNames, read_copy
from jobstream_api.export import EXPORT_SCHEMA, rows

pytestmark = pytest.mark.unit


def copy_csv(*postings: Mapping[str, str | None]) -> bytes:
    """Rows as PostgreSQL's COPY writes CSV: NULL unquoted and empty, strings quoted if needed
    (an empty string always)."""
    out = io.StringIO()
    for posting in postings:
        cells = []
        for name in COPY_COLUMNS:
            value = posting.get(name)
            if value is None:
                cells.append("")
            elif value == "" or any(c in value for c in ',"\r\n'):
                cells.append('"' + value.replace('"', '""') + '"')
            else:
                cells.append(value)
        out.write(",".join(cells) + "\n")
    return out.getvalue().encode()


def test_a_posting_larger_than_arrows_blocks_and_what_csv_bends() -> None:
    huge = 'x, "quoted"\n' * 200_000  # 2.4 MB: beyond Arrow's 1 MB blocks, in CSV and JSON
    places = [{"text": huge, "country_code": "DE", "remote": False, "spans": [[0, 1]]}]
    skills = [
        {"id": "sql", "required": False, "mentions": 1, "confidence": 0.9},
        {"id": "python", "required": True, "mentions": 2, "confidence": 1.0},
    ]
    first = {
        "id": "a", "title": "", "company": None, "text": huge, "countries": "DE\x1fFR",
        "salary_min": "85000.00", "date_posted": "2026-01-02",
        "received_at": "2026-11-30 10:00:00.5+00",
        NESTED_COLUMN: json.dumps({"l": places, "s": skills}),
    }  # fmt: skip
    second = {"id": "b", "title": "NA", "text": "", NESTED_COLUMN: '{"l":[],"s":[]}'}
    names = SkillNames([("python", "Python", "knowledge"), ("sql", "SQL", "knowledge")])
    batch = read_copy(copy_csv(first, second), names)
    assert batch.schema.equals(EXPORT_SCHEMA)
    a, b = rows(batch)
    assert (a["title"], a["company"], a["text"], b["title"], b["text"]) == (
        "",
        None,
        huge,
        "NA",
        "",
    )
    assert a["countries"] == ["DE", "FR"] and b["countries"] == [] and a["subdivisions"] == []
    assert a["salary_min"] == 85_000.0 and str(a["date_posted"]) == "2026-01-02"
    assert a["received_at"].isoformat() == "2026-11-30T10:00:00.500000+00:00"
    assert a["locations"][0]["text"] == huge and a["locations"][0]["country_code"] == "DE"
    assert [(s["id"], s["name"], s["required"]) for s in a["skills"]] == [
        ("python", "Python", True),
        ("sql", "SQL", False),
    ]
    assert b["locations"] == [] and b["skills"] == []
