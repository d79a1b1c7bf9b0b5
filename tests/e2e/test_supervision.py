"""The stack's supervisor with the real services: each one killed comes back by itself, the
restarts are counted and shown by `jobstream status`, and `jobstream stack stop` ends it all.

`jobstream stack supervise` runs as a process of its own, on the shared servers, in a state
folder, Kafka namespace, database and ports of this test (`make run` supervises the same way,
the servers too).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.request import urlopen

import asyncpg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from jobstream.contracts import posting_id_for
from jobstream.settings import KafkaSettings, PostgresSettings
from jobstream_stack.layout import StackLayout
from jobstream_stack.services import SERVICES, service_process
from jobstream_stack.supervisor import read_state, supervisor_process
from jobstream_stack.system import free_port
from tests.e2e.harness import Services, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

JOBSTREAM = str(Path(sys.executable).parent / "jobstream")


async def test_every_service_killed_comes_back_and_status_says_so(
    kafka_settings: KafkaSettings, database: PostgresSettings, pg: asyncpg.Connection,
    tmp_path: Path,
) -> None:  # fmt: skip
    services = Services(
        StackLayout(tmp_path / "state"),
        kafka_settings,
        database,
        ports={name: free_port() for name in SERVICES},
        extra_env={
            "JOBSTREAM_INGEST_STABLE_SECONDS": "0.2",
            "JOBSTREAM_STACK_RESTART_FIRST_BACKOFF_SECONDS": "0.5",
            "JOBSTREAM_STACK_SUPERVISOR_METRICS_PORT": str(metrics_port := free_port()),
        },
    )
    layout = services.layout
    supervisor = subprocess.Popen(
        [JOBSTREAM, "stack", "supervise"],
        env=services.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        async def all_ready() -> bool:
            assert supervisor.poll() is None, supervisor.stdout.read()  # type: ignore[union-attr]
            state = read_state(layout)  # written once the supervisor watches
            running = state is not None and all(
                program.status == "running" for program in state.programs.values()
            )
            return running and all(_ready(services, name) for name in SERVICES)

        await eventually(all_ready, "every service ready under the supervisor", timeout=180)
        for name in SERVICES:
            before = service_process(layout, name).pid()
            assert before is not None
            os.kill(before, signal.SIGKILL)

            async def back(name: str = name, before: int = before) -> bool:
                pid = service_process(layout, name).pid()
                return pid not in (None, before) and _ready(services, name)

            await eventually(back, f"{name} started again and ready", timeout=180)

        state = read_state(layout)
        assert state is not None and state.pid == supervisor.pid
        for name in SERVICES:
            program = state.programs[name]
            assert program.restarts == 1 and program.status == "running", program
            assert program.last_exit is not None and program.last_exit.signal == signal.SIGKILL

        # Prometheus reads the same counts from the supervisor's /metrics.
        scraped = {
            family.name: {sample.labels["program"]: sample.value for sample in family.samples}
            for family in text_string_to_metric_families(
                urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).read().decode()
            )
        }  # fmt: skip
        assert scraped["jobstream_supervisor_restarts"] == dict.fromkeys(SERVICES, 1.0)
        assert scraped["jobstream_supervisor_program_running"] == dict.fromkeys(SERVICES, 1.0)
        assert scraped["jobstream_supervisor_crash_looping"] == dict.fromkeys(SERVICES, 0.0)

        # The pipeline works after the restarts: a posting dropped in is stored.
        text = "Platform Engineer\nAcme\nWe run Kafka and PostgreSQL; Python required.\n"
        (layout.inbox / ".after.txt.part").write_text(text)
        (layout.inbox / ".after.txt.part").rename(layout.inbox / "after.txt")

        async def stored() -> bool:
            sql = "SELECT 1 FROM postings WHERE posting_id = $1"
            return bool(await pg.fetchval(sql, posting_id_for(text)))

        await eventually(stored, "a posting dropped after the restarts, stored", timeout=120)

        status = subprocess.run(
            [JOBSTREAM, "status", "--interval", "0.5"],
            env={**services.env, "COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert status.returncode == 0, status.stdout + status.stderr
        assert f"Supervisor: pid {supervisor.pid}" in status.stdout
        for name in SERVICES:
            row = next(line for line in status.stdout.splitlines() if line.startswith(f"│ {name}"))
            assert row.rstrip(" │").endswith("1"), row  # the restarts column
            assert f"{name}: running" in status.stdout
            assert "killed by signal 9" in status.stdout

        # `jobstream stack stop` (what `make stop` runs) stops the supervisor, which stops them.
        stop = subprocess.run(
            [JOBSTREAM, "stack", "stop"], env=services.env, capture_output=True, text=True,
            timeout=180,
        )  # fmt: skip
        assert stop.returncode == 0, stop.stdout + stop.stderr
        assert supervisor.wait(timeout=60) == 0
        assert not any(service_process(layout, name).is_running() for name in SERVICES)
        assert read_state(layout) is None and supervisor_process(layout).pid() is None
    finally:
        if supervisor.poll() is None:
            supervisor.send_signal(signal.SIGTERM)
            supervisor.wait(timeout=90)
        services.stop()
        print(services.log_tails())


def _ready(services: Services, name: str) -> bool:
    try:
        return services.status(name, "/readyz") == 200
    except OSError:
        return False
