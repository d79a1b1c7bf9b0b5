"""The inbox folder: files dropped in are published, then moved to processed/ or rejected/.

Convention for writers: write the file under a name starting with '.' or ending in '.part' /
'.tmp', then rename it; such names are never read. A file must also keep its size and mtime
for `stable_seconds` before it is read, so a slow copy is not read half-way. Only regular files
at the top of the inbox are read: symbolic links are refused (moved to rejected/), folders are
left alone.

A file is moved to `processed/<date>/` only after Kafka acknowledged all of its postings, so
a crash in between publishes it again on restart (same posting ids; the store keeps one copy).
A file none of whose postings could be used moves to `rejected/`; beside it (and beside a
processed file some of whose records were bad) `<name>.rejected.json` says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import stat
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from aiokafka.errors import KafkaError
from watchfiles import awatch

from jobstream import metrics
from jobstream.logs import get_logger
from jobstream_ingest.adapters.bulk_ingest import Recorder, ingest_bulk
from jobstream_ingest.adapters.progress import FileIdentity, ProgressStore
from jobstream_ingest.bulk import BulkOptions, is_streamed
from jobstream_ingest.intake import RECORD_WORDS, Limits, Rejection, detect_format, read_postings
from jobstream_ingest.publishing import Ingestor, Input, Report

log = get_logger(__name__)

PROCESSED = "processed"
REJECTED = "rejected"
PROGRESS = ".progress"
PROGRESS_LOG_SECONDS = 30.0
SIDECAR_SUFFIX = ".rejected.json"
_IGNORED_SUFFIXES = (".part", ".tmp", SIDECAR_SUFFIX)


@dataclass(frozen=True)
class InboxOptions:
    stable_seconds: float = 0.5
    rescan_seconds: float = 5.0
    batch_files: int = 100
    pause_after_publish_seconds: float = 0.0  # fault injection for the crash test


class Inbox:
    def __init__(
        self, folder: Path, ingestor: Ingestor, limits: Limits, options: InboxOptions
    ) -> None:
        self.folder = folder
        self.ingestor = ingestor
        self.limits = limits
        self.options = options
        self.processed = folder / PROCESSED
        self.rejected = folder / REJECTED
        # Hidden (a leading dot): never taken for a file dropped in.
        self.progress = ProgressStore(folder / PROGRESS)

    def prepare(self) -> None:
        for sub in (self.folder, self.processed, self.rejected):
            sub.mkdir(parents=True, exist_ok=True)

    def candidates(self) -> list[Path]:
        """Files waiting in the inbox itself (not in processed/ or rejected/), oldest first."""
        found = [path for path in self.folder.iterdir() if _is_candidate(path)]
        return sorted(found, key=lambda path: (path.lstat().st_mtime, path.name))

    async def run(self, stop: asyncio.Event) -> None:
        """Handle what is already there, then every file that arrives, until `stop` is set.

        Besides the file events, the folder is scanned every `rescan_seconds`: a file whose
        event was missed, or whose publishing failed while Kafka was away, is not forgotten.
        """
        self.prepare()
        await self.drain(stop)
        async for _changes in awatch(
            self.folder,
            stop_event=stop,
            recursive=False,
            rust_timeout=int(self.options.rescan_seconds * 1000),
            yield_on_timeout=True,
        ):
            await self.drain(stop)

    async def drain(self, stop: asyncio.Event | None = None) -> int:
        """Process every waiting file whose size and mtime held still; return how many.

        Once `stop` is set (SIGTERM), the batch being published is finished and moved, and
        the rest wait for the next start: a long backlog must not delay a shutdown.
        """
        waiting = {}
        for path in self.candidates():
            try:
                waiting[path] = _signature(path)
            except FileNotFoundError:
                continue  # taken away meanwhile
        if not waiting:
            return 0
        await asyncio.sleep(self.options.stable_seconds)
        ready = [path for path, before in waiting.items() if _unchanged(path, before)]
        bulk = [path for path in ready if _is_bulk(path)]
        ready = [path for path in ready if path not in bulk]
        done = 0
        for start in range(0, len(ready), self.options.batch_files):
            if stop is not None and stop.is_set():
                break
            batch = ready[start : start + self.options.batch_files]
            try:
                done += await self._handle(batch)
            except KafkaError as error:
                # The files stay in the inbox; the next scan tries them again.
                log.error("publishing failed; will retry", error=str(error), files=len(batch))
                return done
        for path in bulk:
            if stop is not None and stop.is_set():
                break
            try:
                done += await self._handle_bulk(path, stop)
            except KafkaError as error:
                # Progress up to the last acknowledged batch is recorded: the next scan resumes.
                log.error("publishing failed; will resume", error=str(error), file=path.name)
                break
        return done

    async def _handle_bulk(self, path: Path, stop: asyncio.Event | None) -> int:
        """Publish a JSON Lines or CSV file as a stream (any size), resuming where an earlier
        run stopped; moved once all of it is in Kafka. 0 when it stopped on request."""
        try:
            handle = _open_no_follow(path)
        except FileNotFoundError:
            return 0
        except OSError as error:
            rejection = Rejection("unreadable", f"cannot read it: {error.strerror}")
            self._settle(path, 0, await self._report_of(path.name, [rejection]))
            return 1
        with handle:
            info = os.fstat(handle.fileno())
            recorder = Recorder(self.progress, path.name, FileIdentity.of(info))
            fmt = detect_format(path.name).format
            assert fmt is not None
            options = BulkOptions(path.name, "inbox", fmt, self.limits)
            pause = self.options.pause_after_publish_seconds
            logged = time.monotonic()

            async def progress(report: Report, raw_bytes: int) -> None:
                """A line every half minute: a big file's progress, for whoever watches."""
                nonlocal logged
                if time.monotonic() - logged >= PROGRESS_LOG_SECONDS:
                    logged = time.monotonic()
                    log.info(
                        "bulk file progress", file=path.name, published=report.published,
                        read_percent=round(100 * raw_bytes / max(info.st_size, 1), 1),
                    )  # fmt: skip
                if pause:  # fault injection: slows a file down for the crash tests
                    await asyncio.sleep(pause)

            run = await ingest_bulk(
                self.ingestor, handle, options, recorder=recorder, stop=stop, after_batch=progress
            )
        if run.stopped:
            return 0  # counted when it is done
        metrics.INGEST_FILES.labels("inbox").inc()
        metrics.INGEST_BYTES.labels("inbox").inc(info.st_size)
        word = RECORD_WORDS.get(fmt, "record")
        with contextlib.suppress(FileNotFoundError):  # taken away meanwhile; it is published
            self._settle(path, info.st_size, run.report, resumed=run.describe_resume(word))
        self.progress.remove(path.name)
        return 1

    async def _report_of(self, name: str, rejections: list[Rejection]) -> Report:
        [report] = await self.ingestor.ingest("inbox", [Input(name, 0, rejections)])
        return report

    async def _handle(self, paths: Sequence[Path]) -> int:
        read = await asyncio.to_thread(lambda: [(path, self._read(path)) for path in paths])
        present = [(path, item) for path, item in read if item is not None]
        reports = await self.ingestor.ingest("inbox", [item for _, item in present])
        if self.options.pause_after_publish_seconds:
            await asyncio.sleep(self.options.pause_after_publish_seconds)
        for (path, item), report in zip(present, reports, strict=True):
            try:
                self._settle(path, item.size, report)
            except FileNotFoundError:
                continue  # taken away meanwhile; its postings are published
        return len(present)

    def _read(self, path: Path) -> Input | None:
        """The file's outcomes; None when it vanished. Never follows a symbolic link."""
        try:
            info = path.lstat()
            size = info.st_size
            fmt = detect_format(path.name).format
            if stat.S_ISLNK(info.st_mode):
                message = "links are not followed; copy the file itself in"
                return Input(path.name, size, [Rejection("symlink", message, fmt)])
            if not stat.S_ISREG(info.st_mode):
                message = "only regular files are read"
                return Input(path.name, size, [Rejection("not_a_file", message, fmt)])
            if size > self.limits.max_file_bytes:
                message = f"{size:,} bytes, over the limit of {self.limits.max_file_bytes:,}"
                return Input(path.name, size, [Rejection("too_large", message, fmt)])
            data = _read_no_follow(path, self.limits.max_file_bytes)
            return Input(path.name, size, read_postings(path.name, data, "inbox", self.limits))
        except FileNotFoundError:
            return None
        except OSError as error:
            rejection = Rejection("unreadable", f"cannot read it: {error.strerror}")
            return Input(path.name, 0, [rejection])

    def _settle(self, path: Path, size: int, report: Report, resumed: str | None = None) -> None:
        """Move the file where it belongs; the sidecar is written first, so a crash in
        between leaves the file in the inbox to be handled again, never a file unexplained.
        `resumed` says how a bulk file took up an earlier run (logged, and in its sidecar)."""
        if report.accepted:
            day = datetime.now(UTC).strftime("%Y-%m-%d")
            destination = self._free(self.processed / day / path.name)
        else:
            destination = self._free(self.rejected / path.name)
        if report.rejections:
            relative = destination.relative_to(self.folder)
            sidecar = self._sidecar(destination)
            explained = _explain(path.name, str(relative), size, report)
            if resumed:
                explained["resumed"] = resumed
            _write_atomically(sidecar, explained)
            log.warning(
                "rejected" if not report.accepted else "some records rejected",
                file=path.name,
                reasons=sorted({rejection.reason for rejection in report.rejections}),
                sidecar=str(sidecar.relative_to(self.folder)),
            )
        destination.parent.mkdir(parents=True, exist_ok=True)
        path.rename(destination)
        if report.accepted:
            log.info(
                "published",
                file=path.name,
                published=report.published,
                skipped=report.skipped,
                already_seen=report.already_seen,
                **({"resumed": resumed} if resumed else {}),
            )

    def _sidecar(self, destination: Path) -> Path:
        return self.rejected / (destination.name + SIDECAR_SUFFIX)

    def _free(self, path: Path) -> Path:
        """`path`, or a stamped variant, such that neither it nor its sidecar exists yet."""
        candidate = path
        while candidate.exists() or self._sidecar(candidate).exists():
            stamp = datetime.now(UTC).strftime("%H%M%S%f")
            candidate = path.with_name(f"{path.stem}.{stamp}{path.suffix}")
        return candidate


