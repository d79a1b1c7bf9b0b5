"""Fixtures that run the services as processes, isolated for one test."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from jobstream.settings import KafkaSettings, PostgresSettings
from jobstream_stack.layout import StackLayout
from jobstream_stack.services import SERVICES
from tests.e2e.harness import Services, StartServices, fast_ops_env


@pytest.fixture
def start_services(
    kafka_settings: KafkaSettings, database: PostgresSettings, tmp_path: Path
) -> StartServices:
    """Runs the named services with extra settings, in this test's state folder, Kafka
    namespace and database, for the duration of a `with` block."""

    @contextmanager
    def start(names: Iterable[str], extra_env: Mapping[str, str]) -> Iterator[Services]:
        services = Services(
            StackLayout(tmp_path / "state"), kafka_settings, database, extra_env=dict(extra_env)
        )
        with services.running(names):
            yield services

    return start


@pytest.fixture
def pipeline(start_services: StartServices) -> Iterator[Services]:
    """Every service, ingest settling files quickly and the views refreshed every second."""
    env = {"JOBSTREAM_INGEST_STABLE_SECONDS": "0.2", "JOBSTREAM_STORE_VIEWS_REFRESH_SECONDS": "1"}
    with start_services(SERVICES, env) as services:
        yield services


@pytest.fixture
def ops_pipeline(start_services: StartServices) -> Iterator[Services]:
    """Every service, each stage measuring its lag every second."""
    with start_services(SERVICES, fast_ops_env()) as services:
        yield services
