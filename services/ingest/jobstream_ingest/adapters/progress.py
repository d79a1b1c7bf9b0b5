"""How far a bulk file got: publish progress recorded per file, so a stopped file resumes.

After every batch Kafka acknowledged, the file's record says the last record handled and the
counts so far; before a batch is sent it also names the batch in flight. A file read again
with a record of the same file (same device, inode, size and modification time) continues
after the last record handled; the batch that was in flight when it stopped is sent again
(its postings may or may not have reached Kafka; same ids, so the store keeps one copy) and
the resumed run says so. A record of another file of the same name (a new drop) is stale and
ignored.

Records are small JSON files, replaced atomically (write, rename): a crash leaves the old
record or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jobstream.contracts import SourceFormat
from jobstream_ingest.formats.errors import Reason
from jobstream_ingest.intake import Rejection
from jobstream_ingest.publishing import Report


class FileIdentity(BaseModel):
    model_config = ConfigDict(frozen=True)

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, info: os.stat_result) -> FileIdentity:
        return cls(
            device=info.st_dev, inode=info.st_ino, size=info.st_size, mtime_ns=info.st_mtime_ns
        )


class ListedRejection(BaseModel):
    reason: Reason
    message: str
    detected_format: SourceFormat | None = None
    record: int | None = None


class FileProgress(BaseModel):
    """What a bulk file's earlier runs did (the counts of its report so far)."""

    name: str
    identity: FileIdentity
    records_done: int = Field(0, ge=0, description="every record up to this one is handled")
    in_flight_through: int | None = Field(
        None, description="a batch up to this record was being sent when this was written"
    )
    published: int = 0
    skipped: int = 0
    already_seen: int = 0
    rejected: int = 0
    rejected_by_reason: dict[str, int] = Field(default_factory=dict)
    rejections: list[ListedRejection] = Field(default_factory=list)
    runs: int = 1
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    def restore(self, report: Report) -> None:
        """Put the counts of the earlier runs into a new run's report."""
        report.published, report.skipped = self.published, self.skipped
        report.already_seen, report.rejected = self.already_seen, self.rejected
        report.rejected_by_reason = Counter(self.rejected_by_reason)
        report.rejections = [
            Rejection(item.reason, item.message, item.detected_format, item.record)
            for item in self.rejections
        ]

    def record(self, report: Report, records_done: int, in_flight: int | None) -> FileProgress:
        return self.model_copy(
            update={
                "records_done": records_done,
                "in_flight_through": in_flight,
                "published": report.published,
                "skipped": report.skipped,
                "already_seen": report.already_seen,
                "rejected": report.rejected,
                "rejected_by_reason": dict(report.rejected_by_reason),
                "rejections": [
                    ListedRejection(
                        reason=r.reason,
                        message=r.message,
                        detected_format=r.detected_format,
                        record=r.record,
                    )
                    for r in report.rejections
                ],
                "updated_at": datetime.now(UTC),
            }
        )


class ProgressStore:
    """Progress records in one folder, one file each, keyed by a name of the caller's."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"

    def load(self, key: str, identity: FileIdentity) -> FileProgress | None:
        """The record of this very file; None when there is none (or only a stale one)."""
        path = self._path(key)
        try:
            progress = FileProgress.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            return None
        except (ValidationError, OSError):
            path.unlink(missing_ok=True)  # unreadable: start the file over (sends it again)
            return None
        if progress.identity != identity:
            path.unlink(missing_ok=True)
            return None
        return progress

    def save(self, key: str, progress: FileProgress) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(key)
        partial = path.with_name(f".{path.name}.part")
        partial.write_text(progress.model_dump_json(), encoding="utf-8")
        os.replace(partial, path)

    def remove(self, key: str) -> None:
        """Forget a file (it is done); the folder goes too once empty."""
        self._path(key).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # not empty, or not there
            self.folder.rmdir()
