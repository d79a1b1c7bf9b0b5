"""Commands of the tagger: `jobstream serve tagger`."""

import typer


def register(root: typer.Typer, serve: typer.Typer) -> None:
    @serve.command("tagger")
    def serve_tagger() -> None:
        """Tag parsed postings with skills from the taxonomy."""
        from jobstream_tagger.service import serve
        from jobstream_tagger.settings import TaggerSettings

        serve(TaggerSettings())
