"""What `jobstream status` shows, from what it read (pure: no Kafka, HTTP or SQL here).

A `Snapshot` is everything read at one moment: each service's /metrics and /readyz, each
stage's consumer lag from Kafka, the dead-letter topic's size and PostgreSQL's counts. Rates
need two snapshots: the counters' growth between them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client.parser import text_string_to_metric_families

from jobstream_stack.supervision import SupervisorState, describe
from jobstream_stack.supervision import problems as supervision_problems


@dataclass(frozen=True)
class ServiceMetrics:
    """The few samples of a service's /metrics page that the status view reads."""

    consumed: float = 0.0
    produced: float = 0.0
    dead_letters: float = 0.0
    last_event: float | None = None  # unix time of the last batch (None: none yet)


def read_metrics(text: str, stage: str) -> ServiceMetrics:
    """Sum the stage's samples of the counters the view needs from a /metrics page."""
    totals = {"consumed": 0.0, "produced": 0.0, "dead_letters": 0.0}
    names = {
        "jobstream_events_consumed_total": "consumed",
        "jobstream_events_produced_total": "produced",
        "jobstream_dead_letters_total": "dead_letters",
    }
    last_event = None
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels.get("stage") != stage:
                continue
            if sample.name in names:
                totals[names[sample.name]] += sample.value
            elif sample.name == "jobstream_last_event_timestamp_seconds":
                last_event = sample.value
    return ServiceMetrics(**totals, last_event=last_event)


@dataclass(frozen=True)
class ServiceState:
    name: str
    reachable: bool  # /healthz answered
    ready: bool
    problems: Mapping[str, str] = field(default_factory=dict)  # from /readyz, or why unreachable
    metrics: ServiceMetrics | None = None


@dataclass(frozen=True)
class Lag:
    records: int
    seconds: float | None


@dataclass(frozen=True)
class StoreCounts:
    postings: int
    skills: int
    posting_skills: int
    latest_stored: datetime | None


@dataclass(frozen=True)
class DeadLetterCounts:
    """The dead-letter topic: records it holds, and by stage those read (all, if complete)."""

    records: int
    by_stage: Mapping[str, int]
    complete: bool

    def describe(self) -> str:
        if not self.records:
            return "0 records"
        stages = ", ".join(f"{stage} {n:,}" for stage, n in sorted(self.by_stage.items()))
        read = (
            "" if self.complete else f" (by stage: of the newest {sum(self.by_stage.values()):,})"
        )
        return f"{self.records:,} records; {stages}{read}"


@dataclass(frozen=True)
class Snapshot:
    taken_at: float
    services: Mapping[str, ServiceState]
    lags: Mapping[str, Lag]  # per consuming stage
    kafka_error: str | None = None
    store: StoreCounts | None = None
    postgres_error: str | None = None
    supervision: SupervisorState | None = None  # None: no supervisor runs (`make run` does)
    dead_letters: DeadLetterCounts | None = None  # from the topic; None: Kafka not read


@dataclass(frozen=True)
class StageRow:
    stage: str
    state: str  # "ready", "not ready: …", "down: …"
    lag_records: int | None
    lag_seconds: float | None
    rate: float | None  # records/s over the last interval (ingest: postings published)
    last_event_age: float | None  # seconds since the stage's last batch
    dead_letters: float | None
    restarts: int | None = None  # by the supervisor; None: not supervised


def stage_rows(now: Snapshot, before: Snapshot | None) -> list[StageRow]:
    rows = []
    for name, service in now.services.items():
        metrics = service.metrics
        lag = now.lags.get(name)
        rows.append(
            StageRow(
                stage=name,
                state=_state(service),
                lag_records=lag.records if lag else None,
                lag_seconds=lag.seconds if lag else None,
                rate=_rate(name, now, before),
                last_event_age=(
                    max(now.taken_at - metrics.last_event, 0.0)
                    if metrics and metrics.last_event
                    else None
                ),
                dead_letters=_dead_letters(now, name, metrics),
                restarts=_restarts(now.supervision, name),
            )
        )
    return rows


def _dead_letters(now: Snapshot, stage: str, metrics: ServiceMetrics | None) -> float | None:
    """From the dead-letter topic when it was read (what it holds, across restarts); the
    service's counter (since it started) only when Kafka could not be read."""
    if now.dead_letters is not None:
        return now.dead_letters.by_stage.get(stage, 0)
    return metrics.dead_letters if metrics else None


def _restarts(supervision: SupervisorState | None, name: str) -> int | None:
    if supervision is None or name not in supervision.programs:
        return None
    return supervision.programs[name].restarts


def supervision_lines(snapshot: Snapshot) -> list[str]:
    """What the supervisor did: every program it restarted, and how each last ended."""
    supervision = snapshot.supervision
    if supervision is None:
        return ["Supervisor: none running (`make run` supervises; services are not restarted)"]
    lines = [f"Supervisor: pid {supervision.pid}, {len(supervision.programs)} programs"]
    for name, program in supervision.programs.items():
        if program.restarts or program.status != "running":
            lines.append(f"  {name}: {describe(program, snapshot.taken_at)}")
    return lines


def _state(service: ServiceState) -> str:
    if not service.reachable:
        return "down: " + "; ".join(service.problems.values())
    if not service.ready:
        return "not ready: " + "; ".join(f"{k}: {v}" for k, v in service.problems.items())
    return "ready"


def _throughput(metrics: ServiceMetrics | None) -> float | None:
    """What a stage moved: records read, or for ingest (which reads none) postings published."""
    if metrics is None:
        return None
    return metrics.consumed or metrics.produced


def _rate(name: str, now: Snapshot, before: Snapshot | None) -> float | None:
    if before is None or name not in before.services:
        return None
    current = _throughput(now.services[name].metrics)
    previous = _throughput(before.services[name].metrics)
    elapsed = now.taken_at - before.taken_at
    if current is None or previous is None or elapsed <= 0:
        return None
    # A restarted service counts from 0 again: its rate since then is unknown, not negative.
    return (current - previous) / elapsed if current >= previous else None


def problems(snapshot: Snapshot) -> list[str]:
    """What is down or not ready; empty when all is well (the command then exits 0)."""
    found = [
        f"{name}: {_state(service)}"
        for name, service in snapshot.services.items()
        if _state(service) != "ready"
    ]
    if snapshot.kafka_error:
        found.append(f"kafka: {snapshot.kafka_error}")
    if snapshot.postgres_error:
        found.append(f"postgres: {snapshot.postgres_error}")
    found += [
        f"{name}: {problem}"
        for name, problem in supervision_problems(snapshot.supervision, snapshot.taken_at).items()
    ]
    return found
