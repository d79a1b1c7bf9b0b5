"""Instructions a posting inside `parse()`, counted by valgrind (callgrind): the parser's speed
in a figure that the machine's load does not move (docs/parser.md, Speed).

    python -m bench.parser_instructions            # this checkout's parser, as built
    python -m bench.parser_instructions --settle   # with the stage's garbage collector

Two runs under callgrind parse the same 200 postings of `bench/corpus.py` after one warm-up
pass, one run once more: the difference of their counts over 200 is what one more posting
costs, without the start-up, imports and first-time work (compiled patterns, caches). Each run
takes a few minutes. Another checkout's parser is measured by putting its `libs` and
`services/parser` first on PYTHONPATH (its compiled build is used when it matches its sources).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

POSTINGS = 200
ROOT = Path(__file__).resolve().parents[1]


def _passes(count: int, settle: bool) -> None:
    """What each run under valgrind does: warm up, then `count` more passes."""
    from bench.corpus import postings
    from jobstream.contracts import RawPosting, Source
    from jobstream_parser.parse import NotAPosting, parse

    texts = list(postings(POSTINGS))
    raws = [RawPosting.from_text(text, Source(channel="cli")) for text in texts]

    def run() -> None:
        for raw in raws:
            with contextlib.suppress(NotAPosting):
                parse(raw)

    run()
    if settle:
        from jobstream.kafka.worker import settle_heap

        settle_heap()
    for _ in range(count):
        run()


def _counts(settle: bool, folder: Path) -> tuple[int, int]:
    """Callgrind's counts of the runs with no pass and one pass after the warm-up (run side by
    side)."""
    runs = []
    for count in (0, 1):
        command = [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/callgrind.{count}.out",
            sys.executable, "-m", "bench.parser_instructions", "--passes", str(count),
        ]  # fmt: skip
        if settle:
            command.append("--settle")
        # Hashing the same way in both runs: sets and dicts of strings iterate alike.
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        runs.append(subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT))
    counts = []
    for run in runs:
        _, errors = run.communicate()
        collected = re.search(r"Collected : (\d+)", errors)
        if run.returncode != 0 or collected is None:
            raise RuntimeError(f"no count from valgrind: {errors[-500:]}")
        counts.append(int(collected.group(1)))
    return counts[0], counts[1]


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("--settle", action="store_true", help="the stage's collector")
    arguments.add_argument("--passes", type=int, help=argparse.SUPPRESS)  # inside valgrind
    options = arguments.parse_args()
    if options.passes is not None:
        _passes(options.passes, options.settle)
        return
    import jobstream_parser

    with tempfile.TemporaryDirectory() as folder:
        base, more = _counts(options.settle, Path(folder))
    per_posting = (more - base) // POSTINGS
    print(f"parser build {jobstream_parser.BUILD}: {per_posting:,} instructions a posting")


if __name__ == "__main__":
    main()
