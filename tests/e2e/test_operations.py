"""What an operator sees of a running pipeline: metrics, readiness and log lines."""

from __future__ import annotations

import json
import re
import subprocess

import asyncpg
import pytest

from jobstream.contracts import RawPosting, Source
from jobstream.kafka.publisher import Publisher
from jobstream.settings import KafkaSettings
from jobstream.topology import RAW_POSTINGS
from jobstream_stack.services import SERVICES, jobstream_command, service_process
from tests.e2e.harness import Services, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

STAGES = ("parser", "tagger", "store")


def postings(count: int) -> list[RawPosting]:
    return [
        RawPosting.from_text(
            f"Data Engineer {n}\nGlobex {n} is hiring.\nRequirements\n- Python, SQL and Kafka\n",
            Source(channel="cli", name=f"ops-{n}.txt"),
        )
        for n in range(count)
    ]


async def test_metrics_readiness_and_logs_of_a_running_pipeline(
    ops_pipeline: Services, kafka_settings: KafkaSettings, pg: asyncpg.Connection
) -> None:
    pipeline = ops_pipeline
    sent = postings(30)
    async with Publisher(kafka_settings) as publisher:
        await publisher.publish(RAW_POSTINGS, sent)
        # Not an event at all: the parser dead-letters it.
        await publisher.producer.send_and_wait(
            kafka_settings.topic(RAW_POSTINGS), b"not json", key=b"broken-posting"
        )

    async def all_stored() -> bool:
        return bool(await pg.fetchval("SELECT count(*) FROM postings") == len(sent))

    await eventually(all_stored, "30 postings stored")

    async def no_lag_anywhere() -> bool:
        for stage in STAGES:
            if pipeline.metric(stage, "jobstream_consumer_lag_records{") != 0:
                return False
            text = metrics_page(pipeline, stage)
            partitions = {
                line.split('partition="')[1].split('"')[0]
                for line in text.splitlines()
                if line.startswith("jobstream_consumer_lag_records{")
            }
            if partitions != {str(p) for p in range(kafka_settings.partitions)}:
                return False
        return True

    await eventually(no_lag_anywhere, "every stage to report zero lag on its 6 partitions")

    assert pipeline.metric("ingest", "jobstream_events_produced_total") == 0  # ingest read nothing
    assert pipeline.metric("parser", "jobstream_events_consumed_total") == 31
    assert pipeline.metric("parser", "jobstream_dead_letters_total") == 1
    assert pipeline.metric("parser", 'jobstream_events_failed_total{reason="invalid_event"') == 1
    assert pipeline.metric("store", "jobstream_store_commit_seconds_count") >= 1
    assert pipeline.metric("store", "jobstream_end_to_end_latency_seconds_count") == 30
    assert pipeline.metric("store", "jobstream_store_batch_size_sum") == 30
    for stage in STAGES:
        assert pipeline.metric(stage, "jobstream_last_event_timestamp_seconds") > 0
        assert pipeline.metric(stage, "jobstream_consumer_lag_seconds") == 0
    assert pipeline.metric("store", 'jobstream_ready{check="postgres"}') == 1
    assert pipeline.metric("ingest", 'jobstream_ready{check="kafka"}') == 1

    # The dead letter's log line says where the record came from.
    lines = [
        json.loads(line)
        for line in service_process(pipeline.layout, "parser").log_file.read_text().splitlines()
        if line.startswith("{")
    ]
    [dead] = [line for line in lines if line["event"] == "dead letter"]
    assert dead["service"] == dead["stage"] == "parser"
    assert dead["posting_id"] == "broken-posting"
    assert dead["topic"] == kafka_settings.topic(RAW_POSTINGS)
    assert isinstance(dead["partition"], int) and isinstance(dead["offset"], int)
    assert dead["level"] == "warning" and dead["reason"] == "invalid_event"

    # `jobstream status` sees the same, and says so with its exit code.
    status = run_status(pipeline)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "PostgreSQL: 30 postings" in status.stdout
    assert "Dead-letter topic: 1 records" in status.stdout
    assert "all services ready" in status.stdout
    for stage in SERVICES:
        assert re.search(rf"│ {stage} +│ ready", status.stdout), status.stdout

    pipeline.kill("tagger")
    status = run_status(pipeline)
    assert status.returncode == 1
    assert "✗ tagger: down" in status.stdout


def run_status(pipeline: Services) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [jobstream_command(), "status", "--interval", "0.5"],
        env={**pipeline.env, "COLUMNS": "120"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def metrics_page(pipeline: Services, name: str) -> str:
    import urllib.request

    with urllib.request.urlopen(pipeline.url(name, "/metrics"), timeout=5) as response:
        text: str = response.read().decode()
    return text
