"""Faust adapter for the consuming stages: batches in, outputs delivered, then acks.

Acks are manual (`noack_take`): a batch is acknowledged only after everything it produced was
delivered (or written to PostgreSQL). A transient failure crashes the worker with the batch
un-acked, so its offsets are never committed and the batch is read again after the restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import faust
from faust.auth import Credentials, SASLCredentials, SSLCredentials
from mode import CrashingSupervisor

from jobstream.kafka.config import COMPRESSION, sasl_password, ssl_context
from jobstream.settings import KafkaSettings, ServiceSettings
from jobstream.stages import Record
from jobstream.topology import MAX_RECORD_BYTES, Stage, TopicSpec

PREFETCH_BYTES_PER_PARTITION = 1024 * 1024
STREAM_BUFFER = 1_000


def build_faust_app(stage: Stage, settings: ServiceSettings) -> faust.App:
    """A faust app whose id is the stage's consumer group (namespaced)."""
    kafka = settings.kafka
    app_id = kafka.group(stage)
    datadir = settings.runtime.state_dir / "faust" / app_id
    datadir.parent.mkdir(parents=True, exist_ok=True)
    brokers = ";".join(f"kafka://{server}" for server in kafka.bootstrap_servers.split(","))
    return faust.App(
        app_id,
        broker=brokers,
        # faust builds its consumer and producer itself: the security settings reach them
        # only through its credentials (it ignores aiokafka options given any other way).
        broker_credentials=faust_credentials(kafka),
        # The ops endpoints are served by jobstream.ops_http; faust's own web server stays off.
        web_enabled=False,
        # Topics are created explicitly (jobstream.kafka.admin), never implicitly by a client.
        topic_allow_declare=False,
        topic_disable_leader=True,
        datadir=str(datadir),
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        producer_compression_type=COMPRESSION,
        producer_max_request_size=MAX_RECORD_BYTES,
        # Prefetch per partition. Kafka returns a record larger than this whole (fetch v3+,
        # KIP-74), so it bounds memory, not record size: 8 MiB a partition let a stage buffer
        # tens of MB of postings it could not process any sooner (docs/benchmarks.md).
        consumer_max_fetch_size=PREFETCH_BYTES_PER_PARTITION,
        # Events buffered between the consumer and the agent: two batches' worth keeps the
        # agent fed without holding thousands of decoded postings (faust's default: 4096).
        stream_buffer_maxsize=STREAM_BUFFER,
        broker_commit_interval=1.0,
        # A killed worker's partitions move to the others after this long (faust's default is
        # 60 s); heartbeats every 3 s keep a live but busy worker in the group.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=3.0,
        stream_wait_empty=True,
        key_serializer="raw",
        value_serializer="raw",
    )


def faust_credentials(kafka: KafkaSettings) -> Credentials | None:
    """The same security as `client_options` gives aiokafka clients, as faust credentials
    (None: PLAINTEXT)."""
    context = ssl_context(kafka)
    if kafka.security_protocol.startswith("SASL_"):
        return SASLCredentials(
            username=kafka.sasl_username,
            password=sasl_password(kafka),
            mechanism=kafka.sasl_mechanism,
            ssl_context=context,  # SASL_SSL when given, SASL_PLAINTEXT when None
        )
    if context is not None:
        return SSLCredentials(context)
    return None


def source_topic(app: faust.App, settings: ServiceSettings, spec: TopicSpec) -> Any:
    return app.topic(settings.kafka.topic(spec), key_type=bytes, value_type=bytes, internal=False)


# Does a batch's side effects (publish, write); returns only when they are durable.
BatchHandler = Callable[[Sequence[Record]], Awaitable[None]]


def add_batch_agent(
    app: faust.App,
    topic: Any,
    handle: BatchHandler,
    *,
    batch_size: int,
    batch_seconds: float,
) -> None:
    """Consume `topic` in batches; `handle` must finish its side effects before returning."""

    async def consume(stream: Any) -> None:
        manual = stream.noack()
        async for events in manual.noack_take(batch_size, within=batch_seconds):
            await handle([_record(event) for event in events])
            for event in events:
                await manual.ack(event)

    app.agent(topic, name="consume", supervisor_strategy=CrashingSupervisor)(consume)


def _record(event: Any) -> Record:
    message = event.message
    return Record(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=message.value,
        timestamp_ms=int(message.timestamp * 1000) if message.timestamp else None,
        headers=tuple(message.headers or ()),
    )
