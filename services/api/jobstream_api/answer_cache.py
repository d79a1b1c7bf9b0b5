"""Answers kept for the version of the data they were made from.

Two parts of an answer are costly to make again and change rarely:
- a search's result items (a posting's places and skills, aggregated into JSON by
  PostgreSQL): kept under the posting's id with its `last_updated`, which the store changes
  whenever it rewrites the posting and its skills, so a rewritten posting is built again on its
  next listing; and for `ttl_seconds` at most, so what changes beside the posting (a skill's
  name in a new taxonomy, a near-duplicate cluster) shows within that time;
- a statistics answer: kept under its query with the views' refresh time, which changes when
  the store refreshes the views (the only time the answer can change).
The least recently used entry goes first when `max_items` are held.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class VersionedCache(Generic[Value]):
    def __init__(
        self,
        max_items: int,
        ttl_seconds: float = math.inf,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_items = max_items
        self._ttl = ttl_seconds
        self._clock = clock
        # key -> (the data's version, when kept, the value)
        self._entries: OrderedDict[Hashable, tuple[object, float, Value]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, version: object) -> Value | None:
        """The value kept for this version of its data, if still fresh."""
        held = self._entries.get(key)
        if held is None:
            return None
        kept_version, kept_at, value = held
        if kept_version != version or self._clock() - kept_at > self._ttl:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, version: object, value: Value) -> None:
        if self._max_items <= 0:
            return
        self._entries[key] = (version, self._clock(), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_items:
            self._entries.popitem(last=False)
