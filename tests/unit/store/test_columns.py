"""The store's columns are declared once: the parsed posting's flat fields and place codes in
jobstream.contracts, everything else in the repository; each column gets a value."""

from __future__ import annotations

import json

import numpy as np
import pytest

from jobstream.contracts import FLAT_FIELDS, PLACE_CODES
from jobstream_store.adapters.repository import (
    POSTING_COLUMNS,
    posting_row,
    posting_skill_rows,
    posting_values,
    skills_json,
)
from jobstream_store.postings import StoredPosting
from tests.support import tagged_posting

pytestmark = pytest.mark.unit


def test_the_flat_fields_are_those_declared_in_their_order() -> None:
    posting = tagged_posting(1)
    assert tuple(posting.flat_fields()) == FLAT_FIELDS
    assert tuple(posting.place_codes()) == PLACE_CODES


def test_every_column_is_declared_once_and_gets_a_value() -> None:
    assert len(set(POSTING_COLUMNS)) == len(POSTING_COLUMNS)
    assert set(FLAT_FIELDS) | set(PLACE_CODES) <= set(POSTING_COLUMNS)
    item = StoredPosting(tagged_posting(1), "tagged", 0, 7)
    values = posting_values(item, "cluster-1")
    assert set(values) == set(POSTING_COLUMNS)
    row = posting_row(item, "cluster-1")
    assert dict(zip(POSTING_COLUMNS, row, strict=True)) == values
    assert values["kafka_offset"] == 7 and values["cluster_id"] == "cluster-1"


def test_the_skills_column_holds_the_skill_rows_but_their_spans() -> None:
    posting = tagged_posting(1)
    skills = [
        skill.model_copy(update={"confidence": confidence})
        for skill, confidence in zip(posting.skills, (0.1, 1 / 3, 1e-5, 1.0), strict=False)
    ]
    posting = posting.model_copy(update={"skills": skills})
    assert skills, "the test posting has skills"
    stored = json.loads(skills_json(posting))
    assert [
        (skill["id"], skill["required"], skill["mentions"], skill["confidence"]) for skill in stored
    ] == [
        (row[1], row[2], row[3], np.float32(row[6]))  # as posting_skills' real holds it
        for row in posting_skill_rows(posting)
    ]
    assert '"confidence":0.33333334' in skills_json(posting)  # a real's shortest digits
    assert posting_values(StoredPosting(posting, "tagged", 0, 1))["skills"] == skills_json(posting)
    assert json.loads(skills_json(posting.model_copy(update={"skills": []}))) == []
