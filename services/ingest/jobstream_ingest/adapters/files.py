"""`jobstream ingest PATH…`: publish files, folders, globs or stdin, with a progress bar.

Files are read in a worker thread and published in batches (one Kafka round trip for many
small files); within one run a posting seen before is skipped. Bulk files (JSON Lines, CSV,
plain or gzip) are streamed record by record, any size, and resume where a stopped run left
them (`bulk_ingest.py`).
"""

from __future__ import annotations

import asyncio
import glob
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from jobstream import metrics
from jobstream.contracts import SourceFormat
from jobstream_ingest.adapters.bulk_ingest import BulkRun, Recorder, ingest_bulk
from jobstream_ingest.adapters.progress import FileIdentity, ProgressStore
from jobstream_ingest.bulk import BulkOptions, is_streamed
from jobstream_ingest.intake import RECORD_WORDS, Limits, Rejection, detect_format, read_postings
from jobstream_ingest.publishing import LISTED_REJECTIONS, Ingestor, Input, Report

STDIN = "-"
# A batch is published once it holds this many postings (or files): few round trips, bounded
# memory.
BATCH_POSTINGS = 2_000
BATCH_FILES = 200


@dataclass
class IngestSummary:
    files: int = 0
    published: int = 0
    skipped: int = 0
    already_seen: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    rejections: list[tuple[str, Rejection]] = field(default_factory=list)  # the first few
    posting_ids: list[str] = field(default_factory=list)  # of inputs that keep them
    resumed: list[tuple[str, str]] = field(default_factory=list)  # bulk files: name, how

    def add(self, report: Report) -> None:
        self.files += 1
        self.published += report.published
        self.skipped += report.skipped
        self.already_seen += report.already_seen
        self.posting_ids.extend(report.posting_ids)
        self.rejected.update(report.rejected_by_reason)
        room = LISTED_REJECTIONS - len(self.rejections)
        self.rejections.extend((report.name, r) for r in report.rejections[: max(room, 0)])

    def add_bulk(self, run: BulkRun, size: int, fmt: SourceFormat) -> None:
        """A streamed file: its report, and where it took up an earlier run."""
        self.add(run.report)
        resumed = run.describe_resume(RECORD_WORDS.get(fmt, "record"))
        if resumed:
            self.resumed.append((run.report.name, resumed))
        metrics.INGEST_FILES.labels("cli").inc()
        metrics.INGEST_BYTES.labels("cli").inc(size)

    @property
    def accepted(self) -> int:
        """Postings of the run in Kafka: published now, or repeats of those."""
        return self.published + self.skipped


@dataclass(frozen=True)
class Missing:
    """A path or glob that names no file."""

    pattern: str


@dataclass(frozen=True)
class Refused:
    """A file found in a folder (or by a glob) that is not read, and why."""

    path: Path
    rejection: Rejection


def expand(paths: Iterable[str]) -> Iterator[Path | str | Missing | Refused]:
    """Files named, files under folders (sorted), glob matches, and '-' for stdin.

    A file named on the command line is read even through a symbolic link (the person named
    it). A link found inside a folder or by a glob is followed only when it stays inside
    that folder: a link planted in a folder must not make the CLI read `/etc/passwd`.
    """
    for raw in paths:
        if raw == STDIN:
            yield STDIN
            continue
        if not glob.has_magic(raw):
            path = Path(raw)
            yield from _folder(path) if path.is_dir() else [path]
            continue
        matches = sorted(glob.glob(raw, recursive=True))
        if not matches:
            yield Missing(raw)
        for match in matches:
            path = Path(match)
            if path.is_dir() and not path.is_symlink():
                yield from _folder(path)
            else:
                yield from _within(path, path.parent)


def _folder(folder: Path) -> Iterator[Path | Refused]:
    # rglob does not descend into linked folders; it lists the links, checked like files.
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            yield from _within(path, folder)
        elif path.is_file():
            yield path


def _within(path: Path, folder: Path) -> Iterator[Path | Refused]:
    """`path`; Refused when it is a link leading out of `folder` (or nowhere); nothing for a
    link to a folder inside (folders are not inputs; their files are listed anyway)."""
    if not path.is_symlink():
        yield path
        return
    fmt = detect_format(path.name).format
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop of links
        yield Refused(path, Rejection("symlink", "a link that leads nowhere", fmt))
        return
    if not target.is_relative_to(folder.resolve()):
        message = "a link leading out of its folder is not followed; name the file itself"
        yield Refused(path, Rejection("symlink", message, fmt))
    elif target.is_file():
        yield path
    elif not target.is_dir():
        yield Refused(path, Rejection("not_a_file", "only regular files are read", fmt))


