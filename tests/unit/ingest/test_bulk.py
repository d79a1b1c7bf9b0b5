"""Bulk files read as streams: the same outcomes as a whole read, in constant memory."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from jobstream.contracts import RawPosting
from jobstream_ingest.adapters.progress import FileIdentity, FileProgress, ProgressStore
from jobstream_ingest.bulk import PROBE_RECORDS, BulkOptions, Chunks, stream_postings
from jobstream_ingest.intake import Limits, Outcome, Rejection, detect_format, read_postings
from jobstream_ingest.publishing import Report
from tests.ingest_samples import Sample, samples

pytestmark = pytest.mark.unit

LIMITS = Limits(max_text_bytes=16 * 1024, max_bulk_postings=1_000)


def stream(name: str, data: bytes, limits: Limits = LIMITS, **options: int) -> list[Outcome]:
    fmt = detect_format(name).format
    assert fmt is not None
    chunks = Chunks(io.BytesIO(data), size=options.pop("chunk", 1024 * 1024))
    return list(stream_postings(chunks, BulkOptions(name, "cli", fmt, limits, **options)))


def comparable(outcomes: list[Outcome], *, encoding: bool = True) -> list[object]:
    exclude: dict[str, Any] = {"received_at": True}
    if not encoding:  # a stream names its encoding once decided (ASCII before: utf-8)
        exclude["source"] = {"encoding"}
    return [o.model_dump(exclude=exclude) if isinstance(o, RawPosting) else o for o in outcomes]


BULK_SAMPLES = [s for s in samples() if detect_format(s.name).format in ("jsonl", "csv")]


@pytest.mark.parametrize("chunk", [1, 5, 64, 1 << 20])
@pytest.mark.parametrize("sample", BULK_SAMPLES, ids=lambda sample: sample.name)
def test_a_stream_gives_what_a_whole_read_gives(sample: Sample, chunk: int) -> None:
    whole = read_postings(sample.name, sample.data, "cli", LIMITS)
    assert comparable(stream(sample.name, sample.data, chunk=chunk)) == comparable(whole)


def test_bad_lines_csv_rows_and_a_late_encoding_are_handled_like_a_whole_read() -> None:
    data = (
        b'{"text": "one"}\n{bad\n\n["list"]\n'
        + b'{"text": "two"}\n' * 3_000
        + '{"text": "Café à Paris"}\n'.encode("cp1252")
    )
    limits = Limits(max_bulk_postings=10_000)
    assert comparable(stream("a.jsonl", data, limits, chunk=4096), encoding=False) == comparable(
        read_postings("a.jsonl", data, "cli", limits), encoding=False
    )
    last = stream("a.jsonl", data, limits)[-1]
    assert isinstance(last, RawPosting) and last.text == "Café à Paris"
    assert last.source.encoding == "cp1252"


def test_a_line_over_the_record_limit_is_rejected_alone_without_being_held() -> None:
    huge = b'{"text": "' + b"x" * (LIMITS.max_record_chars + 10) + b'"}\n'
    outcomes = stream("a.jsonl", b'{"text": "one"}\n' + huge + b'{"text": "two"}', chunk=4096)
    assert [type(o).__name__ for o in outcomes] == ["RawPosting", "Rejection", "RawPosting"]
    assert isinstance(outcomes[1], Rejection) and outcomes[1].reason == "too_large"
    assert outcomes[1].describe().startswith("line 2:")


def test_a_csv_line_over_the_limit_ends_the_file_with_a_reason() -> None:
    data = b"title,text\nA,first\nB," + b"y" * (LIMITS.max_record_chars + 10) + b"\nC,third\n"
    first, rejection = stream("a.csv", data, chunk=4096)
    assert isinstance(first, RawPosting) and first.text == "first"
    assert isinstance(rejection, Rejection) and rejection.reason == "too_large"
    assert "the rest of the file was not read" in rejection.message


def test_past_the_record_limit_the_rest_is_rejected_naming_where_it_starts() -> None:
    limits = Limits(max_bulk_postings=3)
    data = b"".join(json.dumps({"text": f"posting {n}"}).encode() + b"\n" for n in range(10))
    outcomes = stream("a.jsonl", data, limits)
    assert [o.text for o in outcomes[:3] if isinstance(o, RawPosting)] == [
        "posting 0",
        "posting 1",
        "posting 2",
    ]
    [last] = outcomes[3:]
    assert isinstance(last, Rejection) and (last.reason, last.record) == ("too_many_postings", 4)
    assert "lines from 4 on were not read" in last.message


def test_a_resumed_stream_starts_after_the_records_already_handled() -> None:
    data = b"".join(json.dumps({"text": f"posting {n}"}).encode() + b"\n" for n in range(10))
    rest = stream("a.jsonl", data, skip_through=7)
    assert [(o.text, o.source.record) for o in rest if isinstance(o, RawPosting)] == [
        ("posting 7", 8),
        ("posting 8", 9),
        ("posting 9", 10),
    ]
    csv = b"text\n" + b"".join(f"row {n}\n".encode() for n in range(1, 6))
    assert [o.text for o in stream("a.csv", csv, skip_through=3)] == ["row 4", "row 5"]  # type: ignore[union-attr]


def test_gzip_is_streamed_and_a_cut_off_end_is_said_after_the_good_records() -> None:
    data = b"".join(json.dumps({"text": f"posting {n}"}).encode() + b"\n" for n in range(2_000))
    limits = Limits(max_bulk_postings=10_000)
    whole = stream("a.jsonl.gz", gzip.compress(data), limits)
    assert len(whole) == 2_000 and all(o.source.compressed for o in whole)  # type: ignore[union-attr]
    cut = stream("a.jsonl.gz", gzip.compress(data)[:-200], limits, chunk=4096)
    assert isinstance(cut[-1], Rejection) and cut[-1].reason == "bad_gzip"
    assert len(cut) > 1_000 and all(isinstance(o, RawPosting) for o in cut[:-1])


def test_a_binary_file_named_jsonl_is_refused_as_a_whole() -> None:
    [outcome] = stream("a.jsonl", os.urandom(10_000).replace(b"\n", b"x"))
    assert isinstance(outcome, Rejection) and outcome.record is None


def test_progress_is_kept_for_the_same_file_only(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress")
    identity = FileIdentity(device=1, inode=2, size=3, mtime_ns=4)
    report = Report("a.jsonl", published=10, rejected=1)
    report.rejections.append(Rejection("bad_json", "x", "jsonl", 5))
    report.rejected_by_reason["bad_json"] = 1
    store.save("a.jsonl", FileProgress(name="a.jsonl", identity=identity).record(report, 11, 20))
    loaded = store.load("a.jsonl", identity)
    assert loaded is not None and (loaded.records_done, loaded.in_flight_through) == (11, 20)
    again = Report("a.jsonl")
    loaded.restore(again)
    assert (again.published, again.rejected, again.rejections) == (10, 1, report.rejections)
    other = identity.model_copy(update={"mtime_ns": 5})  # dropped again: another file
    assert store.load("a.jsonl", other) is None
    assert store.load("a.jsonl", identity) is None  # the stale record is gone
    store.remove("a.jsonl")
    assert not store.folder.exists()


def test_a_file_whose_first_records_are_all_bad_is_not_read_to_its_end() -> None:
    outcomes = stream("tiny.jsonl", b"{}\n" * 3_000_000, Limits(max_bulk_postings=10**7))
    assert len(outcomes) == PROBE_RECORDS + 1
    last = outcomes[-1]
    assert isinstance(last, Rejection) and last.reason == "no_usable_records"
    assert "the first 1,000 lines were all rejected" in last.message
