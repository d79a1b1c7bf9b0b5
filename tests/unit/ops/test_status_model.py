"""`jobstream status`: what it makes of the readings (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from jobstream_stack.status_model import (
    Lag,
    ServiceMetrics,
    ServiceState,
    Snapshot,
    StoreCounts,
    problems,
    read_metrics,
    stage_rows,
)

pytestmark = pytest.mark.unit

PAGE = """\
# HELP jobstream_events_consumed_total Records a stage read from its input topic.
# TYPE jobstream_events_consumed_total counter
jobstream_events_consumed_total{stage="parser"} 31.0
jobstream_events_consumed_created{stage="parser"} 1.7e9
# TYPE jobstream_events_produced_total counter
jobstream_events_produced_total{stage="parser"} 30.0
# TYPE jobstream_dead_letters_total counter
jobstream_dead_letters_total{reason="invalid_event",stage="parser"} 1.0
jobstream_dead_letters_total{reason="not_text",stage="parser"} 2.0
# TYPE jobstream_last_event_timestamp_seconds gauge
jobstream_last_event_timestamp_seconds{stage="parser"} 1000.5
# TYPE jobstream_ready gauge
jobstream_ready{check="kafka_producer"} 1.0
"""


def test_metrics_are_read_for_the_stage() -> None:
    assert read_metrics(PAGE, "parser") == ServiceMetrics(31, 30, 3, 1000.5)
    assert read_metrics(PAGE, "tagger") == ServiceMetrics()  # nothing of its own on this page


def service(name: str, consumed: float = 0, produced: float = 0, **kwargs: object) -> ServiceState:
    metrics = ServiceMetrics(consumed, produced, 1, last_event=995.0)
    return replace(ServiceState(name, True, True, {}, metrics), **kwargs)  # type: ignore[arg-type]


def snapshot(at: float, *services: ServiceState, **kwargs: object) -> Snapshot:
    return Snapshot(
        taken_at=at,
        services={state.name: state for state in services},
        lags={"parser": Lag(12, 3.5)},
        **kwargs,  # type: ignore[arg-type]
    )


def test_rates_come_from_two_readings() -> None:
    before = snapshot(1000, service("ingest", produced=10), service("parser", consumed=100))
    now = snapshot(1002, service("ingest", produced=30), service("parser", consumed=150))
    rows = {row.stage: row for row in stage_rows(now, before)}
    assert rows["parser"].rate == 25
    assert rows["ingest"].rate == 10  # ingest reads no topic: its rate is what it published
    assert rows["parser"].lag_records == 12 and rows["parser"].lag_seconds == 3.5
    assert rows["ingest"].lag_records is None
    assert rows["parser"].last_event_age == 7
    assert rows["parser"].dead_letters == 1
    assert {row.rate for row in stage_rows(now, None)} == {None}  # one reading: no rate yet


def test_a_restarted_service_has_no_rate_rather_than_a_negative_one() -> None:
    before = snapshot(1000, service("parser", consumed=500))
    now = snapshot(1002, service("parser", consumed=20))
    [row] = stage_rows(now, before)
    assert row.rate is None


def test_problems_name_what_is_down_or_not_ready() -> None:
    healthy = snapshot(
        1000,
        service("parser"),
        store=StoreCounts(5, 40, 60, datetime(2026, 1, 1, tzinfo=UTC)),
    )
    assert problems(healthy) == []
    broken = snapshot(
        1000,
        service("parser", reachable=False, ready=False, problems={"http": "no answer"}),
        service("store", ready=False, problems={"postgres": "database unavailable"}),
        kafka_error="KafkaConnectionError: refused",
        postgres_error="no answer in time",
    )
    assert problems(broken) == [
        "parser: down: no answer",
        "store: not ready: postgres: database unavailable",
        "kafka: KafkaConnectionError: refused",
        "postgres: no answer in time",
    ]
