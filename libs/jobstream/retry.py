"""Retrying what a dependency refuses for now (`TransientError`), with a bound written down.

Every stage's output goes through one `RetryPolicy`, so where and how long a stage retries is
said in one place per service (its bootstrap). Errors of any other kind are not retried here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_delay,
    stop_never,
    wait_exponential,
)

from jobstream.errors import TransientError
from jobstream.logs import get_logger

log = get_logger(__name__)

R = TypeVar("R")


@dataclass
class RetryPolicy:
    """Exponential backoff from `first_wait` up to `max_wait` seconds between attempts.

    `give_up_after` seconds: then the last error propagates (the worker stops with the batch
    un-acknowledged, and it is read again after the restart). `None`: deliberately unbounded,
    for a dependency whose outage must be waited out, never turned into a crash loop.
    `waiting_for` says what an attempt failed on while retrying, for /readyz.
    """

    give_up_after: float | None
    first_wait: float = 0.2
    max_wait: float = 10.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    waiting_for: str | None = field(default=None, init=False)

    async def run(self, action: Callable[[], Awaitable[R]]) -> R:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TransientError),
            wait=wait_exponential(multiplier=self.first_wait, max=self.max_wait),
            stop=stop_never if self.give_up_after is None else stop_after_delay(self.give_up_after),
            sleep=self.sleep,
            before_sleep=self._failed,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                result = await action()
        self.waiting_for = None
        return result

    def _failed(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        self.waiting_for = str(error)  # a TransientError's message says what is unavailable
        log.warning("unavailable, retrying", error=str(error), attempt=state.attempt_number)
