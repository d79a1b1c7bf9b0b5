"""`make bench`: run every `bench/bench_*.py`, print a table, write bench/results/latest.json.

Each module has `run() -> dict[str, object]`; the figures of all modules are merged into one
result, with the machine's cores and memory, and also written to a dated copy.

    python -m bench.run                       # everything (`make bench`)
    python -m bench.run e2e --postings 5000   # some benchmarks (`make bench BENCH=e2e`)
    python -m bench.run --corpus jobs.jsonl   # on real postings instead of generated ones
"""

from __future__ import annotations

import importlib
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bench import bench_e2e, corpus

BENCH_DIR = Path(__file__).parent
RESULTS = BENCH_DIR / "results"
# The figures of the table in docs/benchmarks.md; a full run must produce them all.
REQUIRED = (
    "e2e_postings_per_s",
    "ceiling_postings_per_s",
    "e2e_latency_ms",
    "parser_postings_per_s",
    "tagger_postings_per_s",
    "store_postings_per_s",
    "ingest_jsonl_postings_per_s",
    "ingest_inbox_files_per_s",
    "bulk_cli_postings_per_s",
    "bulk_inbox_postings_per_s",
    "rss_mb",
    "read_api_postings_by_skill",
    "read_api_stats_skills",
    "export_parquet_postings_per_s",
)


def machine() -> dict[str, object]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 2**30, 1),
        "python": platform.python_version(),
    }


def main(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="benchmarks to run (e2e, parser, store, ...); default: all"),
    ] = None,
    corpus_path: Annotated[
        Path | None,
        typer.Option(
            "--corpus",
            exists=True,
            help="real postings instead of generated ones: a folder or a file (JSONL, ...)",
        ),
    ] = None,
    postings: Annotated[
        int, typer.Option(min=10, help="postings fed end to end (e2e)")
    ] = bench_e2e.Options.postings,
) -> None:
    """Run the benchmarks, print a table and write bench/results/latest.json."""
    modules = sorted(path.stem for path in BENCH_DIR.glob("bench_*.py"))
    if names:
        unknown = set(names) - {name.removeprefix("bench_") for name in modules}
        if unknown:
            raise typer.BadParameter(f"no such benchmark: {', '.join(sorted(unknown))}")
        modules = [name for name in modules if name.removeprefix("bench_") in names]
    results: dict[str, object] = {"machine": machine(), "at": datetime.now(UTC).isoformat()}
    if corpus_path is not None:
        results["corpus"] = {"path": str(corpus_path), "postings": corpus.use(corpus_path)}
    bench_e2e.OPTIONS = bench_e2e.Options(postings=postings)
    table = Table("benchmark", "figure", "value")
    for name in modules:
        figures = importlib.import_module(f"bench.{name}").run()
        results.update(figures)
        for key, value in figures.items():
            table.add_row(name.removeprefix("bench_"), key, json.dumps(value))
    Console().print(table)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}.json").write_text(_json(results))
    # latest.json: the latest figure of each benchmark, so that `make bench BENCH=e2e`
    # refreshes the end-to-end figures and keeps the others (each module's time says when).
    latest_path = RESULTS / "latest.json"
    latest = json.loads(latest_path.read_text()) if names and latest_path.exists() else {}
    runs = latest.get("runs", {})
    runs.update(dict.fromkeys((name.removeprefix("bench_") for name in modules), results["at"]))
    latest.update(results, runs=runs)
    latest_path.write_text(_json(latest))
    print(f"written: {RESULTS / f'{stamp}.json'} and {latest_path}")
    missing = [key for key in REQUIRED if key not in latest]
    if missing:
        print(f"latest.json lacks: {', '.join(missing)} (run `make bench` for all)")


def _json(results: dict[str, object]) -> str:
    return json.dumps(results, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    typer.run(main)
