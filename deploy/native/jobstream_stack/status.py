"""`jobstream status`: the pipeline at a glance, from Kafka, PostgreSQL and the services.

Reads each service's /healthz, /readyz and /metrics (where the services' settings say they
listen), each stage's consumer lag from Kafka (the same measurement the stages make), the
dead letters by stage from the dead-letter topic itself (not the services' counters, which
start from 0 at every restart), the store's counts and the supervisor's state. Exits 1 when
something is down or not ready.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from typing import Annotated, Any

import aiohttp
import asyncpg
import typer
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from jobstream.cli import JsonOption, print_json
from jobstream.contracts import DEAD_LETTER_HEADER_STAGE
from jobstream.kafka.config import client_options
from jobstream.kafka.lag import LagMonitor
from jobstream.settings import KafkaSettings, PostgresSettings, RuntimeSettings
from jobstream.topology import CONSUMING_STAGES, DEAD_LETTERS
from jobstream_stack.layout import StackLayout
from jobstream_stack.prometheus import native_targets
from jobstream_stack.status_model import (
    DeadLetterCounts,
    Lag,
    ServiceState,
    Snapshot,
    StoreCounts,
    problems,
    read_metrics,
    stage_rows,
    supervision_lines,
)
from jobstream_stack.supervisor import read_state
from jobstream_store.adapters.counts import store_counts

TIMEOUT_SECONDS = 5.0
# Dead letters `status` reads (their headers) to count them by stage; past that it counts the
# newest this many and says the count is a lower bound.
MAX_DEAD_LETTERS_READ = 100_000


async def service_state(session: aiohttp.ClientSession, name: str, target: str) -> ServiceState:
    base = f"http://{target}"
    try:
        async with session.get(f"{base}/healthz") as response:
            if response.status != 200:
                return ServiceState(name, False, False, {"healthz": f"HTTP {response.status}"})
        async with session.get(f"{base}/readyz") as response:
            ready = response.status == 200
            body: dict[str, Any] = await response.json(content_type=None)
        async with session.get(f"{base}/metrics") as response:
            text = await response.text()
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        reason = f"{target} does not answer ({type(error).__name__})"
        return ServiceState(name, False, False, {"http": reason})
    problems = {str(k): str(v) for k, v in (body.get("problems") or {}).items()}
    return ServiceState(name, True, ready, problems, read_metrics(text, name))


async def stage_lags(settings: KafkaSettings) -> tuple[dict[str, Lag], DeadLetterCounts]:
    """Lag of every consuming stage over all partitions, and the dead-letter topic's counts."""
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=5_000)
    await admin.start()
    try:
        topics = [settings.topic(stage.reads) for stage in CONSUMING_STAGES]
        descriptions = await admin.describe_topics([*topics, settings.topic(DEAD_LETTERS)])
    finally:
        await admin.close()
    partitions = {
        item["topic"]: [p["partition"] for p in item["partitions"]] for item in descriptions
    }
    lags: dict[str, Lag] = {}
    for stage in CONSUMING_STAGES:
        topic = settings.topic(stage.reads)
        monitor = LagMonitor(stage, settings, _every(partitions.get(topic, [])))
        try:
            measured = await monitor.measure()
        finally:
            await monitor.close()
        ages = [lag.seconds for lag in measured if lag.seconds is not None]
        lags[stage.name] = Lag(
            records=sum(lag.records for lag in measured),
            seconds=max(ages) if ages else None,
        )
    dead_letters = settings.topic(DEAD_LETTERS)
    return lags, await dead_letters_by_stage(
        settings, dead_letters, partitions.get(dead_letters, [])
    )


def _every(partitions: list[int]) -> Callable[[], list[int]]:
    """The assignment of a reader of the whole topic: every partition."""
    return lambda: partitions


async def dead_letters_by_stage(
    settings: KafkaSettings, topic: str, partitions: list[int], read: int = MAX_DEAD_LETTERS_READ
) -> DeadLetterCounts:
    """The dead-letter topic's records by the stage that wrote them (its `jobstream-stage`
    header), read from the topic itself: what it holds, whatever restarted since. At most
    the `read` newest records are read (headers only matter); `complete` says whether that
    was all of them."""
    if not partitions:
        return DeadLetterCounts(0, {}, complete=True)
    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, partition) for partition in partitions]
        beginnings = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
        held = sum(max(ends[tp] - beginnings[tp], 0) for tp in tps)
        share = read // len(tps) if read else 0
        starts = {tp: max(beginnings[tp], ends[tp] - share) for tp in tps}
        wanted = {tp: starts[tp] for tp in tps if ends[tp] > starts[tp]}
        by_stage: Counter[str] = Counter()
        if wanted:
            consumer.assign(list(wanted))
            for tp, offset in wanted.items():
                consumer.seek(tp, offset)
            pending = set(wanted)
            while pending:
                batches = await consumer.getmany(timeout_ms=1_000, max_records=10_000)
                for tp, records in batches.items():
                    for record in records:
                        by_stage[_stage_of(record.headers)] += 1
                    if records and records[-1].offset + 1 >= ends[tp]:
                        pending.discard(tp)
                if not batches:
                    pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    finally:
        await consumer.stop()
    complete = sum(by_stage.values()) == held
    return DeadLetterCounts(held, dict(by_stage), complete)


def _stage_of(headers: Sequence[tuple[str, bytes]]) -> str:
    for name, value in headers:
        if name == DEAD_LETTER_HEADER_STAGE:
            return value.decode("utf-8", "replace")
    return "unknown"


