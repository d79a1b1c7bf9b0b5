"""What the store holds, in numbers: for `jobstream status` (read-only)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import asyncpg


class Counts(NamedTuple):
    postings: int
    skills: int
    posting_skills: int
    latest_stored: datetime | None  # when a posting was last written


async def store_counts(conn: asyncpg.Connection) -> Counts:
    row = await conn.fetchrow(
        """
        SELECT (SELECT count(*) FROM postings) AS postings,
               (SELECT count(*) FROM skills) AS skills,
               (SELECT count(*) FROM posting_skills) AS posting_skills,
               (SELECT max(last_updated) FROM postings) AS latest_stored
        """
    )
    assert row is not None  # a SELECT without FROM returns one row
    return Counts(row["postings"], row["skills"], row["posting_skills"], row["latest_stored"])
