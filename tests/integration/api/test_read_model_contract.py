"""One contract for both read models: the in-memory fake and PostgreSQL (as the reader role).

Every test runs twice: against `MemoryReadModel` (marker unit) and against
`PostgresReadModel` over the store's own tables, written by the store's own code, in a
throwaway database (marker postgres). The fake that the HTTP edge is unit-tested against thus
answers as the real one does.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, timedelta

import asyncpg
import pytest

from jobstream.contracts import TaggedPosting
from jobstream.settings import PostgresSettings
from jobstream_api.adapters.memory import MemoryReadModel
from jobstream_api.adapters.postgres import PostgresReadModel
from jobstream_api.answer_cache import VersionedCache
from jobstream_api.export import EXPORT_FIELDS, EXPORT_SCHEMA, rows
from jobstream_api.ports import ReadModel
from jobstream_api.queries import (
    DemandQuery,
    PayQuery,
    PostingFilter,
    PostingQuery,
    SkillQuery,
    posting_query,
)
from jobstream_api.results import DemandStats, Pay, Place, PostingPage, PostingSummary, SkillRef
from jobstream_store.adapters.migrate import migrate_as_owner
from jobstream_store.adapters.repository import write_postings
from jobstream_store.adapters.search_index import index_pending
from jobstream_store.clusters import assign_clusters
from jobstream_store.postings import StoredPosting
from tests.read_side import START, catalogue

POSTINGS = catalogue()
BY_ID = {posting.posting_id: posting for posting in POSTINGS}
# Posting 12 is a re-post of posting 9: the store puts it in posting 9's cluster.
CLUSTERS = {p.posting_id: p.posting_id for p in POSTINGS} | {
    POSTINGS[12].posting_id: POSTINGS[9].posting_id
}


async def postgres_model(settings: PostgresSettings) -> PostgresReadModel:
    """The catalogue stored by the store's code; the read model connected as the reader."""
    await migrate_as_owner(settings)
    conn = await asyncpg.connect(**settings.connect_kwargs())
    try:
        batch = [StoredPosting(p, "contract", 0, n) for n, p in enumerate(POSTINGS)]
        await write_postings(conn, batch)
        while await index_pending(conn, 100):
            pass
        await conn.fetchval("SELECT refresh_read_views(true)")  # as the store does
    finally:
        await conn.close()
    # with the service's caches: each search below builds its items, and hits the cache where
    # an earlier one listed them (statistics likewise)
    return PostgresReadModel(
        settings, item_cache=VersionedCache(1_000, 60), stats_cache=VersionedCache(100)
    )


