"""The dead-letter brake: a stage that fails on everything stops, instead of dead-lettering it all.

A bad deploy (a bug that raises on every posting) or a broken producer upstream (records that
are not the events the stage reads) would otherwise route every record to the dead-letter
topic while the stage looks healthy. The brake counts those **faults**: records that failed
with an unexpected exception (`processing_error`) or as an invalid event. It engages when

- `consecutive` records in a row were faults (0 turns this test off), or
- more than `ratio` of the last `window` records were faults (tested once `window` records
  have been seen).

Verdicts on the input (the parser's "not a posting", PostgreSQL refusing one row's value) are
the product working, not a fault: they never engage it (their share still alerts, through
`JobstreamErrorRatioHigh`).

Engaged, the stage stops where it is: the batch in hand is neither dead-lettered nor
acknowledged, /readyz answers 503 with the reason, `jobstream_dead_letter_brake_engaged` is 1
and `JobstreamDeadLetterBrakeEngaged` fires (docs/runbooks.md). Nothing is lost: after the
fix, a restart reads the held records again. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class BrakeLimits:
    consecutive: int = 100
    window: int = 1_000
    ratio: float = 0.5


class DeadLetterBrake:
    def __init__(self, limits: BrakeLimits) -> None:
        self.limits = limits
        self._recent: deque[bool] = deque(maxlen=limits.window)
        self._faults_in_window = 0
        self._run = 0
        self.engaged: str | None = None  # why, once engaged

    def observe(self, faults: Iterable[bool]) -> str | None:
        """Record, in order, whether each record was a fault; the reason once engaged."""
        limits = self.limits
        for fault in faults:
            if len(self._recent) == limits.window:
                self._faults_in_window -= self._recent[0]
            self._recent.append(fault)
            self._faults_in_window += fault
            self._run = self._run + 1 if fault else 0
            if self.engaged is None:
                self.engaged = self._limit_passed()
        return self.engaged

    def _limit_passed(self) -> str | None:
        limits = self.limits
        if limits.consecutive and self._run >= limits.consecutive:
            return f"dead-letter brake: {self._run} records in a row failed"
        full = len(self._recent) == limits.window
        if full and self._faults_in_window > limits.ratio * limits.window:
            return (
                f"dead-letter brake: {self._faults_in_window} of the last {limits.window}"
                " records failed"
            )
        return None
