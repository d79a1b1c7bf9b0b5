"""What a consuming stage's `bootstrap(settings)` builds, and the wiring parser and tagger share.

A bootstrap is a service's composition root: it builds the real adapters from the settings
(or takes the fakes a test passes), the stage core, and says how long its output is retried.
`jobstream.kafka.worker.run_stage_worker` then runs the result; nothing else builds clients.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from jobstream.brake import BrakeLimits, DeadLetterBrake
from jobstream.kafka.publisher import Publisher
from jobstream.ops_http import ReadinessCheck
from jobstream.ports import Clock, DeadLetterSink, EventSink
from jobstream.retry import RetryPolicy
from jobstream.settings import StageSettings
from jobstream.stages import BatchOutcome, Record, StageCore
from jobstream.topology import Stage, TopicSpec

E = TypeVar("E", bound=BaseModel)


class Resource(Protocol):
    """Something a stage opens before consuming and closes after (a producer, a pool)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class StageService:
    """A consuming stage, wired: its core, what to open and close, and its readiness checks."""

    stage: Stage
    settings: StageSettings
    core: StageCore[Any]
    resources: Sequence[Resource] = ()
    checks: dict[str, ReadinessCheck] = field(default_factory=dict)
    # Long-running side work of the stage (the store's search indexer).
    background: Sequence[Callable[[], Awaitable[None]]] = ()

    def __post_init__(self) -> None:
        core = self.core

        async def brake() -> str | None:
            return core.brake.engaged

        self.checks.setdefault("dead_letter_brake", brake)


@dataclass(frozen=True)
class KafkaPorts:
    """A stage's event and dead-letter sinks: one real `Publisher` unless a test gave fakes."""

    events: EventSink
    dead_letters: DeadLetterSink
    publisher: Publisher | None

    @classmethod
    def for_settings(
        cls,
        settings: StageSettings,
        events: EventSink | None = None,
        dead_letters: DeadLetterSink | None = None,
    ) -> KafkaPorts:
        if events is not None and dead_letters is not None:
            return cls(events, dead_letters, None)
        publisher = Publisher(settings.kafka)
        return cls(events or publisher, dead_letters or publisher, publisher)

    @property
    def resources(self) -> list[Resource]:
        return [self.publisher] if self.publisher else []

    def checks(self) -> dict[str, ReadinessCheck]:
        return {"kafka_producer": self.publisher.is_connected} if self.publisher else {}


@dataclass(frozen=True)
class PublishTo:
    """The output of parser and tagger: their events, to their output topic."""

    sink: EventSink
    topic: TopicSpec

    async def deliver(self, items: Sequence[BaseModel]) -> None:
        await self.sink.publish(self.topic, items)


def brake_for(settings: StageSettings) -> DeadLetterBrake:
    return DeadLetterBrake(
        BrakeLimits(settings.brake_consecutive, settings.brake_window, settings.brake_ratio)
    )


def publishing_stage(
    stage: Stage,
    settings: StageSettings,
    process: Callable[[Record], E],
    *,
    events: EventSink,
    dead_letters: DeadLetterSink,
    clock: Clock,
    on_outcome: Callable[[BatchOutcome[E]], None] | None = None,
) -> StageCore[E]:
    """The core of a stage that publishes one event per record (parser, tagger)."""
    if stage.writes is None:
        raise ValueError(f"stage {stage.name} has no output topic to publish to")
    return StageCore(
        name=stage.name,
        process=process,
        output=PublishTo(events, stage.writes),
        dead_letters=dead_letters,
        brake=brake_for(settings),
        # Kafka errors are not TransientError: aiokafka retries each send within its own
        # request timeout, and an error after that stops the worker with the batch
        # un-acknowledged (bounded; the supervisor restarts it and the batch is read again).
        retry=RetryPolicy(give_up_after=0),
        clock=clock,
        on_outcome=on_outcome,
    )
