"""The `pipeline` fixture: the four services as processes, isolated for one test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jobstream.settings import KafkaSettings, PostgresSettings
from jobstream_stack.layout import StackLayout
from jobstream_stack.services import SERVICES
from tests.e2e.harness import Services


@pytest.fixture
def pipeline(
    kafka_settings: KafkaSettings, database: PostgresSettings, tmp_path: Path
) -> Iterator[Services]:
    services = Services(
        StackLayout(tmp_path / "state"),
        kafka_settings,
        database,
        extra_env={
            "JOBSTREAM_INGEST_STABLE_SECONDS": "0.2",
            "JOBSTREAM_STORE_VIEWS_REFRESH_SECONDS": "1",
        },
    )
    with services.running(SERVICES):
        yield services
