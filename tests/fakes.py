"""Fakes of the project's own ports (jobstream.ports, jobstream_store.postings), for unit tests.

They keep what they are given in memory and fail when told to; the store's fake repository
applies the ordering rule in Python (`jobstream_store.ordering`), and the contract suite
(tests/contract/test_posting_repository.py) proves it behaves as the PostgreSQL one does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel

from jobstream.contracts import DeadLetter, TaggedPosting
from jobstream.errors import JobstreamError
from jobstream.retry import RetryPolicy
from jobstream.topology import TopicSpec
from jobstream_store.ordering import NEVER, newest_per_posting, replaces
from jobstream_store.postings import (
    DatabaseUnavailable,
    RecordRefused,
    StoredPosting,
    StoredVersion,
    WriteResult,
)


@dataclass
class FakeEventSink:
    """Events by topic name; raises the errors in `failures` first, one a call."""

    published: dict[str, list[BaseModel]] = field(default_factory=dict)
    failures: list[JobstreamError] = field(default_factory=list)

    async def publish(self, spec: TopicSpec, events: Sequence[BaseModel]) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.published.setdefault(spec.name, []).extend(events)


@dataclass
class FakeDeadLetterSink:
    letters: list[DeadLetter] = field(default_factory=list)

    async def publish_dead_letters(self, dead_letters: Sequence[DeadLetter]) -> None:
        self.letters.extend(dead_letters)


@dataclass
class FakeClock:
    at: datetime = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@dataclass
class _Row:
    posting: TaggedPosting
    offset: int
    first_received_at: datetime
    first_source_name: str | None


@dataclass
class FakePostingRepository:
    """Postings in a dict. A batch is all or nothing, like a transaction: it is refused whole
    when a text holds a NUL byte (PostgreSQL's text type cannot), and the next `unavailable`
    writes raise `DatabaseUnavailable` before touching anything."""

    rows: dict[str, _Row] = field(default_factory=dict)
    unavailable: int = 0
    writes: int = 0  # attempts that reached the repository

    async def write(self, batch: Sequence[StoredPosting]) -> WriteResult:
        self.writes += 1
        if self.unavailable:
            self.unavailable -= 1
            raise DatabaseUnavailable("database unavailable: ConnectionRefusedError: fake")
        for item in batch:
            if "\x00" in item.posting.text:
                raise RecordRefused("PostgreSQL refused it: invalid byte sequence 0x00")
        written = 0
        for item in newest_per_posting(batch):
            posting = item.posting
            current = self.rows.get(posting.posting_id)
            if current is None:
                self.rows[posting.posting_id] = _Row(
                    posting, item.offset, posting.received_at, posting.source.name
                )
            elif replaces(posting, current.posting):
                current.posting, current.offset = posting, item.offset
                current.first_received_at = min(current.first_received_at, posting.received_at)
            else:
                continue
            written += 1
        return WriteResult(written=written, unchanged=len(batch) - written)

    async def stored(self, posting_id: str) -> StoredVersion | None:
        row = self.rows.get(posting_id)
        if row is None:
            return None
        posting = row.posting
        return StoredVersion(
            posting_id=posting.posting_id,
            title=posting.title,
            parser_version=posting.parser_version,
            tagged_at=posting.tagged_at or NEVER,
            received_at=row.first_received_at,
            source_name=row.first_source_name,
            kafka_offset=row.offset,
            skill_ids=tuple(sorted(skill.skill_id for skill in posting.skills)),
        )


async def _no_sleep(_: float) -> None:
    return None


def retry_without_sleeping(give_up_after: float | None = None) -> RetryPolicy:
    """The store's retry policy, minus the waiting between attempts."""
    return RetryPolicy(give_up_after=give_up_after, sleep=_no_sleep)
