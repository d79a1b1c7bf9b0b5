"""The chaos run's faults: a seeded schedule (pure) and the processes it is played against.

`build_schedule` decides, from a seed alone, when each fault happens: every service is
SIGKILLed several times at random moments (and started again), one instance of one consuming
stage is stopped for good (its partitions must move to the other instance), the Kafka broker
is restarted once, and PostgreSQL is stopped for 20 s once. Set `JOBSTREAM_CHAOS_SEED` to
replay the schedule of a failed run; the test prints the seed it used.
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from jobstream_stack.layout import StackLayout
from jobstream_stack.processes import ManagedProcess
from jobstream_stack.services import service_of, service_process, start_service

SEED_VARIABLE = "JOBSTREAM_CHAOS_SEED"
CONSUMERS = ("parser", "tagger", "store")
SERVICES = ("ingest", *CONSUMERS)
# Two instances of each consumer, so a stage survives one of them going away for good.
INSTANCES: Mapping[str, tuple[str, ...]] = {
    "ingest": ("ingest",),
    **{stage: (f"{stage}-1", f"{stage}-2") for stage in CONSUMERS},
}
POSTGRES_OUTAGE_SECONDS = 20.0

Action = Literal["kill", "retire", "restart_kafka", "stop_postgres", "start_postgres"]


@dataclass(frozen=True, order=True)
class Fault:
    at: float  # seconds after the run started
    action: Action = field(compare=False)
    target: str = field(compare=False)  # an instance name, "kafka" or "postgres"

    def describe(self) -> str:
        return f"{self.action:<14} {self.target:<9} (planned at {self.at:.1f} s)"


def chaos_seed() -> int:
    """The seed from JOBSTREAM_CHAOS_SEED, or a fresh one (printed by the test to reproduce)."""
    given = os.environ.get(SEED_VARIABLE)
    return int(given) if given else secrets.randbelow(2**32)


def build_schedule(seed: int, span: float, kills_per_service: int = 3) -> list[Fault]:
    """The faults of one run, in time order, spread over `span` seconds.

    Kills land anywhere in the first 85 % of the span, so the last ones still meet load; the
    instance retired for good is never killed after it left (the survivor is, instead); the
    broker restart and the database outage are kept apart so each is a fault of its own.
    """
    if span <= 0 or kills_per_service < 1:
        raise ValueError("a schedule needs a positive span and at least one kill per service")
    rng = random.Random(seed)  # a reproducible schedule, not a secret
    retired_stage = rng.choice(CONSUMERS)
    retired = rng.choice(INSTANCES[retired_stage])
    retired_at = rng.uniform(0.3, 0.6) * span
    kafka_at = rng.uniform(0.15, 0.35) * span
    postgres_at = rng.uniform(0.5, 0.65) * span
    faults = [
        Fault(retired_at, "retire", retired),
        Fault(kafka_at, "restart_kafka", "kafka"),
        Fault(postgres_at, "stop_postgres", "postgres"),
        Fault(postgres_at + POSTGRES_OUTAGE_SECONDS, "start_postgres", "postgres"),
    ]
    for service in SERVICES:
        for _ in range(kills_per_service):
            at = rng.uniform(0.05, 0.85) * span
            live = [
                name for name in INSTANCES[service] if not (name == retired and at >= retired_at)
            ]
            faults.append(Fault(at, "kill", rng.choice(live)))
    return sorted(faults)


@dataclass
class Instances:
    """The service processes of a chaos run: one ingest and two of each consumer, each with
    its own pid file, log, ops port and state folder (faust data) under `root`."""

    root: Path
    env: Mapping[str, str]
    ports: dict[str, int]
    retired: set[str] = field(default_factory=set)
    # How often the run restarted an instance that exited by itself (not killed by a fault).
    self_exits: dict[str, int] = field(default_factory=dict)
    exit_logs: dict[str, str] = field(default_factory=dict)  # the last such exit's log tail

    def process(self, instance: str) -> ManagedProcess:
        return service_process(StackLayout(self.root), instance)

    def instance_env(self, instance: str) -> dict[str, str]:
        service = service_of(instance).upper()
        return {
            **self.env,
            "JOBSTREAM_STATE_DIR": str(self.root / "state" / instance),
            f"JOBSTREAM_{service}_HTTP_PORT": str(self.ports[instance]),
        }

    def start(self, instance: str) -> None:
        start_service(StackLayout(self.root), instance, self.instance_env(instance))

    def kill(self, instance: str) -> None:
        """SIGKILL: no clean-up, no flush, no commit; returns once the process is gone."""
        process = self.process(instance)
        pid = process.pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while not process.has_exited() and time.monotonic() < deadline:
                time.sleep(0.05)

    def retire(self, instance: str) -> None:
        """Stop an instance for good (SIGTERM, as a scale-down would)."""
        self.retired.add(instance)
        self.process(instance).stop(timeout=30)

    def supervise(self, names: Sequence[str]) -> None:
        """Start again whatever should run but exited on its own, as a supervisor would."""
        for name in names:
            if name not in self.retired and self.process(name).has_exited():
                self.self_exits[name] = self.self_exits.get(name, 0) + 1
                self.exit_logs[name] = self.log_tail(name, 8)
                self.start(name)

    def stop_all(self, names: Sequence[str]) -> None:
        for name in names:
            self.process(name).stop(timeout=30)

    def log_tail(self, instance: str, lines: int = 20) -> str:
        return self.process(instance).log_tail(lines)
