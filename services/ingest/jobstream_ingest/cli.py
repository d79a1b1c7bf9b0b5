"""Commands of ingest: `jobstream ingest PATH…` and `jobstream serve ingest`."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from jobstream.cli import CommandGroups
from jobstream.kafka.admin import ensure_topics
from jobstream.kafka.publisher import Publisher
from jobstream_ingest.files import IngestSummary, ingest_paths
from jobstream_ingest.settings import IngestSettings


def register(groups: CommandGroups) -> None:
    @groups.root.command("ingest")
    def ingest(
        paths: Annotated[list[str], typer.Argument(help="files, folders, globs, or - for stdin")],
    ) -> None:
        """Publish job postings to the raw topic and print a summary."""
        summary = asyncio.run(publish_paths(paths, IngestSettings()))
        console = Console(stderr=True, highlight=False)
        rejected = sum(summary.rejected.values())
        console.print(
            f"published {summary.published}, duplicates {summary.duplicates}, rejected {rejected}"
        )
        for name, rejection in summary.rejections:
            console.print(f"  rejected {name}: {rejection.message} ({rejection.reason})")
        if rejected and not summary.published:
            raise typer.Exit(1)

    @groups.serve.command("ingest")
    def serve_ingest() -> None:
        """Watch the inbox folder and publish what is dropped in."""
        from jobstream_ingest.service import serve

        serve(IngestSettings())


async def publish_paths(paths: list[str], settings: IngestSettings) -> IngestSummary:
    await ensure_topics(settings.kafka)
    async with Publisher(settings.kafka) as publisher:
        return await ingest_paths(paths, publisher, settings.max_file_bytes)
