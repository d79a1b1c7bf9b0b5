"""A private Kafka broker and PostgreSQL cluster for tests that kill or restart the servers.

The shared stack (`JOBSTREAM_STATE_DIR`) serves every test and every helper on the machine;
a test that stops the broker or the database must not touch it. `private_stack()` starts the
project's own managers (`KafkaBroker`, `PostgresServer`) on free 127.0.0.1 ports with a state
folder in a temporary directory, and always tears everything down (processes stopped, folder
removed), also when the test fails.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jobstream.settings import KafkaSettings, PostgresSettings, RuntimeSettings
from jobstream_stack.kafka import KafkaBroker
from jobstream_stack.layout import StackLayout
from jobstream_stack.postgres import PostgresServer
from jobstream_stack.settings import StackSettings
from jobstream_stack.system import free_port

log = logging.getLogger(__name__)


@dataclass
class PrivateStack:
    root: Path
    layout: StackLayout
    kafka: KafkaSettings
    postgres: PostgresSettings
    broker: KafkaBroker
    database: PostgresServer

    def restart_kafka(self) -> None:
        """Stop the broker (SIGTERM, as an operator or a host reboot would) and start it."""
        self.broker.stop()
        self.broker.start()

    def stop_postgres(self) -> None:
        self.database.stop()

    def start_postgres(self) -> None:
        self.database.start()


def _share_kafka_jars(layout: StackLayout, version: str) -> None:
    """Link the jars the shared stack already resolved, instead of running Maven again."""
    shared = RuntimeSettings().state_dir / "kafka" / "libs"
    if (shared / f"kafka_2.13-{version}.jar").exists():
        layout.kafka.mkdir(parents=True, exist_ok=True)
        (layout.kafka / "libs").symlink_to(shared.resolve(), target_is_directory=True)


@contextlib.contextmanager
def private_stack(
    kafka_partitions: int = 6, kafka_port: int | None = None, with_postgres: bool = True
) -> Iterator[PrivateStack]:
    """Kafka (on `kafka_port`, or a free one) and, unless told not to, PostgreSQL."""
    root = Path(tempfile.mkdtemp(prefix="jobstream-private-"))
    layout = StackLayout(root)
    layout.create()
    stack = StackSettings(kafka_controller_port=free_port(), kafka_heap_mb=384)
    kafka = KafkaSettings(
        bootstrap_servers=f"127.0.0.1:{kafka_port or free_port()}", partitions=kafka_partitions
    )
    postgres = PostgresSettings(port=free_port())
    broker = KafkaBroker(layout, kafka, stack)
    database = PostgresServer(layout, postgres, stack)
    try:
        _share_kafka_jars(layout, stack.kafka_version)
        broker.start()
        if with_postgres:
            database.start()
        yield PrivateStack(root, layout, kafka, postgres, broker, database)
    finally:
        # Each step on its own: a failure to stop one server must not leave the other running.
        for what, teardown in (("Kafka", broker.stop), ("PostgreSQL", database.destroy)):
            try:
                teardown()
            except Exception:
                log.exception("could not stop the private %s", what)
                if what == "Kafka":
                    broker.process.stop(timeout=5)
        shutil.rmtree(root, ignore_errors=True)