def _explain(name: str, moved_to: str, size: int, report: Report) -> dict[str, object]:
    """The sidecar: why the file, or some of its records, were not used, for a person."""
    rejections = report.rejections
    formats = {rejection.detected_format for rejection in rejections}
    body: dict[str, object] = {
        "file": name,
        "moved_to": moved_to,
        "rejected_at": datetime.now(UTC).isoformat(),
        "size_bytes": size,
        "detected_format": formats.pop() if len(formats) == 1 else None,
        "published": report.published,
        "skipped": report.skipped,
        "rejected": report.rejected,
    }
    if report.rejected == 1 and rejections[0].record is None:
        return {**body, "reason": rejections[0].reason, "error": rejections[0].message}
    reason = report.rejected_by_reason.most_common(1)[0][0]
    records = [
        {"record": rejection.record, "reason": rejection.reason, "error": rejection.describe()}
        for rejection in rejections
    ]
    body = {**body, "reason": reason, "error": what_happened(report), "records": records}
    if report.rejected > len(rejections):
        body["records_not_listed"] = report.rejected - len(rejections)
        body["rejected_by_reason"] = dict(report.rejected_by_reason)
    return body


def what_happened(report: Report) -> str:
    """Every record of a file accounted for: rejected, published, skipped as a repeat."""
    total = report.rejected + report.published + report.skipped
    words = f"{report.rejected:,} of {total:,} records were rejected; "
    done = [f"{report.published:,} published"]
    if report.skipped:
        done.append(f"{report.skipped:,} skipped (repeating a posting already sent)")
    return words + ", ".join(done)


