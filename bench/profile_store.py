"""Where the store's time goes, per posting: the stage core and the PostgreSQL write, in-process.

    python -m bench.profile_store [--postings 3000] [--batch 500] [--profile out.pstats]
                                  [--statements]

Builds tagged events the way the pipeline does (bench/corpus.py postings, parsed by the real
parser, tagged by the real tagger; cached in /tmp by corpus size and code versions), then
feeds them as Kafka records, batch by batch, to the store's own stage core (its bootstrap,
with the real PostgreSQL repository and a dead-letter sink that keeps letters in memory) in a
throwaway database of the native stack. Prints this process's CPU per posting and the CPU
its PostgreSQL backends used (from /proc: PostgreSQL runs on the same cores), each for a
first pass (every posting new) and a second (the same events again: every row unchanged).
After each pass, what PostgreSQL still owes for it is done and counted: the search indexer's
pending rows and VACUUM ANALYZE of the written tables (autovacuum is off for them here).
With `--profile`, cProfile runs over the first pass and its top functions are printed; with
`--statements`, PostgreSQL's CPU a posting is split by statement.
"""

from __future__ import annotations

import asyncio
import cProfile
import hashlib
import os
import pickle
import pstats
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import typer

from bench.corpus import postings
from jobstream.contracts import RawPosting, Source, encode
from jobstream.kafka.worker import collector_thresholds, settle_heap
from jobstream.ports import SystemClock
from jobstream.settings import PostgresSettings, RuntimeSettings
from jobstream.stages import Record
from jobstream.topology import STORE
from jobstream_parser.bootstrap import parse_record
from jobstream_parser.parse import PARSER_VERSION
from jobstream_stack.layout import StackLayout
from jobstream_stack.postgres import PostgresServer, drop_database, ensure_database
from jobstream_stack.settings import StackSettings
from jobstream_store.adapters.search_index import index_pending
from jobstream_store.bootstrap import bootstrap
from jobstream_store.settings import StoreSettings
from jobstream_tagger.bootstrap import tag_records_with
from jobstream_tagger.taxonomy import load_taxonomy
from tests.fakes import FakeDeadLetterSink

TICKS = os.sysconf("SC_CLK_TCK")


def tagged_events(count: int) -> list[bytes]:
    """`count` tagged events of the bench corpus, as the tagger publishes them."""
    key = hashlib.sha256(f"{count}:{PARSER_VERSION}".encode()).hexdigest()[:12]
    cache = Path(tempfile.gettempdir()) / f"jobstream-tagged-{key}.pickle"
    if cache.exists():
        events: list[bytes] = pickle.loads(cache.read_bytes())  # noqa: S301 - our own file
        return events
    tag = tag_records_with(load_taxonomy(), SystemClock())
    events = []
    for offset, text in enumerate(postings(count)):
        raw = RawPosting.from_text(text, Source(channel="cli"))
        parsed = parse_record(Record("raw", 0, offset, None, encode(raw)))
        events.append(encode(tag(Record("parsed", 0, offset, None, encode(parsed)))))
    cache.write_bytes(pickle.dumps(events))
    return events


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


@dataclass(frozen=True)
class Pass:
    seconds: float
    own_cpu: float
    postgres_cpu: float


async def _backends(admin: asyncpg.Connection, database: str) -> list[int]:
    rows = await admin.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", database)
    return [row["pid"] for row in rows]


async def _pass(
    handle: object, records: list[Record], batch: int, admin: asyncpg.Connection, database: str
) -> Pass:
    # The pool opens its connections on first use: the backends are those alive after a batch.
    before_pg: dict[int, float] = {}
    started, own = time.perf_counter(), time.process_time()
    for start in range(0, len(records), batch):
        await handle(records[start : start + batch])  # type: ignore[operator]
        if not before_pg:
            before_pg = {pid: 0.0 for pid in await _backends(admin, database)}
    seconds, own = time.perf_counter() - started, time.process_time() - own
    pg = sum(_cpu_seconds(pid) for pid in await _backends(admin, database))
    return Pass(seconds, own, pg)


# The tables a pass writes: their autovacuum off, their VACUUM counted by `_settle`.
_NO_AUTOVACUUM = (
    "ALTER TABLE postings SET (autovacuum_enabled = off)",
    "ALTER TABLE posting_skills SET (autovacuum_enabled = off)",
    "ALTER TABLE skills SET (autovacuum_enabled = off)",
)
_VACUUM = "VACUUM ANALYZE postings, posting_skills, skills"
# PostgreSQL's CPU seconds by statement (its first words), when --statements is given.
_BY_STATEMENT: dict[str, float] = {}


