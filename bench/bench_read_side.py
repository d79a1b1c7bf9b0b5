"""The read side over 200,000 stored postings: the query API under load, and an export.

A throwaway database gets `templates` postings of `bench/corpus.py`, parsed, tagged and
written by the real code; SQL then copies them into `postings` postings with their own ids,
spread over a year of received times (search vectors and skills copied along), and the
store's view refresh runs (`views_refresh_s`). Then:

- the `api` service runs as a process (the reader role, its own pool), and a load generator
  in this process sends a mix of requests (`request_mix`: GET /postings with a skill and
  GET /stats/skills with a skill, each skill drawn from every stored skill with a weight
  falling with its rank in demand, and other parameters varied, so that few requests repeat)
  to 127.0.0.1 only, `concurrency` requests in flight, `requests` of each kind at most and
  never longer than `seconds`; it reports requests/s and client-side latency p50/p95/p99
  (`read_api_*`), with the CPU ms per request of the API process and of its PostgreSQL
  backends. The same mix runs twice: with the service's answer caches as configured, and
  with none (`*_uncached`);
- `jobstream export --format parquet` writes every posting to a file (`export_*`): postings/s
  from the command's start to its end, and its resident memory sampled every 0.2 s (peak,
  and the peaks of the first and second half: flat memory means they match), with the CPU
  µs per posting of the command and of its PostgreSQL backend.

`JOBSTREAM_BENCH_READ_SIDE_DATABASE=name` keeps the database: one of that name holding
postings (seeded by an earlier run) is measured as it is, migrated to the latest version, the
seeding's ~6 min and the views' refresh skipped; one missing or empty is created and seeded
first. It is never dropped. `JOBSTREAM_BENCH_READ_SIDE_ONLY=export` measures the export only
(not the API's two runs of up to 4 min).
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg
import pyarrow.parquet as pq

from bench.corpus import postings
from bench.pipeline import cpu_seconds, percentiles
from jobstream.contracts import RawPosting, Source
from jobstream.settings import PostgresSettings, RuntimeSettings
from jobstream_api.adapters.postgres import APPLICATION_NAME
from jobstream_parser.parse import parse
from jobstream_stack.layout import StackLayout
from jobstream_stack.postgres import PostgresServer, drop_database, ensure_database
from jobstream_stack.processes import peak_rss_mb
from jobstream_stack.services import jobstream_command, service_process, start_service, wait_ready
from jobstream_stack.settings import StackSettings
from jobstream_stack.system import free_port
from jobstream_store.adapters.migrate import migrate_as_owner
from jobstream_store.adapters.repository import write_postings
from jobstream_store.adapters.search_index import index_pending
from jobstream_store.postings import StoredPosting
from jobstream_tagger.tag import tag
from jobstream_tagger.taxonomy import load_taxonomy


@dataclass(frozen=True)
class Options:
    postings: int = 200_000
    templates: int = 2_000
    requests: int = 3_000  # of each kind
    concurrency: int = 8
    seconds: float = 60.0  # of each kind, at most


OPTIONS = Options()
# A database seeded before, measured as it is (the module's docstring).
KEPT_DATABASE = os.environ.get("JOBSTREAM_BENCH_READ_SIDE_DATABASE")
# "export": the export only (the module's docstring).
ONLY = os.environ.get("JOBSTREAM_BENCH_READ_SIDE_ONLY", "")

# Copies of the templates, new ids, received over the year before 2026-12-01: an INSERT ...
# SELECT of every column of the table (whatever migrations added), built and quoted by the
# server, with the id and the received time replaced; each copy is a job of its own (its own
# near-duplicate cluster). A copy's rows go in together, as the store writes a posting's
# skills in one statement (not each skill's copies together).
_COPY_STATEMENT = """
SELECT format(
    'INSERT INTO %1$I (%2$s) SELECT %3$s FROM %1$I p, generate_series(1, $1) AS n'
    ' WHERE p.posting_id = ANY($2::text[]) ORDER BY n, p.posting_id',
    $1::text,
    string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),
    string_agg(CASE column_name
        WHEN 'posting_id' THEN 'md5(p.posting_id || '':'' || n)'
        WHEN 'cluster_id' THEN 'md5(p.posting_id || '':'' || n)'
        WHEN 'received_at' THEN 'timestamptz ''2026-12-01'' - make_interval(secs => '
            '((''x'' || substr(md5(p.posting_id || n), 1, 8))::bit(32)::int::bigint'
            ' & 2147483647) % 31536000)'
        ELSE 'p.' || quote_ident(column_name) END, ', ' ORDER BY ordinal_position))
