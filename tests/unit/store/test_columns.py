"""The store's columns are declared once: the parsed posting's flat fields and place codes in
jobstream.contracts, everything else in the repository; each column gets a value."""

from __future__ import annotations

import pytest

from jobstream.contracts import FLAT_FIELDS, PLACE_CODES
from jobstream_store.adapters.repository import POSTING_COLUMNS, posting_row, posting_values
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