def _write_atomically(path: Path, body: dict[str, object]) -> None:
    partial = path.with_name(f".{path.name}.part")
    partial.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)


def _signature(path: Path) -> tuple[int, int]:
    info = path.lstat()
    return info.st_size, info.st_mtime_ns


def _unchanged(path: Path, before: tuple[int, int]) -> bool:
    try:
        return _signature(path) == before
    except FileNotFoundError:
        return False


def _is_candidate(path: Path) -> bool:
    name = path.name
    if name.startswith(".") or name.endswith(_IGNORED_SUFFIXES):
        return False
    return path.is_symlink() or not path.is_dir()


def _read_no_follow(path: Path, limit: int) -> bytes:
    """Read at most `limit` + 1 bytes, refusing to follow a link swapped in after the check."""
    with _open_no_follow(path) as handle:
        return handle.read(limit + 1)


def _open_no_follow(path: Path) -> BinaryIO:
    """Open for reading, refusing a link swapped in after the check (OSError)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    return os.fdopen(fd, "rb")


def _is_bulk(path: Path) -> bool:
    """A regular JSON Lines or CSV file (plain or gzip): read as a stream, of any size."""
    try:
        regular = stat.S_ISREG(path.lstat().st_mode)
    except FileNotFoundError:
        return False
    return regular and is_streamed(detect_format(path.name).format)