def _count_statements() -> None:
    """Wrap asyncpg's calls so that each adds its backend's CPU to `_BY_STATEMENT`."""

    def counted(method: Any) -> Any:
        async def call(self: asyncpg.Connection, what: str, *args: Any, **kwargs: Any) -> Any:
            pid = self.get_server_pid()
            before = _cpu_seconds(pid)
            try:
                return await method(self, what, *args, **kwargs)
            finally:
                name = " ".join(what.split()[:6])
                _BY_STATEMENT[name] = _BY_STATEMENT.get(name, 0.0) + _cpu_seconds(pid) - before

        return call

    for method in ("execute", "fetch", "copy_records_to_table"):
        setattr(asyncpg.Connection, method, counted(getattr(asyncpg.Connection, method)))


async def _settle(server: PostgresServer, database: str, count: int) -> float:
    """What PostgreSQL still owes for a pass once the write returned: the search indexer's
    pending rows, then VACUUM ANALYZE of the written tables (autovacuum is off for them here,
    so that this work is counted, once, wherever it would have run)."""
    conn = await server.superuser_connection(database)
    try:
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        before, indexed = _cpu_seconds(pid), 0
        while (done := await index_pending(conn, 200)) > 0:
            indexed += done
        indexing = _cpu_seconds(pid) - before
        await conn.execute(_VACUUM)
        total = _cpu_seconds(pid) - before
        print(
            f"  then: search indexer {indexed} postings {1000 * indexing / count:.3f}, "
            f"VACUUM ANALYZE {1000 * (total - indexing) / count:.3f} ms a posting"
        )
        return total
    finally:
        await conn.close()


async def measure(count: int, batch: int, profile: Path | None) -> None:
    events = tagged_events(count)
    base = PostgresSettings()
    server = PostgresServer(StackLayout(RuntimeSettings().state_dir), base, StackSettings())
    name = f"jobstream_profile_{uuid.uuid4().hex[:8]}"
    admin = await server.superuser_connection()
    await ensure_database(admin, name, base.owner_user)
    settings = StoreSettings(postgres=base.model_copy(update={"database": name}))
    service = bootstrap(settings, dead_letters=FakeDeadLetterSink())
    for resource in service.resources:
        await resource.start()
    try:
        # Warm up: the pool, the migrations, the first statements prepared.
        warm = [Record("tagged", 1, n, None, event) for n, event in enumerate(events[:20])]
        await service.core.handle(warm)
        owner = await server.superuser_connection(name)
        for statement in _NO_AUTOVACUUM:
            await owner.execute(statement)
        await owner.close()
        pg_start = {pid: _cpu_seconds(pid) for pid in await _backends(admin, name)}
        records = [Record("tagged", 0, n, None, event) for n, event in enumerate(events)]
        # the garbage collector as the store's worker sets it
        settle_heap(collector_thresholds(STORE))
        profiler = cProfile.Profile() if profile else None
        _BY_STATEMENT.clear()  # not the warm-up's
        for label in ("new", "unchanged"):
            pg_before = {pid: _cpu_seconds(pid) for pid in await _backends(admin, name)}
            if profiler and label == "new":
                profiler.enable()
            result = await _pass(service.core.handle, records, batch, admin, name)
            if profiler and label == "new":
                profiler.disable()
            pg_after = {pid: _cpu_seconds(pid) for pid in await _backends(admin, name)}
            pg = sum(cpu - pg_before.get(pid, 0.0) for pid, cpu in pg_after.items())
            print(
                f"{label:9} {count / result.seconds:7.0f} postings/s  store CPU "
                f"{1000 * result.own_cpu / count:.3f} ms a posting, PostgreSQL "
                f"{1000 * pg / count:.3f} ms a posting  (load {os.getloadavg()[0]:.1f})"
            )
            for statement, cpu in sorted(_BY_STATEMENT.items(), key=lambda kv: -kv[1]):
                print(f"    {1000 * cpu / count:6.3f} ms  {statement}")
            settled = await _settle(server, name, count)
            _BY_STATEMENT.clear()
            print(f"  PostgreSQL in all: {1000 * (pg + settled) / count:.3f} ms a posting")
        del pg_start
        if profiler and profile:
            profiler.dump_stats(profile)
            pstats.Stats(str(profile)).sort_stats("tottime").print_stats(30)
    finally:
        for resource in service.resources:
            await resource.stop()
        await drop_database(admin, name)
        await admin.close()


def main(
    postings_: Annotated[int, typer.Option("--postings")] = 3_000,
    batch: int = 500,
    profile: Path | None = None,
    statements: bool = False,
) -> None:
    if statements:
        _count_statements()
    asyncio.run(measure(postings_, batch, profile))


if __name__ == "__main__":
    typer.run(main)