async def ingest_paths(
    paths: Iterable[str],
    ingestor: Ingestor,
    limits: Limits,
    *,
    stdin: BinaryIO | None = None,
    stdin_format: SourceFormat = "txt",
    show_progress: bool = True,
    progress_dir: Path | None = None,
) -> IngestSummary:
    """Publish every posting the paths name. Bulk files (JSON Lines, CSV) are streamed, each
    with a bar of its own; with `progress_dir`, a bulk file stopped part-way (Ctrl-C, a kill)
    resumes after its last acknowledged batch when named again."""
    summary = IngestSummary()
    targets = list(expand(paths))
    batch: list[Input] = []
    postings = 0
    store = ProgressStore(progress_dir) if progress_dir is not None else None

    def read(target: Path | str | Missing | Refused) -> Input:
        return _read(target, limits, stdin, stdin_format)

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[done]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[published]:,} published"),
    )
    many = len(targets) >= 2
    bulk = any(_bulk_target(target, stdin_format) for target in targets)
    with Progress(*columns, transient=True, disable=not show_progress or not (many or bulk)) as bar:
        task = bar.add_task("ingesting", total=len(targets), published=0, done="", visible=many)
        files = 0

        def advance(count: int) -> None:
            nonlocal files
            files += count
            done = f"{files:,}/{len(targets):,} files"
            bar.update(task, advance=count, published=summary.published, done=done)

        async def flush() -> None:
            for report in await ingestor.ingest("cli", batch):
                summary.add(report)
            advance(len(batch))
            batch.clear()

        for target in targets:
            if _bulk_target(target, stdin_format):
                if batch:  # in order: what came before is published first
                    await flush()
                    postings = 0
                assert isinstance(target, Path | str)
                await _ingest_bulk(
                    target, ingestor, limits, stdin, stdin_format, store, summary, bar
                )
                advance(1)
                continue
            item = await asyncio.to_thread(read, target)
            batch.append(item)
            postings += len(item.outcomes)
            if postings >= BATCH_POSTINGS or len(batch) >= BATCH_FILES:
                await flush()
                postings = 0
        if batch:
            await flush()
    return summary


def _bulk_target(target: Path | str | Missing | Refused, stdin_format: SourceFormat) -> bool:
    if target == STDIN:
        return is_streamed(stdin_format)
    return isinstance(target, Path) and is_streamed(detect_format(target.name).format)


async def _ingest_bulk(
    target: Path | str,
    ingestor: Ingestor,
    limits: Limits,
    stdin: BinaryIO | None,
    stdin_format: SourceFormat,
    store: ProgressStore | None,
    summary: IngestSummary,
    bar: Progress,
) -> None:
    """One bulk file (or stdin) streamed, with a bar of bytes read and postings published."""
    if target == STDIN:
        if stdin is None:
            raise ValueError("stdin was named but not given")
        options = BulkOptions("stdin", "cli", stdin_format, limits)
        run = await _run_bulk(ingestor, stdin, options, None, bar, "stdin", None)
        summary.add_bulk(run, 0, stdin_format)
        return
    path = Path(target)
    fmt = detect_format(path.name).format
    assert fmt is not None
    try:
        handle = await asyncio.to_thread(path.open, "rb")
    except OSError as error:
        rejection = Rejection("unreadable", f"cannot read it: {error.strerror}", fmt)
        for report in await ingestor.ingest("cli", [Input(str(path), 0, [rejection])]):
            summary.add(report)
        return
    with handle:
        info = os.fstat(handle.fileno())
        recorder = None
        if store is not None:
            recorder = Recorder(store, str(path.resolve()), FileIdentity.of(info))
        options = BulkOptions(path.name, "cli", fmt, limits)
        run = await _run_bulk(ingestor, handle, options, recorder, bar, path.name, info.st_size)
    run.report.name = str(path)
    summary.add_bulk(run, info.st_size, fmt)
    if recorder is not None and not run.stopped:
        recorder.store.remove(recorder.key)


async def _run_bulk(
    ingestor: Ingestor,
    stream: BinaryIO,
    options: BulkOptions,
    recorder: Recorder | None,
    bar: Progress,
    label: str,
    size: int | None,
) -> BulkRun:
    total = f"/{size / 1e6:,.0f} MB" if size else " MB"
    task = bar.add_task(label, total=size, published=0, done="")

    async def show(report: Report, raw_bytes: int) -> None:
        done = f"{raw_bytes / 1e6:,.0f}{total}"
        bar.update(task, completed=raw_bytes, published=report.published, done=done)

    try:
        return await ingest_bulk(ingestor, stream, options, recorder=recorder, after_batch=show)
    finally:
        bar.remove_task(task)


def _read(
    target: Path | str | Missing | Refused,
    limits: Limits,
    stdin: BinaryIO | None,
    stdin_format: SourceFormat,
) -> Input:
    if isinstance(target, Refused):
        return Input(str(target.path), 0, [target.rejection])
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
