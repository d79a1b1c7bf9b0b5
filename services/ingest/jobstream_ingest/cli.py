"""Commands of ingest: `jobstream ingest PATH…` and `jobstream serve ingest`."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated, BinaryIO, cast, get_args

import typer
from rich.console import Console

from jobstream.cli import CommandGroups, JsonOption, print_json
from jobstream.contracts import SourceFormat
from jobstream.kafka.admin import ensure_topics
from jobstream.kafka.publisher import Publisher
from jobstream_ingest.adapters.files import IngestSummary, ingest_paths
from jobstream_ingest.publishing import Ingestor, RecentIds
from jobstream_ingest.settings import IngestSettings

# Where `jobstream ingest` records how far each bulk file got (so a stopped run resumes).
PROGRESS_FOLDER = "ingest-progress"
# How many rejections the summary lists one by one; the count by reason covers the rest.
SHOWN_REJECTIONS = 20


def register(groups: CommandGroups) -> None:
    @groups.root.command("ingest")
    def ingest(
        paths: Annotated[list[str], typer.Argument(help="files, folders, globs, or - for stdin")],
        stdin_format: Annotated[
            str, typer.Option("--format", help="what stdin holds: " + ", ".join(FORMATS))
        ] = "txt",
        as_json: JsonOption = False,
    ) -> None:
        """Publish job postings to the raw topic and print a summary (--json: with the ids
        of the postings published)."""
        if stdin_format not in FORMATS:
            raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")
        settings = IngestSettings()
        fmt = cast(SourceFormat, stdin_format)
        summary = asyncio.run(publish_paths(paths, settings, sys.stdin.buffer, fmt))
        if as_json:
            print_json(summary_json(summary))
        else:
            print_summary(summary, Console(stderr=True, highlight=False))
        if summary.rejected and not summary.accepted:
            raise typer.Exit(1)

    @groups.serve.command("ingest")
    def serve_ingest() -> None:
        """Watch the inbox folder, accept POST /postings, publish what comes in."""
        from jobstream_ingest.service import serve

        serve(IngestSettings())


FORMATS: tuple[str, ...] = get_args(SourceFormat)


async def publish_paths(
    paths: list[str],
    settings: IngestSettings,
    stdin: BinaryIO | None = None,
    stdin_format: SourceFormat = "txt",
) -> IngestSummary:
    await ensure_topics(settings.kafka)
    async with Publisher(settings.kafka) as publisher:
        # A run remembers as many ids as the service (memory stays flat for a bulk file of
        # millions): a repeat it remembers is skipped; one further back is sent again.
        ingestor = Ingestor(publisher, RecentIds(settings.recent_ids), republish=False)
        return await ingest_paths(
            paths,
            ingestor,
            settings.limits,
            stdin=stdin,
            stdin_format=stdin_format,
            progress_dir=settings.runtime.state_dir / PROGRESS_FOLDER,
        )


def summary_json(summary: IngestSummary) -> dict[str, object]:
    """What `--json` prints: the counts, and the ids of the postings now in Kafka (bulk
    streamed files do not keep theirs)."""
    return {
        "inputs": summary.files,
        "published": summary.published,
        "skipped": summary.skipped,
        "already_seen": summary.already_seen,
        "rejected": dict(summary.rejected),
        "posting_ids": summary.posting_ids,
        "rejections": [
            {"input": name, "reason": rejection.reason, "message": rejection.describe()}
            for name, rejection in summary.rejections
        ],
    }


def print_summary(summary: IngestSummary, console: Console) -> None:
    # markup=False: file names and messages are the input's words; "[red]" in a name is text.
    def say(line: str) -> None:
        console.print(line, markup=False, soft_wrap=True)  # one line, whatever the width

    rejected = sum(summary.rejected.values())
    inputs = f"{summary.files:,} input{'s' if summary.files != 1 else ''}"
    say(
        f"published {summary.published:,}, skipped {summary.skipped:,} (repeats not sent"
        f" again), rejected {rejected:,} ({inputs})"
    )
    if summary.already_seen:
        say(f"  {summary.already_seen:,} of the postings had been seen before (same id)")
    for name, resumed in summary.resumed:
        say(f"  {name}: {resumed}")
    if rejected:
        reasons = ", ".join(f"{reason} {n}" for reason, n in summary.rejected.most_common())
        say(f"  rejected by reason: {reasons}")
    for name, rejection in summary.rejections[:SHOWN_REJECTIONS]:
        say(f"  rejected {name}: {rejection.describe()} ({rejection.reason})")
    if rejected > SHOWN_REJECTIONS:
        say(f"  … and {rejected - SHOWN_REJECTIONS:,} more")
