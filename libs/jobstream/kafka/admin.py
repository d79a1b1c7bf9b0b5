"""Topic administration: topics are created explicitly at start-up (broker auto-create is off)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from jobstream.kafka.config import client_options
from jobstream.settings import KafkaSettings
from jobstream.topology import ALL_TOPICS, TopicSpec

log = logging.getLogger(__name__)

_TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno


async def ensure_topics(
    settings: KafkaSettings, specs: Iterable[TopicSpec] = ALL_TOPICS
) -> list[str]:
    """Create the topics that do not exist yet; return the names created. Safe to run twice."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=settings.topic(spec),
                num_partitions=settings.partitions,
                replication_factor=settings.replication_factor,
                topic_configs=dict(spec.config),
            )
            for spec in specs
            if settings.topic(spec) not in existing
        ]
        if not missing:
            return []
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


async def list_topics(settings: KafkaSettings) -> list[str]:
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        return sorted(await admin.list_topics())
    finally:
        await admin.close()


def _topic_errors(response: object) -> list[tuple[str, int, str | None]]:
    errors = getattr(response, "topic_errors", None) or getattr(response, "topic_error_codes", [])
    return [(item[0], item[1], item[2] if len(item) > 2 else None) for item in errors]
