"""The pure helpers of the end-to-end benchmark and its profiler (no servers, no timing)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bench import corpus
from bench.pipeline import chunks, cpu_seconds, jsonl_lines, percentiles
from bench.profile_e2e import package, read_profile
from jobstream_stack.processes import peak_rss_mb

pytestmark = pytest.mark.unit


def test_percentiles_of_one_to_a_hundred() -> None:
    cuts = percentiles([float(n) for n in range(1, 101)])
    assert cuts == {"p50": 50.5, "p95": 95.0, "p99": 99.0}  # rounded to 0.1 ms
    assert percentiles([7.0]) == {"p50": 7.0, "p95": 7.0, "p99": 7.0}


def test_postings_go_as_json_lines_in_chunks() -> None:
    lines = jsonl_lines(["Data Engineer\nAcme", "ünïcode"])
    assert [json.loads(line)["text"] for line in lines] == ["Data Engineer\nAcme", "ünïcode"]
    bodies = list(chunks(lines * 3, 4))
    assert [body.count(b"\n") for body in bodies] == [4, 2]


def test_this_process_has_a_peak_rss_and_cpu_time() -> None:
    assert (peak_rss_mb(os.getpid()) or 0) > 1
    assert cpu_seconds(os.getpid()) > 0
    assert peak_rss_mb(2**22 + 1) is None  # above pid_max: no such process


def test_frames_are_counted_by_package() -> None:
    assert package("pydantic/main.py") == "pydantic"
    assert package("asyncio/base_events.py") == "asyncio"
    assert package("/srv/app/services/parser/jobstream_parser/parse.py") == "jobstream_parser"
    assert package("/srv/app/libs/jobstream/kafka/worker.py") == "jobstream/kafka"
    raw = (
        "run (asyncio/base_events.py:1) ;parse (/x/jobstream_parser/parse.py:9) 30\n"
        "run (asyncio/base_events.py:1);select (selectors.py:468) 10\n"
    ).replace(" ;", ";")
    profile = read_profile(raw, seconds=1)
    assert profile.samples == 40
    assert profile.own == {"jobstream_parser": 30, "selectors": 10}
    assert profile.inclusive["asyncio"] == 40


def test_a_small_real_corpus_is_repeated_with_distinct_texts(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Data Engineer\nAcme\nWe use Python and Kafka.\n")
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": "Platform Engineer at Globex"}) + "\n")
    try:
        assert corpus.use(tmp_path) == 2
        texts = list(corpus.postings(5))
    finally:
        corpus._real = None
    assert len(texts) == len(set(texts)) == 5
    assert sum("(bench copy" not in text for text in texts) == 2
