"""SIGTERM mid-load: a stage drains its in-flight batch, commits, and exits 0 within the bound
a supervisor allows before it SIGKILLs; started again, it reprocesses nothing committed.

Each consuming stage is fed its own input events (built by the pure parser and tagger) with
small batches, so the signal lands while work is in flight. "Drained and committed" is
checked exactly: at exit, the outputs (events published, or rows stored) equal the committed
input offsets: an output without a commit would be published again after the restart, a
commit without an output would be a loss.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import BaseModel

from bench.corpus import postings
from jobstream.contracts import RawPosting, Source
from jobstream.kafka.admin import ensure_topics
from jobstream.kafka.config import client_options
from jobstream.kafka.publisher import Publisher
from jobstream.settings import KafkaSettings, PostgresSettings
from jobstream.topology import PARSER, STORE, TAGGER, Stage
from jobstream_parser.parse import parse
from jobstream_stack.layout import StackLayout
from jobstream_stack.services import jobstream_command, stop_services, wait_ready
from jobstream_stack.system import free_port
from jobstream_tagger.tag import tag
from jobstream_tagger.taxonomy import load_taxonomy
from tests.e2e.harness import eventually
from tests.kafka_records import count_records

pytestmark = pytest.mark.e2e

EVENTS = 1_500
INGEST_POSTINGS = 6_000
BATCH = 10
# How long `jobstream stack stop` (stop_services) waits after SIGTERM before it SIGKILLs.
STOP_BOUND = float(inspect.signature(stop_services).parameters["timeout"].default)
STAGES = {"parser": PARSER, "tagger": TAGGER, "store": STORE}


def inputs(stage: Stage) -> list[BaseModel]:
    raws = [RawPosting.from_text(text, Source(channel="cli")) for text in postings(EVENTS, 11)]
    if stage is PARSER:
        return list(raws)
    parsed = [parse(raw) for raw in raws]
    if stage is TAGGER:
        return list(parsed)
    taxonomy = load_taxonomy()
    return [tag(posting, taxonomy) for posting in parsed]


class Worker:
    """One stage process, started by this test so it can read its exit status."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name, self.env, self.log = name, env, log
        self.port = int(env[f"JOBSTREAM_{name.upper()}_HTTP_PORT"])
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, layout: StackLayout) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [jobstream_command(), "serve", self.name],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        (layout.run / f"{self.name}.pid").write_text(f"{self.process.pid}\n")
        wait_ready(layout, {self.name: f"http://127.0.0.1:{self.port}/readyz"}, timeout=120)

    def terminate(self) -> tuple[int, float]:
        """SIGTERM; the exit status and the seconds it took to exit."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=STOP_BOUND + 30)
        return code, time.monotonic() - started

    def metric(self, metric: str) -> float:
        url = f"http://127.0.0.1:{self.port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as response:
            text = response.read().decode()
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith(metric) and not line.startswith("#")
        )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


async def committed(kafka: KafkaSettings, stage: Stage) -> int:
    """Offsets the stage's group committed on its input topic, summed over partitions."""
    admin = AIOKafkaAdminClient(**client_options(kafka))
    try:
        await admin.start()
        offsets = await admin.list_consumer_group_offsets(kafka.group(stage))
    finally:
        await admin.close()
    topic = kafka.topic(stage.reads)
    return sum(max(0, meta.offset) for tp, meta in offsets.items() if tp.topic == topic)


async def outputs(kafka: KafkaSettings, postgres: PostgresSettings, stage: Stage) -> int:
    """What the stage delivered: events on its output topic, or rows for the store."""
    if stage.writes is not None:
        return await count_records(kafka, kafka.topic(stage.writes))
    conn = await asyncpg.connect(**postgres.connect_kwargs())
    try:
        return int(await conn.fetchval("SELECT count(*) FROM postings"))
    finally:
        await conn.close()


async def publish(kafka: KafkaSettings, stage: Stage, events: Sequence[BaseModel]) -> None:
    async with Publisher(kafka) as publisher:
        await publisher.publish(stage.reads, events)


