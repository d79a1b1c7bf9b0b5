"""`jobstream ingest PATH…`: publish files, folders, globs or stdin, with a progress bar."""

from __future__ import annotations

import glob
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rich.progress import Progress

from jobstream import metrics
from jobstream.contracts import RawPosting
from jobstream.kafka.publisher import Publisher
from jobstream.topology import RAW_POSTINGS
from jobstream_ingest.intake import Rejection, read_posting

STDIN = "-"


@dataclass
class IngestSummary:
    published: int = 0
    duplicates: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    rejections: list[tuple[str, Rejection]] = field(default_factory=list)
    posting_ids: list[str] = field(default_factory=list)


def expand(paths: Iterable[str]) -> Iterator[Path | str]:
    """Files named, files under folders (sorted), glob matches, and '-' for stdin."""
    for raw in paths:
        if raw == STDIN:
            yield STDIN
            continue
        matches = sorted(glob.glob(raw, recursive=True)) if glob.has_magic(raw) else [raw]
        for match in matches:
            path = Path(match)
            if path.is_dir():
                yield from sorted(p for p in path.rglob("*") if p.is_file())
            else:
                yield path


async def ingest_paths(
    paths: Iterable[str], publisher: Publisher, max_bytes: int, show_progress: bool = True
) -> IngestSummary:
    summary = IngestSummary()
    seen: set[str] = set()
    targets = list(expand(paths))
    with Progress(transient=True, disable=not show_progress or len(targets) < 2) as progress:
        task = progress.add_task("ingesting", total=len(targets))
        for target in targets:
            name, outcome = _read(target, max_bytes)
            progress.advance(task)
            if isinstance(outcome, Rejection):
                summary.rejected[outcome.reason] += 1
                summary.rejections.append((name, outcome))
                metrics.INGEST_REJECTIONS.labels("cli", outcome.reason).inc()
                continue
            if outcome.posting_id in seen:
                summary.duplicates += 1
                continue
            seen.add(outcome.posting_id)
            await publisher.publish(RAW_POSTINGS, [outcome])
            metrics.INGEST_OUTCOMES.labels("cli", outcome.source.format, "published").inc()
            summary.published += 1
            summary.posting_ids.append(outcome.posting_id)
    return summary


def _read(target: Path | str, max_bytes: int) -> tuple[str, RawPosting | Rejection]:
    if target == STDIN:
        data = sys.stdin.buffer.read(max_bytes + 1)
        return "stdin", read_posting("stdin.txt", data, "cli", max_bytes)
    path = Path(target)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        return str(path), Rejection("unreadable", f"cannot read it: {error.strerror}")
    return str(path), read_posting(path.name, data, "cli", max_bytes)
