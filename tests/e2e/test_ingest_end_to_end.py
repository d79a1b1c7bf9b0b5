"""Ingest as a process: killed between publishing and moving files, it loses nothing, and the
store keeps every posting once; a posting sent over HTTP reaches PostgreSQL with its fields."""

from __future__ import annotations

import json
import urllib.request

import asyncpg
import pytest

from jobstream.contracts import ProvidedFields, posting_id_for
from jobstream.settings import KafkaSettings
from jobstream.topology import RAW_POSTINGS
from tests.e2e.harness import Services, eventually
from tests.ingest_samples import make_pdf
from tests.kafka_records import count_records

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

FILES = {
    "one.txt": b"Backend Engineer\nAcme is hiring.\nRequirements\n- Python and Kafka\n",
    "two.pdf": make_pdf([["Data Engineer", "Globex is hiring.", "Requirements", "- SQL"]]),
    # A JSON list: read whole and moved like the others. (A bulk JSON Lines file records its
    # progress and is not sent again after such a kill: tests/e2e/test_bulk_ingest.py.)
    "many.json": json.dumps(
        [
            {"title": f"Analyst {n}", "company": "Initech", "text": f"Analyst {n}\nSQL"}
            for n in range(3)
        ]
    ).encode(),
}
POSTINGS = 5


async def test_ingest_killed_between_publishing_and_moving_loses_and_duplicates_nothing(
    pipeline: Services, kafka_settings: KafkaSettings, pg: asyncpg.Connection
) -> None:
    raw_topic = kafka_settings.topic(RAW_POSTINGS)
    # Restart ingest so that it waits between publishing a batch and moving its files.
    pipeline.kill("ingest")
    await pipeline.restart("ingest", JOBSTREAM_INGEST_PAUSE_AFTER_PUBLISH_SECONDS="120")
    for name, data in FILES.items():
        (pipeline.layout.inbox / f".{name}.part").write_bytes(data)
        (pipeline.layout.inbox / f".{name}.part").rename(pipeline.layout.inbox / name)

    async def all_published() -> bool:
        return await count_records(kafka_settings, raw_topic) == POSTINGS

    await eventually(all_published, "the five postings on the raw topic")
    pipeline.kill("ingest")  # published, acknowledged, but not yet moved
    waiting = sorted(path.name for path in pipeline.layout.inbox.iterdir() if path.is_file())
    assert waiting == sorted(FILES)
    assert not list((pipeline.layout.inbox / "processed").rglob("*.*"))

    await pipeline.restart("ingest")  # no pause: it finds the files again and publishes them again

    async def all_moved() -> bool:
        return len(list((pipeline.layout.inbox / "processed").rglob("*.*"))) == len(FILES)

    await eventually(all_moved, "the three files in processed/")
    assert await count_records(kafka_settings, raw_topic) == 2 * POSTINGS  # at least once

    async def store_saw_both_copies() -> bool:
        return pipeline.metric("store", 'jobstream_events_consumed_total{stage="store"}') >= 10

    await eventually(store_saw_both_copies, "the store to read both copies", timeout=90)
    rows = await pg.fetch("SELECT posting_id, title, company, source_format FROM postings")
    assert len(rows) == POSTINGS  # exactly once
    assert {row["posting_id"] for row in rows} >= {
        posting_id_for(FILES["one.txt"].decode()),
        posting_id_for("Analyst 0\nSQL", ProvidedFields(title="Analyst 0", company="Initech")),
    }
    analysts = {row["title"]: row["company"] for row in rows if row["source_format"] == "json"}
    assert analysts == {f"Analyst {n}": "Initech" for n in range(3)}  # provided fields won
    assert list((pipeline.layout.inbox / "rejected").iterdir()) == []

    # The same service takes postings over HTTP; provided fields reach PostgreSQL too.
    body = json.dumps(
        {"description": "We are hiring someone to build pipelines.", "title": "Services Builder"}
    )
    request = urllib.request.Request(
        pipeline.url("ingest", "/postings"),
        data=body.encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 202
        posting_id = json.load(response)["posting_id"]

    async def stored_over_http() -> str | None:
        sql = "SELECT title FROM postings WHERE posting_id = $1"
        title: str | None = await pg.fetchval(sql, posting_id)
        return title

    assert (
        await eventually(stored_over_http, "the HTTP posting in PostgreSQL") == "Services Builder"
    )
    assert pipeline.metric("ingest", 'jobstream_ingest_outcomes_total{channel="http"') == 1
