"""Commands of the read side: `jobstream serve api`, `jobstream search`, `jobstream export`."""

from __future__ import annotations

import typer

from jobstream.cli import CommandGroups


def register(groups: CommandGroups) -> None:
    @groups.serve.command("api")
    def serve_api() -> None:
        """Answer queries over what was stored (JSON API and the explorer page, port 18105)."""
        from jobstream_api.service import serve
        from jobstream_api.settings import ApiSettings

        serve(ApiSettings())

    _ = typer  # the search and export commands come with their modules
