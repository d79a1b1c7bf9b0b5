"""Bulk files as real processes: streamed with flat memory, and killed half-way, resumed
without sending the first half again (at most the batch in flight, and it says so).

The file (20,000 short postings, about 20 MB: twice the whole-file limit) goes through
`jobstream ingest` and through the ingest service's inbox. The million-posting run and its
throughput belong to `make bench` (bench/bench_bulk.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.bench_bulk import write_short_postings
from jobstream.settings import KafkaSettings, PostgresSettings
from jobstream.topology import RAW_POSTINGS
from jobstream_ingest.adapters.bulk_ingest import BULK_BATCH
from jobstream_stack.layout import StackLayout
from jobstream_stack.processes import peak_rss_mb
from jobstream_stack.services import jobstream_command, service_process
from tests.e2e.harness import Services, eventually
from tests.kafka_records import count_records, read_all

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

POSTINGS = 20_000
MAX_RSS_MB = 200


@pytest.fixture(scope="module")
def bulk_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bulk") / "bulk.jsonl"
    size = write_short_postings(path, POSTINGS)
    assert size > 10 * 1024 * 1024  # over the whole-file limit: only a stream reads it
    return path


def env(state: Path, settings: KafkaSettings) -> dict[str, str]:
    return {
        **os.environ,
        "JOBSTREAM_STATE_DIR": str(state),
        "JOBSTREAM_KAFKA_NAMESPACE": settings.namespace,
    }


# Runs the CLI as a child and prints its peak RSS (the kernel's maximum resident set).
WRAPPER = (
    "import resource, subprocess, sys;"
    "code = subprocess.run(sys.argv[1:]).returncode;"
    "print('peak_rss_kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, flush=True);"
    "sys.exit(code)"
)


def cli(file: Path, state: Path, settings: KafkaSettings) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRAPPER, jobstream_command(), "ingest", str(file)],
        env=env(state, settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


async def distinct_keys(settings: KafkaSettings) -> tuple[int, int]:
    records = await read_all(settings, settings.topic(RAW_POSTINGS))
    return len(records), len({record.key for record in records})


async def test_the_cli_streams_a_bulk_file_with_flat_memory(
    bulk_file: Path, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    process = cli(bulk_file, tmp_path / "state", kafka_settings)
    out, err = process.communicate(timeout=360)
    assert process.returncode == 0, err[-3000:]
    assert f"published {POSTINGS:,}, skipped 0" in err
    peak_kb = int(out.split("peak_rss_kb")[1].split()[0])
    assert peak_kb / 1024 < MAX_RSS_MB, f"peak RSS {peak_kb / 1024:.0f} MB"
    assert await count_records(kafka_settings, kafka_settings.topic(RAW_POSTINGS)) == POSTINGS
    assert not (tmp_path / "state" / "ingest-progress").exists()  # done: nothing to resume


async def test_a_cli_run_killed_half_way_resumes_without_sending_the_first_half_again(
    bulk_file: Path, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    topic = kafka_settings.topic(RAW_POSTINGS)
    process = cli(bulk_file, state, kafka_settings)

    async def a_third_sent() -> bool:
        assert process.poll() is None, "the run ended before it could be killed"
        return await count_records(kafka_settings, topic) >= POSTINGS // 3

    try:
        await eventually(a_third_sent, "a third of the file on the raw topic", timeout=300)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the CLI and its wrapper: a crash
        process.communicate()
    before = await count_records(kafka_settings, topic)
    assert before < POSTINGS and list((state / "ingest-progress").glob("*.json"))

    again = cli(bulk_file, state, kafka_settings)
    _, err = again.communicate(timeout=360)
    assert again.returncode == 0, err[-3000:]
    assert "resumed after line" in err
    total, distinct = await distinct_keys(kafka_settings)
    assert distinct == POSTINGS  # every posting there
    assert total - POSTINGS <= BULK_BATCH  # at most the batch in flight sent twice
    # The summary counts the earlier run's postings too, each once.
    assert f"published {POSTINGS:,}, skipped 0" in err


@pytest.fixture
def ingest_only(kafka_settings: KafkaSettings, tmp_path: Path) -> Iterator[Services]:
    services = Services(
        StackLayout(tmp_path / "state"),
        kafka_settings,
        PostgresSettings(),  # ingest does not use PostgreSQL; this only fills its environment
        extra_env={"JOBSTREAM_INGEST_STABLE_SECONDS": "0.2"},
    )
    with services.running(["ingest"]):
        yield services


async def test_the_inbox_resumes_a_bulk_file_after_a_kill(
    bulk_file: Path, ingest_only: Services, kafka_settings: KafkaSettings
) -> None:
    topic = kafka_settings.topic(RAW_POSTINGS)
    inbox = ingest_only.inbox
    # Slowed down (a pause after each batch), so the kill lands in the middle of the file.
    ingest_only.kill("ingest")
    await ingest_only.restart("ingest", JOBSTREAM_INGEST_PAUSE_AFTER_PUBLISH_SECONDS="0.5")
    staged = inbox / ".bulk.jsonl.part"
    staged.write_bytes(bulk_file.read_bytes())
    staged.rename(inbox / "bulk.jsonl")

    async def a_third_sent() -> bool:
        return await count_records(kafka_settings, topic) >= POSTINGS // 3

    await eventually(a_third_sent, "a third of the file on the raw topic", timeout=300)
    ingest_only.kill("ingest")
    assert (inbox / "bulk.jsonl").exists() and list((inbox / ".progress").glob("*.json"))

    await ingest_only.restart("ingest")

    async def processed() -> bool:
        return bool(list((inbox / "processed").rglob("bulk.jsonl")))

    await eventually(processed, "bulk.jsonl in processed/", timeout=300)
    total, distinct = await distinct_keys(kafka_settings)
    assert distinct == POSTINGS
    assert total - POSTINGS <= BULK_BATCH
    log = service_process(ingest_only.layout, "ingest").log_file.read_text()
    assert "resuming a bulk file" in log
    published = [
        event for event in map(_json, log.splitlines()) if event.get("event") == "published"
    ]
    assert published and "resumed after line" in str(published[-1]["resumed"])
    pid = service_process(ingest_only.layout, "ingest").pid()
    assert pid is not None and (peak_rss_mb(pid) or 0) < MAX_RSS_MB
    assert not (inbox / ".progress").exists()


def _json(line: str) -> dict[str, object]:
    try:
        value = json.loads(line)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
