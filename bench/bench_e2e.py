"""End to end through the native stack: ingest → parser → tagger → store, as real processes.

Three pipelines, one after the other, each in a fresh namespace and database (bench/pipeline.py):

1. One instance per stage. N postings at full load (as fast as ingest takes them):
   `e2e_postings_per_s` and `e2e_latency_ms.full`; then N/2 other postings at half the
   measured rate: `e2e_latency_ms.half`. `rss_mb`: each service's peak RSS over both.
2. The plumbing ceiling: the same, with parser and tagger as pass-throughs (same hops, same
   events decoded and encoded, same database write; no parsing, no tagging), N postings at
   full load: `ceiling_postings_per_s`, and `e2e_ceiling_ratio` = pipeline ÷ ceiling (and
   `e2e_ceiling_cpu_ratio`, the same from CPU time per posting, steadier on a busy machine).
3. Two instances of each of parser, tagger and store (consumer groups share the 6
   partitions), N/2 postings at full load: `e2e_2_instances_postings_per_s`.

Each pipeline first stores a few warm-up postings (connections made, first batches done), so
the figures are of a running pipeline, not of its start. Full load builds a backlog on the
raw topic, so its latency is mostly queueing; half load is the figure for a pipeline that
keeps up.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

from bench import corpus
from bench.pipeline import Pipeline, jsonl_lines, running

WARM_UP = 50


@dataclass(frozen=True)
class Options:
    postings: int = 20_000
    half_load: bool = True
    ceiling: bool = True
    two_instances: bool = True


OPTIONS = Options()


async def measure(options: Options) -> dict[str, object]:
    n = options.postings
    # Distinct postings for every phase: the ids are hashes of the text, and a repeat would be
    # an unchanged row, never a new one.
    texts = list(corpus.postings(n * 3 + 3 * WARM_UP))
    warm_ups = iter(range(n * 3, len(texts), WARM_UP))

    async def warm_up(pipeline: Pipeline) -> None:
        start = next(warm_ups)
        await pipeline.measure(jsonl_lines(texts[start : start + WARM_UP]), f"warm-up-{start}")

    full, half = jsonl_lines(texts[:n]), jsonl_lines(texts[n : n + n // 2])
    figures: dict[str, object] = {"e2e_postings": n}

    async with running(instances=1) as pipeline:
        await warm_up(pipeline)
        loaded = await pipeline.measure(full, "bench-full.jsonl")
        latency = {"full": loaded.latency_ms}
        figures["e2e_full_load_hops_ms"] = loaded.hops_ms
        figures["e2e_postings_per_s"] = loaded.postings_per_s
        figures["e2e_cpu_ms_per_posting"] = loaded.cpu_ms_per_posting
        # What the machine's cores allow at that CPU a posting (services and PostgreSQL's
        # backends; Kafka's broker comes on top): the rate to hold the measured one against.
        spent = sum(loaded.cpu_ms_per_posting.values())
        figures["e2e_cpu_bound_postings_per_s"] = round((os.cpu_count() or 1) * 1000 / spent, 1)
        if options.half_load and half:
            rate = loaded.postings_per_s / 2
            paced = await pipeline.measure(half, "bench-half.jsonl", rate=rate)
            latency["half"] = paced.latency_ms
            figures["e2e_half_load_hops_ms"] = paced.hops_ms
            figures["e2e_half_load_offered_per_s"] = paced.offered_per_s
            figures["e2e_half_load_postings_per_s"] = paced.postings_per_s
        figures["e2e_latency_ms"] = latency
        figures["rss_mb"] = pipeline.rss_mb()

    if options.ceiling:
        async with running(instances=1, passthrough=True) as pipeline:
            await warm_up(pipeline)
            ceiling = await pipeline.measure(full, "bench-ceiling.jsonl")
            figures["ceiling_rss_mb"] = pipeline.rss_mb()
        figures["ceiling_postings_per_s"] = ceiling.postings_per_s
        figures["ceiling_latency_ms"] = ceiling.latency_ms
        figures["ceiling_cpu_ms_per_posting"] = ceiling.cpu_ms_per_posting
        figures["e2e_ceiling_ratio"] = round(loaded.postings_per_s / ceiling.postings_per_s, 2)
        # The same ratio from the CPU time per posting of the services and PostgreSQL's
        # backends: it holds whatever else loads the machine between the two runs (it leaves
        # out Kafka's share).
        cpu = sum(loaded.cpu_ms_per_posting.values())
        figures["e2e_ceiling_cpu_ratio"] = round(sum(ceiling.cpu_ms_per_posting.values()) / cpu, 2)

    if options.two_instances:
        other = jsonl_lines(texts[2 * n : 2 * n + n // 2])
        async with running(instances=2) as pipeline:
            await warm_up(pipeline)
            doubled = await pipeline.measure(other, "bench-2x.jsonl")
            figures["e2e_2_instances_rss_mb"] = pipeline.rss_mb()
        figures["e2e_2_instances_postings_per_s"] = doubled.postings_per_s
        figures["e2e_2_instances_latency_ms"] = doubled.latency_ms
    return figures


def run() -> dict[str, object]:
    return asyncio.run(measure(OPTIONS))
