"""Publishing events and dead letters with an idempotent producer, waiting for delivery."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from jobstream.contracts import DeadLetter, dead_letter_headers, encode
from jobstream.kafka.config import producer_options
from jobstream.settings import KafkaSettings
from jobstream.topology import DEAD_LETTERS, TopicSpec


class Publisher:
    """Sends events keyed by posting id; `publish` returns once Kafka acknowledged every one."""

    def __init__(self, settings: KafkaSettings) -> None:
        self._settings = settings
        self._producer: AIOKafkaProducer | None = None
        self._starting: asyncio.Lock | None = None

    async def start(self) -> None:
        """Connect (idempotent); aiokafka clients must be created inside the running loop."""
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._producer is None:
                producer = AIOKafkaProducer(**producer_options(self._settings))
                await producer.start()
                self._producer = producer

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    @property
    def producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise RuntimeError("Publisher.start() was not awaited")
        return self._producer

    async def __aenter__(self) -> Publisher:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def publish(self, spec: TopicSpec, events: Sequence[BaseModel]) -> None:
        topic = self._settings.topic(spec)
        deliveries = [
            await self.producer.send(topic, key=_key(event), value=encode(event))
            for event in events
        ]
        await asyncio.gather(*deliveries)

    async def publish_dead_letters(self, dead_letters: Sequence[DeadLetter]) -> None:
        topic = self._settings.topic(DEAD_LETTERS)
        deliveries = [
            await self.producer.send(
                topic,
                key=letter.key.encode("utf-8") if letter.key else None,
                value=encode(letter),
                headers=dead_letter_headers(letter),
            )
            for letter in dead_letters
        ]
        await asyncio.gather(*deliveries)

    async def is_connected(self) -> str | None:
        """Readiness check: None when the producer has (or can open) a broker connection.

        Known brokers alone are not enough: metadata outlives a broker that went away.
        """
        if self._producer is None:
            return "producer not started"
        client = self._producer.client
        brokers = client.cluster.brokers()
        if not brokers:
            return "no broker known"
        for broker in brokers:
            if await client.ready(broker.nodeId):
                return None
        return "no broker reachable"


def _key(event: BaseModel) -> bytes:
    posting_id = getattr(event, "posting_id", None)
    if not isinstance(posting_id, str):
        raise TypeError(f"{type(event).__name__} has no posting_id to key it by")
    return posting_id.encode("utf-8")
