"""The tagger's commands: `jobstream tag`, `jobstream tag --jsonl`, `jobstream eval tagger`,
`jobstream taxonomy build`, through the real `jobstream` command group."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from jobstream.cli import CommandGroups, app, evaluate, serve
from jobstream_tagger import cli as tagger_cli
from jobstream_tagger.tools.inspection import MAX_LINE_CHARS, bounded_lines

pytestmark = pytest.mark.unit

DATA = Path(__file__).parents[2] / "data"
SEEDS = Path(__file__).parents[3] / "seeds"


@pytest.fixture(scope="module")
def jobstream() -> typer.Typer:
    if not any(command.name == "tag" for command in app.registered_commands):
        tagger_cli.register(CommandGroups(root=app, serve=serve, evaluate=evaluate))
    return app


def _run(app: typer.Typer, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_tag_files_shows_skills_in_context(jobstream: typer.Typer) -> None:
    (seed,) = SEEDS.glob("004_*.txt")

    code, out, _ = _run(jobstream, "tag", str(seed))

    assert code == 0
    assert "Kotlin" in out and "preferred" in out and "required" in out
    assert "(AWS preferred)" in out  # the line with its mention, in context
    assert "taxonomy " in out


def test_tag_reports_unreadable_files_and_goes_on(jobstream: typer.Typer, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("We need Kafka and Terraform.")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9 Java".encode("latin-1"))
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")

    code, out, err = _run(
        jobstream, "tag", str(good), str(binary), str(latin), str(empty), str(tmp_path / "no")
    )

    assert code == 1
    assert "Kafka" in out
    assert "binary data" in err and "not UTF-8" in err and "empty" in err
    assert "no such file" in err


def test_tag_jsonl_writes_one_line_per_input(jobstream: typer.Typer, tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "text": "Java, Go and Kafka; Terraform is a plus."}),
        "",
        json.dumps({"id": 7, "text": "Nothing to see."}),
        "{broken",
        json.dumps({"id": "c", "text": 3}),
        json.dumps(["not", "an", "object"]),
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")

    code, out, _ = _run(jobstream, "tag", "--jsonl", str(source))

    results = [json.loads(line) for line in out.splitlines()]
    assert code == 1  # some lines were bad; each still got its output line
    assert [result["id"] for result in results] == ["a", 7, None, "c", None]
    first = results[0]
    text = json.loads(lines[0])["text"]
    assert [skill["id"] for skill in first["skills"]] == ["java", "go", "kafka", "terraform"]
    kafka = first["skills"][2]
    assert set(kafka) >= {"id", "name", "category", "required", "spans", "linked"}
    assert kafka["linked"] is True
    assert [text[start:end] for start, end in kafka["spans"]] == ["Kafka"]
    assert first["skills"][3]["required"] is False  # "is a plus"
    assert results[1]["skills"] == []
    assert "not JSON" in results[2]["error"] and results[2]["line"] == 4
    assert '"text" must be a string' in results[3]["error"]
    assert "not a JSON object" in results[4]["error"]


def test_tag_jsonl_reads_stdin(jobstream: typer.Typer) -> None:
    code, out, _ = _run(
        jobstream, "tag", "--jsonl", "-", stdin='{"id": "x", "text": "Docker and k8s"}\n'
    )

    assert code == 0
    assert json.loads(out)["skills"][1]["id"] == "kubernetes"


def test_tag_needs_files_or_jsonl(jobstream: typer.Typer, tmp_path: Path) -> None:
    assert _run(jobstream, "tag")[0] == 2
    assert _run(jobstream, "tag", "--jsonl", str(tmp_path / "missing.jsonl"))[0] == 2


def test_eval_tagger_json_scores_every_layer(jobstream: typer.Typer) -> None:
    code, out, _ = _run(jobstream, "eval", "tagger", str(DATA / "skillspan"), "--json")

    report = json.loads(out)
    assert code == 0
    # Sentences the packaged model was not trained on: scored by it, every layer.
    assert report["mode"] == "packaged model"
    assert set(report["layers"]) == {"knowledge", "skill", "both"}
    knowledge = report["layers"]["knowledge"]
    assert set(knowledge) >= {"exact", "overlap", "by_source"}
    assert set(knowledge["by_source"]) == {"house", "tech"}
    assert knowledge["gold_spans"] == 7 and 0 <= knowledge["exact"]["f1"] <= 1
    assert "errors" not in knowledge


def test_eval_tagger_errors(jobstream: typer.Typer) -> None:
    code, out, _ = _run(jobstream, "eval", "tagger", str(DATA / "skillspan"), "--errors", "5")
    assert code == 0
    assert "missed" in out and "spurious" in out

    code, out, _ = _run(
        jobstream, "eval", "tagger", str(DATA / "skillspan"), "--errors", "5", "--json"
    )
    errors = json.loads(out)["layers"]["knowledge"]["errors"]
    assert set(errors) == {"missed", "spurious", "boundary"}
    assert _run(jobstream, "eval", "tagger", str(DATA / "skillspan"), "--errors", "-1")[0] == 2


def test_eval_tagger_table_and_layers(jobstream: typer.Typer, tmp_path: Path) -> None:
    code, out, _ = _run(jobstream, "eval", "tagger", str(DATA / "skillspan" / "sample.json"))
    assert code == 0 and "overlap" in out and "knowledge" in out and "skill" in out

    code, out, _ = _run(
        jobstream, "eval", "tagger", str(DATA / "skillspan"), "--layer", "skill", "--json"
    )
    assert json.loads(out)["layer"] == "skill"

    assert _run(jobstream, "eval", "tagger", str(DATA / "skillspan"), "--layer", "x")[0] == 2
    assert _run(jobstream, "eval", "tagger", str(DATA / "skillspan"), "--folds", "1")[0] == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{oops\n")
    code, _, err = _run(jobstream, "eval", "tagger", str(bad))
    assert code == 2 and "not JSON" in err


def test_eval_tagger_cross_validates_on_what_trained_the_model(
    jobstream: typer.Typer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jobstream_tagger.spans import model
    from jobstream_tagger.tools.evaluate import read_sentences
    from jobstream_tagger.tools.span_training import sentence_key

    lines = (DATA / "skillspan" / "sample.json").read_text(encoding="utf-8").splitlines()
    seen = frozenset(sentence_key(sentence) for sentence in read_sentences(lines[:1]))
    monkeypatch.setattr(model, "trained_on", lambda: seen)

    code, out, err = _run(jobstream, "eval", "tagger", str(DATA / "skillspan"), "--json")

    assert code == 0, err
    report = json.loads(out)
    assert (report["mode"], report["folds"]) == ("cross-validation", 5)
    assert "1 of 6 sentences trained the packaged model" in err
    assert report["layers"]["knowledge"]["sentences"] == 6


def test_tagger_train_records_its_cross_validated_figures_in_the_card(
    jobstream: typer.Typer, tmp_path: Path
) -> None:
    def train(folds: str) -> tuple[int, str, str]:
        sample = str(DATA / "skillspan")
        return _run(jobstream, "tagger", "train", sample, "--out", str(tmp_path), "--folds", folds)

    code, out, err = train("2")

    assert code == 0, err
    assert "fold 2/2" in err and "span model skillspan-crf-" in out
    card = json.loads((tmp_path / "span_model.json").read_text(encoding="utf-8"))
    figures = card["cross_validation"]
    assert figures["folds"] == 2 and "never used" in figures["data"]
    assert set(figures["layers"]) == {"knowledge", "skill"}
    for layer in figures["layers"].values():
        assert set(layer) == {"exact", "overlap"}
        assert all(0.0 <= value <= 1.0 for value in layer["exact"].values())
    assert train("1")[0] == 2  # one fold is no cross-validation


def test_tagger_unlinked_lists_what_the_taxonomy_lacks(
    jobstream: typer.Typer, tmp_path: Path
) -> None:
    seeds = sorted(str(path) for path in SEEDS.glob("*.txt"))
    code, out, err = _run(jobstream, "tagger", "unlinked", *seeds, "--top", "500")

    assert code == 0, err
    assert "Kotlin coroutines" in out and "[unlinked-kotlin-coroutines]" in out
    assert "from 5 postings" in err
    counts = [int(line.split()[0]) for line in out.splitlines()]
    assert counts == sorted(counts, reverse=True) and all(1 <= n <= 5 for n in counts)
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": 1, "text": (SEEDS / Path(seeds[4]).name).read_text()}))
    code, out, _ = _run(jobstream, "tagger", "unlinked", "--jsonl", str(source))
    assert code == 0 and "Kotlin coroutines" in out
    assert _run(jobstream, "tagger", "unlinked")[0] == 2


def test_taxonomy_build_and_show(jobstream: typer.Typer, tmp_path: Path) -> None:
    output = tmp_path / "taxonomy.json"

    code, out, _ = _run(
        jobstream,
        "taxonomy",
        "build",
        "--onet",
        str(DATA / "onet"),
        "--curated",
        str(DATA / "taxonomy_curated.toml"),
        "--out",
        str(output),
    )

    assert code == 0, out
    assert "O*NET examples: 14" in out
    assert json.loads(output.read_text())["attribution"].startswith("This product includes")
    code, out, _ = _run(jobstream, "taxonomy", "show")
    assert code == 0 and "O*NET 29.2" in out
    assert _run(jobstream, "taxonomy", "build", "--onet", str(tmp_path))[0] == 2


def test_bounded_lines_cut_huge_lines_and_keep_the_rest() -> None:
    stream = io.StringIO("short\n" + "x" * 50 + "\nnext\nlast")

    lines = list(bounded_lines(stream, 10))

    assert lines == ["short", "x" * 11, "next", "last"]


def test_tag_jsonl_reports_an_over_long_line(jobstream: typer.Typer, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    huge = json.dumps({"id": "big", "text": "x" * (MAX_LINE_CHARS + 10)})
    source.write_text(huge + "\n" + json.dumps({"id": "ok", "text": "Kafka"}) + "\n")

    code, out, _ = _run(jobstream, "tag", "--jsonl", str(source))

    first, second = (json.loads(line) for line in out.splitlines())
    assert code == 1
    assert "longer than" in first["error"] and first["line"] == 1
    assert second == {"id": "ok", "skills": [second["skills"][0]], "occupation": None}
    assert second["skills"][0]["id"] == "kafka"


def test_eval_occupations_scores_each_split_and_lists_tune_misses_only(
    jobstream: typer.Typer, tmp_path: Path
) -> None:
    labelled = tmp_path / "titles.tsv"
    labelled.write_text(
        "# a comment\ntitle\tcode\tsource\tsplit\n"
        "Staff Backend Engineer\t15-1252.00\tseeds\ttune\n"
        "Accountant\t11-1011.00\tmine\ttune\n"
        "Deck Hand\t53-5011.00\tmine\treport\n"
    )

    code, out, _ = _run(jobstream, "eval", "occupations", str(labelled), "--misses", "tune")
    assert code == 0
    assert "tune" in out and "report" in out and "exact 0.500" in out
    assert "'Accountant': labelled 11-1011.00, coded 13-2011.00" in out

    code, out, _ = _run(jobstream, "eval", "occupations", str(labelled), "--json")
    assert json.loads(out)["report"]["exact"] == 1.0
    assert _run(jobstream, "eval", "occupations", str(labelled), "--misses", "report")[0] == 2
