"""Measuring helpers shared by the benchmark modules."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

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
