"""The faust app a consuming stage runs in: start-up, tasks, signals and shutdown.

faust runs the stage's worker but opens no Kafka client of its own: the stage reads its input
in batches through `jobstream.kafka.consumer.BatchConsumer` (aiokafka underneath faust) and
publishes through `jobstream.kafka.publisher.Publisher`, both built from `KafkaSettings`
(`jobstream.kafka.config`), so one set of security settings reaches every client.
"""

from __future__ import annotations

import faust
from faust.app.base import BootStrategy

from jobstream.settings import ServiceSettings
from jobstream.topology import Stage


class _WithoutKafkaClients(BootStrategy):
    """Start the app's services but not faust's consumer, producer or event sensors."""

    enable_kafka = False
    enable_sensors = False


class StageApp(faust.App):
    BootStrategy = _WithoutKafkaClients


def build_faust_app(stage: Stage, settings: ServiceSettings) -> faust.App:
    """A faust app named after the stage's consumer group (namespaced)."""
    app_id = settings.kafka.group(stage)
    datadir = settings.runtime.state_dir / "faust" / app_id
    datadir.parent.mkdir(parents=True, exist_ok=True)
    return StageApp(
        app_id,
        # The ops endpoints are served by jobstream.ops_http; faust's own web server stays off.
        web_enabled=False,
        datadir=str(datadir),
    )
