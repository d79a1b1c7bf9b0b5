"""The lag exporter (`jobstream serve lag-exporter`): the cluster and the pipeline's consumer
groups, measured from outside the stages.

A stage reports its own lag only while it runs; when it dies its series go with it. This
process reads Kafka every few seconds (a consumer that joins no group, and the admin API):
brokers, partition leaders and in-sync replicas, end offsets, and each pipeline group's
members, committed offsets and lag, and serves them on /metrics in kafka_exporter's names
(`jobstream.cluster`). It has /healthz and /readyz like every service.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, ProcessCollector
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jobstream.cluster import ClusterSnapshot, families
from jobstream.eventloop import use_uvloop
from jobstream.kafka.cluster import ClusterReader
from jobstream.logs import configure_logging, get_logger
from jobstream.ops_http import start_ops_server
from jobstream.settings import ServiceSettings

log = get_logger(__name__)
SERVICE = "lag-exporter"


class LagExporterSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_LAG_EXPORTER_", frozen=True)

    http_port: int = Field(19308, description="its /metrics, /healthz and /readyz port")
    poll_seconds: float = Field(5.0, gt=0, le=300, description="how often Kafka is read")


class SnapshotCollector(Collector):
    """Serves the latest reading while it is fresh; a stale one is not served as if it were
    now (only `jobstream_lag_exporter_kafka_up` 0 then)."""

    def __init__(self, max_age_seconds: float) -> None:
        self.max_age_seconds = max_age_seconds
        self.snapshot: ClusterSnapshot | None = None
        self.read_at = 0.0

    def update(self, snapshot: ClusterSnapshot) -> None:
        self.snapshot, self.read_at = snapshot, time.monotonic()

    def fresh(self) -> ClusterSnapshot | None:
        if self.snapshot is None or time.monotonic() - self.read_at > self.max_age_seconds:
            return None
        return self.snapshot

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snapshot = self.fresh()
        up = GaugeMetricFamily(
            "jobstream_lag_exporter_kafka_up", "1 when the last reading of Kafka succeeded."
        )
        up.add_metric([], 0 if snapshot is None else 1)
        yield up
        if snapshot is not None:
            yield from families(snapshot)


async def run(settings: LagExporterSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    registry = CollectorRegistry()
    collector = SnapshotCollector(max_age_seconds=3 * settings.poll_seconds + 10)
    registry.register(collector)
    ProcessCollector(registry=registry)
    reader = ClusterReader(settings.kafka)

    async def kafka() -> str | None:
        return None if collector.fresh() is not None else "no recent reading of Kafka"

    runner = await start_ops_server(
        settings.http_host, settings.http_port, {"kafka": kafka}, registry=registry
    )
    log.info(
        "exporting", groups=sorted(reader.groups), ops=f"http://{settings.http_host}:"
        f"{settings.http_port}"
    )  # fmt: skip
    try:
        while not stop.is_set():
            try:
                timeout = settings.poll_seconds + 10
                collector.update(await asyncio.wait_for(reader.read(), timeout=timeout))
            except Exception as error:  # Kafka away: report it, read again next round
                log.warning("cannot read Kafka", error=f"{type(error).__name__}: {error}")
                await reader.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.poll_seconds)
    finally:
        await reader.close()
        await runner.cleanup()
    log.info("stopped")


def serve(settings: LagExporterSettings) -> None:
    configure_logging(SERVICE, settings.runtime.log_level)
    use_uvloop()
    asyncio.run(run(settings))
