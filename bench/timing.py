"""Measuring helpers shared by the benchmark modules."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple, TypeVar

T = TypeVar("T")


def per_second(items: Sequence[T], work: Callable[[T], object], min_seconds: float = 1.0) -> float:
    """Items processed per second on this core: whole passes over `items` for `min_seconds`."""
    done = 0
    started = time.perf_counter()
    while True:
        for item in items:
            work(item)
        done += len(items)
        elapsed = time.perf_counter() - started
        if elapsed >= min_seconds:
            return round(done / elapsed, 1)


class Rates(NamedTuple):
    """Items per second over several passes: CPU time (best and median pass) and wall clock."""

    cpu_best: float
    cpu_median: float
    wall_best: float


def rates(items: Sequence[T], work: Callable[[T], object], passes: int = 5) -> Rates:
    """Time `passes` whole passes over `items` (after one warm-up pass) on this core.

    CPU time (`time.process_time`) is what this process used: other processes on a shared
    machine do not inflate it, as they do wall-clock time. The best pass is the least
    disturbed one (caches, frequency); the median shows the spread.
    """
    for item in items:
        work(item)
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(passes):
        gc.collect()  # every pass starts from the same heap
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        for item in items:
            work(item)
        cpu.append(time.process_time() - cpu_started)
        wall.append(time.perf_counter() - wall_started)
    count = len(items)
    return Rates(
        round(count / min(cpu), 1),
        round(count / statistics.median(cpu), 1),
        round(count / min(wall), 1),
    )
