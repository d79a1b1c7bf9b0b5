"""Commands of the parser: `jobstream serve parser`, `jobstream parse`, `jobstream eval parser`
(eval_cli.py)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Final, cast

import typer

from jobstream.cli import CommandGroups
from jobstream.contracts import MAX_TEXT_CHARS, ParsedPosting

# Bytes read from one file: enough for the longest text an event may carry.
MAX_FILE_BYTES: Final = 4 * MAX_TEXT_CHARS
EXCERPT_CHARS: Final = 70
# Where `jobstream eval parser` looks when no set is named: the repository's real postings.
DEFAULT_REAL_SET: Final = Path("tests/data/real_postings")


def register(groups: CommandGroups) -> None:
    @groups.serve.command("parser")
    def serve_parser() -> None:
        """Parse raw postings into structured postings."""
        from jobstream_parser.service import serve
        from jobstream_parser.settings import ParserSettings

        serve(ParserSettings())

    @groups.root.command("parse")
    def parse_files(
        files: Annotated[
            list[Path] | None, typer.Argument(help="posting files (.txt, .md); - for stdin")
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="flat fields, sections and evidence as JSON")
        ] = False,
        jsonl: Annotated[
            Path | None,
            typer.Option(
                "--jsonl",
                help='JSON lines {"id", "text"} in (- for stdin); one JSON line of flat fields'
                " out per line in",
            ),
        ] = None,
    ) -> None:
        """Show what the parser makes of postings (a readable view, or --json / --jsonl)."""
        if jsonl is not None:
            raise typer.Exit(_parse_jsonl(jsonl))
        if not files:
            raise typer.BadParameter("name at least one file, or use --jsonl PATH")
        failed = 0
        for path in files:
            failed += _parse_file(path, as_json=as_json)
        raise typer.Exit(1 if failed else 0)

    @groups.evaluate.command("parser")
    def evaluate_parser(
        path: Annotated[
            Path,
            typer.Argument(
                help="the labelled set of real postings (a folder), or a coverage set (a"
                ' JSON lines file {"id","text","expected"})'
            ),
        ] = DEFAULT_REAL_SET,
        part: Annotated[
            str, typer.Option(help="real postings: both parts, or only tune / check")
        ] = "both",
        source: Annotated[
            list[str] | None, typer.Option(help="real postings: only this source (repeatable)")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="scores as one JSON object")] = False,
        show_mismatches: Annotated[
            bool,
            typer.Option(
                "--mismatches",
                help="also list every wrong or missed value with the parser's evidence"
                " (real postings: the tune part, unless --part check)",
            ),
        ] = False,
        rebuild: Annotated[
            bool,
            typer.Option(
                "--rebuild",
                help="first rebuild the texts that may not be committed, from their origins",
            ),
        ] = False,
        data_dir: Annotated[
            Path,
            typer.Option(
                envvar="JOBSTREAM_SHARED_DATA",
                help="reference data holding la-bulletins/ and skillspan-train/",
            ),
        ] = Path("../shared/data"),
        mirror: Annotated[
            list[Path] | None,
            typer.Option(
                help="a folder of local Git mirrors (owner+name/repo) to read origins from"
                " before GitHub (repeatable; default: JOBSTREAM_GIT_MIRRORS)"
            ),
        ] = None,
        offline: Annotated[
            bool, typer.Option("--offline", help="rebuild from local copies only")
        ] = False,
    ) -> None:
        """Per-field precision and recall of the parser on a labelled set."""
        from jobstream_parser.tools.eval_cli import EvalRequest, PartChoice, default_mirrors, run

        if part not in ("both", "tune", "check"):
            raise typer.BadParameter("--part is both, tune or check")
        request = EvalRequest(
            path,
            part=cast("PartChoice", part),
            sources=source or [],
            as_json=as_json,
            show_mismatches=show_mismatches,
            rebuild=rebuild,
            data_dir=data_dir,
            mirrors=mirror or default_mirrors(),
            offline=offline,
        )
        raise typer.Exit(run(request))


def _parse_file(path: Path, *, as_json: bool) -> int:
    from jobstream.contracts import RawPosting, Source
    from jobstream_parser.flat import flatten
    from jobstream_parser.parse import NotAPosting, parse

    try:
        text, note = _read_text(path)
    except (OSError, ValueError) as error:
        typer.echo(f"{path}: {error}", err=True)
        return 1
    if note:
        typer.echo(f"{path}: {note}", err=True)
    name = path.name[-200:] if str(path) != "-" else None
    try:
        parsed = parse(RawPosting.from_text(text, Source(channel="cli", name=name)))
    except NotAPosting as error:
        typer.echo(f"{path}: not parsed ({error.reason}): {error}", err=True)
        return 1
    if as_json:
        typer.echo(json.dumps(_json_view(parsed, flatten(parsed), str(path)), ensure_ascii=False))
    else:
        _print_posting(str(path), parsed, flatten(parsed))
    return 0


def _parse_jsonl(path: Path) -> int:
    """One output line per input line: flat fields, or the error that stopped it."""
    from pydantic import ValidationError

    from jobstream.contracts import RawPosting, Source
    from jobstream_parser.flat import flatten
    from jobstream_parser.parse import NotAPosting, parse
    from jobstream_parser.tools.evaluation import LabelledPosting

    failed = 0
    with _open_text(path) as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            out: dict[str, Any]
            try:
                item = LabelledPosting.model_validate_json(line)
            except ValidationError as error:
                failed += 1
                out = {"id": None, "line": number, "error": str(error.errors()[0]["msg"])}
            else:
                try:
                    source = Source(channel="cli", name=item.id)
                    parsed = parse(RawPosting.from_text(item.text, source, item.provided))
                    out = {"id": item.id, **flatten(parsed)}
                except NotAPosting as error:
                    failed += 1
                    out = {"id": item.id, "error": error.reason, "message": str(error)}
            typer.echo(json.dumps(out, ensure_ascii=False))
    return 1 if failed else 0


class _open_text:
    """Lines of a UTF-8 file, or of stdin for "-"."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: Any = None

    def __enter__(self) -> Iterator[str]:
        if str(self.path) == "-":
            return iter(sys.stdin)
        self.handle = self.path.open(encoding="utf-8", errors="strict")
        return iter(self.handle)

    def __exit__(self, *_: object) -> None:
        if self.handle is not None:
            self.handle.close()


