"""Commands of the tagger: `jobstream serve tagger`."""

from jobstream.cli import CommandGroups


def register(groups: CommandGroups) -> None:
    @groups.serve.command("tagger")
    def serve_tagger() -> None:
        """Tag parsed postings with skills from the taxonomy."""
        from jobstream_tagger.service import serve
        from jobstream_tagger.settings import TaggerSettings

        serve(TaggerSettings())
