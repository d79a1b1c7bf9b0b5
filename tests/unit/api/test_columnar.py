"""The export's query results (as ADBC's driver gives them) as Arrow batches of the export's
schema: places from one array a field of theirs, skills from the stored JSON (larger than
Arrow's default blocks), a slice of a batch as well as a whole one; skills named and
ordered."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from jobstream_api.adapters.columnar import (
    LOCATION_COLUMNS,
    QUERY_COLUMNS,
    SKILLS_COLUMN,
    SkillNames,
    _stable_order,
    export_batch,
)
from jobstream_api.export import EXPORT_SCHEMA, rows

pytestmark = pytest.mark.unit


def _driver_list(item: pa.DataType, postgres: str) -> pa.ListType:
    """A PostgreSQL array as the driver types it (its items' field named as PostgreSQL names
    their type)."""
    return pa.list_(pa.field("item", item, metadata={"POSTGRESQL:type": postgres}))


_POSTGRES = {pa.string(): "text", pa.bool_(): "bool", pa.int32(): "int4", pa.float32(): "float4"}


def query_batch(*postings: Mapping[str, Any]) -> pa.RecordBatch:
    """Rows as the export's query gives them: the schema's types, lists of codes as the
    driver types a PostgreSQL text[], each field of the places (`locations`: dicts) as an
    array a posting (`columnar.LOCATION_COLUMNS`), the skills (`stored`: dicts) as the JSON
    text the store writes."""
    arrays = []
    for name in QUERY_COLUMNS:
        if name in LOCATION_COLUMNS:
            field = LOCATION_COLUMNS[name]
            arrays.append(
                pa.array(
                    [[place.get(field.name) for place in p.get("locations", [])] for p in postings],
                    _driver_list(field.type, _POSTGRES[field.type]),
                )
            )
        elif name == SKILLS_COLUMN:
            stored = [json.dumps(p.get("stored", []), separators=(",", ":")) for p in postings]
            arrays.append(pa.array(stored, pa.string()))
        elif EXPORT_SCHEMA.field(name).type == pa.list_(pa.string()):
            values = [p.get(name) or [] for p in postings]
            arrays.append(pa.array(values, _driver_list(pa.string(), "text")))
        else:
            arrays.append(pa.array([p.get(name) for p in postings], EXPORT_SCHEMA.field(name).type))
    return pa.RecordBatch.from_arrays(arrays, names=list(QUERY_COLUMNS))


def test_a_large_posting_its_places_and_skills_named_and_ordered() -> None:
    huge = 'x, "quoted"\n' * 200_000  # 2.4 MB
    many = [  # skills JSON of over 1 MB: beyond Arrow's default blocks
        {"id": f"unlinked-{n}", "required": False, "mentions": 1, "confidence": 0.01}
        for n in range(20_000)
    ]
    places = [
        {"text": huge, "country_code": "DE", "remote": False},
        {"text": "Remote", "remote": True, "area": "EU"},
    ]
    skills = [
        {"id": "sql", "required": False, "mentions": 1, "confidence": 0.9},
        {"id": "python", "required": True, "mentions": 2, "confidence": 1.0},
        {"id": "kafka", "required": True, "mentions": 2, "confidence": 0.5},
        *many,
    ]
    first = {
        "id": "a", "title": "", "company": None, "text": huge, "countries": ["DE", "FR"],
        "salary_min": 85_000.0, "date_posted": date(2026, 1, 2),
        "received_at": datetime(2026, 11, 30, 10, 0, 0, 500_000, tzinfo=UTC),
        "locations": places, "stored": skills,
    }  # fmt: skip
    second = {"id": "b", "title": "NA", "text": ""}
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
    assert a["locations"] == [
        {"text": huge, "city": None, "region": None, "country": None, "country_code": "DE",
         "subdivision_code": None, "remote": False, "area": None},
        {"text": "Remote", "city": None, "region": None, "country": None, "country_code": None,
         "subdivision_code": None, "remote": True, "area": "EU"},
    ]  # fmt: skip
    assert [(s["id"], s["name"], s["required"], s["category"]) for s in a["skills"][:3]] == [
        ("kafka", "Kafka", True, "knowledge"),
        ("python", "Python", True, "knowledge"),
        ("sql", "SQL", False, "knowledge"),
    ]
    assert [s["id"] for s in a["skills"][3:]] == [skill["id"] for skill in many]  # unnamed
    assert a["skills"][0]["confidence"] == 0.5 and a["skills"][0]["mentions"] == 2
    assert b["locations"] == [] and b["skills"] == []


def test_skills_ordered_within_each_posting_of_a_slice() -> None:
    """Required first, then the most mentioned, then by name (an unknown skill, unnamed,
    after the named; equal names as stored), each posting's own, also when the batch is a
    slice of the driver's (its arrays' offsets start beyond 0)."""
    names = SkillNames(
        pa.table(
            {
                "skill_id": ["go", "golang", "rust", "c"],
                "name": ["Go", "Go", "Rust", "C"],
                "category": ["knowledge", "knowledge", "knowledge", "skill"],
            }
        )
    )

    def skill(skill_id: str, required: bool, mentions: int) -> dict[str, Any]:
        return {"id": skill_id, "required": required, "mentions": mentions, "confidence": 0.5}

    postings = [
        {"id": "x", "stored": [skill("c", True, 9)]},
        {
            "id": "y",
            "stored": [
                skill("golang", False, 1), skill("zz-unknown", False, 1), skill("go", False, 1),
                skill("rust", False, 1), skill("c", False, 3), skill("rust-2", True, 1),
            ],
            "locations": [{"text": "Berlin", "city": "Berlin", "country_code": "DE"}],
        },
        {"id": "z", "stored": [skill("rust", False, 1), skill("c", True, 1)]},
    ]  # fmt: skip
    whole = query_batch(*postings)
    for batch in (whole, whole.slice(1)):
        exported = {row["id"]: row for row in rows(export_batch(batch, names))}
        assert [(s["id"], s["name"]) for s in exported["y"]["skills"]] == [
            ("rust-2", None),
            ("c", "C"),
            ("golang", "Go"),
            ("go", "Go"),
            ("rust", "Rust"),
            ("zz-unknown", None),
        ]
        assert [s["id"] for s in exported["z"]["skills"]] == ["c", "rust"]
        assert [p["city"] for p in exported["y"]["locations"]] == ["Berlin"]
        assert exported["z"]["locations"] == []
        assert exported["y"]["skills"][1]["category"] == "skill"


@pytest.mark.parametrize("top", [3, 2**40])  # packed in one key; too wide for one: lexsort
def test_stable_order_sorts_by_every_key_in_turn(top: int) -> None:
    rng = np.random.default_rng(18)
    keys = [rng.integers(0, high, 5_000).astype(np.uint64) for high in (top, 3, 2**30, 50)]
    expected = np.lexsort(keys[::-1])  # stable too
    assert np.array_equal(_stable_order(keys), expected)
