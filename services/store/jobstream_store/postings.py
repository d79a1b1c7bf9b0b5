"""The store's pure core: tagged postings with their Kafka position, and the repository port.

The stage core (`jobstream.stages`) decodes each record with `stored_posting` and delivers
the batch to a `PostingRepository`: PostgreSQL in production (`repository.py`), an in-memory
fake in unit tests (`tests/fakes.py`); one contract suite runs against both
(`tests/contract/test_posting_repository.py`). No I/O here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from jobstream.contracts import TaggedPosting, decode
from jobstream.errors import PermanentError, TransientError
from jobstream.stages import Record


@dataclass(frozen=True)
class StoredPosting:
    """A tagged posting with the Kafka position of the event that carried it."""

    posting: TaggedPosting
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class WriteResult:
    written: int
    unchanged: int


@dataclass(frozen=True)
class StoredVersion:
    """What the store holds for a posting: which version of it, from where, with which skills."""

    posting_id: str
    title: str | None
    parser_version: str
    tagged_at: datetime
    received_at: datetime
    source_name: str | None
    kafka_offset: int
    skill_ids: tuple[str, ...]


class RecordRefused(PermanentError):
    """The database refuses a value of a posting (a NUL byte in text, a number out of range)."""

    def __init__(self, message: str) -> None:
        super().__init__("db_rejected", message)


class DatabaseUnavailable(TransientError):
    """The database cannot be reached, or lost the connection in the middle of a write."""


class PostingRepository(Protocol):
    """Where the store keeps postings (the port; `repository.py` is the PostgreSQL adapter)."""

    async def write(self, batch: Sequence[StoredPosting]) -> WriteResult:
        """Apply the batch atomically under the ordering rule (`ordering.py`).

        Raises `DatabaseUnavailable` (transient) when the database cannot take it now, and
        `RecordRefused` (permanent) when it refuses a value: then nothing of the batch is
        written.
        """
        ...

    async def stored(self, posting_id: str) -> StoredVersion | None:
        """The version of the posting the store holds, if any."""
        ...


def stored_posting(record: Record) -> StoredPosting:
    """A tagged posting's record, decoded (an invalid one raises `InvalidEvent`)."""
    posting = decode(TaggedPosting, record.value)
    return StoredPosting(posting, record.topic, record.partition, record.offset)