FROM information_schema.columns
WHERE table_schema = 'public' AND table_name = $1::text
"""


async def seed(settings: PostgresSettings, options: Options) -> dict[str, object]:
    """The templates through parse, tag and the store's writer; then SQL copies of them."""
    started = time.perf_counter()
    taxonomy = load_taxonomy()
    stored = []
    for n, text in enumerate(postings(options.templates, seed=18)):
        raw = RawPosting.from_text(text, Source(channel="cli", name=f"bench-{n}.txt"))
        stored.append(StoredPosting(tag(parse(raw), taxonomy), "bench", 0, n))
    await migrate_as_owner(settings)
    conn = await asyncpg.connect(**settings.connect_kwargs())
    try:
        for start in range(0, len(stored), 500):
            await write_postings(conn, stored[start : start + 500])
        while await index_pending(conn, 500):
            pass
        ids = [item.posting.posting_id for item in stored]
        copies = max(options.postings // len(ids) - 1, 0)
        await conn.execute("SET synchronous_commit = off")
        copy_postings = await conn.fetchval(_COPY_STATEMENT, "postings")
        copy_skills = await conn.fetchval(_COPY_STATEMENT, "posting_skills")
        for start in range(0, len(ids), 200):  # bounded transactions
            chunk = ids[start : start + 200]
            async with conn.transaction():
                await conn.execute(copy_postings, copies, chunk)
                await conn.execute(copy_skills, copies, chunk)
        owner = await asyncpg.connect(**settings.owner_connect_kwargs())
        try:
            # The owner's tables (the service role may not): the statistics, and the visibility
            # map of a settled database, rather than autovacuum's insert-triggered pass over the
            # new rows while the API is measured.
            await owner.execute("VACUUM (ANALYZE)")
        finally:
            await owner.close()
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        await conn.fetchval("SELECT refresh_read_views(true)")
        refresh = time.perf_counter() - started
    finally:
        await conn.close()
    return {"seed_s": round(seeded, 1), "views_refresh_s": round(refresh, 2)}


# The service with no answer cache: every request asks PostgreSQL and builds its answer.
_NO_CACHES = {"JOBSTREAM_API_ITEM_CACHE_SIZE": "0", "JOBSTREAM_API_STATS_CACHE_SIZE": "0"}
_COUNTRIES = ("DE", "US", "GB", "FR", "CH", "ES", "NL")
MIX = (
    "skill: every stored skill, the one ranked r in demand drawn with weight 1/r; /postings: a"
    " country in 1 of 4, required=true in 1 of 5, limit=50 in 1 of 5 (else 20), a second skill"
    " in 1 of 10; /stats/skills: bucket month in 1 of 3 (else week), a country in 1 of 4"
)


def request_mix(skills: list[str], count: int) -> tuple[list[str], list[str]]:
    """`count` paths of GET /postings and of GET /stats/skills, as MIX says (reproducible)."""
    rng = random.Random(18)  # noqa: S311 - a reproducible mix of requests
    weights = [1 / rank for rank in range(1, len(skills) + 1)]

    def skill() -> str:
        return rng.choices(skills, weights)[0]

    postings, stats = [], []
    for _ in range(count):
        query = [f"skill={skill()}"]
        if rng.random() < 0.1:
            query.append(f"skill={skill()}")
        if rng.random() < 0.25:
            query.append(f"country={rng.choice(_COUNTRIES)}")
        if rng.random() < 0.2:
            query.append("required=true")
        query.append(f"limit={50 if rng.random() < 0.2 else 20}")
        postings.append("/postings?" + "&".join(query))
        query = [f"skill={skill()}", f"bucket={'month' if rng.random() < 1 / 3 else 'week'}"]
        if rng.random() < 0.25:
            query.append(f"country={rng.choice(_COUNTRIES)}")
        stats.append("/stats/skills?" + "&".join(query))
    return postings, stats


class BackendCpu:
    """CPU time of the read model's PostgreSQL backends in one database (each backend a
    process of this machine, found by its application name), summed over those seen."""

    def __init__(self, conn: asyncpg.Connection, database: str) -> None:
        self._conn = conn
        self._database = database
        self._seen: dict[int, float] = {}  # backend pid: its CPU seconds when last seen

    async def sample(self) -> float:
        """CPU seconds of every backend seen so far (a backend gone counts as last seen)."""
        rows = await self._conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2",
            self._database,
            APPLICATION_NAME,
        )
        for row in rows:
            used = cpu_seconds(row["pid"])
            if used:
                self._seen[row["pid"]] = used
        return sum(self._seen.values())


