"""What the supervisor decides, and what it tells `jobstream status` (pure: no processes here).

A program that exits is started again after a backoff that doubles from `first_backoff` up to
`max_backoff`, and starts over once the program stayed up for `healthy_after` seconds. A
program restarted `crash_loop_restarts` times within `crash_loop_window` seconds is
*crash-looping*: it is still retried (at the longest backoff), and reported, never hidden.

The supervisor writes a `SupervisorState` to `<state>/run/supervisor.json` whenever something
changes, and at least every `heartbeat` seconds, so a reader can tell a live supervisor from
the record of a dead one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ProgramStatus = Literal["running", "restarting", "crash-looping", "stopped"]


@dataclass(frozen=True)
class RestartPolicy:
    first_backoff: float = 1.0
    max_backoff: float = 60.0
    healthy_after: float = 60.0
    crash_loop_restarts: int = 5
    crash_loop_window: float = 300.0
    heartbeat: float = 5.0


class Exit(BaseModel):
    """How a program ended: its exit code, or the signal that killed it (when known)."""

    model_config = ConfigDict(frozen=True)

    at: float
    code: int | None = None
    signal: int | None = None

    def describe(self) -> str:
        if self.signal is not None:
            return f"killed by signal {self.signal}"
        if self.code is not None:
            return f"exited with code {self.code}"
        return "exited"


class ProgramState(BaseModel):
    """One supervised program, as the supervisor sees it."""

    name: str
    status: ProgramStatus = "stopped"
    pid: int | None = None
    started_at: float | None = None
    restarts: int = 0
    restart_times: list[float] = Field(default_factory=list)  # within the crash-loop window
    backoff: float = 0.0
    next_start_at: float | None = None
    last_exit: Exit | None = None


class SupervisorState(BaseModel):
    pid: int
    started_at: float
    updated_at: float
    heartbeat_seconds: float
    programs: dict[str, ProgramState] = Field(default_factory=dict)

    def is_live(self, now: float) -> bool:
        """The supervisor wrote lately (three heartbeats' grace)."""
        return now - self.updated_at <= 3 * self.heartbeat_seconds


def started(state: ProgramState, pid: int, now: float) -> ProgramState:
    status: ProgramStatus = "crash-looping" if state.status == "crash-looping" else "running"
    return state.model_copy(
        update={"status": status, "pid": pid, "started_at": now, "next_start_at": None}
    )


def exited(state: ProgramState, how: Exit, policy: RestartPolicy) -> ProgramState:
    """The program ended: when to start it again, and whether it is crash-looping."""
    now = how.at
    up_for = now - state.started_at if state.started_at is not None else 0.0
    if up_for >= policy.healthy_after:
        backoff = policy.first_backoff
    else:
        backoff = min(max(state.backoff * 2, policy.first_backoff), policy.max_backoff)
    recent = [t for t in state.restart_times if now - t <= policy.crash_loop_window] + [now]
    looping = len(recent) >= policy.crash_loop_restarts
    if looping:
        backoff = policy.max_backoff
    return state.model_copy(
        update={
            "status": "crash-looping" if looping else "restarting",
            "pid": None,
            "restarts": state.restarts + 1,
            "restart_times": recent,
            "backoff": backoff,
            "next_start_at": now + backoff,
            "last_exit": how,
        }
    )


def calmed(state: ProgramState, now: float, policy: RestartPolicy) -> ProgramState:
    """A crash-looping program that has now stayed up long enough is running again."""
    if state.status != "crash-looping" or state.started_at is None:
        return state
    if now - state.started_at < policy.healthy_after:
        return state
    return state.model_copy(update={"status": "running", "restart_times": [], "backoff": 0.0})


def due(state: ProgramState, now: float) -> bool:
    return state.pid is None and state.next_start_at is not None and now >= state.next_start_at


def describe(state: ProgramState, now: float) -> str:
    """One line for a person: what the program does now and how it got there."""
    if state.status == "running":
        text = f"running (pid {state.pid})"
    elif state.status == "stopped":
        text = "stopped"
    else:
        wait = max((state.next_start_at or now) - now, 0.0)
        doing = f"restarting in {wait:.0f} s" if state.pid is None else f"pid {state.pid}"
        text = f"{state.status}: {doing}"
    if state.restarts:
        text += f", {state.restarts} restart{'s' if state.restarts != 1 else ''}"
    if state.last_exit is not None:
        text += f", last {state.last_exit.describe()}"
    return text


def problems(state: SupervisorState | None, now: float) -> Mapping[str, str]:
    """Programs a person must hear about: crash-looping ones, or a supervisor gone silent."""
    if state is None:
        return {}
    if not state.is_live(now):
        return {"supervisor": f"pid {state.pid} stopped writing its state: not supervising"}
    return {
        name: describe(program, now)
        for name, program in state.programs.items()
        if program.status == "crash-looping"
    }
