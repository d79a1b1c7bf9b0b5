"""The services as processes on a test's own namespace, database and state folder.

Shared by the end-to-end tests: the `pipeline` fixture (tests/e2e/conftest.py) starts the
four services; the helpers here drop files, poll with a deadline, kill and restart services.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from jobstream.settings import KafkaSettings, PostgresSettings
from jobstream_stack.layout import StackLayout
from jobstream_stack.services import (
    SERVICES,
    service_process,
    start_service,
    stop_services,
    wait_ready,
)

T = TypeVar("T")


@dataclass
class Pipeline:
    env: dict[str, str]
    layout: StackLayout
    ports: dict[str, int]

    @property
    def inbox(self) -> Path:
        return self.layout.inbox

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}{path}"

    def metric(self, service: str, name: str) -> float:
        """Sum of a metric's samples on a service's /metrics page."""
        with urllib.request.urlopen(self.url(service, "/metrics"), timeout=5) as response:
            text = response.read().decode()
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith(name) and not line.startswith("#")
        )

    async def start(self, name: str, **extra_env: str) -> None:
        """Start a service (with extra environment variables) and wait until it is ready."""
        start_service(self.layout, name, {**self.env, **extra_env})
        urls = {name: self.url(name, "/readyz")}
        await asyncio.to_thread(wait_ready, self.layout, urls, 60)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_pipeline(
    kafka_settings: KafkaSettings, database: PostgresSettings, state: Path
) -> Iterator[Pipeline]:
    """Start the four services on the test's namespace and database; stop them after."""
    layout = StackLayout(state)
    layout.create()
    ports = {name: free_port() for name in SERVICES}
    env = {
        **os.environ,
        "JOBSTREAM_STATE_DIR": str(layout.root),
        "JOBSTREAM_KAFKA_NAMESPACE": kafka_settings.namespace,
        "JOBSTREAM_PG_DATABASE": database.database,
        "JOBSTREAM_INGEST_STABLE_SECONDS": "0.2",
        **{f"JOBSTREAM_{name.upper()}_HTTP_PORT": str(port) for name, port in ports.items()},
    }
    try:
        for name in SERVICES:
            start_service(layout, name, env)
        urls = {name: f"http://127.0.0.1:{port}/readyz" for name, port in ports.items()}
        wait_ready(layout, urls, timeout=90)
        yield Pipeline(env, layout, ports)
    finally:
        stop_services(layout)
        for name in SERVICES:  # shown by pytest when the test failed
            print(f"--- {name} log ---\n{service_process(layout, name).log_tail(15)}")


async def eventually(check: Callable[[], Awaitable[T]], what: str, timeout: float = 60) -> T:
    """Poll `check` until it returns a truthy value, or fail saying what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.3)


def drop(folder: Path, source: Path) -> None:
    """Write-then-rename, the inbox convention for writers."""
    partial = folder / f".{source.name}.part"
    shutil.copyfile(source, partial)
    partial.rename(folder / source.name)


def kill(pipeline: Pipeline, name: str) -> None:
    """SIGKILL a service: no clean-up, no flush, as a crash."""
    process = service_process(pipeline.layout, name)
    pid = process.pid()
    assert pid is not None, f"{name} is not running"
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while process.is_running() and time.monotonic() < deadline:
        time.sleep(0.05)
