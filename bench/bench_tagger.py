"""The tagger: postings tagged per second on one core, and the cost of its automaton.

Postings come from bench/corpus.py (median about 4 KB). Rates are per second of this
process's CPU time (time.process_time): the machine is shared, and the wall clock counts
the time other processes run. Each rate is the median of several passes over 2,000
postings, with the best pass beside it (`..._best`).
- tagger_postings_per_s: `tag()` alone, parsed posting in, tagged posting out.
- tagger_stage_postings_per_s: what the service does per record (bootstrap.tag_records_with):
  decode the parsed event, tag, look for unknown terms (and log them, as JSON lines, as the
  service does; here into /dev/null), stamp `tagged_at`; then encode the tagged event.
- span_model_share: the span model's part of `tag()` (chunks, the model's reading, naming its
  spans), as a share of `tag()`'s CPU time; span_model_us: that part per posting, in µs.
- span_model_reader: "c" when the span model read in C (`make` builds it), "python" otherwise.
- tagger_build: "compiled" when the tagger's hot modules ran as `make`'s mypyc build,
  "python" otherwise (jobstream.compiled).
- taxonomy_load_s, automaton_build_s: reading and validating taxonomy.json; building the
  Aho-Corasick automaton of all its forms (both once per process, at start-up).
- automaton_memory_mb: resident memory the automaton and its form table add.
- occupation_index_load_s: reading the occupation index (occupations.jsonl) at start-up.
- occupation_coder_us: CPU microseconds to code one posting's occupation from its title and
  skills, the cache bypassed (every title new); repeated titles cost a cache look-up.
- tagger_peak_rss_mb: the peak resident memory (VmHWM) of a fresh process that imports what
  the service imports, loads what it loads (taxonomy, automaton, occupation index, span
  model) and tags the corpus's parsed events one record at a time, as the service does (the
  tagger's budget is 200 MB).
"""

from __future__ import annotations

import base64
import contextlib
import gc
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import jobstream_tagger
from bench.corpus import postings
from bench.timing import Rates, rates
from jobstream.contracts import ParsedPosting, Source, encode, posting_id_for, utc_now
from jobstream.kafka.worker import settle_heap
from jobstream.logs import configure_logging
from jobstream.ports import SystemClock
from jobstream.stages import Record
from jobstream_tagger.bootstrap import tag_records_with
from jobstream_tagger.matching import Matcher
from jobstream_tagger.occupation import OCCUPATIONS_FILE, OccupationCoder, title_for
from jobstream_tagger.tag import matcher_for, read, span_model, tag, taxonomy_mentions
from jobstream_tagger.taxonomy import TAXONOMY_FILE, Taxonomy, load_taxonomy


def _resident_bytes() -> int:
    """Resident set size of this process (Linux /proc; 0 where there is none)."""
    status = Path("/proc/self/status")
    if not status.exists():
        return 0
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


@contextlib.contextmanager
def _service_logs_discarded() -> Iterator[None]:
    """Logging configured as the service configures it, the lines written to /dev/null."""
    configure_logging("tagger", "INFO")
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    with open(os.devnull, "w") as devnull:
        streams = [handler.setStream(devnull) for handler in handlers]
        try:
            yield
        finally:
            for handler, stream in zip(handlers, streams, strict=True):
                handler.setStream(stream)


PASSES = 7  # whole passes over the corpus; the median and the best are reported


def _figures(name: str, measured: Rates) -> dict[str, float]:
    """The median and the best of the passes, per second of CPU time."""
    return {name: measured.cpu_median, f"{name}_best": measured.cpu_best}


def _parsed(text: str) -> ParsedPosting:
    return ParsedPosting(
        posting_id=posting_id_for(text),
        received_at=utc_now(),
        source=Source(channel="cli"),
        parser_version="bench",
        text=text,
    )


