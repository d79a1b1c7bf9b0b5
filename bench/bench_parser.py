"""The parser on one core: postings per second on the benchmark corpus (median about 4 KB),
and the time for 200 KB of adversarial input (catastrophic regex backtracking would show)."""

from __future__ import annotations

import contextlib
import statistics
import time

from bench.corpus import postings
from bench.timing import per_second
from jobstream.contracts import RawPosting, Source
from jobstream_parser.parse import NotAPosting, parse

ADVERSARIAL_CHARS = 200_000
# Shapes that make backtracking regexes explode: long runs of what patterns repeat.
ADVERSARIAL = {
    "digits and separators": "1,2.3 4-5 " * 20_000,
    "currency runs": "$1-$1-$1 to " * 20_000,
    "years runs": "5+ 5- 5 to 5 years " * 10_000,
    "capitalised words": "As A Senior Staff Lead Engineer At Acme Is The World's " * 4_000,
    "one long line": "x" * ADVERSARIAL_CHARS,
    "headings": "Requirements:\nNice to haves\nBENEFITS\n" * 6_000,
    "colons and parens": "((((:::: " * 25_000,
    "hours": "8:00 am to 9:00 pm PST " * 9_000,
}


def _parse(raw: RawPosting) -> None:
    with contextlib.suppress(NotAPosting):  # refusing is an outcome, as fast as parsing
        parse(raw)


def _slowest_adversarial_seconds() -> tuple[str, float]:
    worst = ("", 0.0)
    for name, text in ADVERSARIAL.items():
        raw = RawPosting.from_text(text[:ADVERSARIAL_CHARS], Source(channel="cli"))
        started = time.perf_counter()
        _parse(raw)
        elapsed = time.perf_counter() - started
        if elapsed > worst[1]:
            worst = (name, elapsed)
    return worst


def run() -> dict[str, object]:
    texts = list(postings(1_000))
    raws = [RawPosting.from_text(text, Source(channel="cli")) for text in texts]
    worst, seconds = _slowest_adversarial_seconds()
    return {
        "parser_postings_per_s": per_second(raws, _parse, min_seconds=3.0),
        "parser_corpus_median_bytes": int(statistics.median(len(t.encode()) for t in texts)),
        "parser_adversarial_200kb_worst_s": round(seconds, 3),
        "parser_adversarial_200kb_worst_case": worst,
    }
