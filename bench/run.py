"""`make bench`: run every `bench/bench_*.py`, print a table, write bench/results/latest.json.

Each module has `run() -> dict[str, object]`; the figures of all modules are merged into one
result, with the machine's cores and memory, and also written to a dated copy.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

BENCH_DIR = Path(__file__).parent
RESULTS = BENCH_DIR / "results"


def machine() -> dict[str, object]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 2**30, 1),
        "python": platform.python_version(),
    }


def main(names: list[str]) -> None:
    modules = sorted(path.stem for path in BENCH_DIR.glob("bench_*.py"))
    if names:
        modules = [name for name in modules if name.removeprefix("bench_") in names]
    results: dict[str, object] = {"machine": machine(), "at": datetime.now(UTC).isoformat()}
    table = Table("benchmark", "figure", "value")
    for name in modules:
        figures = importlib.import_module(f"bench.{name}").run()
        results.update(figures)
        for key, value in figures.items():
            table.add_row(name.removeprefix("bench_"), key, json.dumps(value))
    Console().print(table)
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(results, indent=2, sort_keys=True) + "\n"
    (RESULTS / "latest.json").write_text(text)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}.json").write_text(text)
    print(f"written: {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main(sys.argv[1:])