async def load(
    base: str, paths: list[str], options: Options, pid: int, backends: BackendCpu
) -> dict[str, float | dict[str, float]]:
    """Send GET `paths` (cycled) with `concurrency` in flight; bounded in count and time."""
    latencies: list[float] = []
    failures = 0
    deadline = time.monotonic() + options.seconds
    queue = iter(range(options.requests))
    timeout = aiohttp.ClientTimeout(total=10)
    connector = aiohttp.TCPConnector(limit=options.concurrency)

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        for n in queue:
            if time.monotonic() > deadline:
                return
            sent = time.perf_counter()
            async with session.get(base + paths[n % len(paths)]) as response:
                await response.read()
                if response.status != 200:
                    failures += 1
            latencies.append((time.perf_counter() - sent) * 1000)

    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        # Warm-up: the pool's connections, the page cache.
        await asyncio.gather(*(session.get(base + path) for path in paths[:20]))
        cpu_before, pg_before = cpu_seconds(pid), await backends.sample()
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(options.concurrency)))
        elapsed = time.perf_counter() - started
    cpu, pg = cpu_seconds(pid) - cpu_before, await backends.sample() - pg_before
    done = max(len(latencies), 1)
    return {
        "requests": float(len(latencies)),
        "failed": float(failures),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "latency_ms": percentiles(latencies),
        "api_cpu_ms_per_request": round(cpu * 1000 / done, 2),
        "postgres_cpu_ms_per_request": round(pg * 1000 / done, 2),
    }


async def export(
    settings: PostgresSettings, out: Path, admin: asyncpg.Connection
) -> dict[str, float]:
    """`jobstream export --format parquet` as a process; its RSS and its and its PostgreSQL
    backend's CPU sampled every 0.2 s. First the same command exporting nothing: its time is
    the command's start-up (imports, the connection), part of the export's time."""
    env = {
        **os.environ,
        "JOBSTREAM_PG_PORT": str(settings.port),
        "JOBSTREAM_PG_DATABASE": settings.database,
    }
    command = [jobstream_command(), "export", "--format", "parquet", str(out)]
    started = time.perf_counter()
    nothing = [*command[:-1], "--since", "2100-01-01", str(out)]
    await asyncio.to_thread(subprocess.run, nothing, env=env, check=True, capture_output=True)
    startup = time.perf_counter() - started
    backends = BackendCpu(admin, settings.database)
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    ended = asyncio.ensure_future(process.communicate())
    samples: list[tuple[float, float]] = []
    cpu = pg = 0.0
    while not ended.done():
        rss = _rss_mb(process.pid)
        if rss is not None:
            samples.append((time.perf_counter() - started, rss))
            cpu = max(cpu, cpu_seconds(process.pid))
        pg = await backends.sample()
        await asyncio.wait([ended], timeout=0.2)
    elapsed = time.perf_counter() - started
    _, errors = ended.result()
    if process.returncode != 0:
        raise RuntimeError(f"export failed: {errors.decode()[-2000:]}")
    exported = pq.ParquetFile(out).metadata.num_rows
    half = elapsed / 2
    first = [rss for at, rss in samples if at < half] or [0.0]
    second = [rss for at, rss in samples if at >= half] or [0.0]
    return {
        "export_postings": exported,
        "export_seconds": round(elapsed, 1),
        "export_startup_seconds": round(startup, 2),
        "export_file_mb": round(out.stat().st_size / 2**20, 1),
        "export_rss_mb_peak": max(first + second),
        "export_rss_mb_first_half": max(first),
        "export_rss_mb_second_half": max(second),
        # as last sampled (up to 0.2 s before each ended): a little under the whole
        "export_cpu_us_per_posting": round(cpu * 1e6 / max(exported, 1), 1),
        "export_postgres_cpu_us_per_posting": round(pg * 1e6 / max(exported, 1), 1),
    }


def _rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


