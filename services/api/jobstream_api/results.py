"""What the read side answers: the JSON shapes of the API, as pydantic models (no I/O).

The OpenAPI document's schemas are generated from these models, so the document and the
answers cannot drift apart.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_CLUSTER = (
    "near-duplicates (the same job on several boards, or posted again) share it: the id of"
    " the cluster's first posting; null for a posting stored before clusters were kept"
)


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class SpanOut(_Result):
    """`[start, end)` character offsets into the posting's `text`."""

    start: int
    end: int


class Place(_Result):
    text: str = Field(description="the place as the posting states it")
    city: str | None = None
    region: str | None = None
    country: str | None = Field(None, description="as written")
    country_code: str | None = Field(None, description="ISO 3166-1 alpha-2")
    subdivision_code: str | None = Field(None, description="ISO 3166-2, where known")
    remote: bool | None = Field(None, description="where remote work may be done from")
    area: str | None = Field(None, description="a remote scope wider than a country (emea)")


class Pay(_Result):
    """Pay as stated; `annual_*` when the parser could annualise it."""

    min: float | None = None
    max: float | None = None
    currency: str | None = None
    period: str | None = None
    annual_min: float | None = None
    annual_max: float | None = None


class OccupationOut(_Result):
    code: str = Field(description="O*NET-SOC code")
    title: str
    confidence: float


class SkillRef(_Result):
    id: str
    name: str
    required: bool = Field(description="false: only preferred / nice to have")


class PostingSummary(_Result):
    id: str
    title: str | None
    company: str | None
    locations: list[Place]
    pay: Pay | None
    work_mode: str | None
    employment_type: str | None
    seniority: str | None
    occupation: OccupationOut | None = Field(None, description="as the tagger coded it")
    received_at: datetime = Field(description="when ingest first received it")
    first_seen: datetime = Field(description="when the store first wrote it")
    skills: list[SkillRef]
    rank: float | None = Field(None, description="relevance to q (sort=relevance)")
    cluster_id: str | None = Field(None, description=_CLUSTER)


class PostingPage(_Result):
    items: list[PostingSummary]
    next_cursor: str | None = Field(
        description="pass as `cursor` (with the same filters) for the next page; null: last page"
    )


class FieldValue(_Result):
    value: Any
    evidence: SpanOut | None = Field(description="the text it was read from, when known")


class SectionOut(_Result):
    kind: str
    heading: str | None
    start: int
    end: int
    text: str


class PostingSkill(_Result):
    id: str
    name: str
    category: str
    required: bool
    mentions: int
    confidence: float
    spans: list[SpanOut]


class SourceOut(_Result):
    channel: str
    name: str | None
    format: str


class PostingDetail(_Result):
    id: str
    title: str | None
    company: str | None
    fields: dict[str, FieldValue] = Field(
        description="every parsed field by name (null values included), with its evidence"
    )
    locations: list[Place]
    pay: Pay | None
    occupation: OccupationOut | None
    sections: list[SectionOut]
    text: str = Field(description="the cleaned text; every span points into it")
    skills: list[PostingSkill]
    source: SourceOut
    parser_version: str
    taxonomy_version: str
    received_at: datetime
    first_seen: datetime
    last_updated: datetime
    cluster_id: str | None = Field(None, description=_CLUSTER)


class SkillSummary(_Result):
    id: str
    name: str
    category: str
    postings: int = Field(description="stored postings that ask for it")


class SkillList(_Result):
    items: list[SkillSummary]


class CoOccurring(_Result):
    id: str
    name: str
    postings: int = Field(description="postings (of those counted) asking for both")


class SkillDetail(_Result):
    id: str
    name: str
    category: str
    source_ids: dict[str, list[str]]
    postings: int
    required_postings: int = Field(description="of which ask for it as required")
    co_occurring: list[CoOccurring]
    co_occurring_basis: int = Field(
        description="postings the co-occurrence was counted over: all that ask for the skill "
        "up to 5,000; beyond that a fixed sample of 5,000"
    )


class DemandPoint(_Result):
    period: date = Field(description="the first day of the bucket")
    postings: int


class SkillDemand(_Result):
    id: str
    name: str
    total: int = Field(description="sum over the range's buckets")
    series: list[DemandPoint]


class DemandStats(_Result):
    bucket: str
    since: date | None
    until: date | None
    country: str | None
    occupation: str | None
    skills: list[SkillDemand]
    refreshed_at: datetime | None = Field(
        description="when the demand views were last refreshed: newer postings are not counted"
    )


class PayGroup(_Result):
    currency: str
    postings: int
    p25: float
    p50: float
    p75: float


class PayStats(_Result):
    skill: str | None
    country: str | None
    basis: str = Field(description="which pay figures were counted")
    groups: list[PayGroup] = Field(description="one per currency, most postings first")
    refreshed_at: datetime | None


class ErrorOut(_Result):
    error: str = Field(description="short reason code")
    message: str = Field(description="what went wrong, in words")
    parameter: str | None = Field(None, description="the parameter at fault (400)")
