"""The read side's benchmark machinery on a few postings, so `make bench` cannot rot.

No speed is asserted (the figures live in bench/results); only that every phase ran through
the real processes and reported what `make bench` promises.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.bench_read_side import Options, measure
from jobstream_stack.layout import StackLayout

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


async def test_bench_read_side_reports_every_figure(native_stack: StackLayout) -> None:
    figures = await measure(Options(postings=1_000, templates=100, requests=100, seconds=30))

    assert figures["read_side_postings"] == 1_000
    for kind in ("read_api_postings_by_skill", "read_api_stats_skills"):
        load: Any = figures[kind]
        assert isinstance(load, dict), kind
        assert load["requests"] == 100 and load["failed"] == 0, load
        assert load["requests_per_s"] > 0 and load["api_cpu_ms_per_request"] > 0
        latency = load["latency_ms"]
        assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"]
    export: dict[str, Any] = figures
    assert export["export_parquet_postings_per_s"] > 0
    assert 0 < export["export_rss_mb_first_half"] <= export["export_rss_mb_peak"]
    assert export["export_file_mb"] > 0