@pytest.fixture(
    params=[
        pytest.param("memory", marks=pytest.mark.unit),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
def database_if_real(request: pytest.FixtureRequest) -> PostgresSettings | None:
    """A throwaway database for the real model (set up outside the event loop: the native
    stack's fixture starts servers synchronously); None for the fake."""
    if request.param == "memory":
        return None
    settings: PostgresSettings = request.getfixturevalue("database")
    return settings


@pytest.fixture
async def model(database_if_real: PostgresSettings | None) -> AsyncIterator[ReadModel]:
    if database_if_real is None:
        # the clusters the store's writer gives the catalogue (its re-post of posting 9)
        yield MemoryReadModel(POSTINGS, clusters=assign_clusters(POSTINGS, []))
        return
    real = await postgres_model(database_if_real)
    try:
        yield real
    finally:
        await real.close()


def newest_first(postings: list[TaggedPosting]) -> list[str]:
    return [
        p.posting_id
        for p in sorted(postings, key=lambda p: (p.received_at, p.posting_id), reverse=True)
    ]


def having(*skills: str, required: bool = False) -> list[TaggedPosting]:
    return [
        p
        for p in POSTINGS
        if all(
            any(s.skill_id == skill and (s.required or not required) for s in p.skills)
            for skill in skills
        )
    ]


async def ids(model: ReadModel, **params: str | list[str]) -> list[str]:
    query = posting_query({k: v if isinstance(v, list) else [v] for k, v in params.items()})
    page = await model.search_postings(query)
    return [item.id for item in page.items]


async def test_newest_first_by_default(model: ReadModel) -> None:
    assert await ids(model, limit="200") == newest_first(POSTINGS)


async def test_a_skill_filter_returns_exactly_the_postings_asking_for_it(model: ReadModel) -> None:
    assert await ids(model, skill="kafka") == newest_first(having("kafka"))
    assert len(having("kafka")) == 6


async def test_several_skills_must_all_match(model: ReadModel) -> None:
    assert await ids(model, skill=["kafka", "python"]) == newest_first(having("kafka", "python"))
    assert await ids(model, skill=["kafka", "react"]) == []


async def test_required_leaves_out_postings_that_only_prefer_the_skill(model: ReadModel) -> None:
    required = await ids(model, skill="kafka", required="true")
    assert required == newest_first(having("kafka", required=True))
    assert set(await ids(model, skill="kafka")) - set(required) == {POSTINGS[1].posting_id}


async def test_scalar_filters(model: ReadModel) -> None:
    assert await ids(model, company="GLOBEX") == newest_first(POSTINGS[3:5])
    germany = newest_first([POSTINGS[n] for n in (0, 1, 3, 9, 12)])
    # an ISO 3166-1 code in any case, or a name the parser codes the same way
    for asked in ("DE", "de", "Germany", "Deutschland"):
        assert await ids(model, country=asked) == germany, asked
    assert await ids(model, work_mode="remote") == newest_first([POSTINGS[n] for n in (0, 5, 10)])
    assert await ids(model, seniority="junior") == [POSTINGS[4].posting_id]
    assert await ids(model, employment_type="FULL_TIME") == [POSTINGS[2].posting_id]
    # Pay for a year, whatever the period stated: 40-60 EUR an hour is 83,200-124,800 a
    # year; the top of the range counts.
    assert await ids(model, salary_min="75000") == newest_first([POSTINGS[n] for n in (0, 1, 3, 7)])
    assert await ids(model, salary_min="124800") == [POSTINGS[3].posting_id]


async def test_received_time_range(model: ReadModel) -> None:
    since = (START + timedelta(days=8)).isoformat()
    until = (START + timedelta(days=16)).date().isoformat()
    assert await ids(model, since=since, until=until) == newest_first(POSTINGS[3:7])


async def test_filters_combine(model: ReadModel) -> None:
    found = await ids(model, skill="python", country="Germany", work_mode="remote")
    assert found == [POSTINGS[0].posting_id]


async def test_pages_walk_every_match_once_in_order(model: ReadModel) -> None:
    for sort, extra in (("recent", {}), ("relevance", {"q": "engineer"})):
        params = {"limit": ["2"], "sort": [sort], **{k: [v] for k, v in extra.items()}}
        query = posting_query(params)
        seen: list[str] = []
        pages = 0
        while True:
            page = await model.search_postings(query)
            seen += [item.id for item in page.items]
            pages += 1
            assert len(page.items) <= 2
            if page.next_cursor is None:
                break
            query = posting_query({**params, "cursor": [page.next_cursor]})
        everything = await model.search_postings(posting_query({**params, "limit": ["200"]}))
        assert seen == [item.id for item in everything.items], sort
        assert len(set(seen)) == len(seen) and pages == -(-len(seen) // 2)


async def test_full_text(model: ReadModel) -> None:
    streaming = await ids(model, q="streaming")
    assert set(streaming) == {POSTINGS[7].posting_id, POSTINGS[10].posting_id}
    relevant = await model.search_postings(
        posting_query({"q": ["streaming"], "sort": ["relevance"]})
    )
    # Posting 10 says it twice.
    assert relevant.items[0].id == POSTINGS[10].posting_id
    assert all(item.rank is not None and item.rank > 0 for item in relevant.items)
    assert await ids(model, q="streaming", skill="spark") == [POSTINGS[7].posting_id]


async def test_items_carry_their_fields_and_skills(model: ReadModel) -> None:
    page = await model.search_postings(posting_query({"skill": ["kafka"], "country": ["France"]}))
    (item,) = page.items
    source = POSTINGS[2]
    assert (item.title, item.company, item.work_mode) == ("Platform Engineer", "Acme", "onsite")
    assert [place.country for place in item.locations] == ["France"]
    assert item.received_at == source.received_at
    assert {(s.id, s.required) for s in item.skills} == {("kafka", True), ("kubernetes", True)}
    assert item.pay is None
    paid = (
        await model.search_postings(posting_query({"company": ["Initech"], "skill": ["spark"]}))
    ).items[0]
    assert paid.pay is not None and (paid.pay.min, paid.pay.max, paid.pay.currency) == (
        100_000,
        120_000,
        "USD",
    )


async def test_items_list_their_skills_required_first_then_most_mentioned_then_by_name(
    model: ReadModel,
) -> None:
    page = await model.search_postings(posting_query({"limit": ["200"]}))
    assert len(page.items) == len(POSTINGS)
    ties = 0
    for item in page.items:
        skills = BY_ID[item.id].skills
        expected = sorted(skills, key=lambda s: (not s.required, -s.mentions, s.name))
        assert [(s.id, s.name, s.required) for s in item.skills] == [
            (s.skill_id, s.name, s.required) for s in expected
        ]
        ties += len(skills) - len({(s.required, s.mentions) for s in skills})
    assert ties  # some skills of a posting are told apart by their names only


async def test_the_page_as_json_holds_the_documented_fields_only(model: ReadModel) -> None:
    """GET /postings writes `search_postings_json` as it comes: it must be a PostingPage
    whose objects carry the documented keys and no others (no stored column leaks out)."""
    asked: list[dict[str, list[str]]] = [
        {},
        {"skill": ["kafka"], "limit": ["2"]},
        {"q": ["streaming"], "sort": ["relevance"]},
    ]
    for params in asked:
        query = posting_query(params)
        raw = await model.search_postings_json(query)
        assert PostingPage.model_validate_json(raw) == await model.search_postings(query)
        for item in json.loads(raw)["items"]:
            assert set(item) <= set(PostingSummary.model_fields)
            assert all(set(place) <= set(Place.model_fields) for place in item["locations"])
            assert all(set(skill) <= set(SkillRef.model_fields) for skill in item["skills"])
            assert item["pay"] is None or set(item["pay"]) <= set(Pay.model_fields)


async def test_one_posting_in_full(model: ReadModel) -> None:
    source = POSTINGS[1]
    found = await model.get_posting(source.posting_id)
    assert found is not None
    assert found.text == source.text
    assert found.fields["title"].value == "Data Engineer"
    evidence = found.fields["title"].evidence
    assert evidence is not None and found.text[evidence.start : evidence.end] == "Data Engineer"
    company = found.fields["company"].evidence
    assert company is not None and found.text[company.start : company.end] == "Acme"
    assert found.fields["salary_period"].value == "year"
    assert found.fields["url"].value is None and found.fields["url"].evidence is None
    assert [(s.kind, s.heading) for s in found.sections] == [("requirements", "Requirements")]
    assert found.sections[0].text.startswith("Requirements")
    skills = {skill.id: skill for skill in found.skills}
    assert skills["kafka"].required is False and skills["python"].required is True
    for skill in found.skills:
        assert len(skill.spans) == 2
        assert all(found.text[s.start : s.end] == skill.id for s in skill.spans)
    assert [s.id for s in found.skills] == ["python", "kafka"]  # required first
    assert found.source.channel == "cli" and found.source.name == "posting-1.txt"


async def test_an_unknown_posting_is_none(model: ReadModel) -> None:
    assert await model.get_posting("0" * 32) is None


async def test_skill_look_up_with_counts(model: ReadModel) -> None:
    found = await model.find_skills(SkillQuery(q="k"))
    counts = {skill.id: skill.postings for skill in found.items}
    assert counts == {"kafka": 6, "kubernetes": 2, "spark": 2}
    assert [skill.id for skill in found.items] == ["kafka", "kubernetes", "spark"]
    assert (await model.find_skills(SkillQuery(q="Terra"))).items[0].id == "terraform"
    everything = await model.find_skills(SkillQuery(limit=3))
    assert [skill.id for skill in everything.items] == ["python", "kafka", "java"]


async def test_one_skill_with_co_occurring_skills(model: ReadModel) -> None:
    kafka = await model.get_skill("kafka")
    assert kafka is not None
    assert (kafka.postings, kafka.required_postings, kafka.name) == (6, 5, "Kafka")
    assert kafka.source_ids == {"onet": ["code-kafka"]}
    together = {other.id: other.postings for other in kafka.co_occurring}
    assert together == {"python": 4, "java": 1, "kubernetes": 1, "spark": 1}
    assert kafka.co_occurring[0].id == "python"
    assert kafka.co_occurring_basis == 6
    assert await model.get_skill("cobol") is None


async def test_export_streams_every_match_oldest_first(model: ReadModel) -> None:
    wanted = PostingFilter(skills=("python",))
    batches = [batch async for batch in model.export(wanted)]
    assert all(batch.schema.equals(EXPORT_SCHEMA) for batch in batches)
    exported = [row for batch in batches for row in rows(batch)]
    assert [row["id"] for row in exported] == list(reversed(newest_first(having("python"))))
    assert await model.count_postings(wanted) == len(exported) == 8
    for row in exported:
        source = BY_ID[row["id"]]
        assert list(row) == list(EXPORT_FIELDS)
        assert row["text"] == source.text and row["title"] == source.title
        assert row["received_at"] == source.received_at
        assert row["skills"] == [
            {"id": s.skill_id, "name": s.name, "category": s.category, "required": s.required,
             "mentions": s.mentions, "confidence": pytest.approx(s.confidence)}
            for s in sorted(source.skills, key=lambda s: (not s.required, -s.mentions, s.name))
        ]  # fmt: skip
        assert row["countries"] == [loc.country_code for loc in source.locations]
        assert [place["country_code"] for place in row["locations"]] == row["countries"]
        assert row["subdivisions"] == [] and row["remote_scope"] == []
        salary = source.salary
        assert row["salary_max"] == (salary.max if salary else None)
        assert row["salary_annual_max"] == (salary.annual_max if salary else None)
        assert row["cluster_id"] == CLUSTERS[row["id"]]


async def test_occupations_filter_and_show(model: ReadModel) -> None:
    developers = await ids(model, occupation="15-1252.00")
    assert developers == newest_first([POSTINGS[n] for n in (0, 1, 10)])
    assert await ids(model, occupation="15-1252.00", work_mode="remote") == newest_first(
        [POSTINGS[n] for n in (0, 10)]
    )
    page = await model.search_postings(PostingQuery(PostingFilter(occupation="15-2051.00")))
    (item,) = page.items
    assert item.occupation is not None
    assert (item.occupation.code, item.occupation.title) == ("15-2051.00", "Data Scientists")
    detail = await model.get_posting(POSTINGS[0].posting_id)
    assert detail is not None and detail.occupation is not None
    assert detail.occupation.code == "15-1252.00" and detail.occupation.confidence == pytest.approx(
        0.8
    )
    assert (await model.get_posting(POSTINGS[2].posting_id)).occupation is None  # type: ignore[union-attr]


async def test_demand_by_occupation(model: ReadModel) -> None:
    stats = await model.skill_demand(DemandQuery(skills=("kafka",), occupation="15-1252.00"))
    assert series(stats) == {"kafka": [("2026-03-02", 2), ("2026-03-23", 1)]}


def series(stats: DemandStats) -> dict[str, list[tuple[str, int]]]:
    return {
        skill.id: [(point.period.isoformat(), point.postings) for point in skill.series]
        for skill in stats.skills
    }


async def test_demand_per_week_and_month(model: ReadModel) -> None:
    weekly = await model.skill_demand(DemandQuery(skills=("kafka", "react")))
    assert series(weekly) == {
        "kafka": [("2026-03-02", 3), ("2026-03-09", 1), ("2026-03-16", 1), ("2026-03-23", 1)],
        "react": [("2026-03-16", 1)],
    }
    assert [skill.total for skill in weekly.skills] == [6, 1]
    assert weekly.skills[0].name == "Kafka" and weekly.refreshed_at is not None
    monthly = await model.skill_demand(DemandQuery(skills=("kafka",), bucket="month"))
    assert series(monthly) == {"kafka": [("2026-03-01", 6)]}


async def test_demand_by_country_and_range(model: ReadModel) -> None:
    germany = await model.skill_demand(DemandQuery(skills=("kafka",), country="DE"))
    assert series(germany) == {"kafka": [("2026-03-02", 2), ("2026-03-09", 1)]}
    ranged = await model.skill_demand(
        DemandQuery(skills=("kafka",), since=date(2026, 3, 9), until=date(2026, 3, 23))
    )
    assert series(ranged) == {"kafka": [("2026-03-09", 1), ("2026-03-16", 1)]}


async def test_demand_without_skills_charts_the_most_asked_for(model: ReadModel) -> None:
    top = await model.skill_demand(DemandQuery(limit=2))
    assert [(skill.id, skill.total) for skill in top.skills] == [("python", 7), ("kafka", 6)]


async def test_pay_percentiles_per_currency(model: ReadModel) -> None:
    python = await model.pay_stats(PayQuery(skill="python"))
    groups = [(g.currency, g.postings, g.p25, g.p50, g.p75) for g in python.groups]
    assert groups == [("EUR", 3, 68_750, 72_500, 80_000), ("USD", 1, 110_000, 110_000, 110_000)]
    everything = await model.pay_stats(PayQuery())
    # the hourly wage (posting 3) counts for a year; the re-post of posting 9 does not count
    assert [(g.currency, g.postings) for g in everything.groups] == [("EUR", 4), ("USD", 2)]
    germany = await model.pay_stats(PayQuery(country="DE"))
    assert [(g.currency, g.postings) for g in germany.groups] == [("EUR", 4)]
    assert (await model.pay_stats(PayQuery(skill="react"))).groups == []


@pytest.mark.unit
def test_catalogue_spans_four_weeks() -> None:
    days = {p.received_at.date() for p in POSTINGS}
    assert min(days) == date(2026, 3, 2) and max(days) - min(days) == timedelta(days=24)


async def test_a_job_posted_twice_counts_once(model: ReadModel) -> None:
    """Posting 12 re-posts posting 9 (near-identical text, the same title): both are listed,
    with one cluster id, and the statistics count the job once."""
    original, again = POSTINGS[9], POSTINGS[12]
    asked = {"company": ["Acme"], "since": ["2026-03-23"]}
    page = await model.search_postings(posting_query(asked))
    assert {item.id: item.cluster_id for item in page.items} == {
        original.posting_id: original.posting_id,
        again.posting_id: original.posting_id,
    }
    detail = await model.get_posting(again.posting_id)
    assert detail is not None and detail.cluster_id == original.posting_id
    weekly = await model.skill_demand(DemandQuery(skills=("python",), since=date(2026, 3, 23)))
    assert series(weekly) == {"python": [("2026-03-23", 2)]}  # postings 9 (and 12) and 10
    germany = await model.skill_demand(DemandQuery(skills=("python",), country="DE"))
    assert series(germany) == {"python": [("2026-03-02", 2), ("2026-03-23", 1)]}
    python = await model.pay_stats(PayQuery(skill="python", country="DE"))
    assert [(g.currency, g.postings, g.p25, g.p50, g.p75) for g in python.groups] == [
        ("EUR", 3, 68_750, 72_500, 80_000)
    ]


async def test_places_carry_their_codes(model: ReadModel) -> None:
    page = await model.search_postings(posting_query({"country": ["FR"]}))
    (item,) = page.items
    (place,) = item.locations
    assert (place.country, place.country_code, place.subdivision_code) == ("France", "FR", None)
    detail = await model.get_posting(POSTINGS[2].posting_id)
    assert detail is not None and detail.fields["countries"].value == ["FR"]
    paid = await model.get_posting(POSTINGS[3].posting_id)
    assert paid is not None and paid.pay is not None
    assert (paid.pay.annual_min, paid.pay.annual_max) == (83_200, 124_800)
