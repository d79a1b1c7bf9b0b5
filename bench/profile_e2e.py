"""Where the pipeline's time goes: py-spy on every service while postings flow through.

    python -m bench.profile_e2e --postings 15000 --seconds 15 [--passthrough]

Starts the pipeline as `make bench` does (bench/pipeline.py), feeds postings at full load and,
once they flow, samples each service with `py-spy record` (non-blocking, so the services are
not paused). Per service it prints how busy the process was (samples ÷ the samples of a
process busy all the time) and the share of samples by package, both where the time was
spent itself (the innermost Python frame) and inclusive (anywhere on the stack). The raw
stacks are kept in bench/results/profile-<service>.txt (flamegraph.pl / speedscope read them).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bench import corpus
from bench.pipeline import jsonl_lines, running

RESULTS = Path(__file__).parent / "results"
RATE = 100  # samples per second and process
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


@dataclass(frozen=True)
class Profile:
    samples: int
    possible: int  # samples of a process busy for the whole duration
    own: Counter[str]  # by package of the innermost frame
    inclusive: Counter[str]  # by package anywhere on the stack

    def busy(self) -> float:
        return self.samples / self.possible if self.possible else 0.0


def package(file: str) -> str:
    """A frame's file as the package it belongs to (`pydantic`, `jobstream_parser`, `asyncio`).

    py-spy shortens paths below site-packages and the standard library to the module's own
    path (`pydantic/main.py`, `asyncio/base_events.py`); the project's are absolute."""
    for project in ("jobstream_", "jobstream/"):
        if project in file:
            return project + file.split(project, 1)[1].split("/", 1)[0]
    if "site-packages/" in file:
        file = file.split("site-packages/", 1)[1]
    elif "/lib/python3" in file:
        file = file.split("/lib/python3", 1)[1].split("/", 1)[-1]
    return file.lstrip("/").split("/", 1)[0].removesuffix(".py") or "?"


def read_profile(raw: str, seconds: float) -> Profile:
    """Summarise py-spy's raw output: one `frame;frame;... count` line per distinct stack."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    samples = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        packages = []
        for frame in stack.split(";"):
            match = FRAME.match(frame)
            packages.append(package(match["file"]) if match else frame)
        samples += count
        own[packages[-1]] += count
        for name in set(packages):
            inclusive[name] += count
    return Profile(samples, int(RATE * seconds), own, inclusive)


async def record(pid: int, seconds: float, output: Path) -> str:
    # Installed beside the interpreter (a dev dependency), or anywhere on the PATH.
    beside = Path(sys.executable).parent / "py-spy"
    spy = str(beside) if beside.exists() else shutil.which("py-spy") or "py-spy"
    process = await asyncio.create_subprocess_exec(
        spy, "record", "--pid", str(pid), "--duration", str(int(seconds)),
        "--rate", str(RATE), "--nonblocking", "--format", "raw", "--output", str(output),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, errors = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"py-spy failed: {errors.decode(errors='replace')[-500:]}")
    return output.read_text()


async def profile(postings: int, seconds: float, passthrough: bool) -> dict[str, Profile]:
    texts = list(corpus.postings(postings + 50, seed=23))
    RESULTS.mkdir(exist_ok=True)
    async with running(instances=1, passthrough=passthrough) as pipeline:
        await pipeline.measure(jsonl_lines(texts[:50]), "warm-up")
        feeding = asyncio.create_task(pipeline.measure(jsonl_lines(texts[50:]), "profiled"))
        await asyncio.sleep(3)  # until every stage has work
        pids = {name.split("-")[0]: pid for name, pid in pipeline.pids().items()}
        raws = await asyncio.gather(
            *(record(pid, seconds, RESULTS / f"profile-{name}.txt") for name, pid in pids.items())
        )
        phase = await feeding
    print(f"{phase.postings} postings at {phase.postings_per_s}/s, latency {phase.latency_ms}")
    return {name: read_profile(raw, seconds) for name, raw in zip(pids, raws, strict=True)}


def main(
    postings: Annotated[int, typer.Option(min=100, help="postings fed at full load")] = 15_000,
    seconds: Annotated[float, typer.Option(min=1, help="how long to sample")] = 15,
    passthrough: Annotated[bool, typer.Option(help="profile the plumbing ceiling")] = False,
    top: Annotated[int, typer.Option(help="packages shown per service")] = 8,
) -> None:
    """Profile the services under full load and print where their time goes."""
    profiles = asyncio.run(profile(postings, seconds, passthrough))
    console = Console()
    for name, result in profiles.items():
        table = Table(
            "package",
            "own %",
            "inclusive %",
            title=f"{name}: busy {result.busy():.0%} of {seconds:.0f} s ({result.samples} samples)",
        )
        for package_name, count in result.own.most_common(top):
            inclusive = result.inclusive[package_name]
            table.add_row(
                package_name, f"{count / result.samples:.0%}", f"{inclusive / result.samples:.0%}"
            )
        console.print(table)


if __name__ == "__main__":
    typer.run(main)
