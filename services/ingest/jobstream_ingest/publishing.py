"""Publishing what ingest read, for every channel: duplicates and rejections counted.

`Ingestor.ingest` takes a batch of inputs (the outcomes `read_postings` returned for each),
sends their postings in one go and returns once Kafka acknowledged every one (acks=all,
idempotent producer), so a caller may then move a file away knowing its postings are safe.

Duplicates: the same posting twice within one input is sent once. A posting seen recently
(a bounded memory of ids) is a duplicate too: a one-off run (the CLI) skips it; the service
sends it again, which is harmless (the store keeps one copy) and lets a person re-drop a file
on purpose. Either way `jobstream_ingest_outcomes_total{outcome="duplicate"}` counts it.
"""

from __future__ import annotations

import time
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from jobstream import metrics
from jobstream.contracts import Channel, RawPosting
from jobstream.kafka.publisher import Publisher
from jobstream.topology import RAW_POSTINGS
from jobstream_ingest.intake import Outcome, Rejection


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
    posting_ids: list[str] = field(default_factory=list)  # in Kafka now: published or repeated
    published: int = 0
    duplicates: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        """At least one posting of the input is in Kafka (or was already, for a duplicate)."""
        return bool(self.posting_ids)


class Ingestor:
    def __init__(self, publisher: Publisher, recent: RecentIds, *, republish: bool) -> None:
        self.publisher = publisher
        self.recent = recent
        self.republish = republish

    async def ingest(self, channel: Channel, inputs: Sequence[Input]) -> list[Report]:
        """Publish the postings of `inputs`; returns after Kafka acknowledged all of them.

        Metrics are counted once the batch is delivered: a batch that fails is retried later
        and would otherwise be counted twice.
        """
        reports = [Report(item.name) for item in inputs]
        outcomes: Counter[tuple[str, str]] = Counter()
        reasons: Counter[tuple[str, str]] = Counter()
        to_send: list[RawPosting] = []
        in_batch: set[str] = set()
        for item, report in zip(inputs, reports, strict=True):
            in_input: set[str] = set()
            for outcome in item.outcomes:
                if isinstance(outcome, Rejection):
                    label = outcome.detected_format or "unknown"
                    report.rejections.append(outcome)
                    outcomes[label, "rejected"] += 1
                    reasons[outcome.reason, label] += 1
                    continue
                posting_id, fmt = outcome.posting_id, outcome.source.format
                if posting_id in in_input:
                    report.duplicates += 1
                    outcomes[fmt, "duplicate"] += 1
                    continue
                in_input.add(posting_id)
                report.posting_ids.append(posting_id)
                if posting_id in in_batch:  # another input of this batch holds it too
                    report.duplicates += 1
                    outcomes[fmt, "duplicate"] += 1
                    continue
                in_batch.add(posting_id)
                if posting_id in self.recent:
                    report.duplicates += 1
                    outcomes[fmt, "duplicate"] += 1
                    if not self.republish:
                        continue
                else:
                    report.published += 1
                    outcomes[fmt, "published"] += 1
                to_send.append(outcome)
        await self._send(channel, to_send)
        metrics.INGEST_FILES.labels(channel).inc(len(inputs))
        metrics.INGEST_BYTES.labels(channel).inc(sum(item.size for item in inputs))
        for (fmt_label, outcome_name), n in outcomes.items():
            metrics.INGEST_OUTCOMES.labels(channel, fmt_label, outcome_name).inc(n)
        for (reason, fmt_label), n in reasons.items():
            metrics.INGEST_REJECTIONS.labels(channel, reason, fmt_label).inc(n)
        for posting in to_send:
            if posting.source.replaced_bytes:
                metrics.INGEST_REPLACED_BYTES.labels(channel, posting.source.format).inc(
                    posting.source.replaced_bytes
                )
        return reports

    async def _send(self, channel: Channel, postings: list[RawPosting]) -> None:
        if not postings:
            return
        started = time.perf_counter()
        await self.publisher.publish(RAW_POSTINGS, postings)
        metrics.INGEST_PUBLISH_SECONDS.labels(channel).observe(time.perf_counter() - started)
        metrics.EVENTS_PRODUCED.labels("ingest").inc(len(postings))
        metrics.LAST_EVENT_TIMESTAMP.labels("ingest").set(time.time())
        for posting in postings:
            self.recent.add(posting.posting_id)
