"""The store as its bootstrap wires it, on fakes: retries, bad-row isolation, dead letters."""

from __future__ import annotations

import pytest

from jobstream import metrics
from jobstream.contracts import encode
from jobstream.retry import RetryPolicy
from jobstream.stages import Record
from jobstream.wiring import StageService
from jobstream_store.bootstrap import bootstrap
from jobstream_store.settings import StoreSettings
from tests.fakes import FakeClock, FakeDeadLetterSink, FakePostingRepository, retry_without_sleeping
from tests.support import tagged_posting

pytestmark = pytest.mark.unit


def store(
    repository: FakePostingRepository, dead: FakeDeadLetterSink, retry: RetryPolicy | None = None
) -> StageService:
    return bootstrap(
        StoreSettings(),
        repository=repository,
        dead_letters=dead,
        clock=FakeClock(),
        retry=retry or retry_without_sleeping(),
    )


def records(values: list[bytes]) -> list[Record]:
    return [
        Record("jobstream.postings.tagged", 3, n, b"k", value) for n, value in enumerate(values)
    ]


def stored_count(outcome: str) -> float:
    value: float = metrics.POSTINGS_STORED.labels(outcome)._value.get()
    return value


async def test_a_refused_row_is_isolated_and_dead_lettered_with_its_original_bytes() -> None:
    repository, dead = FakePostingRepository(), FakeDeadLetterSink()
    good = [tagged_posting(n) for n in range(20)]
    poison = tagged_posting(99).model_copy(update={"text": "a NUL \x00 byte"})
    # The bytes as they were on the topic: re-encoding the posting would not give them back.
    poison_bytes = b"  " + encode(poison) + b"\n"
    values = [encode(p) for p in good[:10]] + [poison_bytes] + [encode(p) for p in good[10:]]

    await store(repository, dead).core.handle(records([*values, b"{not json"]))

    assert len(repository.rows) == 20
    assert sorted(letter.reason for letter in dead.letters) == ["db_rejected", "invalid_event"]
    rejected = next(letter for letter in dead.letters if letter.reason == "db_rejected")
    assert rejected.source_offset == 10 and rejected.stage == "store"
    assert rejected.payload_bytes() == poison_bytes
    assert "PostgreSQL refused" in rejected.error
    # the batch, refused whole, then one write a posting
    assert repository.writes == 1 + 21


async def test_an_unavailable_database_is_waited_out_and_readiness_says_why() -> None:
    repository, dead = FakePostingRepository(unavailable=3), FakeDeadLetterSink()
    seen_while_waiting: list[str | None] = []

    async def sleep(_: float) -> None:
        seen_while_waiting.append(await service.checks["dead_letter_brake"]())
        seen_while_waiting.append(service.core.retry.waiting_for)

    service = store(repository, dead, RetryPolicy(give_up_after=None, sleep=sleep))
    before = stored_count("written")
    await service.core.handle(records([encode(tagged_posting(n)) for n in range(5)]))

    assert repository.writes == 4 and len(repository.rows) == 5 and dead.letters == []
    assert seen_while_waiting[1] == "database unavailable: ConnectionRefusedError: fake"
    assert seen_while_waiting[0] is None  # waiting is not braking
    assert service.core.retry.waiting_for is None
    assert stored_count("written") == before + 5


async def test_replays_change_nothing_and_are_counted_unchanged() -> None:
    repository, dead = FakePostingRepository(), FakeDeadLetterSink()
    service = store(repository, dead)
    batch = records([encode(tagged_posting(n)) for n in range(10)])
    await service.core.handle(batch)
    before = stored_count("unchanged")
    await service.core.handle(batch)
    assert stored_count("unchanged") == before + 10 and len(repository.rows) == 10
