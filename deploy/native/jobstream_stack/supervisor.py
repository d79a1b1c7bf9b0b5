"""The stack's supervisor: programs that die are started again, with backoff, and said so.

`jobstream stack up` (`make run`) supervises the services and the servers (Kafka, PostgreSQL,
Prometheus) it started; `jobstream stack supervise` supervises the services alone (on servers
that run anyway: tests, or a stack shared by several checkouts). The policy (backoff, crash
loops) is `supervision.py`; this module watches processes, starts them, writes the state file
`jobstream status` reads, and logs every exit and restart to the console and to
`<state>/logs/supervisor.log`.

Why the stack's own and not supervisord or circus: the stack already starts every program with
pid files, fingerprints, logs and readiness checks (`processes.py`, `services.py`, the server
classes); a supervisor of another kind would start them a second way, and neither speaks the
stack's notion of a server that is ready (Kafka answering metadata, PostgreSQL accepting
connections). What this adds is small and pure where it decides (`supervision.py`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Protocol

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from jobstream_stack.layout import StackLayout
from jobstream_stack.processes import ManagedProcess, let_go, started_child
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


class _Server(Protocol):
    def shutdown(self) -> None: ...


STATE_FILE: Final = "supervisor.json"
PID_FILE: Final = "supervisor.pid"
LOG_FILE: Final = "supervisor.log"
TICK_SECONDS: Final = 0.5


@dataclass(frozen=True)
class Program:
    """Something the supervisor keeps running: its process (pid file, log) and how to start
    it (returns the new pid, or anything once ready: the servers' starts wait for that)."""

    name: str
    process: ManagedProcess
    start: Callable[[], object]


def state_path(layout: StackLayout) -> Path:
    return layout.run / STATE_FILE


def read_state(layout: StackLayout) -> SupervisorState | None:
    """The supervisor's last record; None when no supervisor runs (or ever wrote one)."""
    try:
        return SupervisorState.model_validate_json(state_path(layout).read_bytes())
    except (OSError, ValueError):
        return None


def supervisor_process(layout: StackLayout) -> ManagedProcess:
    """The process of `stack up` / `stack supervise` (to stop it from `stack stop`)."""
    return ManagedProcess(
        name="supervisor",
        pid_file=layout.run / PID_FILE,
        log_file=layout.logs / LOG_FILE,
        fingerprint="jobstream stack",
    )


class SupervisorCollector(Collector):
    """What the supervisor did, for Prometheus: restarts per program (a counter that survives
    the programs' own restarts, which reset theirs) and whether each runs or crash-loops."""

    def __init__(self, state: Callable[[], SupervisorState]) -> None:
        self.state = state

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        programs = dict(self.state().programs)
        restarts = CounterMetricFamily(
            "jobstream_supervisor_restarts",
            "Times the supervisor started a program again after it ended.",
            labels=["program"],
        )
        running = GaugeMetricFamily(
            "jobstream_supervisor_program_running",
            "1 while the program runs under the supervisor; 0 while it waits to start again.",
            labels=["program"],
        )
        looping = GaugeMetricFamily(
            "jobstream_supervisor_crash_looping",
            "1 while the program restarts too often within the crash-loop window.",
            labels=["program"],
        )
        for name, program in programs.items():
            restarts.add_metric([name], program.restarts)
            running.add_metric([name], 1 if program.status == "running" else 0)
            looping.add_metric([name], 1 if program.status == "crash-looping" else 0)
        yield from (restarts, running, looping)


class Supervisor:
    def __init__(
        self,
        layout: StackLayout,
        programs: Sequence[Program],
        policy: RestartPolicy,
        say: Callable[[str], None],
        metrics_at: tuple[str, int] | None = None,
    ) -> None:
        self.layout = layout
        self.metrics_at = metrics_at
        self.programs = {program.name: program for program in programs}
        self.policy = policy
        self._say = say
        now = time.time()
        self.state = SupervisorState(
            pid=os.getpid(),
            started_at=now,
            updated_at=now,
            heartbeat_seconds=policy.heartbeat,
            programs={name: self._adopt(program, now) for name, program in self.programs.items()},
        )

    def _adopt(self, program: Program, now: float) -> ProgramState:
        """The program as the caller left it: running (its pid) or due to start now."""
        pid = program.process.pid()
        state = ProgramState(name=program.name)
        if pid is None:
            return state.model_copy(update={"next_start_at": now})
        return started(state, pid, now)

    def run(self, stopping: threading.Event) -> None:
        """Supervise until `stopping` is set (the caller then stops the programs)."""
        supervisor_process(self.layout).pid_file.parent.mkdir(parents=True, exist_ok=True)
        supervisor_process(self.layout).pid_file.write_text(f"{os.getpid()}\n")
        self._write()
        server = self._serve_metrics()
        try:
            while not stopping.wait(TICK_SECONDS):
                self.check(stopping)
        finally:
            if server is not None:
                server.shutdown()
            state_path(self.layout).unlink(missing_ok=True)
            supervisor_process(self.layout).pid_file.unlink(missing_ok=True)

    def _serve_metrics(self) -> _Server | None:
        """Serve /metrics at `metrics_at`; a port in use costs the metrics, not the
        supervision (said once)."""
        if self.metrics_at is None:
            return None
        registry = CollectorRegistry()
        registry.register(SupervisorCollector(lambda: self.state))
        host, port = self.metrics_at
        try:
            server, _ = start_http_server(port, addr=host, registry=registry)
        except OSError as error:
            self._log(f"no supervisor metrics on {host}:{port}: {error}")
            return None
        return server

    def check(self, stopping: threading.Event | None = None) -> None:
        """One look at every program: note exits, start what is due."""
        changed = False
        for name, program in self.programs.items():
            if stopping is not None and stopping.is_set():
                return
            before = self.state.programs[name]
            after = self._look(program, before)
            if after != before:
                self.state.programs[name] = after
                changed = True
        now = time.time()
        if changed or now - self.state.updated_at >= self.policy.heartbeat:
            self._write()

    def _look(self, program: Program, state: ProgramState) -> ProgramState:
        now = time.time()
        if state.pid is not None:
            how = _exit_of(state.pid, program.process, now)
            if how is None:
                return calmed(state, now, self.policy)
            state = exited(state, how, self.policy)
            self._log(
                f"{program.name} {how.describe()}; starting it again in {state.backoff:.0f} s"
                f" (restart {state.restarts})"
            )
            if state.status == "crash-looping":
                self._log(
                    f"{program.name} is crash-looping ({len(state.restart_times)} restarts in"
                    f" {self.policy.crash_loop_window:.0f} s); its log ends:\n"
                    + program.process.log_tail(15)
                )
            return state
        if not due(state, now):
            return state
        try:
            result = program.start()
        except Exception as error:  # a start that fails counts as an exit: back off, retry
            self._log(f"{program.name} could not start: {error}")
            return exited(state, Exit(at=time.time()), self.policy)
        # The pid a start returns (a service's): between fork and exec a new child still shows
        # its parent's command line, and the pid file's fingerprint check would miss it.
        pid = result if isinstance(result, int) else program.process.pid()
        if pid is None:
            return exited(state, Exit(at=time.time()), self.policy)
        if state.restarts:
            self._log(f"{program.name} started again (pid {pid})")
        return started(state, pid, time.time())

    def _write(self) -> None:
        self.state.updated_at = time.time()
        path = state_path(self.layout)
        partial = path.with_name(f".{path.name}.part")
        partial.write_text(self.state.model_dump_json(), encoding="utf-8")
        os.replace(partial, path)

    def _log(self, message: str) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        self.layout.logs.mkdir(parents=True, exist_ok=True)
        with (self.layout.logs / LOG_FILE).open("a", encoding="utf-8") as log:
            log.write(f"{stamp} {message}\n")
        self._say(message)

    def summary(self) -> list[str]:
        now = time.time()
        return [f"{name}: {describe(state, now)}" for name, state in self.state.programs.items()]


def _exit_of(pid: int, process: ManagedProcess, now: float) -> Exit | None:
    """None while `pid` runs; how it ended otherwise. The exit status is known for a child of
    this process (reaped here); for another's, only that it is gone."""
    child = started_child(pid)
    if child is not None:
        returncode = child.poll()
        if returncode is None:
            return None
        let_go(pid)
        if returncode < 0:  # Popen's way of saying "killed by that signal"
            return Exit(at=now, signal=-returncode)
        return Exit(at=now, code=returncode)
    try:
        reaped, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None if process.pid() == pid else Exit(at=now)
    if reaped == 0:
        return None
    if os.WIFSIGNALED(status):
        return Exit(at=now, signal=os.WTERMSIG(status))
    return Exit(at=now, code=os.WEXITSTATUS(status))


def stop_supervisor(layout: StackLayout, timeout: float = 120.0) -> bool:
    """Ask a running supervisor to stop (SIGTERM: it stops what it started) and wait for it;
    True when one was running."""
    process = supervisor_process(layout)
    pid = process.pid()
    if pid is None or pid == os.getpid():
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    # Until the process is gone, not only its pid file: it stops its programs after that.
    deadline = time.monotonic() + timeout
    while process.runs_as(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return True
