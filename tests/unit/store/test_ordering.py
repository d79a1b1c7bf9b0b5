from datetime import timedelta

import pytest

from jobstream.contracts import Source, TaggedPosting, utc_now
from jobstream_store.ordering import content_hash, newest_per_posting, version_key
from jobstream_store.postings import StoredPosting
from tests.support import tagged_posting

pytestmark = pytest.mark.unit


def test_versions_compare_as_numbers() -> None:
    assert version_key("0.10.0") > version_key("0.9.3")
    assert version_key("1.2.0") > version_key("1.2")
    assert version_key("2.0.0rc1") > version_key("1.99")


def test_content_hash_ignores_where_and_when_a_posting_came_in() -> None:
    posting = tagged_posting(1)
    moved = posting.model_copy(
        update={
            "source": Source(channel="inbox", name="other.txt"),
            "received_at": utc_now() + timedelta(days=3),
            "tagged_at": utc_now() + timedelta(days=3),
        }
    )
    assert content_hash(moved) == content_hash(posting)
    assert content_hash(posting.model_copy(update={"title": "Chef"})) != content_hash(posting)
    fewer = posting.model_copy(update={"skills": posting.skills[:3]})
    assert content_hash(fewer) != content_hash(posting)


def test_the_newest_version_of_each_posting_in_a_batch_wins() -> None:
    now = utc_now()
    old = tagged_posting(1, parser_version="1.0.0", tagged_at=now)
    newer_parser = old.model_copy(update={"parser_version": "1.1.0", "title": "B"})
    later_tagging = old.model_copy(update={"tagged_at": now + timedelta(seconds=5)})
    other = tagged_posting(2)

    def at(posting: TaggedPosting, offset: int) -> StoredPosting:
        return StoredPosting(posting, "t", 0, offset)

    chosen = newest_per_posting(
        [at(newer_parser, 1), at(later_tagging, 9), at(old, 10), at(other, 2)]
    )
    by_id = {item.posting.posting_id: item for item in chosen}
    assert len(chosen) == 2
    assert by_id[old.posting_id].posting.title == "B"  # the parser version decides first
    assert by_id[other.posting_id].offset == 2