# What the service does per record, in a fresh process that imports only what the service
# imports (the faust worker among them), not the benchmark's corpus builder: the parsed
# events come from a file, one base64 line each.
_SERVICE_LIKE = """
import base64, sys
import jobstream_tagger.service
from jobstream.kafka.worker import settle_heap
from jobstream.ports import SystemClock
from jobstream.stages import Record
from jobstream_tagger.bootstrap import tag_records_with
from jobstream_tagger.occupation import load_coder
from jobstream_tagger.tag import matcher_for, span_model
from jobstream_tagger.taxonomy import load_taxonomy
taxonomy = load_taxonomy()
matcher_for(taxonomy)
load_coder()
span_model()
settle_heap()
tag_record = tag_records_with(taxonomy, SystemClock())
with open(sys.argv[1], "rb") as lines:
    for offset, line in enumerate(lines):
        tag_record(Record("parsed", 0, offset, None, base64.b64decode(line)))
with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def _service_peak_rss_mb(events: list[bytes]) -> int:
    """Peak RSS of a process doing what the tagger service does (see the docstring).

    Read from the child's own /proc/self/status (VmHWM): its `ru_maxrss` would count this
    process's memory too (Linux keeps the high-water mark of the memory a child is forked
    from across its exec)."""
    with tempfile.NamedTemporaryFile("wb", suffix=".b64") as file:
        file.writelines(base64.b64encode(event) + b"\n" for event in events)
        file.flush()
        result = subprocess.run(
            [sys.executable, "-c", _SERVICE_LIKE, file.name],
            capture_output=True,
            text=True,
            check=True,
        )
    return round(int(result.stdout.split()[-1]) / 1024)


def run() -> dict[str, object]:
    text = resources.files("jobstream_tagger").joinpath(TAXONOMY_FILE).read_text("utf-8")
    started = time.perf_counter()
    taxonomy = Taxonomy.from_json(text)
    load_s = time.perf_counter() - started

    gc.collect()
    before = _resident_bytes()
    started = time.perf_counter()
    matcher = Matcher(taxonomy)
    build_s = time.perf_counter() - started
    gc.collect()
    memory = _resident_bytes() - before

    packaged = load_taxonomy()
    matcher_for(packaged)  # built once, outside the timing, as the service does at start-up
    settle_heap()  # the garbage collector as the service runs it once start-up is done
    parsed = [_parsed(text) for text in postings(2_000)]
    events = [encode(posting) for posting in parsed]
    encoded = [Record("parsed", 0, n, None, event) for n, event in enumerate(events)]
    sizes = [len(posting.text.encode("utf-8")) for posting in parsed]
    tag_record = tag_records_with(packaged, SystemClock())
    with _service_logs_discarded():
        stage = _figures(
            "tagger_stage_postings_per_s",
            rates(encoded, lambda value: encode(tag_record(value)), passes=PASSES),
        )
    model = span_model()
    matches = [taxonomy_mentions(posting.text, packaged) for posting in parsed]
    pairs = list(zip(parsed, matches, strict=True))
    model_part = rates(
        pairs, lambda pair: read(pair[0].text, pair[1], packaged, model), passes=PASSES
    )
    whole = rates(parsed, lambda posting: tag(posting, packaged), passes=PASSES)
    tagged = [tag(posting, packaged) for posting in parsed]
    started = time.perf_counter()
    with resources.files("jobstream_tagger").joinpath(OCCUPATIONS_FILE).open("rb") as file:
        coder = OccupationCoder(json.loads(line) for line in file)
    occupation_load_s = time.perf_counter() - started
    inputs = [
        (
            title_for(posting.title, None, posting.text) or "",
            frozenset(s.skill_id for s in posting.skills),
        )
        for posting in tagged
    ]
    started = time.process_time()
    for title, skill_ids in inputs:
        coder._code(title, skill_ids)  # the uncached path
    coder_us = (time.process_time() - started) / len(inputs) * 1e6
    return {
        **_figures("tagger_postings_per_s", whole),
        "span_model_us": round(1e6 / model_part.cpu_median, 1),
        "span_model_share": round(whole.cpu_median / model_part.cpu_median, 2),
        "span_model_reader": "c" if model.compiled else "python",
        "tagger_build": jobstream_tagger.BUILD,
        **stage,
        "occupation_index_load_s": round(occupation_load_s, 3),
        "occupation_coder_us": round(coder_us, 1),
        "tagger_peak_rss_mb": _service_peak_rss_mb(events),
        "tagger_posting_median_bytes": int(statistics.median(sizes)),
        "taxonomy_skills": len(taxonomy),
        "taxonomy_forms": len(matcher.forms),
        "automaton_patterns": matcher.pattern_count,
        "taxonomy_load_s": round(load_s, 3),
        "automaton_build_s": round(build_s, 3),
        "automaton_memory_mb": round(memory / 2**20, 1),
    }
