"""A replay of the raw topic fills parser 0.3.0's fields for postings stored before them.

The postings are first stored by the pipeline under an older version (0.2.2, the version
before these fields), then their new columns are cleared, as they are on rows written before
migration 0004. A `jobstream replay copy raw` through the running pipeline, with the parser at
its own version, rewrites every posting once: pay for a year, coded places, the signature and
near-duplicate clusters are filled, and "not stated" is NULL.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest

from jobstream.contracts import RawPosting, Source
from jobstream.kafka.publisher import Publisher
from jobstream.settings import KafkaSettings
from jobstream.topology import RAW_POSTINGS
from jobstream_parser.parse import PARSER_VERSION
from jobstream_stack.services import jobstream_command, service_process
from tests.e2e.harness import Services, StartServices, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

OLD_VERSION = "0.2.2"
BODY = (
    "Responsibilities\n- Build and run the data pipelines of {n} teams with Python and Kafka.\n"
    "- Review code and mentor engineers.\nRequirements\n- 3+ years of experience with SQL.\n"
)


@pytest.fixture
def stages(start_services: StartServices, tmp_path: Path) -> Iterator[Services]:
    env = {
        "JOBSTREAM_PARSER_VERSION_OVERRIDE": OLD_VERSION,
        "JOBSTREAM_REPLAY_CHECKPOINT_DIR": str(tmp_path / "replays"),
    }
    with start_services(("parser", "tagger", "store"), env) as services:
        yield services


def _postings() -> list[RawPosting]:
    texts = [
        f"Data Engineer {n}\nLocation: Berlin, Germany\nSalary: EUR {60 + n}k\n" + BODY.format(n=n)
        for n in range(10)
    ]
    # the same job on two boards: one line differs
    texts += [
        f"Backend Engineer\nLocation: Austin, TX\nPay: $50 per hour\nSource: board {board}\n"
        + BODY.format(n=7) * 3
        for board in ("one", "two")
    ]
    return [
        RawPosting.from_text(text, Source(channel="cli", name=f"{n}.txt"))
        for n, text in enumerate(texts)
    ]


async def test_a_raw_topic_replay_fills_the_new_fields(
    stages: Services, kafka_settings: KafkaSettings, pg: asyncpg.Connection
) -> None:
    batch = _postings()
    async with Publisher(kafka_settings) as publisher:
        await publisher.publish(RAW_POSTINGS, batch)

    async def stored_by(version: str) -> bool:
        sql = "SELECT count(*) FROM postings WHERE parser_version = $1"
        count = await pg.fetchval(sql, version)
        return bool(count == len(batch))

    await eventually(lambda: stored_by(OLD_VERSION), f"{len(batch)} postings stored")
    # As rows written before migration 0004 are: none of the new fields.
    await pg.execute(
        "UPDATE postings SET salary_annual_min = NULL, salary_annual_max = NULL,"
        " countries = '{}', subdivisions = '{}', remote_scope = '{}', signature = NULL,"
        " signature_bands = '{}', cluster_id = NULL, work_mode = coalesce(work_mode, 'unknown')"
    )

    await asyncio.to_thread(service_process(stages.layout, "parser").stop)
    await stages.restart("parser", JOBSTREAM_PARSER_VERSION_OVERRIDE=PARSER_VERSION)
    result = await asyncio.to_thread(
        subprocess.run,
        [jobstream_command(), "replay", "copy", "raw", "--replay-id", "backfill-parser-0-3"],
        env={**stages.env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    await eventually(lambda: stored_by(PARSER_VERSION), "every posting re-parsed", 180)
    rows = {
        row["source_name"]: row
        for row in await pg.fetch(
            "SELECT source_name, posting_id, work_mode, countries, subdivisions,"
            " salary_annual_min, cluster_id, signature FROM postings"
        )
    }
    assert len(rows) == len(batch)
    assert all(row["work_mode"] is None for row in rows.values())
    assert all(row["signature"] is not None for row in rows.values())
    berlin = [rows[f"{n}.txt"] for n in range(10)]
    assert all(row["countries"] == ["DE"] and row["subdivisions"] == ["DE-BE"] for row in berlin)
    assert [row["salary_annual_min"] for row in berlin] == [60_000 + n * 1000 for n in range(10)]
    one, two = rows["10.txt"], rows["11.txt"]
    assert (one["countries"], one["subdivisions"]) == (["US"], ["US-TX"])
    assert one["salary_annual_min"] == Decimal("104000.00")  # $50 an hour, 2,080 hours
    assert one["cluster_id"] == two["cluster_id"] in {one["posting_id"], two["posting_id"]}
    assert len({row["cluster_id"] for row in berlin}) == 10, "ten jobs, ten clusters"
