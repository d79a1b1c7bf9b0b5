"""Apache Kafka (KRaft) from jars that Maven resolves from Maven Central: one node, or a
cluster of a few on loopback ports (`jobstream stack start --brokers 3`).

Each node is both broker and controller. A node of a cluster has its own folder, ports, pid
file and log; the replication settings follow the cluster's size (`replication_for`)."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from string import Template

from aiokafka.admin import AIOKafkaAdminClient

from jobstream.kafka.config import client_options
from jobstream.settings import KafkaSettings
from jobstream.topology import MAX_RECORD_BYTES, replication_for
from jobstream_stack.layout import StackLayout
from jobstream_stack.processes import ManagedProcess
from jobstream_stack.settings import StackSettings
from jobstream_stack.steps import StackError, note, step
from jobstream_stack.system import ensure_commands, ensure_port_free

_FILES = resources.files("jobstream_stack") / "kafka"


@dataclass(frozen=True)
class Node:
    """One KRaft node of a cluster: its id, client port and controller port on `host`."""

    node_id: int
    port: int
    controller_port: int


def cluster_nodes(first_port: int, first_controller_port: int, brokers: int) -> list[Node]:
    """The nodes of a native cluster: node 1 where a single broker listens, the others 10
    ports further each (19092/19093, 19102/19103, 19112/19113 by default)."""
    return [
        Node(n + 1, first_port + 10 * n, first_controller_port + 10 * n) for n in range(brokers)
    ]


class KafkaBroker:
    """A single broker (the default), or node `node` of the cluster `nodes`."""

    def __init__(
        self,
        layout: StackLayout,
        kafka: KafkaSettings,
        stack: StackSettings,
        node: Node | None = None,
        nodes: Sequence[Node] = (),
    ) -> None:
        self.layout = layout
        self.kafka = kafka
        self.stack = stack
        host, _, port = kafka.bootstrap_servers.split(",")[0].rpartition(":")
        self.host = host or "127.0.0.1"
        self.node = node or Node(1, int(port), stack.kafka_controller_port)
        self.nodes = list(nodes) or [self.node]
        self.port = self.node.port
        clustered = len(self.nodes) > 1
        name = f"kafka-{self.node.node_id}" if clustered else "kafka"
        self.dir = layout.kafka
        self.libs = self.dir / "libs"
        self.home = self.dir / f"node-{self.node.node_id}" if clustered else self.dir
        self.data = self.home / "data"
        self.process = ManagedProcess(
            name=name,
            pid_file=layout.run / f"{name}.pid",
            log_file=layout.logs / f"{name}.log",
            # The node's own configuration file names it among the others.
            fingerprint=str(self.home / "server.properties") if clustered else "kafka.Kafka",
        )

    # -- set-up --------------------------------------------------------------------------------
    def install(self) -> None:
        ensure_commands({"java": "openjdk-17-jre-headless", "mvn": "maven"})
        marker = self.libs / f"kafka_2.13-{self.stack.kafka_version}.jar"
        if marker.exists():
            return
        with step(f"resolve Kafka {self.stack.kafka_version} jars with mvn"):
            pom = self.dir / "pom.xml"
            pom.write_bytes((_FILES / "pom.xml").read_bytes())
            result = subprocess.run(
                [
                    "mvn", "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
                    f"-Dkafka.libs.dir={self.libs}",
                    f"-Dkafka.version={self.stack.kafka_version}",
                ],
                capture_output=True,
                text=True,
            )  # fmt: skip
            if result.returncode != 0 or not marker.exists():
                raise StackError(f"mvn could not resolve Kafka:\n{result.stdout[-3000:]}")

    def configure(self, cluster_id: str | None = None) -> None:
        """Write the node's configuration; format its storage once (a cluster's nodes with
        the same `cluster_id`)."""
        template = Template((_FILES / "server.properties.template").read_text())
        replication = replication_for(len(self.nodes))
        self.home.mkdir(parents=True, exist_ok=True)
        properties = template.substitute(
            node_id=self.node.node_id,
            voters=",".join(f"{n.node_id}@{self.host}:{n.controller_port}" for n in self.nodes),
            host=self.host,
            port=self.port,
            controller_port=self.node.controller_port,
            data_dir=self.data.resolve(),
            max_record_bytes=MAX_RECORD_BYTES,
            replication_factor=replication.factor,
            min_insync_replicas=replication.min_insync,
        )
        (self.home / "server.properties").write_text(properties)
        (self.home / "log4j2.properties").write_bytes((_FILES / "log4j2.properties").read_bytes())
        if (self.data / "meta.properties").exists():
            return
        with step(f"format Kafka storage (KRaft, node {self.node.node_id})"):
            cluster_id = cluster_id or self._java("kafka.tools.StorageTool", "random-uuid").strip()
            self._java(
                "kafka.tools.StorageTool", "format", "-t", cluster_id,
                "-c", str(self.home / "server.properties"), "--ignore-formatted",
            )  # fmt: skip

    def _java(self, main: str, *args: str) -> str:
        result = subprocess.run(
            ["java", "-cp", f"{self.libs}/*", main, *args], capture_output=True, text=True
        )
        if result.returncode != 0:
            raise StackError(f"{main} {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    # -- run -----------------------------------------------------------------------------------
    def start(self, cluster_id: str | None = None, wait: bool = True) -> None:
        if self.process.is_running() and self.is_ready():
            note(f"Kafka already running on {self.host}:{self.port}")
            return
        self.install()
        self.configure(cluster_id)
        self.launch()
        if wait:
            with step(f"wait for Kafka on {self.host}:{self.port}"):
                self.wait_ready(self.stack.start_timeout_seconds)

    def launch(self) -> None:
        """Start the configured node's process (it answers once a quorum of controllers is up)."""
        if self.process.is_running():
            return
        ensure_port_free(self.host, self.port, "Kafka")
        ensure_port_free(self.host, self.node.controller_port, "Kafka's controller")
        heap = f"{self.stack.kafka_heap_mb}m"
        self.process.start(
            [
                "java", f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseG1GC",
                f"-Dlog4j2.configurationFile={self.home / 'log4j2.properties'}",
                "-cp", f"{self.libs}/*", "kafka.Kafka", str(self.home / "server.properties"),
            ]
        )  # fmt: skip

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.has_exited():
                raise StackError(f"Kafka exited; its log ends:\n{self.process.log_tail()}")
            if self.is_ready() and self.process.is_running():
                return
            time.sleep(0.5)
        raise StackError(f"Kafka not ready after {timeout:.0f} s:\n{self.process.log_tail()}")

    def is_ready(self) -> bool:
        """Ready when this node answers a metadata request."""
        own = self.kafka.model_copy(update={"bootstrap_servers": f"{self.host}:{self.port}"})
        return asyncio.run(_answers_metadata(own))

    def stop(self) -> None:
        if self.process.stop(timeout=60):
            note(f"{self.process.name} stopped")

    def status(self) -> str:
        pid = self.process.pid()
        if pid is None:
            return "stopped"
        return f"running (pid {pid}) on {self.host}:{self.port}" + (
            "" if self.is_ready() else ", not answering yet"
        )


