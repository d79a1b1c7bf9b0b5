"""End to end on three brokers beside one (`make bench BENCH=brokers`).

The same pipeline (bench/pipeline.py: ingest, parser, tagger, store as real processes, one
instance each) and the same number of postings at full load, first on the native stack's one
broker, then on a private KRaft cluster of three nodes (free 127.0.0.1 ports, a temporary
folder, removed after) whose topics have three replicas and `min.insync.replicas` 2: every
acknowledged record is on two brokers at least. The difference is the price of replication
(and of two more JVMs on the same cores).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import corpus
from bench.pipeline import jsonl_lines, running
from jobstream.settings import KafkaSettings, RuntimeSettings
from jobstream_stack.kafka import KafkaCluster, Node, link_jars
from jobstream_stack.layout import StackLayout
from jobstream_stack.settings import StackSettings
from jobstream_stack.system import free_port

POSTINGS = 10_000
WARM_UP = 50
BROKERS = 3


@contextmanager
def cluster(brokers: int) -> Iterator[str]:
    """A private cluster of `brokers` nodes; yields its bootstrap servers."""
    with tempfile.TemporaryDirectory(prefix="jobstream-bench-brokers-") as folder:
        layout = StackLayout(Path(folder))
        layout.create()
        stack = StackSettings(kafka_heap_mb=384)
        link_jars(layout, StackLayout(RuntimeSettings().state_dir), stack.kafka_version)
        nodes = [Node(n + 1, free_port(), free_port()) for n in range(brokers)]
        bootstrap = ",".join(f"127.0.0.1:{node.port}" for node in nodes)
        kafka_cluster = KafkaCluster(
            layout, KafkaSettings(bootstrap_servers=bootstrap), stack, nodes
        )
        try:
            kafka_cluster.start()
            yield bootstrap
        finally:
            kafka_cluster.stop()


async def measure_on(
    runs: tuple[int, ...], bootstrap: str | None = None, postings: int = POSTINGS
) -> dict[str, object]:
    """The pipeline on `bootstrap` (None: the native stack's broker), once per entry of `runs`
    (the number of brokers it has, for the figures' names); each run has texts of its own."""
    texts = list(corpus.postings(2 * postings + 2 * WARM_UP))
    figures: dict[str, object] = {"e2e_brokers_postings": postings}
    slices = {1: (0, 2 * postings), BROKERS: (postings, 2 * postings + WARM_UP)}
    for brokers in runs:
        start, warm = slices[brokers]
        lines = jsonl_lines(texts[start : start + postings])
        async with running(instances=1, kafka_bootstrap=bootstrap) as pipeline:
            await pipeline.measure(jsonl_lines(texts[warm : warm + WARM_UP]), f"warm-{brokers}")
            phase = await pipeline.measure(lines, f"brokers-{brokers}.jsonl")
        name = "1_broker" if brokers == 1 else f"{brokers}_brokers"
        figures[f"e2e_{name}_postings_per_s"] = phase.postings_per_s
        figures[f"e2e_{name}_cpu_ms_per_posting"] = phase.cpu_ms_per_posting
        figures[f"e2e_{name}_latency_ms"] = phase.latency_ms
    return figures


def run() -> dict[str, object]:
    # The cluster starts outside the event loop: its readiness checks run loops of their own.
    return asyncio.run(measure_on(runs=(1,))) | _on_cluster(BROKERS)


def _on_cluster(brokers: int) -> dict[str, object]:
    with cluster(brokers) as bootstrap:
        return asyncio.run(measure_on(runs=(brokers,), bootstrap=bootstrap))
