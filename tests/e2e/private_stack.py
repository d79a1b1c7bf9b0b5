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
from jobstream_stack.kafka import KafkaBroker, KafkaCluster, Node, link_jars
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
    cluster: KafkaCluster | None = None  # with brokers > 1; `broker` is then its first node

    def restart_kafka(self) -> None:
        """Stop the broker (SIGTERM, as an operator or a host reboot would) and start it."""
        self.broker.stop()
        self.broker.start()

    def stop_postgres(self) -> None:
        self.database.stop()

    def start_postgres(self) -> None:
        self.database.start()


@contextlib.contextmanager
def private_stack(
    kafka_partitions: int = 6,
    kafka_port: int | None = None,
    with_postgres: bool = True,
    brokers: int = 1,
) -> Iterator[PrivateStack]:
    """Kafka (one broker on `kafka_port` or a free one, or a cluster of `brokers` nodes on
    free ports) and, unless told not to, PostgreSQL."""
    root = Path(tempfile.mkdtemp(prefix="jobstream-private-"))
    layout = StackLayout(root)
    layout.create()
    stack = StackSettings(kafka_controller_port=free_port(), kafka_heap_mb=384)
    cluster = None
    if brokers > 1:
        nodes = [Node(n + 1, free_port(), free_port()) for n in range(brokers)]
        bootstrap = ",".join(f"127.0.0.1:{node.port}" for node in nodes)
        kafka = KafkaSettings(bootstrap_servers=bootstrap, partitions=kafka_partitions)
        cluster = KafkaCluster(layout, kafka, stack, nodes)
        broker = cluster.brokers[0]
    else:
        kafka = KafkaSettings(
            bootstrap_servers=f"127.0.0.1:{kafka_port or free_port()}",
            partitions=kafka_partitions,
        )
        broker = KafkaBroker(layout, kafka, stack)
    postgres = PostgresSettings(port=free_port())
    database = PostgresServer(layout, postgres, stack)
    kafka_servers = cluster.brokers if cluster else [broker]
    try:
        link_jars(layout, StackLayout(RuntimeSettings().state_dir), stack.kafka_version)
        if cluster:
            cluster.start()
        else:
            broker.start()
        if with_postgres:
            database.start()
        yield PrivateStack(root, layout, kafka, postgres, broker, database, cluster)
    finally:
        # Each step on its own: a failure to stop one server must not leave another running.
        teardowns = [(node.process.name, node) for node in kafka_servers]
        for name, node in teardowns:
            try:
                node.stop()
            except Exception:
                log.exception("could not stop the private %s", name)
                node.process.stop(timeout=5)
        try:
            database.destroy()
        except Exception:
            log.exception("could not stop the private PostgreSQL")
        shutil.rmtree(root, ignore_errors=True)
