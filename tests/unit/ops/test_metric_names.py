"""Every metric follows one naming scheme and is defined once, in jobstream.metrics."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from prometheus_client import Counter, Gauge, Histogram, Info
from prometheus_client.metrics import MetricWrapperBase

from jobstream import metrics

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).resolve().parents[3]
ALL = {name: value for name, value in vars(metrics).items() if isinstance(value, MetricWrapperBase)}
# Labels whose values come from a fixed, small set. A posting id, file name or error message
# must never become a label: every distinct value is a new time series.
BOUNDED_LABELS = {
    "stage", "reason", "channel", "format", "outcome", "field", "cue", "partition", "check",
    "mode",  # replay: copy, dead-letters, reset
    "alertname", "severity", "status",  # the alert receiver: the rules' alerts and labels
    "layer",  # tagger: knowledge, skill (the span model's two layers)
    "endpoint", "code",  # api: its routes and HTTP status codes
}  # fmt: skip


def full_name(metric: MetricWrapperBase) -> str:
    return next(iter(metric.describe())).name


def test_the_issue_list_is_covered() -> None:
    names = {full_name(metric) for metric in ALL.values()}
    for needed in (
        "jobstream_events_consumed",
        "jobstream_events_produced",
        "jobstream_events_failed",
        "jobstream_batch_processing_seconds",
        "jobstream_end_to_end_latency_seconds",
        "jobstream_store_batch_size",
        "jobstream_store_commit_seconds",
        "jobstream_consumer_lag_records",
        "jobstream_consumer_lag_seconds",
        "jobstream_dead_letters",
        "jobstream_ingest_outcomes",
        "jobstream_ingest_rejections",
        "jobstream_build",
        "jobstream_ready",
        "jobstream_last_event_timestamp_seconds",
    ):
        assert needed in names, needed


@pytest.mark.parametrize("attribute", sorted(ALL))
def test_naming_scheme(attribute: str) -> None:
    metric = ALL[attribute]
    name = full_name(metric)
    assert re.fullmatch(r"jobstream_[a-z][a-z0-9_]*", name), name
    assert metric._documentation.strip(), f"{name} has no help text"
    if isinstance(metric, Counter):
        # prometheus-client appends _total itself; the name must not say it twice.
        assert not name.endswith("_total"), name
    if isinstance(metric, Histogram | Gauge):
        assert not name.endswith(("_ms", "_milliseconds", "_kb", "_mb")), f"{name}: base units"
    if isinstance(metric, Info):
        assert name == "jobstream_build"
    assert set(metric._labelnames) <= BOUNDED_LABELS, (name, metric._labelnames)
    assert "posting_id" not in metric._labelnames


def test_metrics_are_defined_only_in_the_shared_module() -> None:
    definition = re.compile(r"\b(Counter|Gauge|Histogram|Summary|Info|Enum)\(\s*[\"']")
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for folder in ("libs", "services", "deploy/native")
        for path in (REPO_ROOT / folder).rglob("*.py")
        if path.name != "metrics.py" and definition.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_build_info_carries_the_version() -> None:
    from prometheus_client import REGISTRY

    from jobstream import __version__

    assert REGISTRY.get_sample_value("jobstream_build_info", {"version": __version__}) == 1
