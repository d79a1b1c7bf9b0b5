"""`--json` against the real broker: what a script reads is what happened."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess

import pytest

from jobstream.settings import KafkaSettings
from jobstream.topology import ALL_TOPICS
from jobstream_stack.services import jobstream_command
from tests.conftest import SEEDS
from tests.kafka_records import raw_postings

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(180)]


def run(*args: str, namespace: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JOBSTREAM_KAFKA_NAMESPACE": namespace}
    return subprocess.run(
        [jobstream_command(), *args], capture_output=True, text=True, timeout=120, env=env
    )


async def test_ingest_json_names_the_postings_it_published(
    kafka_settings: KafkaSettings,
) -> None:
    namespace = kafka_settings.namespace
    result = await asyncio.to_thread(run, "ingest", str(SEEDS), "--json", namespace=namespace)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    seeds = sorted(SEEDS.glob("*.txt"))
    assert summary["published"] == len(seeds) == len(summary["posting_ids"])
    assert summary["rejected"] == {} and summary["rejections"] == []
    published = await raw_postings(kafka_settings)
    assert sorted(summary["posting_ids"]) == sorted(p.posting_id for p in published)

    listed = await asyncio.to_thread(run, "topics", "list", "--json", namespace=namespace)
    assert listed.returncode == 0, listed.stderr
    assert {kafka_settings.topic(spec) for spec in ALL_TOPICS} <= set(
        json.loads(listed.stdout)["topics"]
    )