async def postgres_counts(settings: PostgresSettings) -> StoreCounts:
    conn = await asyncpg.connect(**settings.connect_kwargs(), timeout=TIMEOUT_SECONDS)
    try:
        counts = await store_counts(conn)
    finally:
        await conn.close()
    return StoreCounts(*counts)


async def snapshot(
    targets: Mapping[str, str], kafka: KafkaSettings, postgres: PostgresSettings
) -> Snapshot:
    """Everything at once; a part that fails is reported, the others still shown."""
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        services, kafka_part, store_part = await asyncio.gather(
            asyncio.gather(*(service_state(session, n, t) for n, t in targets.items())),
            asyncio.wait_for(stage_lags(kafka), 3 * TIMEOUT_SECONDS),
            asyncio.wait_for(postgres_counts(postgres), 2 * TIMEOUT_SECONDS),
            return_exceptions=True,
        )
    if isinstance(services, BaseException):
        raise services
    lags: dict[str, Lag] = {}
    dead: DeadLetterCounts | None = None
    kafka_error = store = postgres_error = None
    if isinstance(kafka_part, BaseException):
        kafka_error = _describe(kafka_part)
    else:
        lags, dead = kafka_part
    if isinstance(store_part, BaseException):
        postgres_error = _describe(store_part)
    else:
        store = store_part
    return Snapshot(
        supervision=read_state(StackLayout(RuntimeSettings().state_dir)),
        taken_at=time.time(),
        services={state.name: state for state in services},
        lags=lags,
        kafka_error=kafka_error,
        dead_letters=dead,
        store=store,
        postgres_error=postgres_error,
    )


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "no answer in time"
    return f"{type(error).__name__}: {error}"[:300]


def render(now: Snapshot, before: Snapshot | None) -> Group:
    table = Table(
        "stage", "state", "lag", "oldest waiting", "rate", "last batch", "dead letters",
        "restarts", title="jobstream pipeline",
    )  # fmt: skip
    for row in stage_rows(now, before):
        colour = "green" if row.state == "ready" else "red"
        state = row.state.split(":", 1)[0]  # the reasons are listed under the table
        reads_nothing = row.stage not in now.lags and now.kafka_error is None
        table.add_row(
            row.stage,
            f"[{colour}]{state}[/]",
            "-" if reads_nothing else _number(row.lag_records),
            "-" if reads_nothing else _seconds(row.lag_seconds),
            "…" if row.rate is None else f"{row.rate:,.1f}/s",
            "never" if row.last_event_age is None else f"{_seconds(row.last_event_age)} ago",
            _dead_letters(row.dead_letters, now),
            "-" if row.restarts is None else str(row.restarts),
        )
    lines = []
    if now.store is not None:
        latest = now.store.latest_stored
        lines.append(
            f"PostgreSQL: {now.store.postings:,} postings, {now.store.skills:,} skills, "
            f"{now.store.posting_skills:,} posting skills; latest stored "
            + (latest.isoformat(timespec="seconds") if latest else "never")
        )
    if now.dead_letters is not None:
        lines.append(f"Dead-letter topic: {now.dead_letters.describe()}")
    lines += [escape(line) for line in supervision_lines(now)]
    found = problems(now)
    lines += [f"[red]✗ {problem}[/]" for problem in found]
    if not found:
        lines.append("[green]✓ all services ready; Kafka and PostgreSQL answer[/]")
    return Group(table, *lines)


def _dead_letters(value: float | None, now: Snapshot) -> str:
    """From the topic: a count read from its newest records only is a lower bound."""
    if value is None:
        return "?"
    complete = now.dead_letters is None or now.dead_letters.complete
    return _number(value) + ("" if complete else "+")


def _number(value: float | None) -> str:
    return "?" if value is None else f"{value:,.0f}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "?"
    if value < 120:
        return f"{value:.1f} s"
    if value < 7200:
        return f"{value / 60:.0f} min"
    return f"{value / 3600:.1f} h"


def snapshot_json(now: Snapshot, before: Snapshot | None) -> dict[str, Any]:
    """What the table shows, as JSON: per stage its row, then Kafka's and PostgreSQL's."""
    store = now.store
    return {
        "stages": [asdict(row) for row in stage_rows(now, before)],
        "dead_letters": None if now.dead_letters is None else asdict(now.dead_letters),
        "store": None
        if store is None
        else asdict(store)
        | {"latest_stored": store.latest_stored.isoformat() if store.latest_stored else None},
        "problems": problems(now),
    }


def status_command(
    watch: Annotated[bool, typer.Option("--watch", "-w", help="refresh until Ctrl-C")] = False,
    interval: Annotated[
        float, typer.Option(min=0.5, help="seconds between two readings (rates need two)")
    ] = 2.0,
    as_json: JsonOption = False,
) -> None:
    """The pipeline at a glance: per stage its lag, rate, last batch and dead letters; the
    PostgreSQL counts. Exits 1 when a service, Kafka or PostgreSQL is down or not ready."""
    targets = native_targets()
    kafka, postgres = KafkaSettings(), PostgresSettings()
    console = Console(highlight=False)

    def read() -> Snapshot:
        return asyncio.run(snapshot(targets, kafka, postgres))

    before = read()
    time.sleep(interval)
    now = read()
    if as_json:  # one reading, for scripts: --watch does not apply
        print_json(snapshot_json(now, before))
        raise typer.Exit(1 if problems(now) else 0)
    if not watch:
        console.print(render(now, before))
        raise typer.Exit(1 if problems(now) else 0)
    try:
        with Live(render(now, before), console=console, auto_refresh=False) as live:
            while True:
                time.sleep(interval)
                before, now = now, read()
                live.update(render(now, before), refresh=True)
    except KeyboardInterrupt:
        pass
    raise typer.Exit(1 if problems(now) else 0)
