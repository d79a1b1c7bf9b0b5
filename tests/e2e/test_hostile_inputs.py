"""The hostile corpus (tests/hostile_corpus.py) through every way in, against the four
services running as processes: HTTP (with the configured token; refused without it), the CLI
and the inbox folder.

Every item must come out rejected with a reason a person can read (an HTTP 4xx JSON error, a
CLI summary line, a sidecar in rejected/, or a dead letter), or stored; SQL and HTML read back
from PostgreSQL byte for byte; no service dies, hangs, or grows past a memory bound; and a
normal posting dropped afterwards is still stored.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from jobstream.contracts import DeadLetter, RawPosting, decode
from jobstream.settings import KafkaSettings, PostgresSettings
from jobstream.topology import DEAD_LETTERS
from jobstream_ingest.adapters.inbox import SIDECAR_SUFFIX
from jobstream_ingest.bulk import BulkOptions, Chunks, is_streamed, stream_postings
from jobstream_ingest.intake import Limits, Rejection, detect_format, read_postings
from jobstream_stack.layout import StackLayout
from jobstream_stack.processes import peak_rss_mb as peak_rss
from jobstream_stack.services import SERVICES, service_process
from tests.e2e.harness import Services, eventually
from tests.hostile_corpus import (
    HTML,
    OUTSIDE_MARKER,
    REJECTED,
    SQL,
    STORED,
    Item,
    posting,
    write_corpus,
)
from tests.kafka_records import raw_postings, read_all

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

TOKEN = "hostile-" + uuid.uuid4().hex  # 16+ characters
# The services stayed under 150 MB peak when this was written; twice that means a leak or an
# input read whole that should have been refused.
MAX_PEAK_RSS_MB = 300
HUMAN_WORDS = re.compile(r"[a-z]{3,}.*[a-z]{3,}", re.I)


@pytest.fixture
def services(
    kafka_settings: KafkaSettings, database: PostgresSettings, tmp_path: Path
) -> Iterator[Services]:
    running = Services(
        StackLayout(tmp_path / "state"),
        kafka_settings,
        database,
        extra_env={"JOBSTREAM_INGEST_STABLE_SECONDS": "0.2", "JOBSTREAM_INGEST_API_TOKEN": TOKEN},
    )
    with running.running(SERVICES):
        yield running


def expected_outcomes(corpus: list[Item]) -> tuple[dict[str, list[str]], Counter[str]]:
    """What ingest's core makes of each file (posting ids by name) and the rejection count
    by reason the CLI must report (bulk files are streamed there), for the file contents;
    the entry points must agree with it."""
    ids: dict[str, list[str]] = {}
    reasons: Counter[str] = Counter()
    for item in corpus:
        if item.is_link:
            reasons["symlink"] += 1
            continue
        if item.is_big:
            reasons["too_large"] += 1
            continue
        outcomes = read_postings(item.name, item.data, "cli", Limits())
        ids[item.name] = [o.posting_id for o in outcomes if isinstance(o, RawPosting)]
        fmt = detect_format(item.name).format
        if fmt is not None and is_streamed(fmt):
            options = BulkOptions(item.name, "cli", fmt, Limits())
            outcomes = list(stream_postings(Chunks(io.BytesIO(item.data)), options))
        reasons.update(o.reason for o in outcomes if isinstance(o, Rejection))
    return ids, reasons


def post(
    services: Services,
    body: bytes | Path,
    *,
    name: str | None = None,
    content_type: str = "application/octet-stream",
    token: str | None = TOKEN,
    chunked: bool = False,
) -> tuple[int, dict[str, object]]:
    """POST /postings; a Path body is streamed from the file (chunked: without saying its
    length up front, so the server must count). Returns status and JSON."""
    query = "?" + urllib.parse.urlencode({"name": name}) if name else ""
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    size = body.stat().st_size if isinstance(body, Path) else len(body)
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
    else:
        headers["Content-Length"] = str(size)
    conn = http.client.HTTPConnection("127.0.0.1", services.ports["ingest"], timeout=60)
    try:
        conn.putrequest("POST", "/postings" + query)
        for key, value in headers.items():
            conn.putheader(key, value)
        conn.endheaders()
        try:
            if isinstance(body, Path):
                with body.open("rb") as handle:
                    while chunk := handle.read(1024 * 1024):
                        conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                if chunked:
                    conn.send(b"0\r\n\r\n")
            else:
                conn.send(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before reading it all (413): read that answer
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def multipart(parts: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
        for name, data in parts
    )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def assert_clear(reason: object, message: object, where: str) -> None:
    """A reason code and a message a person can read: words, no traceback, not endless."""
    assert isinstance(reason, str) and re.fullmatch(r"[a-z_]+", reason), where
    assert isinstance(message, str) and HUMAN_WORDS.search(message), (where, message)
    assert "Traceback" not in message and len(message) < 500, (where, message)


def peak_rss_mb(services: Services, name: str) -> float:
    pid = service_process(services.layout, name).pid()
    assert pid is not None, f"{name} is not running"
    peak = peak_rss(pid)
    assert peak is not None
    return peak


async def test_hostile_inputs_through_every_entry_point(
    services: Services,
    kafka_settings: KafkaSettings,
    pg: asyncpg.Connection,
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    corpus_dir, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus = write_corpus(corpus_dir, outside)
    expected_ids, expected_reasons = expected_outcomes(corpus)

    # --- HTTP: the token is required; then every file as a body, named by ?name= ---
    status, answer = post(services, posting(1).encode(), name="a.txt", token=None)
    assert (status, answer["error"]) == (401, "unauthorized")
    status, answer = post(services, posting(1).encode(), name="a.txt", token=TOKEN[:-1] + "!")
    assert status == 401
    for item in corpus:
        if item.is_link:
            continue  # a link is a file-system thing; HTTP carries bytes
        body = corpus_dir / item.name if item.is_big else item.data
        status, answer = post(services, body, name=item.name)
        where = f"HTTP {item.name}: {status} {str(answer)[:300]}"
        if status == 202:
            assert item.expect != REJECTED, where
            assert answer["posting_ids"] == list(dict.fromkeys(expected_ids[item.name])), where
            for rejected in answer["rejected"]:  # type: ignore[attr-defined]
                assert_clear(rejected["reason"], rejected["error"], where)
        else:
            assert 400 <= status < 500 and item.expect != STORED, where
            assert_clear(answer["error"], answer["message"], where)
    # 50 MB without a Content-Length: refused once the stream passes the limit.
    status, answer = post(services, corpus_dir / "big.txt", name="big.txt", chunked=True)
    assert (status, answer["error"]) == (413, "too_large"), answer
    # Names that climb out of folders only ever name the posting, never a path.
    body, content_type = multipart([("../../../../etc/cron.d/evil.txt", posting(90).encode())])
    status, answer = post(services, body, content_type=content_type)
    assert status == 202, answer
    traversal_id = answer["posting_id"]
    status, answer = post(services, posting(91).encode(), name="../../../etc/passwd.txt")
    assert status == 202, answer
    traversal_query_id = answer["posting_id"]
    # A multipart body of many tiny parts is refused before it costs more than its bytes.
    body, content_type = multipart([(f"{n}.txt", b"x") for n in range(1_001)])
    status, answer = post(services, body, content_type=content_type)
    assert (status, answer["error"]) == (413, "too_many_parts"), answer

    # --- CLI: the corpus folder (links inside it lead out, and are refused) ---
    env = {**services.env, "COLUMNS": "200"}
    jobstream = str(Path(sys.executable).parent / "jobstream")
    run = subprocess.run(
        [jobstream, "ingest", str(corpus_dir)], env=env, capture_output=True, text=True, timeout=120
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Traceback" not in output, output
    reasons_line = re.search(r"rejected by reason: (.*)", output)
    assert reasons_line is not None, output
    cli_reasons = Counter(
        {reason: int(n) for reason, n in re.findall(r"([a-z_]+) (\d+)", reasons_line.group(1))}
    )
    assert cli_reasons == expected_reasons, output
    rejected_lines = re.findall(r"^  rejected (?!by reason)(.*)$", output, re.M)
    assert rejected_lines and all(HUMAN_WORDS.search(line) for line in rejected_lines), output
    # stdin holding JSON nested 100,000 levels deep: one clear line and a failing exit status.
    deep = subprocess.run(
        [jobstream, "ingest", "-", "--format", "json"],
        env=env,
        input=b"[" * 100_000,
        capture_output=True,
        timeout=60,
    )
    assert deep.returncode == 1, deep
    assert b"nested too deeply" in deep.stderr and b"Traceback" not in deep.stderr, deep.stderr

    # --- Inbox: every file (and the links) dropped in, write-then-rename ---
    inbox = services.inbox
    for item in corpus:
        if item.is_link:
            (inbox / item.name).symlink_to((corpus_dir / item.name).readlink())
            continue
        partial = inbox / f".{item.name}.part"
        os.link(corpus_dir / item.name, partial)  # a hard link: the 50 MB are not copied
        partial.rename(inbox / item.name)

    # Names starting with "." are never read from the inbox (the writers' convention for
    # files still being written), whatever they hold: they stay, untouched.
    hidden = {item.name for item in corpus if item.name.startswith(".")}
    dropped = {item.name for item in corpus} - hidden

    async def inbox_drained() -> bool:
        return not [p for p in inbox.iterdir() if p.name in dropped]

    await eventually(inbox_drained, "the inbox to move every file", timeout=90)
    assert hidden and all((inbox / name).exists() for name in hidden)
    processed = {p.name for p in (inbox / "processed").rglob("*") if not p.is_dir()}
    for item in corpus:
        sidecar = inbox / "rejected" / (item.name + SIDECAR_SUFFIX)
        moved_to_rejected = (inbox / "rejected" / item.name).is_symlink() or (
            inbox / "rejected" / item.name
        ).exists()
        where = f"inbox {item.name}"
        if item.name in hidden:
            continue
        if item.expect == REJECTED:
            assert moved_to_rejected and sidecar.exists(), where
        if item.expect == STORED:
            assert item.name in processed and not sidecar.exists(), where
        if sidecar.exists():
            explained = json.loads(sidecar.read_text())
            assert_clear(explained["reason"], explained["error"], where)
            for record in explained.get("records", []):
                assert_clear(record["reason"], record["error"], where)

    # --- What came out: every published posting stored, or a dead letter with its reason ---
    published = {posting_id for ids in expected_ids.values() for posting_id in ids}
    published |= {traversal_id, traversal_query_id}  # type: ignore[arg-type]
    dead_topic = kafka_settings.topic(DEAD_LETTERS)

    async def settled() -> tuple[set[str], list[DeadLetter]] | None:
        stored = {
            row["posting_id"]
            for row in await pg.fetch(
                "SELECT posting_id FROM postings WHERE posting_id = ANY($1)", list(published)
            )
        }
        letters = [decode(DeadLetter, r.value) for r in await read_all(kafka_settings, dead_topic)]
        if published <= stored | {letter.posting_id for letter in letters}:
            return stored, letters
        return None

    outcome = await eventually(settled, "every published posting stored or dead-lettered", 120)
    assert outcome is not None
    stored, letters = outcome
    for letter in letters:
        assert_clear(letter.reason, letter.error, f"dead letter {letter.posting_id}")
    print(f"published {len(published)}: stored {len(stored)}, dead letters {len(letters)}")
    # SQL and HTML come back byte for byte, as text.
    rows = await pg.fetch(
        "SELECT title, company FROM postings WHERE title = ANY($1) ORDER BY title", [SQL, HTML]
    )
    assert {(row["title"], row["company"]) for row in rows} >= {(SQL, HTML), (HTML, SQL)}
    assert await pg.fetchval("SELECT count(*) FROM postings WHERE position($1 in text) > 0", SQL)
    assert await pg.fetchval("SELECT to_regclass('postings') IS NOT NULL")  # not dropped
    sql = "SELECT source_name FROM postings WHERE posting_id = $1"
    assert await pg.fetchval(sql, traversal_id) == "evil.txt"
    assert await pg.fetchval(sql, traversal_query_id) == "passwd.txt"
    skills = await pg.fetchval(
        "SELECT count(*) FROM posting_skills WHERE posting_id = $1",
        expected_ids["many-skills.txt"][0],
    )
    assert skills > 1_000, skills
    # Nothing behind a link out of the inbox or the corpus folder was ever read.
    assert not await pg.fetchval(
        "SELECT count(*) FROM postings WHERE position($1 in text) > 0", OUTSIDE_MARKER
    )
    assert not [p for p in await raw_postings(kafka_settings) if OUTSIDE_MARKER in p.text]

    # --- Every service alive, healthy and ready; memory bounded; still working ---
    for service in SERVICES:
        assert services.is_running(service), services.log_tails()
        assert services.status(service, "/healthz") == 200, service
        assert services.status(service, "/readyz") == 200, service
        # The API token was in every service's environment: never in a log line or metric.
        with urllib.request.urlopen(services.url(service, "/metrics"), timeout=5) as page:
            assert TOKEN not in page.read().decode(), service
        assert TOKEN not in service_process(services.layout, service).log_file.read_text()
    peaks = {service: peak_rss_mb(services, service) for service in SERVICES}
    print("peak RSS (VmHWM) MB:", {name: round(mb) for name, mb in peaks.items()})
    assert max(peaks.values()) < MAX_PEAK_RSS_MB, peaks
    after = posting(99, "Platform Engineer").encode()
    (inbox / ".after.txt.part").write_bytes(after)
    (inbox / ".after.txt.part").rename(inbox / "after.txt")
    after_id = read_postings("after.txt", after, "inbox", Limits())[0].posting_id  # type: ignore[union-attr]

    async def after_stored() -> bool:
        sql = "SELECT 1 FROM postings WHERE posting_id = $1"
        return bool(await pg.fetchval(sql, after_id))

    await eventually(after_stored, "a normal posting dropped after the corpus", timeout=60)
    print(f"hostile corpus through three entry points in {time.monotonic() - started:.0f} s")
