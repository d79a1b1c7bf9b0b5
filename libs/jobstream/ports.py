"""The ports: what the stage cores need from the world, as `Protocol`s.

Real adapters implement them (`jobstream.kafka.publisher.Publisher` publishes to Kafka); the
unit tests use fakes of these same ports (`tests/fakes.py`), never mocks of client libraries.
A service's `bootstrap(settings)` wires the real ones; a test passes fakes to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from pydantic import BaseModel

from jobstream.contracts import DeadLetter
from jobstream.topology import TopicSpec


class EventSink(Protocol):
    """Publishes events keyed by their posting id; returns once every one is durable."""

    async def publish(self, spec: TopicSpec, events: Sequence[BaseModel]) -> None: ...


class DeadLetterSink(Protocol):
    """Publishes dead letters to the dead-letter topic; returns once every one is durable."""

    async def publish_dead_letters(self, dead_letters: Sequence[DeadLetter]) -> None: ...


class Clock(Protocol):
    """Where time matters (a dead letter's `failed_at`, the tagger's `tagged_at`)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The clock of the machine, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
