"""The labelled set and `jobstream eval parser` / `jobstream parse`: scores, JSON forms, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobstream.cli import CommandGroups, app, evaluate, serve
from jobstream_parser.cli import register
from jobstream_parser.flat import FLAT_FIELDS
from jobstream_parser.tools.evaluation import LabelledPosting, LineError, read_labelled
from jobstream_parser.tools.evaluation import evaluate as score

pytestmark = pytest.mark.unit

LABELLED = Path(__file__).parents[2] / "data" / "parser_labelled.jsonl"
SEEDS = Path(__file__).parents[3] / "seeds"
MIN_SCORE = 0.95

register(CommandGroups(root=app, serve=serve, evaluate=evaluate))
runner = CliRunner()


def _labelled() -> list[LabelledPosting]:
    items = list(read_labelled(LABELLED.read_text(encoding="utf-8").splitlines()))
    assert not [item for item in items if isinstance(item, LineError)]
    return [item for item in items if isinstance(item, LabelledPosting)]


def test_labelled_set_holds_the_seeds_and_at_least_25_more_with_every_field() -> None:
    postings = _labelled()
    seeds = {path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")}

    assert seeds <= {posting.text for posting in postings}
    assert len(postings) - len(seeds) >= 25
    for posting in postings:
        assert set(FLAT_FIELDS) <= set(posting.expected), posting.id


def test_parser_scores_at_least_95_percent_on_every_field_of_the_labelled_set() -> None:
    result = score(_labelled())

    assert not result.refused
    for name in FLAT_FIELDS:
        field = result.fields[name]
        assert field.precision is None or field.precision >= MIN_SCORE, (name, result.mismatches)
        assert field.recall is None or field.recall >= MIN_SCORE, (name, result.mismatches)


def test_titles_compare_in_the_cleaned_text_s_unicode_form() -> None:
    # The parser reads NFKC-normalised text: "2ª" is "2a" there, and still the same title.
    postings = [
        LabelledPosting(
            id="a",
            text="OFICIAL DE 2ª\nLocalidad: Madrid (MADRID)\nJornada: COMPLETA",
            expected={"title": "OFICIAL DE 2ª"},
        )
    ]

    assert score(postings).fields["title"].true_positives == 1


def test_scoring_counts_wrong_missing_and_invented_values() -> None:
    postings = [
        LabelledPosting(
            id="a",
            text="Senior Data Engineer\nAcme Corp · Remote\nPay: $100,000 - $120,000 per year",
            expected={"title": "Senior Data Engineer", "company": "Other", "education": None,
                      "salary_min": 100000, "work_mode": None},
        )
    ]  # fmt: skip
    fields = score(postings).fields

    assert (fields["title"].precision, fields["title"].recall) == (1.0, 1.0)
    assert (fields["company"].precision, fields["company"].recall) == (0.0, 0.0)  # wrong value
    assert fields["education"].support == 0 and fields["education"].precision is None
    assert fields["salary_min"].true_positives == 1  # 100000 == 100000.0
    assert fields["work_mode"].false_positives == 1  # "remote" where null was expected


def test_bad_lines_of_a_labelled_set_are_reported_with_their_number() -> None:
    lines = [
        '{"id": "a", "text": "x"}',
        "not json",
        '{"id": "b", "text": "y", "expected": {"nope": 1}}',
    ]

    items = list(read_labelled(lines))

    assert isinstance(items[0], LabelledPosting)
    assert isinstance(items[1], LineError) and items[1].line == 2
    assert isinstance(items[2], LineError) and "nope" in items[2].error


def test_eval_parser_command_prints_json_scores() -> None:
    result = runner.invoke(app, ["eval", "parser", str(LABELLED), "--json"])

    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["set"] == "coverage"
    assert set(FLAT_FIELDS) <= set(scores["fields"])
    assert set(scores["fields"]["title"]) == {"precision", "recall", "support", "tp", "fp", "fn"}


def test_parse_command_reads_files_and_jsonl(tmp_path: Path) -> None:
    (seed,) = SEEDS.glob("003_*.txt")
    view = runner.invoke(app, ["parse", str(seed)])
    assert view.exit_code == 0 and "11670.34" in view.stdout and "bachelor" in view.stdout

    as_json = runner.invoke(app, ["parse", "--json", str(seed)])
    parsed = json.loads(as_json.stdout)
    assert parsed["salary_period"] == "month" and parsed["evidence"]["title"] == [0, 34]
    assert parsed["sections"][0]["kind"] == "summary"

    lines = tmp_path / "in.jsonl"
    lines.write_text(
        json.dumps({"id": "one", "text": seed.read_text(encoding="utf-8")})
        + "\n\n"
        + json.dumps({"id": "two", "text": "%%%% 1234 ==== 5678 &&&&"})
        + "\n{broken\n",
        encoding="utf-8",
    )
    out = runner.invoke(app, ["parse", "--jsonl", str(lines)])
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert out.exit_code == 1  # some inputs could not be parsed: said, not dropped
    assert rows[0]["id"] == "one" and rows[0]["education"] == "bachelor"
    assert rows[1] == {"id": "two", "error": "not_text", "message": rows[1]["message"]}
    assert rows[2]["error"] and rows[2]["line"] == 4


def test_parse_command_refuses_empty_and_binary_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\x00\x00\x01")

    result = runner.invoke(app, ["parse", str(empty), str(binary)])

    assert result.exit_code == 1
    assert "empty" in result.stderr and "binary" in result.stderr
