"""One contract for the store's `PostingRepository`, run against the in-memory fake (unit) and
the PostgreSQL adapter (postgres): the fake cannot drift from the real one.

The ordering rule is said twice, in Python (`jobstream_store.ordering`, which the fake uses)
and in SQL (`repository._MERGE_POSTINGS`); `test_every_case_of_the_ordering_rule` runs every
combination of parser version, tagging time and content against both, and the expectation
comes from the Python rule.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from jobstream.contracts import Source, TaggedPosting, utc_now
from jobstream.settings import PostgresSettings
from jobstream_store.adapters.database import Database
from jobstream_store.adapters.migrate import migrate_as_owner
from jobstream_store.adapters.repository import PostgresPostingRepository
from jobstream_store.ordering import replaces
from jobstream_store.postings import PostingRepository, RecordRefused, StoredPosting
from tests.fakes import FakePostingRepository
from tests.support import tagged_posting

KINDS = [
    pytest.param("fake", marks=pytest.mark.unit),
    pytest.param("postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=KINDS)
def postgres(request: pytest.FixtureRequest) -> PostgresSettings | None:
    """A throwaway database for the PostgreSQL run, None for the fake's."""
    if request.param == "fake":
        return None
    settings: PostgresSettings = request.getfixturevalue("database")
    return settings


@pytest.fixture
async def repository(postgres: PostgresSettings | None) -> AsyncIterator[PostingRepository]:
    if postgres is None:
        yield FakePostingRepository()
        return
    settings = postgres
    await migrate_as_owner(settings)
    database = Database(settings)
    try:
        yield PostgresPostingRepository(database)
    finally:
        await database.stop()


def at(posting: TaggedPosting, offset: int = 0) -> StoredPosting:
    return StoredPosting(posting, "jobstream.postings.tagged", 0, offset)


NOW = utc_now()
VERSIONS = {"older": "1.9.0", "same": "2.0.0", "newer": "2.10.0"}
TIMES: dict[str, datetime | None] = {
    "never": None,
    "earlier": NOW - timedelta(minutes=5),
    "same": NOW,
    "later": NOW + timedelta(minutes=5),
}


@pytest.mark.parametrize(
    ("version", "tagged", "content"),
    list(itertools.product(VERSIONS, TIMES, ("same", "other"))),
)
async def test_every_case_of_the_ordering_rule(
    repository: PostingRepository, version: str, tagged: str, content: str
) -> None:
    stored = tagged_posting(1, skills=3, parser_version="2.0.0", tagged_at=NOW)
    await repository.write([at(stored, 10)])
    incoming = stored.model_copy(
        update={
            "parser_version": VERSIONS[version],
            "tagged_at": TIMES[tagged],
            "title": stored.title if content == "same" else "Other title",
            "skills": stored.skills if content == "same" else stored.skills[:1],
            "received_at": NOW - timedelta(days=1),
            "source": Source(channel="inbox", name="later-source.txt"),
        }
    )
    expected = replaces(incoming, stored)

    result = await repository.write([at(incoming, 11)])

    assert (result.written, result.unchanged) == ((1, 0) if expected else (0, 1))
    now_stored = await repository.stored(stored.posting_id)
    assert now_stored is not None
    winner = incoming if expected else stored
    assert (now_stored.title, now_stored.parser_version, now_stored.kafka_offset) == (
        winner.title,
        winner.parser_version,
        11 if expected else 10,
    )
    assert now_stored.skill_ids == tuple(sorted(s.skill_id for s in winner.skills))
    # Where the posting first came in is kept, whichever version wins; its first arrival time
    # is the earliest seen.
    assert now_stored.source_name == stored.source.name
    assert now_stored.received_at == (incoming.received_at if expected else stored.received_at)


async def test_the_newest_version_in_a_batch_wins(repository: PostingRepository) -> None:
    first = tagged_posting(2, parser_version="1.0.0", tagged_at=NOW)
    newer_parser = first.model_copy(update={"parser_version": "1.1.0", "title": "B"})
    later_tagging = first.model_copy(update={"tagged_at": NOW + timedelta(seconds=5)})
    result = await repository.write([at(newer_parser, 1), at(later_tagging, 9), at(first, 10)])
    assert (result.written, result.unchanged) == (1, 2)
    stored = await repository.stored(first.posting_id)
    assert stored is not None and (stored.title, stored.kafka_offset) == ("B", 1)


async def test_replays_change_nothing(repository: PostingRepository) -> None:
    batch = [at(tagged_posting(n), n) for n in range(20)]
    assert (await repository.write(batch)).written == 20
    replayed = [at(item.posting.model_copy(update={"tagged_at": utc_now()}), 100) for item in batch]
    result = await repository.write(replayed)
    assert (result.written, result.unchanged) == (0, 20)
    stored = await repository.stored(batch[3].posting.posting_id)
    assert stored is not None and stored.kafka_offset == 3


async def test_a_refused_value_refuses_the_whole_batch(repository: PostingRepository) -> None:
    good = tagged_posting(1)
    poison = tagged_posting(2).model_copy(update={"text": "a NUL \x00 byte"})
    with pytest.raises(RecordRefused) as refused:
        await repository.write([at(good), at(poison, 1)])
    assert refused.value.reason == "db_rejected" and "PostgreSQL refused" in str(refused.value)
    assert await repository.stored(good.posting_id) is None  # nothing of it was written
    assert (await repository.write([at(good)])).written == 1


async def test_an_unknown_posting_is_not_stored(repository: PostingRepository) -> None:
    assert await repository.stored("0" * 32) is None


@pytest.mark.postgres
async def test_the_postgres_repository_says_when_the_database_is_unavailable(
    database: PostgresSettings,
) -> None:
    from jobstream_store.postings import DatabaseUnavailable

    await migrate_as_owner(database)
    unreachable = Database(database.model_copy(update={"port": 1, "owner_password": None}))
    with pytest.raises(DatabaseUnavailable, match="database unavailable: "):
        await PostgresPostingRepository(unreachable).write([at(tagged_posting(1))])
