"""The export's query results (as ADBC's driver gives them) as Arrow batches of the export's
schema: places and skills from one JSON document a posting, larger than Arrow's default
blocks; skills named and ordered."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
import pytest

from jobstream_api.adapters.columnar import NESTED_COLUMN, QUERY_COLUMNS, SkillNames, export_batch
from jobstream_api.export import EXPORT_SCHEMA, rows

pytestmark = pytest.mark.unit


def query_batch(*postings: Mapping[str, Any]) -> pa.RecordBatch:
    """Rows as the export's query gives them: the schema's types, lists of codes as the
    driver types a PostgreSQL text[] (its field named as PostgreSQL names it), the nested
    document as text."""
    text_list = pa.list_(pa.field("item", pa.string(), metadata={"POSTGRESQL:type": "text"}))
    arrays = []
    for name in QUERY_COLUMNS:
        values = [posting.get(name) for posting in postings]
        if name == NESTED_COLUMN:
            arrays.append(pa.array(values, pa.string()))
        elif EXPORT_SCHEMA.field(name).type == pa.list_(pa.string()):
            arrays.append(pa.array([value or [] for value in values], text_list))
        else:
            arrays.append(pa.array(values, EXPORT_SCHEMA.field(name).type))
    return pa.RecordBatch.from_arrays(arrays, names=list(QUERY_COLUMNS))


def test_a_posting_larger_than_arrows_blocks_its_places_and_skills() -> None:
    huge = 'x, "quoted"\n' * 200_000  # 2.4 MB: beyond Arrow's 1 MB blocks, in JSON
    places = [{"text": huge, "country_code": "DE", "remote": False, "spans": [[0, 1]]}]
    skills = [
        {"id": "sql", "required": False, "mentions": 1, "confidence": 0.9},
        {"id": "python", "required": True, "mentions": 2, "confidence": 1.0},
        {"id": "kafka", "required": True, "mentions": 2, "confidence": 0.5},
    ]
    first = {
        "id": "a", "title": "", "company": None, "text": huge, "countries": ["DE", "FR"],
        "salary_min": 85_000.0, "date_posted": date(2026, 1, 2),
        "received_at": datetime(2026, 11, 30, 10, 0, 0, 500_000, tzinfo=UTC),
        NESTED_COLUMN: json.dumps({"l": places, "s": skills}),
    }  # fmt: skip
    second = {"id": "b", "title": "NA", "text": "", NESTED_COLUMN: '{"l":[],"s":[]}'}
    names = SkillNames(
        pa.table(
            {
                "skill_id": ["python", "sql", "kafka"],
                "name": ["Python", "SQL", "Kafka"],
                "category": ["knowledge"] * 3,
            }
        )
    )
    batch = export_batch(query_batch(first, second), names)
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
    assert [(s["id"], s["name"], s["required"], s["category"]) for s in a["skills"]] == [
        ("kafka", "Kafka", True, "knowledge"),
        ("python", "Python", True, "knowledge"),
        ("sql", "SQL", False, "knowledge"),
    ]
    assert b["locations"] == [] and b["skills"] == []
