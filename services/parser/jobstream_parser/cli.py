"""Commands of the parser: `jobstream serve parser`."""

from jobstream.cli import CommandGroups


def register(groups: CommandGroups) -> None:
    @groups.serve.command("parser")
    def serve_parser() -> None:
        """Parse raw postings into structured postings."""
        from jobstream_parser.service import serve
        from jobstream_parser.settings import ParserSettings

        serve(ParserSettings())
