"""Running services as real processes for end-to-end tests, and waiting on what they do."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from jobstream.settings import KafkaSettings, PostgresSettings
from jobstream.topology import CONSUMING_STAGES
from jobstream_stack.layout import StackLayout
from jobstream_stack.services import service_process, start_service, stop_services, wait_ready
from jobstream_stack.system import free_port

T = TypeVar("T")


def fast_ops_env() -> dict[str, str]:
    """Each stage's lag measured every second, so a test sees it settle quickly."""
    return {f"JOBSTREAM_{stage.name.upper()}_LAG_POLL_SECONDS": "1" for stage in CONSUMING_STAGES}


def drop(folder: Path, source: Path) -> None:
    """Write-then-rename, the inbox convention for writers."""
    partial = folder / f".{source.name}.part"
    shutil.copyfile(source, partial)
    partial.rename(folder / source.name)


async def eventually(
    check: Callable[[], Awaitable[T | None]], what: str, timeout: float = 120
) -> T:
    """Poll `check` until it returns a truthy value, or fail saying what never happened.

    The deadline is generous on purpose: it returns as soon as the check holds, and a cold
    broker on a loaded 2-core CI machine can take tens of seconds for a first rebalance.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.3)


@dataclass
class Services:
    """Services of one test: their own state folder, Kafka namespace, database and ports."""

    layout: StackLayout
    kafka: KafkaSettings
    postgres: PostgresSettings
    ports: dict[str, int] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "JOBSTREAM_STATE_DIR": str(self.layout.root),
            "JOBSTREAM_KAFKA_NAMESPACE": self.kafka.namespace,
            "JOBSTREAM_PG_PORT": str(self.postgres.port),
            "JOBSTREAM_PG_DATABASE": self.postgres.database,
            **{
                f"JOBSTREAM_{name.upper()}_HTTP_PORT": str(port)
                for name, port in self.ports.items()
            },
            **self.extra_env,
        }

    @contextmanager
    def running(self, names: Iterable[str]) -> Iterator[Services]:
        """The named services running for the duration of a test; their logs printed after
        (pytest shows them when the test failed)."""
        self.layout.create()
        try:
            self.start(names)
            yield self
        finally:
            self.stop()
            print(self.log_tails())

    def start(self, names: Iterable[str], timeout: float = 90) -> None:
        names = list(names)
        for name in names:
            self.ports.setdefault(name, free_port())
        for name in names:
            start_service(self.layout, name, self.env)
        wait_ready(self.layout, {name: self.url(name, "/readyz") for name in names}, timeout)

    async def restart(self, name: str, **extra_env: str) -> None:
        """Start one service again (with extra environment variables) and wait until ready."""
        start_service(self.layout, name, {**self.env, **extra_env})
        await asyncio.to_thread(wait_ready, self.layout, {name: self.url(name, "/readyz")}, 120)

    def kill(self, name: str) -> None:
        """SIGKILL a service, as a crash: no clean-up, no flush. Returns once it is gone."""
        process = service_process(self.layout, name)
        pid = process.pid()
        assert pid is not None, f"{name} is not running"
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while process.is_running() and time.monotonic() < deadline:
            time.sleep(0.05)

    @property
    def inbox(self) -> Path:
        return self.layout.inbox

    def is_running(self, name: str) -> bool:
        return service_process(self.layout, name).is_running()

    def stop(self) -> None:
        stop_services(self.layout)

    def log_tails(self, lines: int = 15) -> str:
        return "\n".join(
            f"--- {name} log ---\n{service_process(self.layout, name).log_tail(lines)}"
            for name in self.ports
        )

    def url(self, name: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}{path}"

    def status(self, name: str, path: str) -> int:
        try:
            with urllib.request.urlopen(self.url(name, path), timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def metric(self, name: str, metric: str) -> float:
        """Sum of a metric's samples on a service's /metrics page (0 when absent)."""
        with urllib.request.urlopen(self.url(name, "/metrics"), timeout=5) as response:
            text = response.read().decode()
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith(metric) and not line.startswith("#")
        )


# The `start_services` fixture (conftest.py): the named services with extra settings.
StartServices = Callable[[Iterable[str], Mapping[str, str]], AbstractContextManager[Services]]
