"""Fixtures shared by the test tiers.

Tests that need servers use the project's native stack (started here, or reused when it is
already up) and isolate themselves: a Kafka namespace (topic and group prefix) and a database
of their own, both with random names, so tests never see each other's data.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from jobstream.kafka.admin import delete_namespace_topics
from jobstream.settings import KafkaSettings, PostgresSettings, RuntimeSettings
from jobstream_stack.kafka import KafkaBroker
from jobstream_stack.layout import StackLayout
from jobstream_stack.postgres import SUPERUSER, PostgresServer, drop_database, ensure_database
from jobstream_stack.settings import StackSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
SEEDS = REPO_ROOT / "seeds"


@pytest.fixture(scope="session")
def native_stack() -> Iterator[StackLayout]:
    """Kafka and PostgreSQL of the native stack, running (started when they were not)."""
    layout = StackLayout(RuntimeSettings().state_dir)
    layout.create()
    settings = StackSettings()
    KafkaBroker(layout, KafkaSettings(), settings).start()
    PostgresServer(layout, PostgresSettings(), settings).start()
    yield layout


@pytest.fixture
async def kafka_settings(native_stack: StackLayout) -> AsyncIterator[KafkaSettings]:
    """Kafka settings with a namespace of this test's own; its topics are deleted after."""
    settings = KafkaSettings(namespace=f"test-{uuid.uuid4().hex[:10]}")
    yield settings
    await delete_namespace_topics(settings)


@pytest.fixture
async def database(native_stack: StackLayout) -> AsyncIterator[PostgresSettings]:
    """A fresh database owned by the owner role, dropped after the test."""
    base = PostgresSettings()
    server = PostgresServer(native_stack, base, StackSettings())
    admin = await asyncpg.connect(
        host=base.host,
        port=base.port,
        user=SUPERUSER,
        password=server.superuser_password(),
        database="postgres",
    )
    name = f"jobstream_test_{uuid.uuid4().hex[:10]}"
    try:
        await ensure_database(admin, name, base.owner_user)
        yield base.model_copy(update={"database": name})
    finally:
        await drop_database(admin, name)
        await admin.close()


@pytest.fixture
async def pg(database: PostgresSettings) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the test's database as the owner (it may migrate)."""
    conn = await asyncpg.connect(**database.owner_connect_kwargs())
    try:
        yield conn
    finally:
        await conn.close()