async def _holds_postings(settings: PostgresSettings) -> bool:
    conn = await asyncpg.connect(**settings.connect_kwargs())
    try:
        return bool(await conn.fetchval("SELECT EXISTS (SELECT FROM postings)"))
    finally:
        await conn.close()


async def stored(settings: PostgresSettings) -> dict[str, object]:
    """What the database holds: its postings, and its skills by demand (the views'
    counts)."""
    conn = await asyncpg.connect(**settings.connect_kwargs())
    try:
        total = await conn.fetchval("SELECT count(*) FROM postings")
        skill_rows = await conn.fetch(
            "SELECT skill_id, postings FROM skill_postings ORDER BY postings DESC, skill_id"
        )
    finally:
        await conn.close()
    return {
        "postings": total,
        "skills": [row["skill_id"] for row in skill_rows],
        "skill_postings": {row["skill_id"]: row["postings"] for row in skill_rows},
    }


async def measure(options: Options) -> dict[str, object]:
    base = PostgresSettings()
    server = PostgresServer(StackLayout(RuntimeSettings().state_dir), base, StackSettings())
    name = KEPT_DATABASE or f"jobstream_bench_{uuid.uuid4().hex[:8]}"
    admin = await server.superuser_connection()
    await ensure_database(admin, name, base.owner_user)
    settings = base.model_copy(update={"database": name})
    try:
        seeded: dict[str, object] = {}
        if KEPT_DATABASE:
            await migrate_as_owner(settings)
            seeded["kept_database"] = name
        if not KEPT_DATABASE or not await _holds_postings(settings):
            seeded.update(await seed(settings, options))
        held = await stored(settings)
        total = int(held["postings"])  # type: ignore[call-overload]
        skills: list[str] = held["skills"]  # type: ignore[assignment]
        counts: dict[str, int] = held["skill_postings"]  # type: ignore[assignment]
        postings_mix, stats_mix = request_mix(skills, options.requests)
        with tempfile.TemporaryDirectory() as folder:
            layout = StackLayout(Path(folder) / "state")
            layout.create()
            port = free_port()
            env = {
                **os.environ,
                "JOBSTREAM_STATE_DIR": str(layout.root),
                "JOBSTREAM_PG_PORT": str(settings.port),
                "JOBSTREAM_PG_DATABASE": name,
                "JOBSTREAM_API_HTTP_PORT": str(port),
            }
            loads: dict[str, object] = {}
            api_runs = () if ONLY == "export" else (("", {}), ("_uncached", _NO_CACHES))
            for run_name, caches in api_runs:
                start_service(layout, "api", {**env, **caches})
                process = service_process(layout, "api")
                try:
                    await asyncio.to_thread(
                        wait_ready, layout, {"api": f"http://127.0.0.1:{port}/readyz"}, 60
                    )
                    pid = process.pid()
                    assert pid is not None
                    url = f"http://127.0.0.1:{port}"
                    backends = BackendCpu(admin, name)
                    for figure, mix in (
                        ("postings_by_skill", postings_mix),
                        ("stats_skills", stats_mix),
                    ):
                        loads[f"read_api_{figure}{run_name}"] = await load(
                            url, mix, options, pid, backends
                        )
                    loads[f"read_api_rss_mb{run_name}"] = peak_rss_mb(pid)
                finally:
                    process.stop()
            exported = await export(settings, Path(folder) / "all.parquet", admin)
        export_seconds = exported["export_seconds"]
        return {
            "read_side_postings": total,
            **{
                f"read_side_{key}" if key == "seed_s" else key: value
                for key, value in seeded.items()
            },
            **loads,
            **(
                {
                    "read_api_mix": MIX,
                    "read_api_distinct_requests": [len(set(postings_mix)), len(set(stats_mix))],
                    "read_api_skill_postings_range": [min(counts.values()), max(counts.values())],
                }
                if api_runs
                else {}
            ),
            "export_parquet_postings_per_s": round(total / export_seconds, 1),
            "export_parquet_postings_per_s_after_startup": round(
                total / max(export_seconds - exported["export_startup_seconds"], 1e-3), 1
            ),
            **exported,
            "read_side_load_average": [round(x, 2) for x in os.getloadavg()],
        }
    finally:
        if not KEPT_DATABASE:
            await drop_database(admin, name)
        await admin.close()


def run() -> dict[str, object]:
    return asyncio.run(measure(OPTIONS))
