"""A bulk file of a million postings through the CLI and the inbox, as real processes.

The file (`write_short_postings`: JSON Lines, about 1 KB a posting with id, title, company
and location, so about 1 GB) is generated once into a temporary folder. Then:

- `bulk_cli_*`: `jobstream ingest FILE` as a process, from start to exit (every posting
  acknowledged by Kafka), with its peak RSS (the kernel's maximum resident set of the child);
- `bulk_inbox_*`: the ingest service as a process; the file is renamed into its inbox and
  timed until it lands in processed/; peak RSS is the service's VmHWM.

Each runs in a Kafka namespace of its own, deleted afterwards (the raw topic keeps records, so
two gigabytes would otherwise stay on the broker). Figures: postings/s, MB/s of the file,
CPU seconds and peak RSS in MB. `JOBSTREAM_BENCH_BULK_POSTINGS` sets another count.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from jobstream.kafka.admin import delete_namespace_topics, ensure_topics
from jobstream.settings import KafkaSettings
from jobstream.topology import RAW_POSTINGS
from jobstream_stack.layout import StackLayout
from jobstream_stack.processes import peak_rss_mb
from jobstream_stack.services import jobstream_command, service_process, start_service, wait_ready
from jobstream_stack.system import free_port

POSTINGS = int(os.environ.get("JOBSTREAM_BENCH_BULK_POSTINGS", "1000000"))
TIMEOUT_SECONDS = 3_600.0

_ROLES = ("Data Engineer", "Backend Developer", "Site Reliability Engineer", "Analyst", "QA Lead")
_COMPANIES = ("Acme", "Globex", "Initech", "Northwind Analytics", "Umbrella", "Hooli")
_PLACES = ("Berlin", "Austin, TX", "Remote", "London", "Lyon", "Toronto")
_SENTENCES = (
    "We build data pipelines on Kafka and PostgreSQL for millions of users.",
    "You will design services in Python and Go and review code with the team.",
    "Experience with Docker, Kubernetes and Terraform is a plus.",
    "We offer a salary of $90,000 to $120,000 a year, hybrid work and 30 days off.",
    "Requirements: three years of experience, SQL, and clear written English.",
    "You will own monitoring with Prometheus and Grafana and take part in on-call.",
    "Nice to have: Spark, Airflow, dbt and a taste for tidy schemas.",
    "Our team of twelve ships small changes every day and cares about tests.",
)


def write_short_postings(path: Path, count: int, seed: int = 3) -> int:
    """Write `count` short postings as JSON Lines (about 1 KB each); returns the bytes."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not a secret
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            role, company = rng.choice(_ROLES), rng.choice(_COMPANIES)
            body = " ".join(rng.choice(_SENTENCES) for _ in range(12))
            record = {
                "id": f"bulk-{number}",
                "title": f"{role} {number}",
                "company": company,
                "location": rng.choice(_PLACES),
                "text": f"{role} at {company} (ref {number})\n\n{body}",
            }
            out.write(json.dumps(record) + "\n")
    return path.stat().st_size


def _env(state: Path, namespace: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "JOBSTREAM_STATE_DIR": str(state),
        "JOBSTREAM_KAFKA_NAMESPACE": namespace,
        "JOBSTREAM_LOG_LEVEL": "WARNING",
        **extra,
    }


def _cli(file: Path, state: Path, settings: KafkaSettings) -> dict[str, float]:
    """`jobstream ingest FILE` in a child whose peak RSS and CPU the wrapper reports."""
    wrapper = (
        "import resource, subprocess, sys, json;"
        "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode;"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(json.dumps({'code': code, 'rss_kb': usage.ru_maxrss,"
        " 'cpu': usage.ru_utime + usage.ru_stime}))"
    )
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", wrapper, jobstream_command(), "ingest", str(file)],
        env=_env(state, settings.namespace),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=True,
    )
    seconds = time.perf_counter() - started
    usage = json.loads(result.stdout.strip().splitlines()[-1])
    assert usage["code"] == 0, result.stderr[-2000:]
    return {"seconds": seconds, "cpu": usage["cpu"], "rss_mb": usage["rss_kb"] / 1024}


def _inbox(file: Path, state: Path, settings: KafkaSettings) -> dict[str, float]:
    """The ingest service as a process; `file` renamed into its inbox, timed to processed/."""
    layout = StackLayout(state)
    layout.create()
    port = free_port()
    env = _env(state, settings.namespace, JOBSTREAM_INGEST_HTTP_PORT=str(port))
    start_service(layout, "ingest", env)
    process = service_process(layout, "ingest")
    try:
        wait_ready(layout, {"ingest": f"http://127.0.0.1:{port}/readyz"}, timeout=120)
        pid = process.pid()
        assert pid is not None
        cpu_before = _cpu_seconds(pid)
        staged = layout.inbox / f".{file.name}.part"
        shutil.move(file, staged)
        started = time.perf_counter()
        staged.rename(layout.inbox / file.name)
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while not list((layout.inbox / "processed").rglob(file.name)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{file.name} not processed:\n{process.log_tail()}")
            if process.has_exited():
                raise RuntimeError(f"ingest exited:\n{process.log_tail()}")
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        rss = peak_rss_mb(pid) or 0.0
        cpu = _cpu_seconds(pid) - cpu_before
    finally:
        process.stop()
    return {"seconds": seconds, "cpu": cpu, "rss_mb": rss}


def _cpu_seconds(pid: int) -> float:
    fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _figures(prefix: str, size: int, measured: dict[str, float]) -> dict[str, object]:
    seconds = measured["seconds"]
    return {
        f"{prefix}_postings_per_s": round(POSTINGS / seconds, 1),
        f"{prefix}_mb_per_s": round(size / seconds / 1e6, 2),
        f"{prefix}_seconds": round(seconds, 1),
        f"{prefix}_cpu_ms_per_posting": round(measured["cpu"] * 1000 / POSTINGS, 3),
        f"{prefix}_peak_rss_mb": round(measured["rss_mb"], 1),
    }


def run() -> dict[str, object]:
    figures: dict[str, object] = {"bulk_postings": POSTINGS}
    with tempfile.TemporaryDirectory(prefix="jobstream-bench-bulk-") as folder:
        work = Path(folder)
        file = work / "bulk.jsonl"
        size = write_short_postings(file, POSTINGS)
        figures["bulk_file_mb"] = round(size / 1e6, 1)
        figures["bulk_load_average_before"] = round(os.getloadavg()[0], 2)
        for prefix, measure in (("bulk_cli", _cli), ("bulk_inbox", _inbox)):
            settings = KafkaSettings(namespace=f"bench-bulk-{uuid.uuid4().hex[:8]}")
            asyncio.run(ensure_topics(settings, [RAW_POSTINGS]))
            try:
                figures.update(_figures(prefix, size, measure(file, work / prefix, settings)))
            finally:
                asyncio.run(delete_namespace_topics(settings))
    return figures
