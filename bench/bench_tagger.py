"""The tagger: postings tagged per second on one core, and the cost of its automaton.

Postings come from bench/corpus.py (median about 4 KB). Figures:
- tagger_postings_per_s: `tag()` alone, parsed posting in, tagged posting out (wall clock).
- tagger_postings_per_cpu_s: the same per second of this process's CPU time, which other
  processes on a shared machine do not inflate.
- tagger_stage_postings_per_s: what the stage does per record: decode the parsed event, tag,
  encode the tagged event.
- taxonomy_load_s, automaton_build_s: reading and validating taxonomy.json; building the
  Aho-Corasick automaton of all its forms (both once per process, at start-up).
- automaton_memory_mb: resident memory the automaton and its form table add.
"""

from __future__ import annotations

import gc
import statistics
import time
from importlib import resources
from pathlib import Path

from bench.corpus import postings
from bench.timing import per_second
from jobstream.contracts import ParsedPosting, Source, decode, encode, posting_id_for, utc_now
from jobstream_tagger.matching import Matcher
from jobstream_tagger.tag import matcher_for, tag
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


def _per_cpu_second(items: list[ParsedPosting], taxonomy: Taxonomy, passes: int = 3) -> float:
    """Postings tagged per second of CPU time: the best of a few passes over `items`."""
    best = float("inf")
    for _ in range(passes):
        started = time.process_time()
        for item in items:
            tag(item, taxonomy)
        best = min(best, time.process_time() - started)
    return round(len(items) / best, 1)


def _parsed(text: str) -> ParsedPosting:
    return ParsedPosting(
        posting_id=posting_id_for(text),
        received_at=utc_now(),
        source=Source(channel="cli"),
        parser_version="bench",
        text=text,
    )


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
    gc.collect()
    gc.freeze()  # as the service does once its taxonomy is loaded
    parsed = [_parsed(text) for text in postings(2_000)]
    encoded = [encode(posting) for posting in parsed]
    sizes = [len(posting.text.encode("utf-8")) for posting in parsed]
    return {
        "tagger_postings_per_s": per_second(parsed, lambda posting: tag(posting, packaged)),
        "tagger_postings_per_cpu_s": _per_cpu_second(parsed, packaged),
        "tagger_stage_postings_per_s": per_second(
            encoded, lambda value: encode(tag(decode(ParsedPosting, value), packaged))
        ),
        "tagger_posting_median_bytes": int(statistics.median(sizes)),
        "taxonomy_skills": len(taxonomy),
        "taxonomy_forms": len(matcher.forms),
        "automaton_patterns": matcher.pattern_count,
        "taxonomy_load_s": round(load_s, 3),
        "automaton_build_s": round(build_s, 3),
        "automaton_memory_mb": round(memory / 2**20, 1),
    }
