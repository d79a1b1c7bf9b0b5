import os
import socket
import sys
from pathlib import Path

import pytest

from jobstream_stack.processes import ManagedProcess
from jobstream_stack.steps import StackError
from jobstream_stack.system import ensure_port_free

pytestmark = pytest.mark.unit

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)", "jobstream-test-sleeper"]


def managed(tmp_path: Path) -> ManagedProcess:
    return ManagedProcess(
        name="sleeper",
        pid_file=tmp_path / "run" / "sleeper.pid",
        log_file=tmp_path / "logs" / "sleeper.log",
        fingerprint="jobstream-test-sleeper",
    )


def test_a_process_starts_once_and_stops(tmp_path: Path) -> None:
    process = managed(tmp_path)
    pid = process.start(SLEEPER)
    try:
        assert process.is_running()
        assert process.start(SLEEPER) == pid  # idempotent: no second copy
    finally:
        assert process.stop(timeout=5)
    assert not process.is_running()
    assert not process.pid_file.exists()
    assert process.stop() is False  # stopping what is stopped is fine


def test_a_process_just_started_has_not_exited_until_it_is_gone(tmp_path: Path) -> None:
    process = managed(tmp_path)
    process.start(SLEEPER)
    assert not process.has_exited()  # even before exec shows its own command line
    process.stop(timeout=5)
    assert process.has_exited()


def test_a_stale_pid_file_naming_another_program_is_not_ours(tmp_path: Path) -> None:
    process = managed(tmp_path)
    process.pid_file.parent.mkdir(parents=True)
    process.pid_file.write_text(f"{os.getpid()}\n")  # alive, but not the sleeper
    assert process.pid() is None


def test_a_port_in_use_is_refused_with_a_reason() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(StackError, match="already in use"):
            ensure_port_free("127.0.0.1", port, "Kafka")
    ensure_port_free("127.0.0.1", port, "Kafka")  # closed again: free


def test_packages_installed_for_the_stack_do_not_start_their_services(tmp_path: Path) -> None:
    from jobstream_stack.system import services_not_started

    policy = tmp_path / "policy-rc.d"
    with services_not_started(policy):
        assert policy.read_text().endswith("exit 101\n")
        assert policy.stat().st_mode & 0o111
    assert not policy.exists()  # removed afterwards

    policy.write_text("#!/bin/sh\nexit 0\n")  # an administrator's own policy stays as it is
    with services_not_started(policy):
        assert policy.read_text() == "#!/bin/sh\nexit 0\n"
    assert policy.read_text() == "#!/bin/sh\nexit 0\n"
