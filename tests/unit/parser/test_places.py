"""Places in the head: the quick test on a segment's last part never changes what is read."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstream_parser import places
from jobstream_parser.document import Document
from tests.support import pure_python_only

pytestmark = pytest.mark.unit

PIECES = [
    "Berlin", "berlin", "Germany", "Austin, TX", "Austin, tx", "TX 78701", "Toronto, ON",
    "on", "ON", "São Paulo", "New York", "Remote (US)", "(Hybrid)", "Hybrid", "Acme",
    "Senior Engineer", "Bavaria", "U.S.", "USA", "Lisbon", "Munich, Bayern", "Texas",
    "Washington, DC", " · ", " | ", " - ", " or ", ", ", ",", "; ", "(", ")", ".", "\n", " ",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join)


@pure_python_only
@settings(max_examples=400, deadline=None)
@given(texts)
def test_head_places_are_what_reading_every_segment_gives(text: str) -> None:
    document = Document(text)
    found = places.find_locations(document, document.head)
    with patch.object(places, "_may_be_known", lambda *_: True):
        everything = places.find_locations(document, document.head)

    assert found == everything
