"""The walking skeleton end to end: the four services as processes, real Kafka and PostgreSQL.

Each test gets its own Kafka namespace, database and state folder (inbox, faust data), so it
can run beside `make run` on the same stack.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any
from urllib.request import urlopen

import asyncpg
import pytest

from jobstream.contracts import RawPosting, Source
from jobstream.kafka.publisher import Publisher
from jobstream.settings import KafkaSettings
from jobstream.topology import RAW_POSTINGS
from jobstream_stack.services import (
    jobstream_command,
    start_service,
)
from tests.conftest import SEEDS
from tests.e2e.harness import Services, drop, eventually

pytestmark = pytest.mark.e2e


# Title, company, skills a reader lists (some of them), skills a reader would not list: a
# department ("Collaborate with Product Management"), webmail (Gmail), a team ("other teams
# (like Plazma, Integrations, and SRE)").
EXPECTED = {
    "000_bcb04a4a30d54f7e.txt": (
        "Staff Backend Engineer",
        "Upwork",
        {"java", "aws", "relational-databases"},
    ),
    "001_b5b742d7430d014f.txt": ("Senior/Lead Backend Engineer", "Upwork", {"java", "kotlin"}),
    "002_43bc3a39f53a9065.txt": (
        "Senior Backend Engineer, Search and Recommendations",
        "Upwork",
        {"java", "elasticsearch"},
    ),
    "003_abc877bc7831effb.txt": (
        "Senior Software Engineer (Backend)",
        None,
        {"go", "python", "kubernetes", "kafka"},
    ),
    "004_69ac5b1dfe1a9cf5.txt": (
        "Senior Software Engineer",
        None,
        {"kotlin", "aws", "unlinked-kotlin-coroutines"},  # a skill the taxonomy lacks
    ),
}
NOT_LISTED = {
    "000_bcb04a4a30d54f7e.txt": {"product-management", "gmail"},
    "001_b5b742d7430d014f.txt": {"gmail"},
    "004_69ac5b1dfe1a9cf5.txt": {"sre"},
}


async def snapshot(pg: asyncpg.Connection) -> dict[str, tuple[Any, ...]]:
    rows = await pg.fetch(
        """
        SELECT p.posting_id, p.source_name, p.title, p.company, p.first_seen, p.last_updated,
               array_agg(s.skill_id ORDER BY s.skill_id) AS skills, p.occupation_code
        FROM postings p JOIN posting_skills s USING (posting_id)
        GROUP BY p.posting_id
        """
    )
    return {row["source_name"]: tuple(row)[1:] for row in rows}


async def test_seeds_are_stored_once_through_inbox_and_cli(
    pipeline: Services, pg: asyncpg.Connection
) -> None:
    for seed in sorted(SEEDS.glob("*.txt")):
        drop(pipeline.layout.inbox, seed)

    async def five_stored() -> bool:
        return bool(await pg.fetchval("SELECT count(*) FROM postings") == len(EXPECTED))

    await eventually(five_stored, "the five seeds in PostgreSQL")
    stored = await snapshot(pg)
    for name, (title, company, some_skills) in EXPECTED.items():
        _, got_title, got_company, _, _, skills, occupation = stored[name]
        assert (got_title, got_company) == (title, company), name
        assert some_skills <= set(skills), f"{name}: {some_skills - set(skills)} not tagged"
        assert not NOT_LISTED.get(name, set()) & set(skills), name
        assert occupation == "15-1252.00", f"{name}: coded {occupation}, not Software Developers"
    processed = sorted(p.name for p in (pipeline.layout.inbox / "processed").rglob("*.txt"))
    assert processed == sorted(EXPECTED)

    # The read side sees them: the query API lists seed 003 for kafka (what `make run`'s curl
    # shows), and the store's view refresher soon counts it in the weekly demand.
    seed_003 = await pg.fetchval(
        "SELECT posting_id FROM postings WHERE source_name = $1", "003_abc877bc7831effb.txt"
    )
    kafka = json.loads(urlopen(pipeline.url("api", "/postings?skill=kafka"), timeout=10).read())
    assert seed_003 in {item["id"] for item in kafka["items"]}

    async def kafka_demand_counted() -> bool:
        url = pipeline.url("api", "/stats/skills?skill=kafka&bucket=week")
        stats = json.loads(urlopen(url, timeout=10).read())
        return bool(stats["skills"]) and stats["skills"][0]["total"] >= 1

    await eventually(kafka_demand_counted, "the refreshed views to count kafka", timeout=60)
    assert list((pipeline.layout.inbox / "rejected").iterdir()) == []

    # The same postings again, through the CLI this time: nothing is duplicated or rewritten.
    result = subprocess.run(
        [jobstream_command(), "ingest", str(SEEDS)],
        env=pipeline.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "published 5" in result.stderr

    async def replayed_unchanged() -> bool:
        return pipeline.metric("store", 'jobstream_postings_stored_total{outcome="unchanged"}') >= 5

    await eventually(replayed_unchanged, "the store to see the five postings again")
    assert await pg.fetchval("SELECT count(*) FROM postings") == 5
    assert await snapshot(pg) == stored  # same rows, same skills, same timestamps

    assert pipeline.metric("parser", "jobstream_events_consumed_total") == 10
    assert pipeline.metric("tagger", "jobstream_events_produced_total") == 10
    assert pipeline.metric("ingest", "jobstream_ingest_outcomes_total") == 5


async def test_unusable_files_are_rejected_with_a_reason(pipeline: Services) -> None:
    (pipeline.layout.inbox / "empty.txt").write_bytes(b"")
    (pipeline.layout.inbox / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    sidecars = {
        "empty.txt": pipeline.layout.inbox / "rejected" / "empty.txt.rejected.json",
        "photo.png": pipeline.layout.inbox / "rejected" / "photo.png.rejected.json",
    }

    async def both_rejected() -> bool:
        return all(path.exists() for path in sidecars.values())

    await eventually(both_rejected, "the two files in rejected/")
    reasons = {name: json.loads(path.read_text()) for name, path in sidecars.items()}
    assert reasons["empty.txt"]["reason"] == "empty"
    assert reasons["photo.png"]["reason"] == "unsupported_format"
    assert "no text" in reasons["empty.txt"]["error"]
    assert not (pipeline.layout.inbox / "empty.txt").exists()


async def test_killed_stages_lose_and_duplicate_nothing(
    pipeline: Services, kafka_settings: KafkaSettings, pg: asyncpg.Connection
) -> None:
    postings = [
        RawPosting.from_text(
            f"Backend Engineer {n}\nAcme {n} is hiring.\nRequirements\n- Python and Kafka\n",
            Source(channel="cli", name=f"generated-{n}.txt"),
        )
        for n in range(600)
    ]
    async with Publisher(kafka_settings) as publisher:
        await publisher.publish(RAW_POSTINGS, postings[:200])
        pipeline.kill("parser")
        await publisher.publish(RAW_POSTINGS, postings[200:400])
        start_service(pipeline.layout, "parser", pipeline.env)
        pipeline.kill("store")
        await publisher.publish(RAW_POSTINGS, postings[400:])
        start_service(pipeline.layout, "store", pipeline.env)

    async def all_stored() -> bool:
        return bool(await pg.fetchval("SELECT count(*) FROM postings") == len(postings))

    await eventually(all_stored, "all 600 postings after the kills", timeout=120)
    stored = await pg.fetch("SELECT posting_id, title FROM postings")
    assert {row["posting_id"] for row in stored} == {p.posting_id for p in postings}
    skills = await pg.fetch(
        "SELECT posting_id, count(*) AS n FROM posting_skills GROUP BY posting_id"
    )
    assert len(skills) == 600 and {row["n"] for row in skills} == {2}  # python, kafka: once each