def _read_text(path: Path) -> tuple[str, str | None]:
    """The file's text; UTF-8, else Windows-1252 (old bulletins), which is said."""
    if str(path) == "-":
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    else:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"over {MAX_FILE_BYTES:,} bytes")
    if not data.strip():
        raise ValueError("empty")
    if b"\x00" in data:
        raise ValueError("binary (holds NUL bytes), not text")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "not UTF-8: read as Windows-1252"


def _json_view(parsed: ParsedPosting, flat: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "id": name,
        **flat,
        "locations": [location.model_dump(exclude_none=True) for location in parsed.locations],
        "sections": [
            {
                "kind": section.kind,
                "heading": section.heading,
                "span": [section.span.start, section.span.end],
                "text": section.text,
            }
            for section in parsed.sections
        ],
        "evidence": {name: [span.start, span.end] for name, span in parsed.evidence.items()},
        "cleaning": parsed.cleaning.model_dump(),
        "signature": parsed.signature.model_dump() if parsed.signature else None,
        "parser_version": parsed.parser_version,
    }


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def _print_posting(name: str, parsed: ParsedPosting, flat: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    evidence_of = {
        "salary_min": "salary",
        "salary_max": "salary",
        "salary_currency": "salary",
        "salary_period": "salary",
    }
    table = Table("field", "value", "evidence", title=name, title_justify="left")
    for field, value in flat.items():
        if value is None or value == [] or value == "unknown":
            table.add_row(field, "[dim]—[/dim]", "")
            continue
        span = parsed.evidence.get(evidence_of.get(field, field))
        shown = ", ".join(value) if isinstance(value, list) else str(value)
        table.add_row(
            field, _excerpt(shown), _excerpt(parsed.text[span.start : span.end]) if span else ""
        )
    console = Console()
    console.print(table)
    sections = Table("section", "heading", "chars", "starts with")
    for section in parsed.sections:
        sections.add_row(
            section.kind, section.heading or "", str(len(section.text)), _excerpt(section.text)
        )
    console.print(sections)
    cleaning = parsed.cleaning
    console.print(
        f"cleaning: {cleaning.duplicate_lines} repeated lines collapsed,"
        f" {cleaning.boilerplate_lines} job-board lines removed"
        + (
            f" ({'; '.join(_excerpt(note) for note in cleaning.boilerplate)})"
            if cleaning.boilerplate
            else ""
        )
    )
