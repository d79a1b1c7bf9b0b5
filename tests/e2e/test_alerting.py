"""An alert goes all the way: a stage dies under load, and the operator is told.

The pipeline runs in a namespace of its own on the shared stack; beside it this test starts
its own lag exporter, alert receiver, Alertmanager and Prometheus (the stack's own managers,
free ports, a 1 s scrape, the project's rule files). Postings keep arriving through ingest's
HTTP API while the store is SIGKILLed and left dead. The stage's own metrics vanish with it,
but the lag exporter still reads its group from Kafka: `JobstreamConsumerGroupDown` must
fire and reach the receiver through Alertmanager's route for critical alerts.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from jobstream.alert_receiver import AlertReceiverSettings
from jobstream.exporter import LagExporterSettings
from jobstream.settings import KafkaSettings
from jobstream.topology import STORE
from jobstream_stack.layout import StackLayout
from jobstream_stack.operators import RECEIVERS, Alertmanager, AlertReceiver, LagExporter
from jobstream_stack.prometheus import PrometheusServer
from jobstream_stack.settings import StackSettings
from jobstream_stack.system import free_port
from tests.e2e.harness import Services, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

ALERT = "JobstreamConsumerGroupDown"


def post(url: str, count: int, start: int) -> None:
    body = [
        {"title": f"SRE {n}", "company": f"Globex {n}",
         "text": f"SRE {n}\nWe run Kafka, Prometheus and Alertmanager on Kubernetes.\n"}
        for n in range(start, start + count)
    ]  # fmt: skip
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 202


def received(receiver: AlertReceiver) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{receiver.url}/alerts", timeout=5) as response:
        alerts: list[dict[str, Any]] = json.loads(response.read())["alerts"]
    return alerts


async def test_a_dead_stage_under_load_reaches_the_receiver(
    ops_pipeline: Services, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    services = ops_pipeline
    ops = StackLayout(tmp_path / "ops")
    ops.create()
    stack = StackSettings(
        prometheus_port=free_port(), prometheus_scrape_seconds=1,
        alertmanager_port=free_port(), alert_group_wait_seconds=1,
    )  # fmt: skip
    receiver = AlertReceiver(ops, stack, AlertReceiverSettings(http_port=free_port()))
    alertmanager = Alertmanager(ops, stack, receiver.webhook_url)
    exporter_settings = LagExporterSettings(http_port=free_port())
    exporter_env = {
        **os.environ,
        "JOBSTREAM_KAFKA_NAMESPACE": kafka_settings.namespace,
        "JOBSTREAM_LAG_EXPORTER_HTTP_PORT": str(exporter_settings.http_port),
        "JOBSTREAM_LAG_EXPORTER_POLL_SECONDS": "1",
    }
    exporter = LagExporter(ops, stack, exporter_settings, exporter_env)
    stopping = threading.Event()
    sent = 0

    def keep_posting() -> None:  # bounded: at most 3 minutes, 20 postings a second
        nonlocal sent
        deadline = time.monotonic() + 180
        while not stopping.is_set() and time.monotonic() < deadline:
            post(services.url("ingest", "/postings"), 10, sent)
            sent += 10
            stopping.wait(0.5)

    started: list[Any] = [receiver, alertmanager, exporter]
    prometheus = PrometheusServer(
        ops, stack,
        targets={name: f"127.0.0.1:{port}" for name, port in services.ports.items()},
        exporters={"kafka": f"127.0.0.1:{exporter_settings.http_port}"},
        alertmanagers=[f"127.0.0.1:{stack.alertmanager_port}"],
    )  # fmt: skip
    loader = threading.Thread(target=keep_posting, daemon=True)
    try:
        for process in started:
            process.start()
        prometheus.start()
        started.append(prometheus)
        loader.start()
        group = kafka_settings.group(STORE)

        async def some_stored() -> bool:
            return services.metric("store", "jobstream_postings_stored_total") > 0

        await eventually(some_stored, "the store to write postings under load", 90)
        services.kill("store")
        killed_at = time.monotonic()

        async def delivered() -> list[dict[str, Any]]:
            return [
                alert
                for alert in await asyncio.to_thread(received, receiver)
                if alert["labels"].get("alertname") == ALERT and alert["status"] == "firing"
            ]

        [alert, *_] = await eventually(delivered, f"{ALERT} at the receiver", 200)
        print(f"{ALERT} delivered {time.monotonic() - killed_at:.0f} s after the kill")
    finally:
        stopping.set()
        loader.join(timeout=40)
        for process in reversed(started):
            process.stop()
    assert alert["labels"]["consumergroup"] == group
    assert alert["labels"]["severity"] == "critical"
    assert alert["receiver"] == RECEIVERS["critical"]
    assert alert["annotations"]["runbook_url"].endswith("#jobstreamconsumergroupdown")
    # The receiver keeps what it was sent, one JSON line an alert.
    lines = (ops.root / "alerts" / "alerts.jsonl").read_text().splitlines()
    assert any(json.loads(line)["labels"]["alertname"] == ALERT for line in lines)
    assert sent > 0
