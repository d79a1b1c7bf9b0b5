"""An admin client and a group-less consumer, started together on first use: what reads
offsets, group commits and cluster metadata without joining any consumer group (the stages'
own lag, the lag exporter's cluster snapshot)."""

from __future__ import annotations

import contextlib

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from jobstream.kafka.config import client_options
from jobstream.settings import KafkaSettings


class OffsetReaders:
    def __init__(self, settings: KafkaSettings, request_timeout_ms: int) -> None:
        self._settings = settings
        self._timeout = request_timeout_ms
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        """Both clients, started now if they are not (a failed start leaves neither open)."""
        if self._admin is None or self._consumer is None:
            options = client_options(self._settings)
            admin = AIOKafkaAdminClient(**options, request_timeout_ms=self._timeout)
            consumer = AIOKafkaConsumer(
                **options, enable_auto_commit=False, request_timeout_ms=self._timeout
            )
            try:
                await admin.start()
                await consumer.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await consumer.stop()
                with contextlib.suppress(Exception):
                    await admin.close()
                raise
            self._admin, self._consumer = admin, consumer
        return self._admin, self._consumer

    async def close(self) -> None:
        """Stop both; the next `clients()` starts them again."""
        admin, consumer = self._admin, self._consumer
        self._admin = self._consumer = None
        if consumer is not None:
            await consumer.stop()
        if admin is not None:
            await admin.close()
