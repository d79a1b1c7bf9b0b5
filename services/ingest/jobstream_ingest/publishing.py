"""Publishing what ingest read, for every channel, and saying what really happened.

`Ingestor.ingest` takes a batch of inputs (the outcomes `read_postings` returned for each),
sends their postings in one go and returns once Kafka acknowledged every one (acks=all,
idempotent producer), so a caller may then move a file away knowing its postings are safe.
`Ingestor.ingest_records` does the same for one batch of records of a stream (a bulk file
read record by record), adding to that input's report.

What happens to each posting offered, counted in `jobstream_ingest_outcomes_total{outcome}`
and in the report of its input:
- `published`: sent to Kafka and acknowledged;
- `skipped`: not sent, because it repeats a posting already sent (the same id earlier in the
  same input, or, for a one-off CLI run, earlier in the run);
- `rejected`: not usable, with a reason.
Separately `already_seen` (`jobstream_ingest_already_seen_total`) counts postings whose id
ingest had seen before, whether skipped or sent again: the service keeps a bounded memory of
recent ids and sends a repeat from another input again, which is harmless (the store keeps
one copy) and lets a person re-drop a file on purpose.
"""

from __future__ import annotations

import time
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from jobstream import metrics
from jobstream.contracts import Channel, RawPosting
from jobstream.ports import EventSink
from jobstream.topology import RAW_POSTINGS
from jobstream_ingest.intake import Outcome, Rejection

# Rejections a report lists one by one; past that they are only counted (by reason), so a
# bulk file of a million bad lines does not hold a million explanations in memory.
LISTED_REJECTIONS: Final = 1_000


class RecentIds:
    """Posting ids seen lately; past `capacity` the oldest are forgotten (None: no bound)."""

    def __init__(self, capacity: int | None) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, posting_id: object) -> bool:
        return posting_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, posting_id: str) -> None:
        self._ids[posting_id] = None
        self._ids.move_to_end(posting_id)
        if self.capacity is not None and len(self._ids) > self.capacity:
            self._ids.popitem(last=False)


@dataclass(frozen=True)
class Input:
    """One file, stdin or upload, read: its name for reports, its size and its outcomes."""

    name: str
    size: int
    outcomes: Sequence[Outcome]


@dataclass
class Report:
    """What became of one input."""

    name: str
    posting_ids: list[str] = field(default_factory=list)  # in Kafka now (unless not kept)
    published: int = 0  # sent to Kafka and acknowledged
    skipped: int = 0  # repeats not sent again
    already_seen: int = 0  # ids ingest had seen before (skipped, or sent again)
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)  # the first LISTED_REJECTIONS
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    keep_ids: bool = True  # False for a stream: a million ids are not kept for its answer
    # Ids of this input so far (a stream's is bounded like the service's memory).
    seen: RecentIds = field(default_factory=lambda: RecentIds(None))

    @property
    def accepted(self) -> bool:
        """At least one posting of the input is in Kafka (sent now, or a repeat of one)."""
        return self.published + self.skipped > 0

    def reject(self, rejection: Rejection) -> None:
        self.rejected += 1
        self.rejected_by_reason[rejection.reason] += 1
        if len(self.rejections) < LISTED_REJECTIONS:
            self.rejections.append(rejection)


