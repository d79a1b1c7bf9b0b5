"""The chaos run: thousands of postings through the pipeline while its parts are killed.

One ingest and two instances of each consumer run against a private Kafka broker and
PostgreSQL cluster (never the shared stack). While the corpus drips into the inbox, a seeded
schedule SIGKILLs every service several times, retires one consumer instance for good,
restarts the broker and stops PostgreSQL for 20 s. Then what went in is reconciled against
what came out: every good posting stored exactly once with the fields and skills the pure
parser and tagger give, every bad input rejected or dead-lettered with its reason.

`make soak` runs the same test heavier; the knobs are environment variables:
JOBSTREAM_CHAOS_POSTINGS (5,000), JOBSTREAM_CHAOS_KILLS (kills per service, 3),
JOBSTREAM_CHAOS_SPAN (seconds over which the faults are spread) and JOBSTREAM_CHAOS_SEED.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
import urllib.request
from pathlib import Path

import pytest

from jobstream_stack.layout import StackLayout
from jobstream_stack.services import service_of, wait_ready
from jobstream_stack.system import free_port
from tests.e2e.chaos_corpus import Corpus, InputFile, build_corpus
from tests.e2e.faults import (
    CONSUMERS,
    INSTANCES,
    Fault,
    Instances,
    build_schedule,
    chaos_seed,
)
from tests.e2e.harness import eventually
from tests.e2e.private_stack import PrivateStack, private_stack
from tests.e2e.reconcile import (
    Expected,
    Report,
    actual_outcome,
    declared_mismatches,
    expected_outcomes,
    reconcile,
)

pytestmark = [pytest.mark.e2e, pytest.mark.chaos]

POSTINGS = int(os.environ.get("JOBSTREAM_CHAOS_POSTINGS", "5000"))
KILLS = int(os.environ.get("JOBSTREAM_CHAOS_KILLS", "3"))
# Long enough that the faults meet a pipeline under load; the soak scales it with the corpus.
SPAN = float(os.environ.get("JOBSTREAM_CHAOS_SPAN", str(max(45.0, POSTINGS / 100))))
DRAIN_SECONDS = 240 + POSTINGS / 50
PARTITIONS = 6
NAMES = [name for names in INSTANCES.values() for name in names]


def drop(inbox: Path, item: InputFile) -> None:
    """Write-then-rename, the inbox convention for writers."""
    partial = inbox / f".{item.name}.part"
    partial.write_bytes(item.data)
    partial.rename(inbox / item.name)


def service_env(stack: PrivateStack, inbox: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBSTREAM_")}
    return {
        **env,
        "JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS": stack.kafka.bootstrap_servers,
        "JOBSTREAM_KAFKA_PARTITIONS": str(stack.kafka.partitions),
        "JOBSTREAM_PG_HOST": stack.postgres.host,
        "JOBSTREAM_PG_PORT": str(stack.postgres.port),
        "JOBSTREAM_INGEST_INBOX_DIR": str(inbox),
        "JOBSTREAM_INGEST_STABLE_SECONDS": "0.2",
        "JOBSTREAM_INGEST_RESCAN_SECONDS": "1",
        # Lag is reported per assigned partition: the test reads the survivor's assignment.
        **{f"JOBSTREAM_{stage.upper()}_LAG_POLL_SECONDS": "1" for stage in CONSUMERS},
    }


async def holds_all(instances: Instances, instance: str) -> set[str]:
    """The partitions an instance reports lag for (its assignment), once it holds them all."""
    url = f"http://127.0.0.1:{instances.ports[instance]}/metrics"

    def fetch() -> str:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode())

    try:
        text = await asyncio.to_thread(fetch)
    except OSError:  # restarting after a kill
        return set()
    held = set(re.findall(r'^jobstream_consumer_lag_records\{[^}]*partition="(\d+)"', text, re.M))
    return held if len(held) == PARTITIONS else set()


def play(fault: Fault, stack: PrivateStack, instances: Instances) -> None:
    if fault.action == "kill":
        instances.kill(fault.target)
        instances.start(fault.target)
    elif fault.action == "retire":
        instances.retire(fault.target)
    elif fault.action == "restart_kafka":
        stack.restart_kafka()
    elif fault.action == "stop_postgres":
        stack.stop_postgres()
    elif fault.action == "start_postgres":
        stack.start_postgres()


def run_chaos(
    stack: PrivateStack, instances: Instances, corpus: Corpus, schedule: list[Fault], inbox: Path
) -> None:
    """Drip the corpus into the inbox over the first 60 % of the span while playing the faults
    at their moments; instances that exit on their own are started again meanwhile."""
    files = corpus.all_files
    drip = 0.6 * SPAN / max(1, len(files))
    start = time.monotonic()
    pending = list(schedule)
    dropped = 0
    while pending or dropped < len(files):
        now = time.monotonic() - start
        while dropped < len(files) and dropped * drip <= now:
            drop(inbox, files[dropped])
            dropped += 1
        if pending and pending[0].at <= now:
            fault = pending.pop(0)
            print(f"{now:6.1f} s  {fault.describe()}", flush=True)  # played late while busy
            play(fault, stack, instances)
        instances.supervise(NAMES)
        time.sleep(0.1)


async def settle(
    stack: PrivateStack, instances: Instances, expected: Expected, inbox: Path
) -> Report:
    """Reconcile until nothing is missing, or the deadline passes (then report what is)."""
    fields = list(next(iter(expected.stored.values())).flat_fields())
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        instances.supervise(NAMES)
        outcome = await actual_outcome(stack.postgres, stack.kafka, inbox, fields)
        report = reconcile(expected, outcome)
        if not report.lost and not report.missing_rejections:
            return report
        if time.monotonic() > deadline:
            return report
        await asyncio.sleep(3)


# The private stack, the run, and the drain: more than the suite's default per-test timeout.
@pytest.mark.timeout(int(180 + SPAN + DRAIN_SECONDS))
def test_nothing_is_lost_or_duplicated_under_faults() -> None:
    seed = chaos_seed()
    print(f"chaos seed {seed}: JOBSTREAM_CHAOS_SEED={seed} replays this schedule", flush=True)
    corpus = build_corpus(POSTINGS)
    expected = expected_outcomes(corpus)
    assert not declared_mismatches(corpus, expected)
    schedule = build_schedule(seed, SPAN, KILLS)
    started = time.monotonic()
    with private_stack(kafka_partitions=PARTITIONS) as stack:
        inbox = stack.root / "inbox"
        inbox.mkdir()
        ports = {name: free_port() for name in NAMES}
        instances = Instances(stack.root / "services", service_env(stack, inbox), ports)
        try:
            for name in NAMES:
                instances.start(name)
            urls = {name: f"http://127.0.0.1:{port}/readyz" for name, port in ports.items()}
            # wait_ready finds each process by the pid file <root>/run/<name>.pid: the same
            # place Instances keeps them.
            wait_ready(StackLayout(instances.root), urls, timeout=120)
            run_chaos(stack, instances, corpus, schedule, inbox)
            report = asyncio.run(settle(stack, instances, expected, inbox))
            print(report.summary(), flush=True)
            (retired,) = instances.retired
            (survivor,) = set(INSTANCES[service_of(retired)]) - {retired}
            held = asyncio.run(
                eventually(
                    lambda: holds_all(instances, survivor), f"{survivor} to hold every partition"
                )
            )
            print(f"{retired} retired; {survivor} holds partitions {sorted(held)}")
        finally:
            instances.stop_all(NAMES)
            for name in NAMES:
                print(f"--- {name} log ---\n{instances.log_tail(name, 12)}")
    print(
        f"chaos seed {seed}: {POSTINGS} generated postings, {KILLS} kills per service over "
        f"{SPAN:.0f} s, {time.monotonic() - started:.0f} s in all; instances restarted after "
        f"exiting on their own: {instances.self_exits or 'none'}"
    )
    for name, tail in instances.exit_logs.items():
        print(f"--- {name} exited on its own; its log ended ---\n{tail}")
    print(report.summary())
    assert not report.lost, f"lost {len(report.lost)}: {report.lost[:5]}"
    assert report.duplicated == 0
    assert not report.unexpected, f"unexpected rows: {report.unexpected[:5]}"
    assert not report.wrong, f"{len(report.wrong)} wrong: {list(report.wrong.items())[:3]}"
    assert not report.missing_rejections, report.missing_rejections
