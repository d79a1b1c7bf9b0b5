"""The supervisor's policy (pure) and the supervisor itself on real short-lived processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from jobstream_stack.layout import StackLayout
from jobstream_stack.processes import ManagedProcess
from jobstream_stack.status_model import Snapshot, problems, supervision_lines
from jobstream_stack.supervision import (
    Exit,
    ProgramState,
    RestartPolicy,
    SupervisorState,
    calmed,
    describe,
    due,
    exited,
    started,
)
from jobstream_stack.supervisor import Program, Supervisor, read_state

pytestmark = pytest.mark.unit

POLICY = RestartPolicy(
    first_backoff=1, max_backoff=8, healthy_after=60, crash_loop_restarts=4, crash_loop_window=100
)


def test_backoff_doubles_up_to_its_cap_and_starts_over_after_a_healthy_run() -> None:
    state = started(ProgramState(name="parser"), pid=10, now=0)
    waits = []
    now = 0.0
    for _ in range(3):
        now += 5
        state = exited(state, Exit(at=now, signal=9), POLICY)
        waits.append(state.backoff)
        assert not due(state, now) and due(state, now + state.backoff)
        state = started(state, pid=11, now=now + state.backoff)
    assert waits == [1, 2, 4]
    assert state.status == "running" and state.restarts == 3
    state = exited(state, Exit(at=now + 500, code=1), POLICY)  # up for minutes: healthy
    assert state.backoff == 1 and state.last_exit == Exit(at=now + 500, code=1)


def test_a_program_restarted_too_often_is_crash_looping_and_still_retried() -> None:
    state = started(ProgramState(name="store"), pid=10, now=0)
    for second in range(1, 5):
        state = exited(state, Exit(at=second, code=3), POLICY)
        state = started(state, pid=10 + second, now=second)
    assert state.status == "crash-looping" and state.backoff == POLICY.max_backoff
    line = describe(state, now=5)
    assert "crash-looping" in line and "4 restarts" in line and "exited with code 3" in line
    assert calmed(state, now=30, policy=POLICY).status == "crash-looping"
    assert calmed(state, now=100, policy=POLICY).status == "running"  # stayed up: calmed down


def test_status_reports_restarts_and_crash_loops_and_a_silent_supervisor() -> None:
    looping = exited(
        exited(started(ProgramState(name="store"), 1, 0), Exit(at=1, code=3), POLICY),
        Exit(at=2, code=3),
        RestartPolicy(crash_loop_restarts=2),
    )
    supervision = SupervisorState(
        pid=99,
        started_at=0,
        updated_at=10,
        heartbeat_seconds=5,
        programs={"store": looping, "parser": started(ProgramState(name="parser"), 7, 0)},
    )
    snapshot = Snapshot(taken_at=11, services={}, lags={}, supervision=supervision)
    assert any("store" in line and "crash-looping" in line for line in supervision_lines(snapshot))
    assert [p for p in problems(snapshot) if p.startswith("store: crash-looping")]
    silent = Snapshot(taken_at=100, services={}, lags={}, supervision=supervision)
    assert [p for p in problems(silent) if "stopped writing its state" in p]
    none = Snapshot(taken_at=1, services={}, lags={})
    assert "none running" in supervision_lines(none)[0] and not problems(none)


# --- the supervisor on real processes --------------------------------------------------------

# Short waits, long windows: on a loaded machine a Python start can take seconds, and three
# of them must still fall within the crash-loop window (a 30 s window flaked at load ~12).
FAST = RestartPolicy(
    first_backoff=0.1,
    max_backoff=0.4,
    healthy_after=600,
    crash_loop_restarts=3,
    crash_loop_window=600,
    heartbeat=0.5,
)


def program(layout: StackLayout, name: str, code: str) -> Program:
    process = ManagedProcess(
        name=name,
        pid_file=layout.run / f"{name}.pid",
        log_file=layout.logs / f"{name}.log",
        fingerprint=f"jobstream-test-{name}",
    )
    argv = [sys.executable, "-c", code, f"jobstream-test-{name}"]
    return Program(name, process, lambda: process.start(argv))


def wait_until(check, what: str, timeout: float = 90.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return result


def test_a_killed_program_comes_back_and_a_failing_one_is_reported(tmp_path: Path) -> None:
    layout = StackLayout(tmp_path)
    layout.create()
    sleeper = program(layout, "sleeper", "import time; time.sleep(120)")
    failing = program(layout, "failing", "import sys; print('bad setting'); sys.exit(3)")
    said: list[str] = []
    supervisor = Supervisor(layout, [sleeper, failing], FAST, said.append)
    stopping = threading.Event()
    runner = threading.Thread(target=supervisor.run, args=(stopping,))
    runner.start()

    # The test reads pid files itself: ManagedProcess.pid() would reap a dead child here,
    # in this thread, before the supervisor could learn how it ended.
    def pid_of(prog: Program) -> int | None:
        try:
            return int(prog.process.pid_file.read_text())
        except (OSError, ValueError):
            return None

    try:
        first = wait_until(lambda: pid_of(sleeper), "the sleeper to start")
        os.kill(first, signal.SIGKILL)

        def back() -> int | None:
            pid = pid_of(sleeper)
            return pid if pid not in (None, first) else None

        wait_until(back, "the sleeper to be started again")

        def looping() -> SupervisorState | None:
            state = read_state(layout)
            return state if state and state.programs["failing"].status == "crash-looping" else None

        state = wait_until(looping, "the failing program to be called crash-looping")
        assert state.programs["sleeper"].restarts == 1
        assert state.programs["sleeper"].last_exit.signal == signal.SIGKILL
        assert state.programs["failing"].last_exit.code == 3
        assert any("sleeper killed by signal 9" in line for line in said)
        assert any("failing is crash-looping" in line and "bad setting" in line for line in said)
        log = (layout.logs / "supervisor.log").read_text()
        assert "starting it again" in log and "crash-looping" in log
    finally:
        stopping.set()
        runner.join(10)
        sleeper.process.stop(timeout=5)
    assert read_state(layout) is None  # a supervisor that stopped leaves no state behind


def test_how_a_program_ended_survives_another_start_in_the_same_process(tmp_path: Path) -> None:
    """A child's Popen dropped while it ran is reaped by the next Popen made anywhere in the
    process (subprocess's clean-up), and its exit status was lost: the supervisor then said a
    killed program had ended somehow. Its status must still be known after other starts."""
    layout = StackLayout(tmp_path)
    layout.create()
    sleeper = program(layout, "sleeper", "import time; time.sleep(120)")
    supervisor = Supervisor(layout, [sleeper], FAST, lambda _: None)
    supervisor.check()
    pid = supervisor.state.programs["sleeper"].pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: (Path("/proc") / str(pid) / "stat").read_text().split()[2] == "Z", "zombie")
    for _ in range(3):  # other starts in this process, as the supervisor makes of other programs
        subprocess.run([sys.executable, "-c", "pass"], check=True)
    supervisor.check()
    state = supervisor.state.programs["sleeper"]
    assert state.restarts == 1
    assert state.last_exit is not None and state.last_exit.signal == signal.SIGKILL
    sleeper.process.stop()
