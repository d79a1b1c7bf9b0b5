"""Ingest's composition root: the ingestor on an event sink, its HTTP API and its inbox.

`bootstrap(settings)` builds them on the real Kafka publisher; a test passes a fake event sink
(`tests/fakes.py`) and gets the same ingestor, API and inbox on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jobstream.kafka.publisher import Publisher
from jobstream.ops_http import ReadinessCheck
from jobstream.ports import EventSink
from jobstream_ingest.adapters.http_api import PostingsApi
from jobstream_ingest.adapters.inbox import Inbox, InboxOptions
from jobstream_ingest.publishing import Ingestor, RecentIds
from jobstream_ingest.settings import IngestSettings


@dataclass
class IngestService:
    ingestor: Ingestor
    api: PostingsApi
    inbox: Inbox
    # The Kafka publisher to open and close around the service (none with a fake sink).
    publisher: Publisher | None = None
    checks: dict[str, ReadinessCheck] = field(default_factory=dict)


def bootstrap(settings: IngestSettings, *, events: EventSink | None = None) -> IngestService:
    publisher: Publisher | None = None
    if events is None:
        events = publisher = Publisher(settings.kafka)
    # The inbox and HTTP share one memory of recent ids: a posting dropped in both ways is a
    # duplicate too. The service sends repeats again (see publishing.py).
    ingestor = Ingestor(events, RecentIds(settings.recent_ids), republish=True)
    options = InboxOptions(
        stable_seconds=settings.stable_seconds,
        rescan_seconds=settings.rescan_seconds,
        batch_files=settings.batch_files,
        pause_after_publish_seconds=settings.pause_after_publish_seconds,
    )
    return IngestService(
        ingestor=ingestor,
        api=PostingsApi(ingestor, settings.limits, settings.api_token),
        inbox=Inbox(settings.inbox, ingestor, settings.limits, options),
        publisher=publisher,
        checks={"kafka": publisher.is_connected} if publisher else {},
    )
