"""The read model over postings held in memory: the fake the edges are unit-tested against.

It answers as `PostgresReadModel` does (the contract suite runs against both), with one
simplification said here: full text matches whole words, without stemming, and its rank is
the number of matching words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa

from jobstream.contracts import Salary, TaggedPosting
from jobstream_api import fields
from jobstream_api.adapters.postgres import CO_OCCURRENCE_SAMPLE, PAY_BASIS
from jobstream_api.export import EXPORT_FIELDS, EXPORT_SCHEMA, LOCATION_TYPE
from jobstream_api.queries import (
    DemandQuery,
    PayQuery,
    PostingFilter,
    PostingQuery,
    SkillQuery,
)
from jobstream_api.results import (
    CoOccurring,
    DemandPoint,
    DemandStats,
    PayGroup,
    PayStats,
    PostingDetail,
    PostingPage,
    PostingSkill,
    PostingSummary,
    SkillDemand,
    SkillDetail,
    SkillList,
    SkillRef,
    SkillSummary,
    SourceOut,
)

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Stored:
    posting: TaggedPosting
    first_seen: datetime
    cluster_id: str | None = None

    @property
    def job(self) -> str:
        """What counts once: its near-duplicate cluster (itself when it has none)."""
        return self.cluster_id or self.posting.posting_id


class MemoryReadModel:
    """Implements `jobstream_api.ports.ReadModel` over `add`ed postings; `clusters` gives
    the near-duplicate cluster of a posting id as the store assigned it (none: no cluster)."""

    def __init__(
        self, postings: Iterable[TaggedPosting] = (), clusters: Mapping[str, str] | None = None
    ) -> None:
        self._postings: dict[str, Stored] = {}
        for posting in postings:
            self.add(posting, cluster_id=(clusters or {}).get(posting.posting_id))

    def add(
        self,
        posting: TaggedPosting,
        first_seen: datetime | None = None,
        cluster_id: str | None = None,
    ) -> None:
        self._postings[posting.posting_id] = Stored(
            posting, first_seen or datetime.now(UTC), cluster_id
        )

    async def readiness(self) -> str | None:
        return None

    async def search_postings(self, query: PostingQuery) -> PostingPage:
        matches = [item for item in self._postings.values() if _matches(item, query.filter)]
        if query.sort == "relevance":
            keyed = [(_rank(item.posting, query.filter.q or ""), item) for item in matches]
        else:
            keyed = [(item.posting.received_at, item) for item in matches]  # type: ignore[misc]
        keyed.sort(key=lambda pair: (pair[0], pair[1].posting.posting_id), reverse=True)
        if query.cursor is not None:
            after = (
                query.cursor.rank if query.sort == "relevance" else query.cursor.received_at,
                query.cursor.posting_id,
            )
            keyed = [pair for pair in keyed if (pair[0], pair[1].posting.posting_id) < after]
        page, more = keyed[: query.limit], len(keyed) > query.limit
        items = [_summary(item, rank if query.sort == "relevance" else None) for rank, item in page]
        next_cursor = None
        if more:
            key, last = page[-1]
            cursor_key = key if query.sort == "relevance" else last.posting.received_at.isoformat()
            next_cursor = query.cursor_after(cursor_key, last.posting.posting_id).encode()
        return PostingPage(items=items, next_cursor=next_cursor)

    async def search_postings_json(self, query: PostingQuery) -> bytes:
        return (await self.search_postings(query)).model_dump_json().encode()

    async def get_posting(self, posting_id: str) -> PostingDetail | None:
        item = self._postings.get(posting_id)
        return None if item is None else _detail(item)

    def export(self, posting_filter: PostingFilter) -> AsyncIterator[pa.RecordBatch]:
        return self._export(posting_filter)

    async def _export(
        self, posting_filter: PostingFilter, batch: int = 1_000
    ) -> AsyncIterator[pa.RecordBatch]:
        matches = sorted(
            (item for item in self._postings.values() if _matches(item, posting_filter)),
            key=lambda item: (item.posting.received_at, item.posting.posting_id),
        )
        for start in range(0, len(matches), batch):
            documents = [_document(item) for item in matches[start : start + batch]]
            yield pa.RecordBatch.from_pylist(documents, schema=EXPORT_SCHEMA)

    async def count_postings(self, posting_filter: PostingFilter) -> int:
        return sum(1 for item in self._postings.values() if _matches(item, posting_filter))

    async def find_skills(self, query: SkillQuery) -> SkillList:
        counts = self._skill_counts()
        needle = (query.q or "").lower()
        found = [
            SkillSummary(id=skill.skill_id, name=skill.name, category=skill.category, postings=n)
            for skill, n in counts.values()
            if needle in skill.skill_id or needle in skill.name.lower()
        ]
        found.sort(key=lambda skill: (-skill.postings, skill.name))
        return SkillList(items=found[: query.limit])

    async def get_skill(self, skill_id: str) -> SkillDetail | None:
        counts = self._skill_counts()
        if skill_id not in counts:
            return None
        skill, postings = counts[skill_id]
        having = sorted(
            pid for pid, item in self._postings.items() if _skill_of(item.posting, skill_id)
        )
        required = sum(
            1 for pid in having if _skill_of(self._postings[pid].posting, skill_id).required
        )
        basis = having[:CO_OCCURRENCE_SAMPLE]
        together: Counter[str] = Counter(
            other.skill_id
            for pid in basis
            for other in self._postings[pid].posting.skills
            if other.skill_id != skill_id
        )
        ranked = sorted(together.items(), key=lambda pair: (-pair[1], pair[0]))[:20]
        return SkillDetail(
            id=skill.skill_id,
            name=skill.name,
            category=skill.category,
            source_ids=skill.source_ids,
            postings=postings,
            required_postings=required,
            co_occurring=[
                CoOccurring(id=other, name=counts[other][0].name, postings=n) for other, n in ranked
            ],
            co_occurring_basis=len(basis),
        )

    async def skill_demand(self, query: DemandQuery) -> DemandStats:
        jobs: dict[str, dict[date, set[str]]] = {}
        names: dict[str, str] = {}
        for item in self._postings.values():
            posting = item.posting
            period = _bucket(posting.received_at.astimezone(UTC).date(), query.bucket)
            if (query.since and period < query.since) or (query.until and period >= query.until):
                continue
            if query.country and query.country not in _countries(posting):
                continue
            if query.occupation and _occupation_code(posting) != query.occupation:
                continue
            for skill in posting.skills:
                if query.skills and skill.skill_id not in query.skills:
                    continue
                names[skill.skill_id] = skill.name
                jobs.setdefault(skill.skill_id, {}).setdefault(period, set()).add(item.job)
        series = {
            skill: Counter({period: len(held) for period, held in periods.items()})
            for skill, periods in jobs.items()
        }
        totals = {skill: sum(counter.values()) for skill, counter in series.items()}
        chosen = sorted(totals, key=lambda skill: (-totals[skill], skill))
        chosen = chosen[: len(query.skills) or query.limit]
        return DemandStats(
            bucket=query.bucket,
            since=query.since,
            until=query.until,
            country=query.country,
            occupation=query.occupation,
            skills=[
                SkillDemand(
                    id=skill,
                    name=names[skill],
                    total=totals[skill],
                    series=[
                        DemandPoint(period=period, postings=n)
                        for period, n in sorted(series[skill].items())
                    ],
                )
                for skill in chosen
            ],
            refreshed_at=datetime.now(UTC),
        )

    async def pay_stats(self, query: PayQuery) -> PayStats:
        by_currency: dict[str, list[float]] = {}
        first_of_job: dict[str, Stored] = {}  # a job counts once: its first posting
        for item in sorted(
            self._postings.values(),
            key=lambda item: (item.posting.received_at, item.posting.posting_id),
        ):
            salary = item.posting.salary
            if salary is not None and salary.currency and _annual(salary) is not None:
                first_of_job.setdefault(item.job, item)
        for item in first_of_job.values():
            posting = item.posting
            salary = posting.salary
            assert salary is not None and salary.currency is not None
            if query.skill and _skill_of(posting, query.skill) is None:
                continue
            if query.country and query.country not in _countries(posting):
                continue
            low, high = salary.annual_min, salary.annual_max
            middle = (low + high) / 2 if low is not None and high is not None else low or high
            if middle is not None:
                by_currency.setdefault(salary.currency, []).append(middle)
        groups = [
            PayGroup(
                currency=currency,
                postings=len(values),
                p25=_percentile(values, 0.25),
                p50=_percentile(values, 0.5),
                p75=_percentile(values, 0.75),
            )
            for currency, values in by_currency.items()
        ]
        groups.sort(key=lambda group: (-group.postings, group.currency))
        return PayStats(
            skill=query.skill,
            country=query.country,
            basis=PAY_BASIS,
            groups=groups,
            refreshed_at=datetime.now(UTC),
        )

    def _skill_counts(self) -> dict[str, tuple[Any, int]]:
        counts: dict[str, tuple[Any, int]] = {}
        for item in self._postings.values():
            for skill in item.posting.skills:
                _, n = counts.get(skill.skill_id, (skill, 0))
                counts[skill.skill_id] = (skill, n + 1)
        return counts


def _percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _bucket(day: date, bucket: str) -> date:
    if bucket == "month":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())  # ISO weeks start on Monday


def _countries(posting: TaggedPosting) -> set[str]:
    return set(posting.place_codes()["countries"])


def _annual(salary: Salary) -> float | None:
    """Pay for a year: the top of the range, else its bottom (as `salary_min` compares)."""
    return salary.annual_max if salary.annual_max is not None else salary.annual_min


def _occupation_code(posting: TaggedPosting) -> str | None:
    return posting.occupation.code if posting.occupation else None


def _skill_of(posting: TaggedPosting, skill_id: str) -> Any:
    return next((skill for skill in posting.skills if skill.skill_id == skill_id), None)


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def _rank(posting: TaggedPosting, q: str) -> float:
    wanted = {word for word in _words(q)}
    return float(
        sum(1 for word in _words(f"{posting.title or ''} {posting.text}") if word in wanted)
    )


def _matches(item: Stored, wanted: PostingFilter) -> bool:
    posting = item.posting
    if wanted.q is not None:
        present = set(_words(f"{posting.title or ''} {posting.text}"))
        terms = wanted.q.split()
        include = [w for term in terms if not term.startswith("-") for w in _words(term)]
        exclude = [w for term in terms if term.startswith("-") for w in _words(term)]
        if not include or any(w not in present for w in include):
            return False
        if any(w in present for w in exclude):
            return False
    for skill_id in wanted.skills:
        skill = _skill_of(posting, skill_id)
        if skill is None or (wanted.required and not skill.required):
            return False
    salary = posting.salary
    checks = (
        wanted.company is None or (posting.company or "").lower() == wanted.company.lower(),
        wanted.country is None or wanted.country in _countries(posting),
        wanted.work_mode is None or posting.work_mode == wanted.work_mode,
        wanted.employment_type is None or posting.employment_type == wanted.employment_type,
        wanted.seniority is None or posting.seniority == wanted.seniority,
        wanted.occupation is None or _occupation_code(posting) == wanted.occupation,
        wanted.salary_min is None
        or (salary is not None and (_annual(salary) or 0) >= wanted.salary_min),
        wanted.since is None or posting.received_at >= wanted.since,
        wanted.until is None or posting.received_at < wanted.until,
    )
    return all(checks)


def _summary(item: Stored, rank: float | None) -> PostingSummary:
    posting = item.posting
    row = _row(posting)
    return PostingSummary(
        id=posting.posting_id,
        title=posting.title,
        company=posting.company,
        locations=fields.places(row["locations"]),
        pay=fields.pay(row),
        work_mode=posting.work_mode,
        employment_type=posting.employment_type,
        seniority=posting.seniority,
        occupation=fields.occupation(row),
        received_at=posting.received_at,
        first_seen=item.first_seen,
        skills=[
            SkillRef(id=skill.skill_id, name=skill.name, required=skill.required)
            for skill in _ordered_skills(posting)
        ],
        rank=rank,
        cluster_id=item.cluster_id,
    )


def _detail(item: Stored) -> PostingDetail:
    posting = item.posting
    row = _row(posting)
    evidence = {name: (span.start, span.end) for name, span in posting.evidence.items()}
    stored_sections = [
        {"kind": s.kind, "heading": s.heading, "start": s.span.start, "end": s.span.end}
        for s in posting.sections
    ]
    return PostingDetail(
        id=posting.posting_id,
        title=posting.title,
        company=posting.company,
        fields=fields.field_values(row, evidence),
        locations=fields.places(row["locations"]),
        pay=fields.pay(row),
        occupation=fields.occupation(row),
        sections=fields.sections(stored_sections, posting.text),
        text=posting.text,
        skills=[
            PostingSkill(
                id=skill.skill_id,
                name=skill.name,
                category=skill.category,
                required=skill.required,
                mentions=skill.mentions,
                confidence=skill.confidence,
                spans=fields.spans([(span.start, span.end) for span in skill.spans]),
            )
            for skill in _ordered_skills(posting)
        ],
        source=SourceOut(
            channel=posting.source.channel, name=posting.source.name, format=posting.source.format
        ),
        parser_version=posting.parser_version,
        taxonomy_version=posting.taxonomy_version,
        received_at=posting.received_at,
        first_seen=item.first_seen,
        last_updated=item.first_seen,
        cluster_id=item.cluster_id,
    )


def _document(item: Stored) -> dict[str, Any]:
    """The posting as an export row (the keys of export.EXPORT_FIELDS, in order)."""
    posting = item.posting
    row = _row(posting)
    flat = posting.flat_fields()
    document = {
        "id": posting.posting_id,
        **flat,
        "occupation_code": row["occupation_code"],
        "occupation_title": row["occupation_title"],
        "locations": [
            {key: location.get(key) for key in LOCATION_TYPE.names} for location in row["locations"]
        ],
        **posting.place_codes(),
        "cluster_id": item.cluster_id,
        "skills": [
            {
                "id": s.skill_id,
                "name": s.name,
                "category": s.category,
                "required": s.required,
                "mentions": s.mentions,
                "confidence": s.confidence,
            }
            for s in _ordered_skills(posting)
        ],
        "received_at": posting.received_at,
        "first_seen": item.first_seen,
        "last_updated": item.first_seen,
        "parser_version": posting.parser_version,
        "taxonomy_version": posting.taxonomy_version,
        "source_channel": posting.source.channel,
        "source_name": posting.source.name,
        "source_format": posting.source.format,
        "text": posting.text,
    }
    return {name: document[name] for name in EXPORT_FIELDS}


def _row(posting: TaggedPosting) -> dict[str, Any]:
    """The posting as the store's columns hold it."""
    occupation = posting.occupation
    return {
        **posting.flat_fields(),
        "occupation_code": occupation.code if occupation else None,
        "occupation_title": occupation.title if occupation else None,
        "occupation_confidence": occupation.confidence if occupation else None,
        "locations": [location.model_dump() for location in posting.locations],
        **posting.place_codes(),
    }


def _ordered_skills(posting: TaggedPosting) -> list[Any]:
    return sorted(posting.skills, key=lambda s: (not s.required, -s.mentions, s.name))
