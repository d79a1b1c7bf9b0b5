"""Duplicates and counting, with a fake of our own publisher port (no Kafka here)."""

from collections.abc import Sequence

import pytest
from pydantic import BaseModel

from jobstream.contracts import RawPosting, Source
from jobstream.topology import TopicSpec
from jobstream_ingest.intake import Rejection
from jobstream_ingest.publishing import LISTED_REJECTIONS, Ingestor, Input, RecentIds, Report

pytestmark = pytest.mark.unit


class FakePublisher:
    """A fake of the event sink port (jobstream.ports.EventSink)."""

    def __init__(self) -> None:
        self.sent: list[RawPosting] = []

    async def publish(self, spec: TopicSpec, events: Sequence[BaseModel]) -> None:
        self.sent.extend(event for event in events if isinstance(event, RawPosting))


def posting(text: str) -> RawPosting:
    return RawPosting.from_text(text, Source(channel="cli", name="x.txt"))


def test_recent_ids_forget_the_oldest_past_their_capacity() -> None:
    recent = RecentIds(capacity=2)
    for posting_id in ("a", "b", "a", "c"):
        recent.add(posting_id)
    assert "a" in recent and "c" in recent and "b" not in recent and len(recent) == 2


async def test_a_one_off_run_skips_what_it_has_seen_and_counts_it() -> None:
    publisher = FakePublisher()
    ingestor = Ingestor(publisher, RecentIds(None), republish=False)
    one, two = posting("one"), posting("two")
    [first, second] = await ingestor.ingest(
        "cli", [Input("a", 10, [one, one, two]), Input("b", 5, [two])]
    )
    again = Input("c", 3, [posting("one"), Rejection("empty", "x")])
    [third] = await ingestor.ingest("cli", [again])
    assert [p.text for p in publisher.sent] == ["one", "two"]
    assert (first.published, first.skipped, first.already_seen, first.posting_ids) == (
        2,
        1,
        1,
        [one.posting_id, two.posting_id],
    )
    assert (second.published, second.skipped, second.posting_ids) == (0, 1, [two.posting_id])
    assert (third.published, third.skipped, third.already_seen, third.rejected) == (0, 1, 1, 1)
    assert third.accepted  # its posting is in Kafka already


async def test_the_service_sends_a_repeat_again_and_counts_it() -> None:
    publisher = FakePublisher()
    ingestor = Ingestor(publisher, RecentIds(100), republish=True)
    await ingestor.ingest("inbox", [Input("a", 1, [posting("one")])])
    [again] = await ingestor.ingest("http", [Input("b", 1, [posting("one"), posting("one")])])
    assert [p.text for p in publisher.sent] == ["one", "one"]  # once per drop, not per copy
    # What really happened: sent once more, and both copies had been seen before.
    assert (again.published, again.skipped, again.already_seen) == (1, 1, 2)
    assert again.posting_ids == [posting("one").posting_id]


async def test_reports_list_a_bounded_number_of_rejections_and_count_all() -> None:
    ingestor = Ingestor(FakePublisher(), RecentIds(10), republish=True)
    many = [Rejection("bad_json", "x", "jsonl", n) for n in range(1, LISTED_REJECTIONS + 11)]
    [report] = await ingestor.ingest("inbox", [Input("a", 1, many)])
    assert report.rejected == LISTED_REJECTIONS + 10 and len(report.rejections) == LISTED_REJECTIONS
    assert report.rejected_by_reason == {"bad_json": LISTED_REJECTIONS + 10}


async def test_a_stream_adds_batch_after_batch_to_one_report_without_keeping_ids() -> None:
    publisher = FakePublisher()
    ingestor = Ingestor(publisher, RecentIds(100), republish=True)
    report = Report("big.jsonl", keep_ids=False, seen=RecentIds(100))
    await ingestor.ingest_records("cli", report, [posting("one"), posting("two")])
    await ingestor.ingest_records("cli", report, [posting("one"), Rejection("empty", "x")])
    assert [p.text for p in publisher.sent] == ["one", "two"]
    assert (report.published, report.skipped, report.rejected) == (2, 1, 1)
    assert report.posting_ids == [] and report.accepted


async def test_an_input_with_only_rejections_is_not_accepted() -> None:
    ingestor = Ingestor(FakePublisher(), RecentIds(10), republish=True)
    [report] = await ingestor.ingest("inbox", [Input("a", 1, [Rejection("empty", "no text")])])
    assert not report.accepted and report.rejections[0].reason == "empty"
