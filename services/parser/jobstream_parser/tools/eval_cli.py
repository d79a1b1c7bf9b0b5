"""`jobstream eval parser`: reads a labelled set, scores the parser, prints the scores.

A folder (or a file of records with `part`) is the labelled set of real postings, scored per
part: `tune` (rules may be fitted to it) and `check` (only reported). Any other file is a
coverage set, reported as such. Mismatches of the check part are listed only when asked for
by name (`--part check`): rules are written against the tune part.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import typer

from jobstream_parser.tools.evaluation import (
    Evaluation,
    LabelledPosting,
    LineError,
    evaluate,
    read_labelled,
)
from jobstream_parser.tools.real_postings import (
    PARTS,
    Part,
    RealSet,
    attach_texts,
    is_real_set,
    read_real_set,
    rebuild_texts,
    texts_dir_for,
)
from jobstream_parser.tools.real_sources import RebuildContext

PartChoice = Literal["both", "tune", "check"]
COVERAGE_TITLE: Final = "COVERAGE set, written alongside the rules: what they cover, not quality"
PART_TITLES: Final[dict[str, str]] = {
    "tune": "TUNE part of the real postings: rules may be fitted to it",
    "check": "CHECK part of the real postings: held out, reported, never tuned on",
}


@dataclass(frozen=True)
class EvalRequest:
    """What `jobstream eval parser` was asked for."""

    path: Path
    part: PartChoice = "both"
    sources: Sequence[str] = ()
    as_json: bool = False
    show_mismatches: bool = False
    rebuild: bool = False
    data_dir: Path = Path("../shared/data")
    mirrors: Sequence[Path] = ()
    offline: bool = False


def run(request: EvalRequest) -> int:
    if not request.path.exists():
        typer.echo(f"{request.path}: no such file or folder", err=True)
        return 2
    if is_real_set(request.path):
        return _run_real_set(request)
    return _run_coverage_set(
        request.path, as_json=request.as_json, show_mismatches=request.show_mismatches
    )


def default_mirrors() -> list[Path]:
    """Folders of local Git mirrors (owner+name/repo) named by JOBSTREAM_GIT_MIRRORS."""
    value = os.environ.get("JOBSTREAM_GIT_MIRRORS", "")
    return [Path(part) for part in value.split(os.pathsep) if part]


def _run_coverage_set(path: Path, *, as_json: bool, show_mismatches: bool) -> int:
    postings = []
    with path.open(encoding="utf-8") as lines:
        for item in read_labelled(lines):
            if isinstance(item, LineError):
                typer.echo(f"{path}:{item.line}: {item.error}", err=True)
                return 2
            postings.append(item)
    result = evaluate(postings)
    if as_json:
        typer.echo(json.dumps({"set": "coverage", **result.as_dict()}, indent=2))
    else:
        _print_scores(result, COVERAGE_TITLE)
    if show_mismatches:
        _print_mismatches(result, None, err=as_json)
    return 0


def _run_real_set(request: EvalRequest) -> int:
    path, part, as_json = request.path, request.part, request.as_json
    postings, errors = read_real_set(path)
    for error in errors:
        typer.echo(f"{error.where}: {error.error}", err=True)
    if errors:
        return 2
    if request.sources:
        postings = [posting for posting in postings if posting.source in request.sources]
    texts_dir = texts_dir_for(path)
    if request.rebuild:
        context = RebuildContext(
            request.data_dir, tuple(request.mirrors), network=not request.offline
        )
        for id_, problem in rebuild_texts(postings, texts_dir, context):
            if problem is not None:
                typer.echo(f"{id_}: not rebuilt: {problem}", err=True)
    real = attach_texts(postings, texts_dir)
    if real.missing:
        typer.echo(
            f"{len(real.missing)} postings left out: their text is not here"
            f" (run with --rebuild; see docs/parser-quality.md), e.g."
            f" {next(iter(real.missing))}: {next(iter(real.missing.values()))}",
            err=True,
        )
    parts: tuple[Part, ...] = PARTS if part == "both" else (part,)
    results = {name: evaluate(_scorable(real, name)) for name in parts}
    if as_json:
        report: dict[str, Any] = {
            "set": "real postings",
            "parts": {name: result.as_dict() for name, result in results.items()},
            "left_out": [{"id": id_, "reason": why} for id_, why in real.missing.items()],
        }
        typer.echo(json.dumps(report, indent=2))
    else:
        for name, result in results.items():
            _print_scores(result, PART_TITLES[name])
    if request.show_mismatches:
        shown = parts if part != "both" else ("tune",)
        for name in shown:
            _print_mismatches(results[name], name, err=as_json)
        if part == "both":
            typer.echo(
                "(check-part mismatches are not listed: name --part check to see them, to"
                " report, never to write rules from)",
                err=True,
            )
    return 0


def _scorable(real: RealSet, part: Part) -> list[LabelledPosting]:
    return [
        LabelledPosting(
            id=posting.id,
            text=real.texts[posting.id],
            expected=posting.expected.model_dump(mode="json"),
        )
        for posting in real.part(part)
        if posting.id in real.texts
    ]


def _shown(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _print_scores(result: Evaluation, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=120)
    console.print(f"\n{title} ({result.postings} postings)")
    table = Table("field", "precision", "recall", "support", "TP", "FP", "FN")
    for name, score in result.ordered_fields():
        table.add_row(
            name,
            _shown(score.precision),
            _shown(score.recall),
            str(score.support),
            str(score.true_positives),
            str(score.false_positives),
            str(score.false_negatives),
        )
    console.print(table)
    for id_, reason in result.refused:
        typer.echo(f"refused: {id_} ({reason})")


def _print_mismatches(result: Evaluation, part: str | None, *, err: bool) -> None:
    label = f"[{part}] " if part else ""
    for mismatch in result.mismatches:
        evidence = f" — evidence: {mismatch.evidence!r}" if mismatch.evidence else ""
        typer.echo(
            f"{label}{mismatch.id}: {mismatch.field}: expected {mismatch.expected!r},"
            f" got {mismatch.got!r}{evidence}",
            err=err,
        )
