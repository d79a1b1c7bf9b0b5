"""Apache Kafka, KRaft single node, from jars that Maven resolves from Maven Central."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import time
from importlib import resources
from string import Template

from aiokafka.admin import AIOKafkaAdminClient

from jobstream.kafka.config import client_options
from jobstream.settings import KafkaSettings
from jobstream.topology import MAX_RECORD_BYTES
from jobstream_stack.layout import StackLayout
from jobstream_stack.processes import ManagedProcess
from jobstream_stack.settings import StackSettings
from jobstream_stack.steps import StackError, note, step
from jobstream_stack.system import ensure_commands, ensure_port_free

_FILES = resources.files("jobstream_stack") / "kafka"


class KafkaBroker:
    def __init__(self, layout: StackLayout, kafka: KafkaSettings, stack: StackSettings) -> None:
        self.layout = layout
        self.kafka = kafka
        self.stack = stack
        host, _, port = kafka.bootstrap_servers.split(",")[0].rpartition(":")
        self.host, self.port = host or "127.0.0.1", int(port)
        self.dir = layout.kafka
        self.libs = self.dir / "libs"
        self.data = self.dir / "data"
        self.process = ManagedProcess(
            name="kafka",
            pid_file=layout.run / "kafka.pid",
            log_file=layout.logs / "kafka.log",
            fingerprint="kafka.Kafka",
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

    def configure(self) -> None:
        template = Template((_FILES / "server.properties.template").read_text())
        properties = template.substitute(
            host=self.host,
            port=self.port,
            controller_port=self.stack.kafka_controller_port,
            data_dir=self.data.resolve(),
            max_record_bytes=MAX_RECORD_BYTES,
        )
        (self.dir / "server.properties").write_text(properties)
        (self.dir / "log4j2.properties").write_bytes((_FILES / "log4j2.properties").read_bytes())
        if (self.data / "meta.properties").exists():
            return
        with step("format Kafka storage (KRaft)"):
            cluster_id = self._java("kafka.tools.StorageTool", "random-uuid").strip()
            self._java(
                "kafka.tools.StorageTool", "format", "-t", cluster_id,
                "-c", str(self.dir / "server.properties"), "--ignore-formatted",
            )  # fmt: skip

    def _java(self, main: str, *args: str) -> str:
        result = subprocess.run(
            ["java", "-cp", f"{self.libs}/*", main, *args], capture_output=True, text=True
        )
        if result.returncode != 0:
            raise StackError(f"{main} {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    # -- run -----------------------------------------------------------------------------------
    def start(self) -> None:
        if self.process.is_running() and self.is_ready():
            note(f"Kafka already running on {self.host}:{self.port}")
            return
        self.install()
        self.configure()
        ensure_port_free(self.host, self.port, "Kafka")
        ensure_port_free(self.host, self.stack.kafka_controller_port, "Kafka's controller")
        with step(f"start Kafka on {self.host}:{self.port}"):
            heap = f"{self.stack.kafka_heap_mb}m"
            self.process.start(
                [
                    "java", f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseG1GC",
                    f"-Dlog4j2.configurationFile={self.dir / 'log4j2.properties'}",
                    "-cp", f"{self.libs}/*", "kafka.Kafka", str(self.dir / "server.properties"),
                ]
            )  # fmt: skip
            self.wait_ready(self.stack.start_timeout_seconds)

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
        """Ready when the broker answers a metadata request."""
        return asyncio.run(_answers_metadata(self.kafka))

    def stop(self) -> None:
        if self.process.stop(timeout=60):
            note("Kafka stopped")

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
