"""The read side's port: every question the API, `jobstream search` and the page ask.

Two adapters implement it: `adapters.postgres.PostgresReadModel` (the real one) and
`adapters.memory.MemoryReadModel` (for tests of the edges). One contract-test suite runs
against both (tests/integration/api/test_read_model_contract.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

import pyarrow as pa

from jobstream_api.queries import DemandQuery, PayQuery, PostingFilter, PostingQuery, SkillQuery
from jobstream_api.results import (
    DemandStats,
    PayStats,
    PostingDetail,
    PostingPage,
    SkillDetail,
    SkillList,
)


class ReadModel(Protocol):
    async def search_postings(self, query: PostingQuery) -> PostingPage:
        """A page of postings matching the filter, in the query's order."""
        ...

    async def search_postings_json(self, query: PostingQuery) -> bytes:
        """The same page as the JSON of `PostingPage` (what GET /postings answers)."""
        ...

    async def get_posting(self, posting_id: str) -> PostingDetail | None:
        """Everything about one posting; None when it is not stored."""
        ...

    async def find_skills(self, query: SkillQuery) -> SkillList:
        """Skills whose id or name contains q, most postings first."""
        ...

    async def get_skill(self, skill_id: str) -> SkillDetail | None: ...

    async def skill_demand(self, query: DemandQuery) -> DemandStats: ...

    async def pay_stats(self, query: PayQuery) -> PayStats: ...

    def export(self, posting_filter: PostingFilter) -> AsyncIterator[pa.RecordBatch]:
        """Every matching posting, oldest first, in batches (constant memory): Arrow record
        batches of `export.EXPORT_SCHEMA`."""
        ...

    async def count_postings(self, posting_filter: PostingFilter) -> int:
        """How many postings match (an export's progress bar)."""
        ...

    async def readiness(self) -> str | None:
        """None when it can answer; otherwise why not."""
        ...
