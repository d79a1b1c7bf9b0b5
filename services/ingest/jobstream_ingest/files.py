"""`jobstream ingest PATH…`: publish files, folders, globs or stdin, with a progress bar.

Files are read in a worker thread and published in batches (one Kafka round trip for many
small files); within one run a posting seen before is skipped and counted as a duplicate.
"""

from __future__ import annotations

import asyncio
import glob
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jobstream.contracts import SourceFormat
from jobstream_ingest.intake import Limits, Rejection, detect_format, read_postings
from jobstream_ingest.publishing import Ingestor, Input, Report

STDIN = "-"
# A batch is published once it holds this many postings (or files): few round trips, bounded
# memory.
BATCH_POSTINGS = 2_000
BATCH_FILES = 200


@dataclass
class IngestSummary:
    files: int = 0
    published: int = 0
    duplicates: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    rejections: list[tuple[str, Rejection]] = field(default_factory=list)
    posting_ids: list[str] = field(default_factory=list)

    def add(self, report: Report) -> None:
        self.files += 1
        self.published += report.published
        self.duplicates += report.duplicates
        self.posting_ids.extend(report.posting_ids)
        for rejection in report.rejections:
            self.rejected[rejection.reason] += 1
            self.rejections.append((report.name, rejection))


@dataclass(frozen=True)
class Missing:
    """A path or glob that names no file."""

    pattern: str


def expand(paths: Iterable[str]) -> Iterator[Path | str | Missing]:
    """Files named, files under folders (sorted), glob matches, and '-' for stdin."""
    for raw in paths:
        if raw == STDIN:
            yield STDIN
            continue
        matches = sorted(glob.glob(raw, recursive=True)) if glob.has_magic(raw) else [raw]
        if not matches:
            yield Missing(raw)
        for match in matches:
            path = Path(match)
            if path.is_dir():
                yield from sorted(p for p in path.rglob("*") if p.is_file())
            else:
                yield path


async def ingest_paths(
    paths: Iterable[str],
    ingestor: Ingestor,
    limits: Limits,
    *,
    stdin: BinaryIO | None = None,
    stdin_format: SourceFormat = "txt",
    show_progress: bool = True,
) -> IngestSummary:
    summary = IngestSummary()
    targets = list(expand(paths))
    batch: list[Input] = []
    postings = 0

    def read(target: Path | str | Missing) -> Input:
        return _read(target, limits, stdin, stdin_format)

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[published]} published"),
    )
    with Progress(*columns, transient=True, disable=not show_progress or len(targets) < 2) as bar:
        task = bar.add_task("ingesting", total=len(targets), published=0)

        async def flush() -> None:
            for report in await ingestor.ingest("cli", batch):
                summary.add(report)
            bar.update(task, advance=len(batch), published=summary.published)
            batch.clear()

        for target in targets:
            item = await asyncio.to_thread(read, target)
            batch.append(item)
            postings += len(item.outcomes)
            if postings >= BATCH_POSTINGS or len(batch) >= BATCH_FILES:
                await flush()
                postings = 0
        if batch:
            await flush()
    return summary


def _read(
    target: Path | str | Missing, limits: Limits, stdin: BinaryIO | None, stdin_format: SourceFormat
) -> Input:
    if isinstance(target, Missing):
        rejection = Rejection("no_match", "no file has this name or matches this pattern")
        return Input(target.pattern, 0, [rejection])
    if target == STDIN:
        if stdin is None:
            raise ValueError("stdin was named but not given")
        data = stdin.read(limits.max_file_bytes + 1)
        outcomes = read_postings("stdin", data, "cli", limits, fmt=stdin_format)
        return Input("stdin", len(data), outcomes)
    path = Path(target)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            message = f"{size:,} bytes, over the limit of {limits.max_file_bytes:,}"
            fmt = detect_format(path.name).format
            return Input(str(path), size, [Rejection("too_large", message, fmt)])
        with path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
    except OSError as error:
        return Input(str(path), 0, [Rejection("unreadable", f"cannot read it: {error.strerror}")])
    return Input(str(path), len(data), read_postings(path.name, data, "cli", limits))