@pytest.mark.parametrize("name", list(STAGES))
async def test_sigterm_drains_commits_and_a_restart_reprocesses_nothing(
    name: str, kafka_settings: KafkaSettings, database: PostgresSettings, tmp_path: Path
) -> None:
    stage = STAGES[name]
    layout = StackLayout(tmp_path / "state")
    layout.create()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("JOBSTREAM_")},
        "JOBSTREAM_STATE_DIR": str(layout.root),
        "JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS": kafka_settings.bootstrap_servers,
        "JOBSTREAM_KAFKA_NAMESPACE": kafka_settings.namespace,
        "JOBSTREAM_PG_PORT": str(database.port),
        "JOBSTREAM_PG_DATABASE": database.database,
        f"JOBSTREAM_{name.upper()}_HTTP_PORT": str(free_port()),
        f"JOBSTREAM_{name.upper()}_BATCH_SIZE": str(BATCH),
    }
    worker = Worker(name, env, layout.logs / f"{name}.log")
    events = await asyncio.to_thread(inputs, stage)
    await ensure_topics(kafka_settings)
    try:
        await asyncio.to_thread(worker.start, layout)
        await publish(kafka_settings, stage, events)

        async def under_way() -> bool:
            return await outputs(kafka_settings, database, stage) >= 5 * BATCH

        await eventually(under_way, f"the {name} to get going")
        code, seconds = await asyncio.to_thread(worker.terminate)
        done = await committed(kafka_settings, stage)
        delivered = await outputs(kafka_settings, database, stage)
        print(f"{name}: exit {code} {seconds:.1f} s after SIGTERM; {done} of {EVENTS} committed")
        assert code == 0, worker.log.read_text()[-3000:]
        assert seconds < STOP_BOUND
        assert 0 < done < EVENTS, "the signal should land mid-load"
        assert delivered == done, "outputs without a commit, or commits without an output"

        await asyncio.to_thread(worker.start, layout)

        async def all_committed() -> bool:
            return await committed(kafka_settings, stage) == EVENTS

        await eventually(all_committed, f"the restarted {name} to finish")
        assert await outputs(kafka_settings, database, stage) == EVENTS  # none twice
        assert worker.metric("jobstream_events_consumed_total") == EVENTS - done
        if stage is STORE:
            assert worker.metric('jobstream_postings_stored_total{outcome="unchanged"}') == 0
        code, seconds = await asyncio.to_thread(worker.terminate)
        assert code == 0 and seconds < STOP_BOUND
    finally:
        worker.kill()
        print(worker.log.read_text(errors="replace")[-2000:])


async def test_sigterm_stops_ingest_between_batches_and_a_restart_publishes_the_rest(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    """Files are published a batch at a time and moved once Kafka acknowledged them: after
    SIGTERM nothing is half done, and a restart publishes only the files still waiting."""
    layout = StackLayout(tmp_path / "state")
    layout.create()
    inbox = layout.inbox
    inbox.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("JOBSTREAM_")},
        "JOBSTREAM_STATE_DIR": str(layout.root),
        "JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS": kafka_settings.bootstrap_servers,
        "JOBSTREAM_KAFKA_NAMESPACE": kafka_settings.namespace,
        "JOBSTREAM_INGEST_HTTP_PORT": str(free_port()),
        "JOBSTREAM_INGEST_STABLE_SECONDS": "0.2",
        "JOBSTREAM_INGEST_BATCH_FILES": "5",
    }
    texts = list(postings(INGEST_POSTINGS, 13))
    files = 400
    for number in range(files):
        chunk = texts[number::files]
        body = "".join(json.dumps({"description": text}) + "\n" for text in chunk)
        (inbox / f".jobs-{number:03d}.jsonl.part").write_text(body)
    worker = Worker("ingest", env, layout.logs / "ingest.log")
    raw = kafka_settings.topic(PARSER.reads)
    try:
        await asyncio.to_thread(worker.start, layout)
        for part in sorted(inbox.glob(".jobs-*.part")):
            part.rename(inbox / part.name.removeprefix(".").removesuffix(".part"))

        async def under_way() -> bool:
            return await count_records(kafka_settings, raw) > 0

        await eventually(under_way, "ingest to get going")
        code, seconds = await asyncio.to_thread(worker.terminate)
        published = await count_records(kafka_settings, raw)
        moved = list((inbox / "processed").rglob("*.jsonl"))
        waiting = list(inbox.glob("jobs-*.jsonl"))
        print(f"ingest: exit {code} {seconds:.1f} s after SIGTERM; {len(moved)} files moved")
        assert code == 0, worker.log.read_text()[-3000:]
        assert seconds < STOP_BOUND
        assert len(moved) + len(waiting) == files
        assert waiting, "the signal should land mid-load"
        moved_postings = sum(len(path.read_text().splitlines()) for path in moved)
        assert published == moved_postings, "published files not moved, or moved not published"

        await asyncio.to_thread(worker.start, layout)

        async def all_moved() -> bool:
            return not list(inbox.glob("jobs-*.jsonl"))

        await eventually(all_moved, "the restarted ingest to publish the rest")
        # No file published twice.
        assert await count_records(kafka_settings, raw) == INGEST_POSTINGS
        code, seconds = await asyncio.to_thread(worker.terminate)
        assert code == 0 and seconds < STOP_BOUND
    finally:
        worker.kill()
        print(worker.log.read_text(errors="replace")[-2000:])
