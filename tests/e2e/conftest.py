"""The `pipeline` fixture: the four services as processes, isolated for one test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jobstream.settings import KafkaSettings, PostgresSettings
from tests.e2e.pipeline import Pipeline, run_pipeline


@pytest.fixture
def pipeline(
    kafka_settings: KafkaSettings, database: PostgresSettings, tmp_path: Path
) -> Iterator[Pipeline]:
    yield from run_pipeline(kafka_settings, database, tmp_path / "state")
