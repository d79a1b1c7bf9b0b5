"""Ingest as its bootstrap wires it, on a fake event sink: the inbox and the HTTP API share
one ingestor, whose postings reach the sink."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobstream.contracts import RawPosting, Source
from jobstream.settings import RuntimeSettings
from jobstream.topology import RAW_POSTINGS
from jobstream_ingest.bootstrap import bootstrap
from jobstream_ingest.publishing import Input
from jobstream_ingest.settings import IngestSettings
from tests.fakes import FakeEventSink

pytestmark = pytest.mark.unit


async def test_the_wired_ingestor_publishes_to_the_sink_it_was_given(tmp_path: Path) -> None:
    sink = FakeEventSink()
    service = bootstrap(IngestSettings(runtime=RuntimeSettings(state_dir=tmp_path)), events=sink)
    assert service.publisher is None and service.checks == {}  # nothing real to open
    assert service.api.ingestor is service.ingestor is service.inbox.ingestor
    posting = RawPosting.from_text("Data Engineer\nPython", Source(channel="cli", name="a.txt"))

    [report] = await service.ingestor.ingest("cli", [Input("a.txt", 20, [posting])])

    assert sink.published[RAW_POSTINGS.name] == [posting]
    assert report.published == 1
