"""Commands of the parser: `jobstream serve parser`."""

import typer


def register(root: typer.Typer, serve: typer.Typer) -> None:
    @serve.command("parser")
    def serve_parser() -> None:
        """Parse raw postings into structured postings."""
        from jobstream_parser.service import serve
        from jobstream_parser.settings import ParserSettings

        serve(ParserSettings())
