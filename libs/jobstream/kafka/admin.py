"""Topic administration: topics are created explicitly at start-up (broker auto-create is off)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from tenacity import (
    AsyncRetrying,
    before_sleep_log,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential,
)

from jobstream.errors import TransientError
from jobstream.kafka.config import client_options
from jobstream.settings import KafkaSettings
from jobstream.topology import ALL_TOPICS, TopicSpec, replication_for

log = logging.getLogger(__name__)

_TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno
DELETE_WAIT_POLLS = 300  # 0.1 s apart: deletion is asynchronous on the broker


async def ensure_topics(
    settings: KafkaSettings, specs: Iterable[TopicSpec] = ALL_TOPICS
) -> list[str]:
    """Create the topics that do not exist yet; return the names created. Safe to run twice."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    try:
        # start() inside the try: a broker that refuses the connection must not leak the client.
        await admin.start()
        existing = set(await admin.list_topics())
        wanted = [spec for spec in specs if settings.topic(spec) not in existing]
        if not wanted:
            return []
        brokers = len((await admin.describe_cluster())["brokers"])
        replication = replication_for(brokers, settings.replication_factor)
        missing = [
            NewTopic(
                name=settings.topic(spec),
                num_partitions=settings.partitions,
                replication_factor=replication.factor,
                topic_configs={
                    **spec.config,
                    "min.insync.replicas": str(replication.min_insync),
                },
            )
            for spec in wanted
        ]
        response = await admin.create_topics(missing)
        created = []
        for name, code, message in _topic_errors(response):
            if code == 0:
                created.append(name)
            elif code != _TOPIC_ALREADY_EXISTS:  # another process created it meanwhile
                raise RuntimeError(f"cannot create topic {name}: error {code} {message}")
        log.info("created topics %s", created)
        return created
    finally:
        await admin.close()


async def wait_for_topics(
    settings: KafkaSettings, specs: Iterable[TopicSpec] = ALL_TOPICS, give_up_after: float = 120.0
) -> None:
    """Create the topics and wait until the broker lists every one of them.

    A service may start while the broker is still booting or restarting (a supervisor starts
    everything at once; a crashed broker comes back): connection errors are retried with
    backoff for up to `give_up_after` seconds instead of crashing the service at start-up.
    """
    specs = list(specs)
    wanted = {settings.topic(spec) for spec in specs}
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type((KafkaError, OSError, TopicsMissing)),
        wait=wait_exponential(multiplier=0.2, max=3),
        stop=stop_after_delay(give_up_after),
        before_sleep=before_sleep_log(log, logging.WARNING),
        reraise=True,
    ):
        with attempt:
            await ensure_topics(settings, specs)
            missing = wanted - set(await list_topics(settings))
            if missing:  # created, but the broker's metadata does not show them yet
                raise TopicsMissing(sorted(missing))


class TopicsMissing(TransientError):
    def __init__(self, names: list[str]) -> None:
        super().__init__(f"topics not listed by the broker yet: {', '.join(names)}")


async def list_topics(settings: KafkaSettings) -> list[str]:
    admin = AIOKafkaAdminClient(**client_options(settings))
    try:
        await admin.start()
        return sorted(await admin.list_topics())
    finally:
        await admin.close()


async def delete_namespace_topics(settings: KafkaSettings) -> list[str]:
    """Delete every topic of the settings' namespace (tests and benchmarks clean up after them).

    Each partition holds open files on the broker; namespaces left behind by thousands of test
    runs once exhausted a long-lived dev broker's file limit. Refuses the empty namespace, which
    would mean every topic of the cluster.
    """
    if not settings.namespace:
        raise ValueError("refusing to delete topics without a namespace")
    prefix = f"{settings.namespace}."
    admin = AIOKafkaAdminClient(**client_options(settings))
    try:
        await admin.start()
        names = [name for name in await admin.list_topics() if name.startswith(prefix)]
        if names:
            await admin.delete_topics(names)
            # Deletion is asynchronous on the broker; return once the listing no longer shows
            # them, so a caller's next listing is not surprised.
            for _ in range(DELETE_WAIT_POLLS):
                if not set(names) & set(await admin.list_topics()):
                    break
                await asyncio.sleep(0.1)
        return names
    finally:
        await admin.close()


def _topic_errors(response: object) -> list[tuple[str, int, str | None]]:
    errors = getattr(response, "topic_errors", None) or getattr(response, "topic_error_codes", [])
    return [(item[0], item[1], item[2] if len(item) > 2 else None) for item in errors]
