"""Replay throughput on the running broker, through the real code paths, in a namespace of its own.

- `replay_copy_records_per_s`: `jobstream replay copy` of 20,000 raw postings (median ~4 KB)
  from the raw topic to the parsed topic (6 partitions each), unthrottled: read, route,
  send with acks=all, wait for every acknowledgement, checkpoint after each batch of 500.
- `replay_rate_1000_achieved`: the records/s actually sent with `--rate 1000` (3,000 records).
- `replay_resume_scan_records_per_s`: how fast a resume reads a target looking for its own
  records (the check that makes a resume send nothing twice).
- `replay_route_dead_letters_per_s`: deciding a dead letter's redrive (decode, filter,
  target), pure, on one core.

The topics of the namespace are deleted afterwards.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from pathlib import Path

from bench.corpus import postings
from bench.timing import per_second
from jobstream.contracts import (
    DeadLetter,
    RawPosting,
    Source,
    dead_letter_headers,
    encode,
    utc_now,
)
from jobstream.kafka.admin import delete_namespace_topics, ensure_topics
from jobstream.kafka.publisher import Publisher
from jobstream.settings import KafkaSettings
from jobstream.stages import Record
from jobstream.topology import PARSED_POSTINGS, RAW_POSTINGS
from jobstream_replay.arguments import build_selection
from jobstream_replay.checkpoint import CheckpointStore
from jobstream_replay.jobs import prepare
from jobstream_replay.rate import RateLimit
from jobstream_replay.runner import Replayer, find_sent
from jobstream_replay.selection import route_dead_letter
from jobstream_replay.settings import ReplaySettings

POSTINGS = 20_000
RATED = 3_000


async def _copy(
    settings: ReplaySettings, replay_id: str, limit: int | None = None, rate: float | None = None
) -> float:
    kafka = settings.kafka
    request, state = await prepare(
        settings,
        mode="copy",
        replay_id=replay_id,
        source=kafka.topic(RAW_POSTINGS),
        target=kafka.topic(PARSED_POSTINGS),
        selection=build_selection(now=utc_now(), limit=limit),
        now=utc_now(),
    )
    store = CheckpointStore(settings.checkpoints)
    store.create(request, state)
    started = time.perf_counter()
    final = await Replayer(settings, request, state, store, rate=RateLimit(rate)).run()
    return final.sent / (time.perf_counter() - started)


async def _measure(settings: ReplaySettings) -> dict[str, object]:
    kafka = settings.kafka
    texts = list(postings(POSTINGS))
    events = [RawPosting.from_text(text, Source(channel="cli")) for text in texts]
    async with Publisher(kafka) as publisher:
        for start in range(0, POSTINGS, 2_000):
            await publisher.publish(RAW_POSTINGS, events[start : start + 2_000])
    copied = await _copy(settings, "bench-copy")
    rated = await _copy(settings, "bench-rate", limit=RATED, rate=1_000)
    started = time.perf_counter()
    marks = {kafka.topic(PARSED_POSTINGS): dict.fromkeys(range(kafka.partitions), 0)}
    found = await find_sent(settings, "bench-copy", marks)
    scanned = (POSTINGS + RATED) / (time.perf_counter() - started)
    assert sum(len(items) for items in found.values()) == POSTINGS
    return {
        "replay_copy_records_per_s": round(copied, 1),
        "replay_rate_1000_achieved": round(rated, 1),
        "replay_resume_scan_records_per_s": round(scanned, 1),
    }


def _route_dead_letters() -> dict[str, object]:
    topic = "bench.jobstream.postings.raw"
    letters = []
    for n, text in enumerate(postings(200)):
        letter = DeadLetter(
            stage="parser",
            reason="processing_error",
            error="KeyError: 'salary'",
            failed_at=utc_now(),
            source_topic=topic,
            source_partition=0,
            source_offset=n,
            key=f"{n:032x}",
            payload=encode(RawPosting.from_text(text, Source(channel="cli"))).decode(),
        )
        letters.append(
            Record("dead", 0, n, None, encode(letter), 0, tuple(dead_letter_headers(letter)))
        )
    selection = build_selection(now=utc_now(), stages=["parser"], error_text="keyerror")
    allowed = frozenset({topic})
    rate = per_second(letters, lambda r: route_dead_letter(r, selection, "bench", allowed))
    return {"replay_route_dead_letters_per_s": rate}


async def _run() -> dict[str, object]:
    kafka = KafkaSettings(namespace=f"bench-replay-{uuid.uuid4().hex[:8]}")
    await ensure_topics(kafka)
    try:
        with tempfile.TemporaryDirectory(prefix="jobstream-bench-replay-") as folder:
            settings = ReplaySettings(kafka=kafka, checkpoint_dir=Path(folder))
            return await _measure(settings)
    finally:
        await delete_namespace_topics(kafka)


def run() -> dict[str, object]:
    figures = asyncio.run(_run())
    figures.update(_route_dead_letters())
    return figures
