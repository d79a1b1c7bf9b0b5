"""Ingest throughput on the running broker, through the real code paths, in a namespace of its own.

- `ingest_jsonl_postings_per_s`: one large JSON Lines file (the deterministic corpus, with
  title and company fields) read by the pure core and published by the real publisher
  (acks=all, idempotent), until Kafka acknowledged every posting.
- `ingest_inbox_files_per_s`: a folder of one-posting .txt files drained by the real Inbox:
  read, published, acknowledged and moved to processed/.

The topics of the namespace are deleted afterwards.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
import uuid
from pathlib import Path

from bench.corpus import postings
from jobstream.kafka.admin import delete_namespace_topics, ensure_topics
from jobstream.kafka.publisher import Publisher
from jobstream.logs import configure_logging
from jobstream.settings import KafkaSettings
from jobstream.topology import RAW_POSTINGS
from jobstream_ingest.adapters.inbox import Inbox, InboxOptions
from jobstream_ingest.intake import Limits, read_postings
from jobstream_ingest.publishing import Ingestor, Input, RecentIds

JSONL_POSTINGS = 10_000
INBOX_FILES = 1_000
# The bench file is larger than the default 10 MiB limit on purpose: it measures throughput.
LIMITS = Limits(max_file_bytes=512 * 1024 * 1024, max_postings=JSONL_POSTINGS)


def jsonl_file(count: int) -> bytes:
    lines = []
    for number, text in enumerate(postings(count)):
        title, company = text.split("\n", 2)[:2]
        record = {"id": f"bench-{number}", "title": title, "company": company, "text": text}
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines).encode("utf-8")


async def _jsonl(settings: KafkaSettings, data: bytes) -> dict[str, object]:
    async with Publisher(settings) as publisher:
        ingestor = Ingestor(publisher, RecentIds(None), republish=False)
        started = time.perf_counter()
        outcomes = await asyncio.to_thread(read_postings, "bench.jsonl", data, "cli", LIMITS)
        read_seconds = time.perf_counter() - started
        [report] = await ingestor.ingest("cli", [Input("bench.jsonl", len(data), outcomes)])
        seconds = time.perf_counter() - started
    assert report.published == JSONL_POSTINGS, report.rejections[:3]
    return {
        "ingest_jsonl_postings_per_s": round(JSONL_POSTINGS / seconds, 1),
        "ingest_jsonl_mb_per_s": round(len(data) / seconds / 1e6, 2),
        "ingest_jsonl_read_only_postings_per_s": round(JSONL_POSTINGS / read_seconds, 1),
    }


async def _inbox(settings: KafkaSettings, folder: Path) -> dict[str, object]:
    async with Publisher(settings) as publisher:
        ingestor = Ingestor(publisher, RecentIds(100_000), republish=True)
        inbox = Inbox(folder, ingestor, Limits(), InboxOptions(stable_seconds=0))
        inbox.prepare()
        for number, text in enumerate(postings(INBOX_FILES, seed=11)):
            (folder / f"posting-{number:05}.txt").write_text(text, encoding="utf-8")
        started = time.perf_counter()
        drained = 0
        while drained < INBOX_FILES:
            drained += await inbox.drain()
        seconds = time.perf_counter() - started
    return {"ingest_inbox_files_per_s": round(INBOX_FILES / seconds, 1)}


async def _run() -> dict[str, object]:
    figures: dict[str, object] = {}
    data = jsonl_file(JSONL_POSTINGS)
    for name in ("jsonl", "inbox"):
        settings = KafkaSettings(namespace=f"bench-{name}-{uuid.uuid4().hex[:8]}")
        await ensure_topics(settings, [RAW_POSTINGS])
        try:
            if name == "jsonl":
                figures.update(await _jsonl(settings, data))
            else:
                with tempfile.TemporaryDirectory(prefix="jobstream-bench-inbox-") as folder:
                    figures.update(await _inbox(settings, Path(folder)))
        finally:
            await delete_namespace_topics(settings)
    return figures


def run() -> dict[str, object]:
    configure_logging("bench", "WARNING")  # not a line per file drained
    return asyncio.run(_run())
