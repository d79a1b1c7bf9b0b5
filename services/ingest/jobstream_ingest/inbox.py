"""The inbox folder: files dropped in are published, then moved to processed/ or rejected/.

Convention for writers: write the file under a name starting with '.' or ending in '.part' /
'.tmp', then rename it; such names are never read. A file must also keep its size for
`stable_seconds` before it is read, so a slow copy is not read half-way.

A file is moved to `processed/<date>/` only after Kafka acknowledged its posting, so a crash
in between publishes it again on restart (same posting id; the store keeps one copy).
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

from watchfiles import Change, awatch

from jobstream import metrics
from jobstream.kafka.publisher import Publisher
from jobstream.logs import get_logger
from jobstream.topology import RAW_POSTINGS
from jobstream_ingest.intake import Rejection, detect_format, read_posting

log = get_logger(__name__)

PROCESSED = "processed"
REJECTED = "rejected"
_IGNORED_SUFFIXES = (".part", ".tmp", ".rejected.json")


class Inbox:
    def __init__(
        self, folder: Path, publisher: Publisher, max_file_bytes: int, stable_seconds: float
    ) -> None:
        self.folder = folder
        self.publisher = publisher
        self.max_file_bytes = max_file_bytes
        self.stable_seconds = stable_seconds
        self.processed = folder / PROCESSED
        self.rejected = folder / REJECTED

    def prepare(self) -> None:
        for sub in (self.folder, self.processed, self.rejected):
            sub.mkdir(parents=True, exist_ok=True)

    def candidates(self) -> list[Path]:
        """Files waiting in the inbox itself (not in processed/ or rejected/), oldest first."""
        found = [path for path in self.folder.iterdir() if _is_candidate(path)]
        return sorted(found, key=lambda path: (path.lstat().st_mtime, path.name))

    async def run(self, stop: asyncio.Event) -> None:
        """Handle what is already there, then every file that arrives, until `stop` is set."""
        self.prepare()
        await self.drain()
        async for changes in awatch(self.folder, stop_event=stop, recursive=False):
            if any(change != Change.deleted for change, _ in changes):
                await self.drain()

    async def drain(self) -> None:
        """Process every waiting file whose size and mtime held still for `stable_seconds`."""
        waiting = {path: _signature(path) for path in self.candidates()}
        if not waiting:
            return
        await asyncio.sleep(self.stable_seconds)
        for path, before in waiting.items():
            try:
                if _signature(path) != before:
                    continue  # still being written: its next change event brings it back
                rejection = await self._process(path)
                if rejection is not None:
                    self._reject(path, rejection)
            except FileNotFoundError:
                continue  # taken away meanwhile

    async def _process(self, path: Path) -> Rejection | None:
        info = path.lstat()
        fmt = detect_format(path.name)
        if stat.S_ISLNK(info.st_mode):
            return Rejection("symlink", "links are not followed; copy the file itself in", fmt)
        if not stat.S_ISREG(info.st_mode):
            return Rejection("not_a_file", "only regular files are read", fmt)
        if info.st_size > self.max_file_bytes:
            return Rejection(
                "too_large",
                f"{info.st_size:,} bytes is over the limit of {self.max_file_bytes:,} bytes",
                fmt,
            )
        data = _read_no_follow(path, self.max_file_bytes)
        outcome = read_posting(path.name, data, "inbox", self.max_file_bytes)
        if isinstance(outcome, Rejection):
            return outcome
        await self.publisher.publish(RAW_POSTINGS, [outcome])
        metrics.INGEST_OUTCOMES.labels("inbox", outcome.source.format, "published").inc()
        destination = _unique(self.processed / datetime.now(UTC).strftime("%Y-%m-%d") / path.name)
        destination.parent.mkdir(parents=True, exist_ok=True)
        path.rename(destination)
        log.info("published", file=path.name, posting_id=outcome.posting_id)
        return None

    def _reject(self, path: Path, rejection: Rejection) -> None:
        destination = _unique(self.rejected / path.name)
        size = path.lstat().st_size
        path.rename(destination)
        sidecar = destination.with_name(destination.name + ".rejected.json")
        sidecar.write_text(
            json.dumps(
                {
                    "file": destination.name,
                    "reason": rejection.reason,
                    "error": rejection.message,
                    "rejected_at": datetime.now(UTC).isoformat(),
                    "size_bytes": size,
                    "detected_format": rejection.detected_format,
                },
                indent=2,
            )
        )
        metrics.INGEST_OUTCOMES.labels(
            "inbox", rejection.detected_format or "unknown", "rejected"
        ).inc()
        metrics.INGEST_REJECTIONS.labels("inbox", rejection.reason).inc()
        log.warning("rejected", file=path.name, reason=rejection.reason, error=rejection.message)


def _signature(path: Path) -> tuple[int, int]:
    info = path.lstat()
    return info.st_size, info.st_mtime_ns


def _is_candidate(path: Path) -> bool:
    name = path.name
    if name.startswith(".") or name.endswith(_IGNORED_SUFFIXES):
        return False
    return path.is_symlink() or not path.is_dir()


def _read_no_follow(path: Path, limit: int) -> bytes:
    """Read at most `limit` + 1 bytes, refusing to follow a link swapped in after the check."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        return handle.read(limit + 1)


def _unique(path: Path) -> Path:
    if not path.exists():
        return path
    stamp = datetime.now(UTC).strftime("%H%M%S%f")
    return path.with_name(f"{path.stem}.{stamp}{path.suffix}")
