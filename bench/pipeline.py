"""The pipeline as real processes on the native stack, fed through ingest, watched in PostgreSQL.

`Pipeline` starts ingest and 1..n instances of parser, tagger and store (`jobstream serve`) in a
Kafka namespace, a database and a state folder of their own, so it runs beside `make run` and
the tests on the same Kafka and PostgreSQL. `feed` POSTs postings to ingest's HTTP API as JSON
Lines (one upload a chunk, as a client of the service would), at full speed or at a fixed
rate; `measure` waits until PostgreSQL holds them all and reads, from the rows themselves:

- sustained postings/s: from the first posting's `received_at` (stamped by ingest) to the last
  one's `first_seen` (stamped by the store's transaction);
- end-to-end latency of each posting, `first_seen - received_at`, as p50/p95/p99 in ms, and
  split at the tagger's `tagged_at` (ingest, parser, tagger | tagged topic, store);
- CPU time per posting of each service (user + system from /proc/<pid>/stat, over the phase).

Both clocks are the same machine's. `first_seen` is `now()` of the store's transaction, i.e.
its start: a latency is short by the duration of one batch write (a few ms to tens of ms).
Peak memory is each process's `VmHWM` (peak resident set) from /proc.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg

from bench import passthrough
from jobstream.kafka.admin import delete_namespace_topics, ensure_topics
from jobstream.settings import PROJECT_ROOT, KafkaSettings, PostgresSettings, RuntimeSettings
from jobstream_stack.layout import StackLayout
from jobstream_stack.postgres import PostgresServer, drop_database, ensure_database
from jobstream_stack.processes import ManagedProcess, peak_rss_mb
from jobstream_stack.services import service_of, service_process, start_service, wait_ready
from jobstream_stack.settings import StackSettings
from jobstream_stack.system import free_port
from jobstream_store.adapters.migrate import migrate_as_owner

STAGES = ("parser", "tagger", "store")
# Postings per HTTP upload at full load, and uploads in flight: enough to keep ingest busy.
FULL_CHUNK = 100
IN_FLIGHT = 3
# Smaller uploads when rate-limited, so arrivals are spread evenly over each second.
PACED_CHUNK = 10


def jsonl_lines(texts: Sequence[str]) -> list[bytes]:
    """One JSON Lines record a posting: only its text, so the parser finds everything."""
    return [json.dumps({"text": text}, ensure_ascii=False).encode("utf-8") for text in texts]


def chunks(lines: Sequence[bytes], size: int) -> Iterator[bytes]:
    for start in range(0, len(lines), size):
        yield b"\n".join(lines[start : start + size]) + b"\n"


def percentiles(values: Sequence[float]) -> dict[str, float]:
    if len(values) < 2:
        value = round(values[0], 1) if values else 0.0
        return {"p50": value, "p95": value, "p99": value}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(cuts[49], 1), "p95": round(cuts[94], 1), "p99": round(cuts[98], 1)}


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime are fields 14 and 15 of proc(5); the split starts at field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Phase:
    """What one feed of postings measured."""

    postings: int
    postings_per_s: float
    latency_ms: dict[str, float]
    offered_per_s: float | None  # the rate limit, when there was one
    # The latency in two parts: ingest, parser and tagger (until the tagger's `tagged_at`),
    # then the tagged topic and the store.
    hops_ms: dict[str, dict[str, float]]
    # CPU time each service used per posting while the phase ran (all its instances): what
    # the postings cost, whatever else loads the machine.
    cpu_ms_per_posting: dict[str, float]


@dataclass
class Pipeline:
    """The services of one measurement: their own namespace, database and state folder."""

    root: Path
    kafka: KafkaSettings
    postgres: PostgresSettings
    instances: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    # Parser and tagger as pass-throughs (bench/passthrough.py): the plumbing ceiling.
    passthrough: bool = False
    processes: dict[str, ManagedProcess] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Process names: `ingest`, then `parser-1`, `parser-2`, ... in pipeline order."""
        return ["ingest"] + [f"{s}-{n}" for s in STAGES for n in range(1, self.instances + 1)]

    def env(self, name: str) -> dict[str, str]:
        service = service_of(name)
        return {
            **os.environ,
            # Each process its own state folder: faust data, ingest's inbox.
            "JOBSTREAM_STATE_DIR": str(self.root / name),
            "JOBSTREAM_KAFKA_NAMESPACE": self.kafka.namespace,
            "JOBSTREAM_KAFKA_PARTITIONS": str(self.kafka.partitions),
            "JOBSTREAM_PG_PORT": str(self.postgres.port),
            "JOBSTREAM_PG_DATABASE": self.postgres.database,
            f"JOBSTREAM_{service.upper()}_HTTP_PORT": str(self.ports[name]),
            **self.extra_env,
        }

    async def start(self, within: float = 120) -> None:
        layout = StackLayout(self.root)
        for name in self.names:
            self.ports[name] = free_port()
            self.processes[name] = service_process(layout, name)
        for name in self.names:
            service = service_of(name)
            if self.passthrough and service in passthrough.SERVICES:
                command = passthrough.command(service)
                self.processes[name].start(command, self.env(name), cwd=PROJECT_ROOT)
            else:
                start_service(layout, name, self.env(name))
        urls = {name: self.url(name, "/readyz") for name in self.names}
        await asyncio.to_thread(wait_ready, layout, urls, within)

    def stop(self) -> None:
        for name in self.names:
            if name in self.processes:
                self.processes[name].stop(timeout=30)

    def url(self, name: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}{path}"

    def pids(self) -> dict[str, int]:
        return {
            name: pid
            for name, process in self.processes.items()
            if (pid := process.pid()) is not None
        }

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by each service (summed over its instances)."""
        used: dict[str, float] = {}
        for name, pid in self.pids().items():
            service = service_of(name)
            used[service] = used.get(service, 0.0) + cpu_seconds(pid)
        return used

    def rss_mb(self) -> dict[str, float]:
        """Peak RSS of each service (the largest of its instances), in MB."""
        peaks: dict[str, float] = {}
        for name, pid in self.pids().items():
            service = service_of(name)
            peak = peak_rss_mb(pid)
            if peak is not None:
                peaks[service] = max(peaks.get(service, 0.0), peak)
        return peaks

    async def feed(self, lines: Sequence[bytes], source: str, rate: float | None = None) -> None:
        """POST the postings to ingest as JSON Lines uploads named `source` (the rows'
        `source_name`); all at once (a few uploads in flight), or `rate` postings/s."""
        url = self.url("ingest", f"/postings?name={source}")
        headers = {"Content-Type": "application/x-ndjson"}
        timeout = aiohttp.ClientTimeout(total=300)
        async with aiohttp.ClientSession(timeout=timeout) as session:

            async def post(body: bytes) -> None:
                async with session.post(url, data=body, headers=headers) as answer:
                    if answer.status != 202:
                        text = await answer.text()
                        raise RuntimeError(f"ingest answered {answer.status}: {text}")

            if rate is None:
                slots = asyncio.Semaphore(IN_FLIGHT)

                async def limited(body: bytes) -> None:
                    async with slots:
                        await post(body)

                await asyncio.gather(*(limited(body) for body in chunks(lines, FULL_CHUNK)))
                return
            started = time.monotonic()
            sending: list[asyncio.Task[None]] = []
            for number, body in enumerate(chunks(lines, PACED_CHUNK)):
                due = started + number * PACED_CHUNK / rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                sending.append(asyncio.create_task(post(body)))
            await asyncio.gather(*sending)

    async def measure(
        self, lines: Sequence[bytes], source: str, rate: float | None = None, within: float = 900
    ) -> Phase:
        """Feed the postings, wait until all are stored, and read throughput and latency."""
        conn = await asyncpg.connect(**self.postgres.connect_kwargs())
        cpu_before = self.cpu_seconds()
        postgres_before = await _postgres_cpu(conn)
        try:
            feeding = asyncio.create_task(self.feed(lines, source, rate))
            deadline = time.monotonic() + within
            while True:
                stored = await conn.fetchval(
                    "SELECT count(*) FROM postings WHERE source_name = $1", source
                )
                if feeding.done() and feeding.exception() is not None:
                    raise RuntimeError("feeding failed") from feeding.exception()
                if stored >= len(lines):
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{stored} of {len(lines)} postings stored in {within} s")
                await asyncio.sleep(0.5)
            await feeding
            cpu_after = self.cpu_seconds()
            # (a backend gone meanwhile is not counted; the store's pool stays open)
            cpu_before[POSTGRES] = 0.0
            cpu_after[POSTGRES] = sum(
                used - postgres_before.get(pid, 0.0)
                for pid, used in (await _postgres_cpu(conn)).items()
            )
            row = await conn.fetchrow(
                """
                SELECT extract(epoch FROM max(first_seen) - min(received_at)) AS seconds,
                       array_agg(extract(epoch FROM first_seen - received_at) * 1000) AS ms,
                       array_agg(extract(epoch FROM tagged_at - received_at) * 1000) AS tagged,
                       array_agg(extract(epoch FROM first_seen - tagged_at) * 1000) AS stored
                FROM postings WHERE source_name = $1
                """,
                source,
            )
        finally:
            await conn.close()
        latencies = [float(value) for value in row["ms"]]
        return Phase(
            postings=len(lines),
            postings_per_s=round(len(lines) / float(row["seconds"]), 1),
            latency_ms=percentiles(latencies),
            hops_ms={
                "received_to_tagged": percentiles([float(v) for v in row["tagged"]]),
                "tagged_to_stored": percentiles([float(v) for v in row["stored"]]),
            },
            offered_per_s=round(rate, 1) if rate else None,
            cpu_ms_per_posting={
                service: round((used - cpu_before.get(service, 0.0)) * 1000 / len(lines), 2)
                for service, used in cpu_after.items()
            },
        )


# PostgreSQL's share, beside the services' in `cpu_ms_per_posting`: the CPU of the
# benchmark database's backends (the store's connections, the search indexer), without this
# benchmark's own polling connection; PostgreSQL's shared processes (WAL writer,
# checkpointer) and Kafka's broker serve every database and client of the stack, so they are
# left out.
POSTGRES = "postgres"


async def _postgres_cpu(conn: asyncpg.Connection) -> dict[int, float]:
    """The CPU seconds used so far by each backend of `conn`'s database but `conn`'s own."""
    pids = await conn.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> $1",
        conn.get_server_pid(),
    )
    return {row["pid"]: cpu_seconds(row["pid"]) for row in pids}


@asynccontextmanager
async def running(
    instances: int = 1,
    extra_env: Mapping[str, str] | None = None,
    partitions: int | None = None,
    kafka_bootstrap: str | None = None,
    passthrough: bool = False,
) -> AsyncIterator[Pipeline]:
    """A pipeline in a fresh namespace, database and temporary folder; all removed after.
    Topics get `partitions`, by default `JOBSTREAM_KAFKA_PARTITIONS` (6); Kafka is the native
    stack's unless `kafka_bootstrap` names other brokers (bench_brokers' cluster)."""
    base = PostgresSettings()
    layout = StackLayout(RuntimeSettings().state_dir)
    server = PostgresServer(layout, base, StackSettings())
    tag = uuid.uuid4().hex[:8]
    database = f"jobstream_bench_e2e_{tag}"
    kafka = KafkaSettings(
        namespace=f"bench-e2e-{tag}", partitions=partitions or KafkaSettings().partitions
    )
    env = dict(extra_env or {})
    if kafka_bootstrap:
        kafka = kafka.model_copy(update={"bootstrap_servers": kafka_bootstrap})
        env["JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS"] = kafka_bootstrap
    admin = await server.superuser_connection()
    await ensure_database(admin, database, base.owner_user)
    pipeline: Pipeline | None = None
    try:
        postgres = base.model_copy(update={"database": database})
        await migrate_as_owner(postgres)  # once, before several store instances start
        await ensure_topics(kafka)
        with tempfile.TemporaryDirectory(prefix="jobstream-bench-e2e-") as folder:
            pipeline = Pipeline(Path(folder), kafka, postgres, instances, env, passthrough)
            try:
                await pipeline.start()
                yield pipeline
            finally:
                await asyncio.to_thread(pipeline.stop)
    finally:
        await drop_database(admin, database)
        await admin.close()
        await delete_namespace_topics(kafka)
