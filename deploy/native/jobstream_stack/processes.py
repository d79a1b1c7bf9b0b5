"""Background processes with pid files: started once, found again, stopped cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# The children this process started, held so that none is garbage-collected while it runs: a
# dropped Popen of a running child joins subprocess's list of children to clean up, and the next
# Popen made anywhere in this process reaps it there, its exit status lost to whoever waits for
# it (the supervisor, which says how a program ended). Polled instead of waited for by pid.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def started_child(pid: int) -> subprocess.Popen[bytes] | None:
    """The Popen of a child this process started and nobody has let go of yet, else None."""
    return _CHILDREN.get(pid)


def let_go(pid: int) -> None:
    """Forget a child once its end is known (its status is in its Popen's returncode)."""
    _CHILDREN.pop(pid, None)


@dataclass(frozen=True)
class ManagedProcess:
    name: str
    pid_file: Path
    log_file: Path
    # A word of the command line that identifies the process, so a stale pid file whose pid
    # was reused by another program is not mistaken for ours.
    fingerprint: str

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().split("\n", 1)[0].strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _is_running(pid, self.fingerprint) else None

    def is_running(self) -> bool:
        return self.pid() is not None

    def runs_as(self, pid: int) -> bool:
        """`pid` is alive and is this program (whatever its pid file says now)."""
        return _is_running(pid, self.fingerprint)

    def has_exited(self) -> bool:
        """True once a process this run started is gone.

        Unlike `is_running`, this does not check the command line: between fork and exec a new
        child still shows its parent's command line, and would look like someone else.
        """
        try:
            pid = int(self.pid_file.read_text().split("\n", 1)[0].strip())
        except (FileNotFoundError, ValueError):
            return True
        return not _is_alive(pid)

    def start(
        self, argv: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> int:
        """Start in the background (own session, output to the log); no-op when running."""
        running = self.pid()
        if running is not None:
            return running
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                start_new_session=True,
            )
        _CHILDREN[process.pid] = process
        self.pid_file.write_text(f"{process.pid}\n")
        _wait_until_exec_shows(process.pid)
        return process.pid

    def stop(self, timeout: float = 30.0) -> bool:
        """SIGTERM, then SIGKILL after `timeout`; True when it was running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _is_running(pid, self.fingerprint):
            time.sleep(0.1)
        if _is_running(pid, self.fingerprint):
            _signal(pid, signal.SIGKILL)
            while _is_running(pid, self.fingerprint):
                time.sleep(0.05)
        let_go(pid)
        self.pid_file.unlink(missing_ok=True)
        return True

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log yet)"


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM), in MB; None when it is gone."""
    try:
        status = (Path("/proc") / str(pid) / "status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def _signal(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _is_running(pid: int, fingerprint: str) -> bool:
    if not _is_alive(pid):
        return False
    try:
        cmdline = (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return fingerprint in cmdline.replace(b"\0", b" ").decode(errors="replace")


def _wait_until_exec_shows(pid: int, timeout: float = 5.0) -> None:
    """Wait until the new program's command line is readable, or it has ended.

    Popen returns once exec has begun, but for a moment after that /proc shows an empty command
    line; until it shows the program's own, `pid()` would not know it as ours, and a second
    `start()` at that moment would start a second copy.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _is_alive(pid):
        try:
            if (Path("/proc") / str(pid) / "cmdline").read_bytes():
                return
        except (FileNotFoundError, ProcessLookupError):
            return
        time.sleep(0.001)


def _is_alive(pid: int) -> bool:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
        state = stat.rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    if state == "Z":  # exited, waiting to be reaped by its parent
        _reap(pid)
        return False
    return True


def _reap(pid: int) -> None:
    child = started_child(pid)
    if child is not None:
        child.poll()  # its status kept in the Popen, for the supervisor
        return
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
