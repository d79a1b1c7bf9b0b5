"""The end-to-end benchmark's machinery, on a few postings, so `make bench` cannot rot.

No speed is asserted (the figures live in bench/results); only that every phase ran through
the real processes and reported what `make bench` promises.
"""

from __future__ import annotations

import pytest

from bench.bench_e2e import Options, measure
from jobstream_stack.layout import StackLayout

pytestmark = pytest.mark.e2e


async def test_bench_e2e_reports_every_figure(native_stack: StackLayout) -> None:
    figures = await measure(Options(postings=200))

    assert figures["e2e_postings"] == 200
    for key in (
        "e2e_postings_per_s",
        "ceiling_postings_per_s",
        "e2e_2_instances_postings_per_s",
        "e2e_half_load_postings_per_s",
    ):
        value = figures[key]
        assert isinstance(value, float) and value > 0, key
    latency = figures["e2e_latency_ms"]
    assert isinstance(latency, dict) and set(latency) == {"full", "half"}
    for load in latency.values():
        assert set(load) == {"p50", "p95", "p99"}
        assert 0 <= load["p50"] <= load["p95"] <= load["p99"]
    for key in ("rss_mb", "ceiling_rss_mb", "e2e_2_instances_rss_mb"):
        rss = figures[key]
        assert isinstance(rss, dict) and set(rss) == {"ingest", "parser", "tagger", "store"}
        assert all(mb > 0 for mb in rss.values()), rss
