"""Ingest against the real broker: the inbox, the CLI and the HTTP API publish to the raw topic.

Each test has its own Kafka namespace (topics) and its own inbox folder.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import REGISTRY
from pydantic import SecretStr

from jobstream.contracts import RawPosting
from jobstream.kafka.admin import ensure_topics
from jobstream.kafka.publisher import Publisher
from jobstream.ops_http import build_ops_app
from jobstream.settings import KafkaSettings
from jobstream.topology import RAW_POSTINGS
from jobstream_ingest.adapters.files import ingest_paths
from jobstream_ingest.adapters.http_api import PostingsApi
from jobstream_ingest.adapters.inbox import Inbox, InboxOptions
from jobstream_ingest.intake import Limits
from jobstream_ingest.publishing import Ingestor, RecentIds
from tests.ingest_samples import assert_in_order, make_pdf, samples
from tests.kafka_records import count_records, raw_postings

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(120)]

LIMITS = Limits(max_file_bytes=64 * 1024, max_text_bytes=16 * 1024, max_postings=100)
TOKEN = "s3cret-token-for-tests-only"


Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def publisher(kafka_settings: KafkaSettings) -> AsyncIterator[Publisher]:
    await ensure_topics(kafka_settings, [RAW_POSTINGS])
    async with Publisher(kafka_settings) as publisher:
        yield publisher


def service_ingestor(publisher: Publisher) -> Ingestor:
    return Ingestor(publisher, RecentIds(1_000), republish=True)


def make_inbox(folder: Path, publisher: Publisher, batch_files: int = 100) -> Inbox:
    options = InboxOptions(stable_seconds=0, rescan_seconds=0.5, batch_files=batch_files)
    inbox = Inbox(folder, service_ingestor(publisher), LIMITS, options)
    inbox.prepare()
    return inbox


def drop(folder: Path, name: str, data: bytes) -> None:
    """Write-then-rename, the inbox convention for writers."""
    partial = folder / f".{name}.part"
    partial.write_bytes(data)
    partial.rename(folder / name)


def by_source(postings: list[RawPosting]) -> dict[tuple[str | None, int | None], RawPosting]:
    return {(posting.source.name, posting.source.record): posting for posting in postings}


async def test_every_format_round_trips_through_the_inbox_to_the_raw_topic(
    publisher: Publisher, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    inbox = make_inbox(tmp_path / "inbox", publisher)
    for sample in samples():
        drop(inbox.folder, sample.name, sample.data)
    assert await inbox.drain() == len(samples())

    stored = by_source(await raw_postings(kafka_settings))
    assert len(stored) == sum(sample.postings for sample in samples())
    for sample in samples():
        postings = [stored[sample.name, number] for number in sample.records]
        assert_in_order(postings[0].text, sample.fragments)
        for posting, fields in zip(postings, sample.fields, strict=True):
            assert posting.provided.model_dump(exclude_none=True) == fields, sample.name
            assert posting.source.channel == "inbox"
    processed = sorted(path.name for path in inbox.processed.rglob("*") if path.is_file())
    assert processed == sorted(sample.name for sample in samples())
    assert list(inbox.rejected.iterdir()) == []
    assert sorted(p.name for p in inbox.folder.iterdir()) == ["processed", "rejected"]


async def test_each_kind_of_bad_input_lands_in_rejected_with_its_reason(
    publisher: Publisher, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    inbox = make_inbox(tmp_path / "inbox", publisher)
    outside = tmp_path / "secret.txt"
    outside.write_text("Engineer wanted, not for the inbox")
    bad = {
        "empty.txt": (b"", "empty"),
        "blank.md": (b"  \n\n", "empty"),
        "photo.png": (b"\x89PNG\r\n", "unsupported_format"),
        "binary.txt": (b"\x00\x01\x02\x03", "binary"),
        "big.txt": (b"x" * (LIMITS.max_file_bytes + 1), "too_large"),
        "long.txt": (b"y " * LIMITS.max_text_bytes, "too_large"),
        "bomb.txt.gz": (gzip.compress(b"z" * (LIMITS.max_file_bytes * 20)), "too_large"),
        "bad.json": (b'{"text": "Engineer",', "bad_json"),
        "notext.json": (b'{"title": "Engineer"}', "no_text"),
        "nocolumn.csv": (b"title,company\nEngineer,Acme\n", "no_text"),
        "broken.pdf": (b"%PDF-1.4 nothing else", "bad_pdf"),
        "broken.docx": (b"PK\x03\x04 nothing else", "bad_docx"),
    }
    for name, (data, _) in bad.items():
        drop(inbox.folder, name, data)
    (inbox.folder / "link.txt").symlink_to(outside)
    (inbox.folder / "mixed.jsonl").write_bytes(b'{"text": "Good one"}\n{broken\n{"text": ""}\n')
    (inbox.folder / "allbad.jsonl").write_bytes(b"{broken\n[1]\n")

    await inbox.drain()

    def sidecar(name: str) -> dict[str, Any]:
        found: dict[str, Any] = json.loads((inbox.rejected / f"{name}.rejected.json").read_text())
        return found

    for name, (data, reason) in bad.items():
        explained = sidecar(name)
        assert explained["reason"] == reason, (name, explained)
        assert explained["error"] and explained["size_bytes"] == len(data)
        assert explained["moved_to"] == f"rejected/{name}"
        assert (inbox.rejected / name).read_bytes() == data  # kept as it was
    link = sidecar("link.txt")
    assert link["reason"] == "symlink" and (inbox.rejected / "link.txt").is_symlink()
    assert outside.read_text().startswith("Engineer")  # the target was never touched

    mixed = sidecar("mixed.jsonl")  # the good line went, the file is processed
    assert mixed["published"] == 1 and mixed["moved_to"].startswith("processed/")
    assert [(r["record"], r["reason"]) for r in mixed["records"]] == [
        (2, "bad_json"),
        (3, "no_text"),
    ]
    assert mixed["records"][0]["error"].startswith("line 2: not valid JSON")
    allbad = sidecar("allbad.jsonl")
    assert allbad["moved_to"] == "rejected/allbad.jsonl" and allbad["reason"] == "bad_json"

    assert [p.text for p in await raw_postings(kafka_settings)] == ["Good one"]
    assert sorted(p.name for p in inbox.folder.iterdir()) == ["processed", "rejected"]


def sample_value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


ENCODINGS = Path(__file__).resolve().parents[1] / "data" / "encodings"


async def test_files_in_every_encoding_reach_the_raw_topic_readable(
    publisher: Publisher, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    inbox = make_inbox(tmp_path / "inbox", publisher)
    files = sorted(p for p in ENCODINGS.glob("*.txt") if not p.name.endswith(".expected.txt"))
    replaced = {"channel": "inbox", "format": "txt"}
    before = sample_value("jobstream_ingest_replaced_bytes_total", **replaced)
    for path in files:
        drop(inbox.folder, path.name, path.read_bytes())
    assert await inbox.drain() == len(files)

    stored = by_source(await raw_postings(kafka_settings))
    for path in files:
        posting = stored[path.name, None]
        expected = path.with_name(path.stem + ".expected.txt").read_text(encoding="utf-8")
        assert posting.text == expected, path.name
        assert posting.source.replaced_bytes == (4 if "stray" in path.name else 0)
    assert sample_value("jobstream_ingest_replaced_bytes_total", **replaced) == before + 4


async def test_the_same_posting_dropped_twice_publishes_the_same_id_and_is_counted(
    publisher: Publisher, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    inbox = make_inbox(tmp_path / "inbox", publisher)
    published = {"channel": "inbox", "format": "txt", "outcome": "published"}
    seen = {"channel": "inbox", "format": "txt"}
    before = {
        "published": sample_value("jobstream_ingest_outcomes_total", **published),
        "seen": sample_value("jobstream_ingest_already_seen_total", **seen),
        "files": sample_value("jobstream_ingest_files_total", channel="inbox"),
        "bytes": sample_value("jobstream_ingest_bytes_total", channel="inbox"),
        "publishes": sample_value("jobstream_ingest_publish_seconds_count", channel="inbox"),
    }
    drop(inbox.folder, "job.txt", b"Data Engineer\nAcme\n")
    await inbox.drain()
    drop(inbox.folder, "job-again.txt", b"Data  Engineer\r\nAcme\r\n")  # same posting
    await inbox.drain()

    postings = await raw_postings(kafka_settings)
    assert len(postings) == 2  # sent again (harmless: the store keeps one copy) ...
    assert len({posting.posting_id for posting in postings}) == 1  # ... with the same id
    # Both were sent (counted as published); the second had been seen before.
    assert sample_value("jobstream_ingest_outcomes_total", **published) == before["published"] + 2
    assert sample_value("jobstream_ingest_already_seen_total", **seen) == before["seen"] + 1
    assert sample_value("jobstream_ingest_files_total", channel="inbox") == before["files"] + 2
    assert sample_value("jobstream_ingest_bytes_total", channel="inbox") == before["bytes"] + 41
    publishes = sample_value("jobstream_ingest_publish_seconds_count", channel="inbox")
    assert publishes == before["publishes"] + 2
    assert len(list(inbox.processed.rglob("*.txt"))) == 2


async def test_a_file_still_being_written_is_not_read(
    publisher: Publisher, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    inbox = make_inbox(tmp_path / "inbox", publisher)
    (inbox.folder / ".job.txt.part").write_text("Engineer, half writ")
    (inbox.folder / "job.txt.tmp").write_text("Engineer, half writ")
    assert await inbox.drain() == 0

    growing = inbox.folder / "growing.txt"
    growing.write_text("Engineer")
    inbox.options = InboxOptions(stable_seconds=0.3)

    async def keep_writing() -> None:
        for _ in range(6):
            await asyncio.sleep(0.1)
            with growing.open("a") as handle:
                handle.write(" and more")

    writer = asyncio.create_task(keep_writing())
    assert await inbox.drain() == 0  # its size changed while it was watched
    await writer
    assert await inbox.drain() == 1
    [posting] = await raw_postings(kafka_settings)
    assert posting.text == "Engineer" + " and more" * 6


async def test_a_folder_of_1000_files_is_drained_completely(
    publisher: Publisher, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    inbox = make_inbox(tmp_path / "inbox", publisher, batch_files=200)
    for number in range(500):  # half there at start-up, half dropped while it watches
        drop(inbox.folder, f"job-{number:04}.txt", f"Engineer {number}\nWe use Go.".encode())
    stop = asyncio.Event()
    running = asyncio.create_task(inbox.run(stop))
    for number in range(500, 1000):
        drop(inbox.folder, f"job-{number:04}.txt", f"Engineer {number}\nWe use Go.".encode())

    async def drained() -> bool:
        return sum(1 for path in inbox.processed.rglob("*.txt")) == 1000

    try:
        await wait_for(drained, "1,000 files in processed/", timeout=60)
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)
    assert await count_records(kafka_settings, kafka_settings.topic(RAW_POSTINGS)) == 1000
    postings = await raw_postings(kafka_settings)
    assert {p.text.split("\n")[0] for p in postings} == {f"Engineer {n}" for n in range(1000)}
    assert sorted(p.name for p in inbox.folder.iterdir()) == ["processed", "rejected"]


async def wait_for(check: Callable[[], Awaitable[bool]], what: str, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.1)


async def test_the_cli_publishes_files_folders_globs_and_stdin_and_counts_duplicates(
    publisher: Publisher, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    folder = tmp_path / "postings"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Engineer A")
    (folder / "sub" / "b.md").write_text("Engineer B")
    (folder / "copy-of-a.txt").write_text("Engineer A")  # a duplicate
    (folder / "jobs.jsonl").write_text('{"text": "Engineer C"}\n{bad\n{"text": "Engineer A"}\n')
    (folder / "empty.txt").write_text("")
    single = tmp_path / "single.html"
    single.write_text("<h1>Engineer D</h1>")
    stdin = io.BytesIO(gzip.compress(b'{"text": "Engineer E", "title": "Engineer"}'))

    ingestor = Ingestor(publisher, RecentIds(None), republish=False)
    summary = await ingest_paths(
        [str(folder), str(tmp_path / "*.html"), str(tmp_path / "nothing-*.txt"), "-"],
        ingestor,
        LIMITS,
        stdin=stdin,
        stdin_format="json",
        show_progress=False,
    )
    assert summary.published == 5
    assert summary.skipped == 2 and summary.already_seen == 2
    assert dict(summary.rejected) == {"bad_json": 1, "empty": 1, "no_match": 1}
    postings = await raw_postings(kafka_settings)
    assert sorted(p.text.strip() for p in postings) == [f"Engineer {x}" for x in "ABCDE"]
    from_stdin = next(p for p in postings if p.text == "Engineer E")
    assert from_stdin.source.model_dump(include={"channel", "name", "format", "compressed"}) == {
        "channel": "cli",
        "name": "stdin",
        "format": "json",
        "compressed": True,
    }
    assert from_stdin.provided.title == "Engineer"


# --- HTTP -------------------------------------------------------------------------------------


@pytest.fixture
async def api_client(publisher: Publisher, request: pytest.FixtureRequest) -> AsyncIterator[Client]:
    token = SecretStr(request.param) if getattr(request, "param", None) else None
    api = PostingsApi(service_ingestor(publisher), LIMITS, token)
    app = build_ops_app({"kafka": publisher.is_connected}, api.routes())
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


@pytest.mark.parametrize("api_client", [None], indirect=True)
async def test_http_accepts_json_text_and_multipart_uploads(
    api_client: Client, kafka_settings: KafkaSettings
) -> None:
    one = await api_client.post("/postings", json={"text": "Engineer via JSON", "title": "Eng"})
    assert one.status == 202, await one.text()
    body = await one.json()
    assert body["published"] == 1 and body["posting_id"] == body["posting_ids"][0]

    many = await api_client.post(
        "/postings", json=[{"description": f"Engineer {n} via a list"} for n in range(3)]
    )
    assert many.status == 202 and len((await many.json())["posting_ids"]) == 3

    text = await api_client.post(
        "/postings",
        data=b"Engineer via plain text",
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    assert text.status == 202

    form = aiohttp.FormData()
    form.add_field("file", make_pdf([["Engineer via PDF"]]), filename="job.pdf")
    jsonl = b'{"text": "Engineer via JSONL"}\n{bad\n'
    form.add_field("file", jsonl, filename="jobs.jsonl", content_type="text/plain")
    upload = await api_client.post("/postings", data=form)
    assert upload.status == 202, await upload.text()
    uploaded = await upload.json()
    assert len(uploaded["posting_ids"]) == 2
    assert uploaded["rejected"] == [
        {
            "name": "jobs.jsonl",
            "record": 2,
            "reason": "bad_json",
            "error": uploaded["rejected"][0]["error"],
        }
    ]

    again = await api_client.post("/postings", json={"text": "Engineer via JSON", "title": "Eng"})
    assert again.status == 202
    answer = await again.json()  # sent again (harmless), and said so
    assert (answer["published"], answer["skipped"], answer["already_seen"]) == (1, 0, 1)
    assert answer["posting_id"] == body["posting_id"]
    retitled = await api_client.post("/postings", json={"text": "Engineer via JSON", "title": "X"})
    assert (await retitled.json())["already_seen"] == 0  # another title: another posting

    gz = await api_client.post(
        "/postings?name=jobs.jsonl.gz",
        data=gzip.compress(b'{"text": "Engineer via gzip"}\n'),
        headers={"Content-Type": "application/gzip"},
    )
    assert gz.status == 202, await gz.text()

    texts = sorted(p.text.strip() for p in await raw_postings(kafka_settings))
    assert texts == sorted(
        [
            "Engineer via JSON",
            "Engineer via JSON",
            "Engineer via JSON",
            *(f"Engineer {n} via a list" for n in range(3)),
            "Engineer via plain text",
            "Engineer via PDF",
            "Engineer via JSONL",
            "Engineer via gzip",
        ]
    )
    assert {p.source.channel for p in await raw_postings(kafka_settings)} == {"http"}

    document = await api_client.get("/openapi.json")
    assert document.status == 200 and "/postings" in (await document.json())["paths"]


@pytest.mark.parametrize("api_client", [TOKEN], indirect=True)
async def test_http_requires_the_token_when_one_is_configured(
    api_client: Client, kafka_settings: KafkaSettings
) -> None:
    posting = {"text": "Engineer with a token"}
    missing = await api_client.post("/postings", json=posting)
    assert missing.status == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert (await missing.json())["error"] == "unauthorized"
    wrong = await api_client.post(
        "/postings", json=posting, headers={"Authorization": "Bearer not-the-token"}
    )
    assert wrong.status == 401
    basic = await api_client.post("/postings", json=posting, headers={"Authorization": TOKEN})
    assert basic.status == 401
    assert await count_records(kafka_settings, kafka_settings.topic(RAW_POSTINGS)) == 0

    right = await api_client.post(
        "/postings", json=posting, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert right.status == 202
    assert [p.text for p in await raw_postings(kafka_settings)] == ["Engineer with a token"]
    assert (await api_client.get("/metrics")).status == 200  # ops endpoints stay open


@pytest.mark.parametrize("api_client", [None], indirect=True)
async def test_http_refuses_bad_input_with_a_clear_message(
    api_client: Client, kafka_settings: KafkaSettings
) -> None:
    async def post(
        data: bytes, content_type: str, path: str = "/postings"
    ) -> tuple[int, dict[str, Any]]:
        response = await api_client.post(path, data=data, headers={"Content-Type": content_type})
        return response.status, await response.json()

    status, body = await post(b'{"text": "Engineer",', "application/json")
    assert (status, body["error"]) == (400, "bad_json")
    assert "line 1, column" in body["message"]

    status, body = await post(b"x" * (LIMITS.max_file_bytes + 1), "text/plain")
    assert (status, body["error"]) == (413, "too_large")

    async def endless() -> AsyncIterator[bytes]:  # no Content-Length: refused while streaming
        for _ in range(100):
            yield b"y" * 4096

    response = await api_client.post(
        "/postings", data=endless(), headers={"Content-Type": "text/plain"}
    )
    assert response.status == 413

    status, body = await post(b"y " * LIMITS.max_text_bytes, "text/plain")
    assert (status, body["error"]) == (413, "too_large")
    status, body = await post(b"", "text/plain")
    assert (status, body["error"]) == (400, "empty")
    status, body = await post(b"   \n", "text/plain")
    assert (status, body["error"]) == (400, "empty")
    status, body = await post(b"\x00\x01\x02", "text/plain")
    assert (status, body["error"]) == (400, "binary")
    status, body = await post(b"GIF89a", "image/gif")
    assert (status, body["error"]) == (415, "unsupported_format")
    status, body = await post(b"Engineer", "application/octet-stream")
    assert (status, body["error"]) == (415, "unsupported_format")
    status, body = await post(b'{"title": "no text"}', "application/json")
    assert (status, body["error"]) == (400, "no_text")
    response = await api_client.post(
        "/postings", data=gzip.compress(b"Engineer"), headers={"Content-Encoding": "gzip"}
    )
    assert response.status == 415
    assert await count_records(kafka_settings, kafka_settings.topic(RAW_POSTINGS)) == 0


async def test_a_sidecar_says_exactly_what_happened_to_each_row(
    publisher: Publisher, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    inbox = make_inbox(tmp_path / "inbox", publisher)
    ragged = b"title,text\nA,first\nB,second,extra\nC,third\nA,first\n"  # a bad row, a repeat
    drop(inbox.folder, "ragged.csv", ragged)
    await inbox.drain()
    explained = json.loads((inbox.rejected / "ragged.csv.rejected.json").read_text())
    assert explained["error"] == (
        "1 of 4 records were rejected; 2 published, 1 skipped (repeating a posting already sent)"
    )
    assert (explained["published"], explained["skipped"], explained["rejected"]) == (2, 1, 1)
    assert len(await raw_postings(kafka_settings)) == 2
