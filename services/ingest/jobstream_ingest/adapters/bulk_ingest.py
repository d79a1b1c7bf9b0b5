"""Publishing a bulk file as a stream: batch after batch, progress recorded after each.

Reading (decompressing, decoding, parsing) runs in a worker thread, one batch ahead of the
batch being published, so the event loop stays free (the service keeps answering HTTP and
/metrics during a file of a million postings) and reading overlaps waiting for Kafka.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from typing import BinaryIO, Final

from jobstream.contracts import RawPosting
from jobstream.logs import get_logger
from jobstream_ingest.adapters.progress import FileIdentity, FileProgress, ProgressStore
from jobstream_ingest.bulk import BulkOptions, Chunks, stream_postings
from jobstream_ingest.intake import Outcome
from jobstream_ingest.publishing import Ingestor, RecentIds, Report

log = get_logger(__name__)

# Records published together: one Kafka round trip, one progress record. At most this many
# postings are sent twice when a run is killed between Kafka's acknowledgement and the record.
BULK_BATCH: Final = 2_000


@dataclass
class BulkRun:
    """What one run of a bulk file did, beside its report."""

    report: Report
    resumed_after: int = 0  # records handled by earlier runs, not read again
    resent_through: int | None = None  # records up to this one may have been sent twice
    stopped: bool = False  # stopped on request before the end: it resumes next time

    def describe_resume(self, word: str) -> str | None:
        """For a person: where the run took up an earlier one, and what it sent again."""
        if not self.resumed_after and self.resent_through is None:
            return None
        said = f"resumed after {word} {self.resumed_after:,} (handled by an earlier run)"
        if self.resent_through is not None:
            said += (
                f"; {word}s {self.resumed_after + 1:,} to {self.resent_through:,} were being sent"
                " when it stopped and were sent again (same ids: the store keeps one copy)"
            )
        return said


@dataclass(frozen=True)
class Recorder:
    """Where a bulk file's progress is recorded, and under which key and identity."""

    store: ProgressStore
    key: str
    identity: FileIdentity


async def ingest_bulk(
    ingestor: Ingestor,
    stream: BinaryIO,
    options: BulkOptions,
    *,
    recorder: Recorder | None = None,
    after_batch: Callable[[Report, int], Awaitable[None]] | None = None,
    stop: asyncio.Event | None = None,
) -> BulkRun:
    """Publish every posting of a bulk file; returns once Kafka acknowledged the last batch.

    `after_batch(report, raw_bytes_read)` is awaited after each batch (a progress bar; a pause
    the crash tests inject). With `stop` set, the run ends after the batch in flight, its
    progress recorded.
    """
    name = options.name or "stdin"
    report = Report(name, keep_ids=False, seen=RecentIds(ingestor.recent.capacity))
    run = BulkRun(report)
    progress = recorder.store.load(recorder.key, recorder.identity) if recorder else None
    if recorder is not None:
        if progress is None:
            progress = FileProgress(name=name, identity=recorder.identity)
        else:
            progress.restore(report)
            run.resumed_after = progress.records_done
            run.resent_through = progress.in_flight_through
            progress = progress.model_copy(update={"runs": progress.runs + 1})
            log.warning(
                "resuming a bulk file", file=name, after_record=progress.records_done,
                resending_through=progress.in_flight_through,
            )  # fmt: skip
    chunks = Chunks(stream)
    outcomes = stream_postings(chunks, replace(options, skip_through=run.resumed_after))
    done = run.resumed_after
    batch = await asyncio.to_thread(_next_batch, outcomes)
    while batch:
        # The next batch is read while this one is published.
        upcoming = asyncio.create_task(asyncio.to_thread(_next_batch, outcomes))
        last = max((_number(outcome) for outcome in batch), default=done) or done
        if recorder is not None and progress is not None:
            recorder.store.save(recorder.key, progress.record(report, done, in_flight=last))
        try:
            await ingestor.ingest_records(options.channel, report, batch)
        except BaseException:
            upcoming.cancel()
            raise
        done = max(done, last)
        if recorder is not None and progress is not None:
            progress = progress.record(report, done, in_flight=None)
            recorder.store.save(recorder.key, progress)
        if after_batch is not None:
            await after_batch(report, chunks.raw_bytes)
        batch = await upcoming
        if batch and stop is not None and stop.is_set():
            run.stopped = True  # between batches; a file that ended anyway is finished
            break
    return run


def _next_batch(outcomes: Iterator[Outcome]) -> list[Outcome]:
    return list(islice(outcomes, BULK_BATCH))


def _number(outcome: Outcome) -> int:
    if isinstance(outcome, RawPosting):
        return outcome.source.record or 0
    return outcome.record or 0
