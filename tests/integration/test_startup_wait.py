"""Services started before the broker (or while it restarts) wait for it and their topics.

A supervisor starts everything at once, and a broker may come back after the services: a
service must not crash at start-up because Kafka does not answer yet or its topics do not
exist yet. The broker here is a private one, started late on a port chosen in advance.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from aiokafka.errors import KafkaConnectionError

from jobstream.kafka.admin import list_topics, wait_for_topics
from jobstream.settings import KafkaSettings
from jobstream.topology import ALL_TOPICS
from jobstream_stack.layout import StackLayout
from jobstream_stack.services import service_process, start_service, wait_ready
from jobstream_stack.system import free_port
from tests.e2e.private_stack import private_stack

pytestmark = pytest.mark.kafka


async def test_waiting_gives_up_after_its_deadline_without_a_broker() -> None:
    nobody = KafkaSettings(bootstrap_servers=f"127.0.0.1:{free_port()}")
    started = time.monotonic()
    with pytest.raises(KafkaConnectionError):
        await wait_for_topics(nobody, give_up_after=2)
    assert time.monotonic() - started < 30  # gave up, did not hang


@pytest.mark.e2e
def test_services_started_before_the_broker_wait_for_it(tmp_path: Path) -> None:
    port = free_port()
    kafka = KafkaSettings(bootstrap_servers=f"127.0.0.1:{port}", namespace="late")
    layout = StackLayout(tmp_path / "state")
    layout.create()
    names = ["ingest", "parser"]
    ports = {name: free_port() for name in names}
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("JOBSTREAM_")},
        "JOBSTREAM_STATE_DIR": str(layout.root),
        "JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "JOBSTREAM_KAFKA_NAMESPACE": kafka.namespace,
        **{f"JOBSTREAM_{name.upper()}_HTTP_PORT": str(p) for name, p in ports.items()},
    }
    try:
        for name in names:
            start_service(layout, name, env)
        time.sleep(5)  # no broker yet: they keep trying instead of exiting
        exited = [name for name in names if service_process(layout, name).has_exited()]
        assert not exited, service_process(layout, exited[0]).log_tail()
        with private_stack(kafka_port=port, with_postgres=False):
            urls = {name: f"http://127.0.0.1:{p}/readyz" for name, p in ports.items()}
            wait_ready(layout, urls, timeout=120)
            topics = set(asyncio.run(list_topics(kafka)))
            assert {kafka.topic(spec) for spec in ALL_TOPICS} <= topics
    finally:
        for name in names:
            service_process(layout, name).stop(timeout=30)
            print(f"--- {name} ---\n{service_process(layout, name).log_tail(10)}")