class Ingestor:
    def __init__(self, publisher: EventSink, recent: RecentIds, *, republish: bool) -> None:
        self.publisher = publisher
        self.recent = recent
        self.republish = republish

    async def ingest(self, channel: Channel, inputs: Sequence[Input]) -> list[Report]:
        """Publish the postings of `inputs`; returns after Kafka acknowledged all of them."""
        reports = [Report(item.name) for item in inputs]
        batch = _Batch()
        for item, report in zip(inputs, reports, strict=True):
            batch.add(report, item.outcomes, self.recent, self.republish)
        await self._deliver(channel, batch)
        metrics.INGEST_FILES.labels(channel).inc(len(inputs))
        metrics.INGEST_BYTES.labels(channel).inc(sum(item.size for item in inputs))
        return reports

    async def ingest_records(
        self, channel: Channel, report: Report, outcomes: Sequence[Outcome]
    ) -> None:
        """Publish one batch of a stream's records, adding to its `report`; returns after
        Kafka acknowledged all of them. The caller counts the input's file and bytes."""
        batch = _Batch()
        batch.add(report, outcomes, self.recent, self.republish)
        await self._deliver(channel, batch)

    async def _deliver(self, channel: Channel, batch: _Batch) -> None:
        """Send, then count: a batch that fails is retried later and would otherwise be
        counted twice; reports are updated only once Kafka acknowledged."""
        if batch.to_send:
            started = time.perf_counter()
            await self.publisher.publish(RAW_POSTINGS, batch.to_send)
            metrics.INGEST_PUBLISH_SECONDS.labels(channel).observe(time.perf_counter() - started)
            metrics.EVENTS_PRODUCED.labels("ingest").inc(len(batch.to_send))
            metrics.LAST_EVENT_TIMESTAMP.labels("ingest").set(time.time())
        for posting in batch.to_send:
            self.recent.add(posting.posting_id)
        batch.settle()
        for (fmt, outcome), n in batch.outcomes.items():
            metrics.INGEST_OUTCOMES.labels(channel, fmt, outcome).inc(n)
        for fmt, n in batch.already_seen.items():
            metrics.INGEST_ALREADY_SEEN.labels(channel, fmt).inc(n)
        for (reason, fmt), n in batch.reasons.items():
            metrics.INGEST_REJECTIONS.labels(channel, reason, fmt).inc(n)
        for fmt, n in batch.replaced_bytes.items():
            metrics.INGEST_REPLACED_BYTES.labels(channel, fmt).inc(n)


@dataclass
class _Batch:
    """Postings to send together, and what to count once they are acknowledged."""

    to_send: list[RawPosting] = field(default_factory=list)
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    already_seen: Counter[str] = field(default_factory=Counter)
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)
    replaced_bytes: Counter[str] = field(default_factory=Counter)
    _ids: set[str] = field(default_factory=set)
    # (report, posting id, published or skipped, seen before, seen in this input before)
    _updates: list[tuple[Report, str, str, bool, bool]] = field(default_factory=list)

    def add(
        self, report: Report, outcomes: Sequence[Outcome], recent: RecentIds, republish: bool
    ) -> None:
        for outcome in outcomes:
            if isinstance(outcome, Rejection):
                label = outcome.detected_format or "unknown"
                report.reject(outcome)
                self.outcomes[label, "rejected"] += 1
                self.reasons[outcome.reason, label] += 1
                continue
            posting_id, fmt = outcome.posting_id, outcome.source.format
            in_input = posting_id in report.seen
            report.seen.add(posting_id)
            # Sent already by this batch (another input holds it too): in Kafka once is enough.
            seen = in_input or posting_id in self._ids or posting_id in recent
            send = not in_input and posting_id not in self._ids and (republish or not seen)
            if send:
                self._ids.add(posting_id)
                self.to_send.append(outcome)
                self.replaced_bytes[fmt] += outcome.source.replaced_bytes
            self.outcomes[fmt, "published" if send else "skipped"] += 1
            if seen:
                self.already_seen[fmt] += 1
            outcome_name = "published" if send else "skipped"
            self._updates.append((report, posting_id, outcome_name, seen, in_input))

    def settle(self) -> None:
        """Delivered: the reports say so."""
        for report, posting_id, outcome, seen, in_input in self._updates:
            if outcome == "published":
                report.published += 1
            else:
                report.skipped += 1
            report.already_seen += seen
            if report.keep_ids and not in_input:
                report.posting_ids.append(posting_id)
        self._updates.clear()
