"""Three brokers under load: the leader of most partitions killed, a second broker killed for a
short time, then every broker restarted in turn; nothing lost, nothing duplicated.

A private KRaft cluster of three nodes (free 127.0.0.1 ports, a temporary folder, never the
shared stack), topics with three replicas and `min.insync.replicas` 2 (derived from the
cluster's size), producers with acks=all, idempotence and compression. One ingest and one
instance of each stage work through the corpus of the chaos run while:

1. the broker leading most of the pipeline's partitions is SIGKILLed; the time until every
   partition has a leader again, and until a posting is stored again, is measured;
2. it is started again; the time until every replica is back in sync is measured;
3. a second broker is SIGKILLed for a short time (two of three stay: writes go on) and
   started again;
4. all three are restarted one after the other (SIGTERM, start, wait until in sync).

Then what went in is reconciled with what came out, as in the chaos run. `make soak` runs it
with more postings (JOBSTREAM_BROKER_CHAOS_POSTINGS).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from jobstream.kafka.config import client_options
from jobstream.settings import KafkaSettings
from jobstream.topology import ALL_TOPICS, RAW_POSTINGS
from jobstream_stack.kafka import KafkaBroker
from jobstream_stack.layout import StackLayout
from jobstream_stack.services import wait_ready
from jobstream_stack.system import free_port
from tests.e2e.chaos_corpus import build_corpus
from tests.e2e.faults import Instances
from tests.e2e.private_stack import PrivateStack, private_stack
from tests.e2e.reconcile import (
    Expected,
    Report,
    actual_outcome,
    declared_mismatches,
    expected_outcomes,
    reconcile,
)
from tests.e2e.test_chaos import drop, service_env
from tests.kafka_records import read_all

pytestmark = [pytest.mark.e2e, pytest.mark.chaos]

POSTINGS = int(os.environ.get("JOBSTREAM_BROKER_CHAOS_POSTINGS", "5000"))
BROKERS = 3
PARTITIONS = 6
NAMES = ["ingest", "parser", "tagger", "store"]
SECOND_OUTAGE_SECONDS = 10.0
DRAIN_SECONDS = 240 + POSTINGS / 40


async def describe(kafka: KafkaSettings) -> dict[tuple[str, int], tuple[int, int, int]]:
    """(topic, partition) -> (leader, replicas, in sync) of the pipeline's topics."""
    admin = AIOKafkaAdminClient(**client_options(kafka), request_timeout_ms=5000)
    try:
        await admin.start()
        described = await admin.describe_topics([kafka.topic(spec) for spec in ALL_TOPICS])
    finally:
        await admin.close()
    return {
        (topic["topic"], int(p["partition"])): (int(p["leader"]), len(p["replicas"]), len(p["isr"]))
        for topic in described
        for p in topic.get("partitions") or ()
    }


def layout_now(kafka: KafkaSettings) -> dict[tuple[str, int], tuple[int, int, int]]:
    try:
        return asyncio.run(asyncio.wait_for(describe(kafka), timeout=15))
    except Exception:  # a broker of the bootstrap list is down, or metadata is moving
        return {}


async def stored_count(stack: PrivateStack) -> int:
    conn = await asyncpg.connect(**stack.postgres.connect_kwargs())
    try:
        return int(await conn.fetchval("SELECT count(*) FROM postings"))
    finally:
        await conn.close()


