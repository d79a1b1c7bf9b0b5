"""What `make test` and `make clean` rely on, with real servers of a private stack:
`stack start --started-file` records only what it started (a stack already running is not
claimed), `stack stop --started-file` stops only that, and `stack clean` removes the state
folder and the PostgreSQL cluster made for it, also the one under the system's PostgreSQL
folder when the checkout is out of the postgres user's reach."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from jobstream.settings import PostgresSettings, RuntimeSettings
from jobstream_stack.kafka import link_jars
from jobstream_stack.layout import StackLayout
from jobstream_stack.postgres import FALLBACK_ROOT, OWNER_FILE, PostgresServer
from jobstream_stack.settings import StackSettings
from jobstream_stack.system import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

JOBSTREAM = str(Path(sys.executable).parent / "jobstream")


def stack(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [JOBSTREAM, "stack", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_make_test_stops_only_what_it_started_and_clean_removes_every_cluster() -> None:
    # A state folder inside a private (0700) folder: the postgres user cannot reach it, so its
    # cluster lives under /var/lib/postgresql/jobstream (as for a CI clone in a private temp).
    private = Path(tempfile.mkdtemp(prefix="jobstream-lifecycle-"))
    private.chmod(0o700)
    state = private / "state"
    layout = StackLayout(state)
    layout.create()
    link_jars(layout, StackLayout(RuntimeSettings().state_dir), StackSettings().kafka_version)
    pg_port = free_port()
    env = {
        **os.environ,
        "JOBSTREAM_STATE_DIR": str(state),
        "JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",
        "JOBSTREAM_STACK_KAFKA_CONTROLLER_PORT": str(free_port()),
        "JOBSTREAM_STACK_KAFKA_HEAP_MB": "384",
        "JOBSTREAM_PG_PORT": str(pg_port),
        "JOBSTREAM_STACK_PROMETHEUS_PORT": str(free_port()),
        # The operators' tooling the stack starts beside Prometheus, on ports of its own too.
        "JOBSTREAM_STACK_ALERTMANAGER_PORT": str(free_port()),
        "JOBSTREAM_STACK_POSTGRES_EXPORTER_PORT": str(free_port()),
        "JOBSTREAM_LAG_EXPORTER_HTTP_PORT": str(free_port()),
        "JOBSTREAM_ALERT_RECEIVER_HTTP_PORT": str(free_port()),
    }
    first, second = private / "first.json", private / "second.json"
    try:
        stack(env, "start", "--started-file", str(first))
        assert sorted(json.loads(first.read_text())) == [
            "alert-receiver", "alertmanager", "kafka", "lag-exporter", "postgres",
            "postgres-exporter", "prometheus",
        ]  # fmt: skip
        server = PostgresServer(layout, PostgresSettings(port=pg_port), StackSettings())
        cluster = server.home
        assert cluster.parent == FALLBACK_ROOT and (cluster / OWNER_FILE).exists()

        # A second run finds everything running: it claims nothing, and stops nothing.
        stack(env, "start", "--started-file", str(second))
        assert json.loads(second.read_text()) == []
        left = stack(env, "stop", "--started-file", str(second))
        assert "left running" in left.stdout + left.stderr
        assert server.is_ready()

        # The run that started them stops them (what `make test` does at its end).
        stack(env, "stop", "--started-file", str(first))
        assert not server.is_ready()
        shown = stack(env, "status")
        status = shown.stdout + shown.stderr
        assert status.count("stopped") >= 3, status

        # `make clean`: the state folder and the cluster under the system folder are gone.
        stack(env, "clean")
        assert not state.exists() and not cluster.exists()
    finally:
        subprocess.run([JOBSTREAM, "stack", "clean"], env=env, capture_output=True, timeout=300)
        subprocess.run(["rm", "-rf", str(private)], check=False)


def test_clean_removes_clusters_whose_checkout_is_gone(tmp_path: Path) -> None:
    if not FALLBACK_ROOT.is_dir():
        FALLBACK_ROOT.mkdir(parents=True)
    gone = FALLBACK_ROOT / f"test-orphan-{os.getpid()}"
    used = FALLBACK_ROOT / f"test-used-{os.getpid()}"
    for folder in (gone, used):
        (folder / "data").mkdir(parents=True)
    (gone / OWNER_FILE).write_text(str(tmp_path / "deleted-checkout" / ".stack" / "postgres"))
    owner = tmp_path / "live" / ".stack" / "postgres"
    owner.mkdir(parents=True)
    (owner / "home").symlink_to(used)
    (used / OWNER_FILE).write_text(str(owner))
    try:
        server = PostgresServer(StackLayout(tmp_path / "x"), PostgresSettings(), StackSettings())
        removed = server.remove_orphans()
        assert gone in removed and not gone.exists()
        assert used.exists() and used not in removed
    finally:
        subprocess.run(["rm", "-rf", str(gone), str(used)], check=False)
