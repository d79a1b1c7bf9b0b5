"""The --rate limit: aiolimiter's leaky bucket, shaped so bursts stay short."""

from __future__ import annotations

import asyncio
from typing import Final

from aiolimiter import AsyncLimiter

# A burst may hold this long's worth of records: the rate holds over any tenth of a second,
# not only on average over a whole one.
BURST_SECONDS: Final = 0.1


def bucket(rate: float) -> tuple[float, float]:
    """(capacity, period) of a leaky bucket letting `rate` records/s through.

    The capacity is at least one record, because each acquisition takes one: below
    10 records/s the period grows instead (0.5/s: one record per 2 s).
    """
    if rate <= 0:
        raise ValueError("the rate must be above 0")
    capacity = max(1.0, rate * BURST_SECONDS)
    return capacity, capacity / rate


class RateLimit:
    """`await wait()` before each record; returns the seconds it waited (0 when unlimited)."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self._limiter = AsyncLimiter(*bucket(rate)) if rate else None

    async def wait(self) -> float:
        if self._limiter is None:
            return 0.0
        loop = asyncio.get_running_loop()
        started = loop.time()
        await self._limiter.acquire()
        return loop.time() - started