async def _answers_metadata(settings: KafkaSettings) -> bool:
    # While the broker boots, every probe fails to connect: that is expected, not news.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=3000)
    try:
        await asyncio.wait_for(admin.start(), timeout=5)
        await asyncio.wait_for(admin.list_topics(), timeout=5)
        return True
    except Exception:  # not up yet: any connection error means "not ready"
        return False
    finally:
        await admin.close()


def link_jars(layout: StackLayout, source: StackLayout, version: str) -> None:
    """Link the jars another stack already resolved (the shared one), instead of running
    Maven again for a private broker or cluster."""
    shared = source.kafka / "libs"
    if (shared / f"kafka_2.13-{version}.jar").exists() and not (layout.kafka / "libs").exists():
        layout.kafka.mkdir(parents=True, exist_ok=True)
        (layout.kafka / "libs").symlink_to(shared.resolve(), target_is_directory=True)


class KafkaCluster:
    """Several KRaft nodes formatted with one cluster id, started together (a quorum of
    controllers must be up before any of them answers)."""

    def __init__(
        self, layout: StackLayout, kafka: KafkaSettings, stack: StackSettings, nodes: Sequence[Node]
    ) -> None:
        self.layout = layout
        self.nodes = list(nodes)
        self.brokers = [KafkaBroker(layout, kafka, stack, node, nodes) for node in nodes]
        self.id_file = layout.kafka / "cluster.id"
        self.stack = stack

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"{broker.host}:{broker.port}" for broker in self.brokers)

    def cluster_id(self) -> str:
        if not self.id_file.exists():
            self.brokers[0].install()
            self.id_file.parent.mkdir(parents=True, exist_ok=True)
            new = self.brokers[0]._java("kafka.tools.StorageTool", "random-uuid").strip()
            self.id_file.write_text(new)
        return self.id_file.read_text().strip()

    def start(self) -> None:
        cluster_id = self.cluster_id()
        with step(f"start a Kafka cluster of {len(self.brokers)} on {self.bootstrap_servers}"):
            for broker in self.brokers:
                broker.install()
                broker.configure(cluster_id)
                broker.launch()
            for broker in self.brokers:
                broker.wait_ready(self.stack.start_timeout_seconds)

    def stop(self) -> None:
        for broker in self.brokers:
            broker.stop()

    def broker(self, node_id: int) -> KafkaBroker:
        return next(broker for broker in self.brokers if broker.node.node_id == node_id)


def native_kafka(
    layout: StackLayout, kafka: KafkaSettings, stack: StackSettings, brokers: int | None = None
) -> KafkaBroker | KafkaCluster:
    """The stack's Kafka: `brokers` nodes when given (remembered in the state folder), else
    as many as it was last started with (one for a new stack)."""
    size_file = layout.kafka / "brokers"
    if brokers is None:
        brokers = int(size_file.read_text()) if size_file.exists() else 1
    else:
        size_file.parent.mkdir(parents=True, exist_ok=True)
        size_file.write_text(f"{brokers}\n")
    if brokers <= 1:
        return KafkaBroker(layout, kafka, stack)
    first_port = int(kafka.bootstrap_servers.split(",")[0].rpartition(":")[2])
    nodes = cluster_nodes(first_port, stack.kafka_controller_port, brokers)
    return KafkaCluster(layout, kafka, stack, nodes)


def nodes_of(kafka: KafkaBroker | KafkaCluster) -> list[KafkaBroker]:
    return kafka.brokers if isinstance(kafka, KafkaCluster) else [kafka]
