"""Which version of a posting wins: the store's ordering rule, as pure functions.

A posting can arrive many times: duplicates, re-ingests, replays after a parser or taxonomy
change, and stale events delivered late. The rule:

1. The higher parser version wins (compared as numbers: 0.10.0 > 0.9.3).
2. With the same parser version, the event the tagger produced later (`tagged_at`) wins, so a
   replay under a new taxonomy replaces tags, and a stale event cannot undo it.
3. An event that wins but whose content (every derived field and skill) equals what is stored
   changes nothing: no write, no new `last_updated`.

The first source, first `received_at` and `first_seen` of a posting are kept.

`newest_per_posting` and `replaces` are the rule; the PostgreSQL adapter says the same in
SQL (`repository._MERGE_POSTINGS`), and the contract suite
(`tests/contract/test_posting_repository.py`) runs every case against both.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime

from jobstream.contracts import TaggedPosting
from jobstream_store.postings import StoredPosting

_NUMBER = re.compile(r"\d+")
NEVER = datetime.min.replace(tzinfo=UTC)

# What the pipeline derives from the text; the rest says where and when it came in.
_NOT_CONTENT = {"received_at", "tagged_at", "source"}


def version_key(version: str) -> tuple[int, ...]:
    """'1.10.2' -> (1, 10, 2); text parts are ignored ('2.0.0rc1' -> (2, 0, 0, 1))."""
    return tuple(int(number) for number in _NUMBER.findall(version)[:8])


def order_key(posting: TaggedPosting, offset: int) -> tuple[tuple[int, ...], datetime, int]:
    return version_key(posting.parser_version), posting.tagged_at or NEVER, offset


def replaces(incoming: TaggedPosting, stored: TaggedPosting) -> bool:
    """Whether an event replaces the stored version of its posting (rules 1 to 3)."""
    newer_or_same = order_key(incoming, 0)[:2] >= order_key(stored, 0)[:2]
    return newer_or_same and content_hash(incoming) != content_hash(stored)


def content_hash(posting: TaggedPosting) -> str:
    # pydantic serialises fields in their declared order, so the JSON is canonical for a
    # given schema version (a new schema version may change hashes: rows are then rewritten
    # once, which is harmless).
    # The serializer's bytes: the same as `model_dump_json(...).encode()`, without the str.
    canonical = posting.__pydantic_serializer__.to_json(posting, exclude=_NOT_CONTENT)
    return hashlib.sha256(canonical).hexdigest()[:32]


def newest_per_posting(batch: Sequence[StoredPosting]) -> list[StoredPosting]:
    """One event per posting id: the one the rule prefers (a batch may hold several)."""
    best: dict[str, StoredPosting] = {}
    for item in batch:
        current = best.get(item.posting.posting_id)
        if current is None or order_key(item.posting, item.offset) > order_key(
            current.posting, current.offset
        ):
            best[item.posting.posting_id] = item
    return list(best.values())