class Run:
    """The load (the corpus dripping into the inbox) and the supervision of the services,
    advanced while the test waits for something."""

    def __init__(self, stack: PrivateStack, instances: Instances, inbox: Path, span: float):
        self.stack, self.instances, self.inbox = stack, instances, inbox
        self.files = build_corpus(POSTINGS).all_files
        self.drip = span / max(1, len(self.files))
        self.started = time.monotonic()
        self.dropped = 0
        self.events: list[str] = []

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def tick(self) -> None:
        while self.dropped < len(self.files) and self.dropped * self.drip <= self.elapsed():
            drop(self.inbox, self.files[self.dropped])
            self.dropped += 1
        self.instances.supervise(NAMES)

    def until(self, check: Callable[[], bool], what: str, timeout: float = 180) -> float:
        """Advance the load until `check()` holds; the seconds it took."""
        began = time.monotonic()
        while not check():
            if time.monotonic() - began > timeout:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
            self.tick()
            time.sleep(0.25)
        took = time.monotonic() - began
        self.note(f"{what}: {took:.1f} s")
        return took

    def wait(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.tick()
            time.sleep(0.25)

    def note(self, line: str) -> None:
        self.events.append(f"{self.elapsed():6.1f} s  {line}")
        print(self.events[-1], flush=True)


def all_led(kafka: KafkaSettings, without: int | None = None) -> bool:
    layout = layout_now(kafka)
    return bool(layout) and all(
        leader >= 0 and leader != without for leader, _, _ in layout.values()
    )


def in_sync(kafka: KafkaSettings) -> bool:
    layout = layout_now(kafka)
    return bool(layout) and all(
        leader >= 0 and isr == replicas for leader, replicas, isr in layout.values()
    )


def kill(broker: KafkaBroker) -> None:
    pid = broker.process.pid()
    assert pid is not None, f"{broker.process.name} is not running"
    os.kill(pid, signal.SIGKILL)
    while not broker.process.has_exited():
        time.sleep(0.05)


def restart(run: Run, broker: KafkaBroker) -> float:
    """Start a node of the cluster again (the others form the quorum it rejoins), then wait
    until it answers and every replica is in sync again (a replica killed a moment ago may
    still count as in sync: it answering first rules that out); the seconds it took."""
    began = time.monotonic()
    broker.launch()
    run.until(broker.is_ready, f"broker {broker.node.node_id} answers")
    run.until(lambda: in_sync(run.stack.kafka), "every replica in sync")
    return time.monotonic() - began


@pytest.mark.timeout(int(600 + DRAIN_SECONDS + POSTINGS / 20))
def test_nothing_is_lost_or_duplicated_when_brokers_fail_and_restart() -> None:
    corpus = build_corpus(POSTINGS)
    expected = expected_outcomes(corpus)
    assert not declared_mismatches(corpus, expected)
    # The drip; the faults take about as long (longer on a busy machine: the last restarts
    # then meet the backlog the stages are still working through).
    span = max(120.0, POSTINGS / 40)
    with private_stack(kafka_partitions=PARTITIONS, brokers=BROKERS) as stack:
        assert stack.cluster is not None
        kafka = stack.kafka
        inbox = stack.root / "inbox"
        inbox.mkdir()
        ports = {name: free_port() for name in NAMES}
        env = {**service_env(stack, inbox), "JOBSTREAM_KAFKA_PARTITIONS": str(PARTITIONS)}
        instances = Instances(stack.root / "services", env, ports)
        run = Run(stack, instances, inbox, span)
        try:
            for name in NAMES:
                instances.start(name)
            urls = {name: f"http://127.0.0.1:{port}/readyz" for name, port in ports.items()}
            wait_ready(StackLayout(instances.root), urls, timeout=180)
            run.started = time.monotonic()
            layout = layout_now(kafka)
            assert {(replicas, isr) for _, replicas, isr in layout.values()} == {(3, 3)}, layout
            run.note(f"{len(layout)} partitions, 3 replicas each, all in sync")
            recovery = play_faults(run, stack)
            run.until(lambda: run.dropped == len(run.files), "the whole corpus dropped", 600)
            report = asyncio.run(settle(stack, instances, expected, inbox))
            raw_copies = asyncio.run(raw_duplicates(kafka))
        finally:
            instances.stop_all(NAMES)
            for name in NAMES:
                print(f"--- {name} log ---\n{instances.log_tail(name, 8)}")
    total = time.monotonic() - run.started
    print("\n".join(run.events))
    print(
        f"three brokers, {POSTINGS} generated postings, {total:.0f} s from the first drop to "
        "all reconciled; recovery: "
        + ", ".join(f"{what} {seconds:.1f} s" for what, seconds in recovery.items())
        + f"; raw records sent twice: {raw_copies}; "
        f"instances restarted after exiting: {instances.self_exits or 'none'}"
    )
    print(report.summary())
    assert not report.lost, f"lost {len(report.lost)}: {report.lost[:5]}"
    assert report.duplicated == 0
    assert not report.unexpected, f"unexpected rows: {report.unexpected[:5]}"
    assert not report.wrong, f"{len(report.wrong)} wrong: {list(report.wrong.items())[:3]}"
    assert not report.missing_rejections, report.missing_rejections


def play_faults(run: Run, stack: PrivateStack) -> dict[str, float]:
    """The four faults, in order, each while the corpus keeps dripping; what each took."""
    assert stack.cluster is not None
    kafka, cluster = stack.kafka, stack.cluster
    recovery: dict[str, float] = {}
    run.wait(0.15 * run.drip * len(run.files))
    leaders = Counter(leader for leader, _, _ in layout_now(kafka).values())
    victim_id = leaders.most_common(1)[0][0]
    victim = cluster.broker(victim_id)
    stored_before = asyncio.run(stored_count(stack))
    run.note(f"SIGKILL broker {victim_id}, leader of {leaders[victim_id]} partitions")
    kill(victim)
    recovery["leaders elected"] = run.until(
        lambda: all_led(kafka, without=victim_id), "every partition led by the two others"
    )
    recovery["storing again"] = recovery["leaders elected"] + run.until(
        lambda: asyncio.run(stored_count(stack)) > stored_before + 50, "postings stored again"
    )
    run.wait(10)
    run.note(f"start broker {victim_id} again")
    recovery["back in sync"] = restart(run, victim)

    second = next(b for b in cluster.brokers if b.node.node_id != victim_id)
    run.note(f"SIGKILL broker {second.node.node_id} for {SECOND_OUTAGE_SECONDS:.0f} s")
    kill(second)
    run.wait(SECOND_OUTAGE_SECONDS)
    recovery["second back in sync"] = restart(run, second)

    for broker in cluster.brokers:
        run.note(f"rolling restart: broker {broker.node.node_id}")
        began = time.monotonic()
        broker.stop()  # SIGTERM: a controlled shutdown moves its leaderships first
        restart(run, broker)
        recovery[f"rolling restart of broker {broker.node.node_id}"] = time.monotonic() - began
    return recovery


async def settle(
    stack: PrivateStack, instances: Instances, expected: Expected, inbox: Path
) -> Report:
    fields = list(next(iter(expected.stored.values())).flat_fields())
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        instances.supervise(NAMES)
        report = reconcile(
            expected, await actual_outcome(stack.postgres, stack.kafka, inbox, fields)
        )
        if (not report.lost and not report.missing_rejections) or time.monotonic() > deadline:
            return report
        await asyncio.sleep(3)


async def raw_duplicates(kafka: KafkaSettings) -> int:
    """Records of the raw topic beyond one per posting (ingest publishes a file again only
    when Kafka did not acknowledge it; the store keeps one row either way)."""
    records = await read_all(kafka, kafka.topic(RAW_POSTINGS))
    counts = Counter(record.key for record in records)
    return sum(count - 1 for count in counts.values())
