"""The labelled set of real postings: its files, split and licences; scoring places, annual pay
and names; rebuilding texts; `jobstream eval parser` on a real set."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jobstream.cli import CommandGroups, app, evaluate, serve
from jobstream.contracts import Location, ParsedPosting, Salary
from jobstream_parser.cli import register
from jobstream_parser.tools.evaluation import LabelledPosting
from jobstream_parser.tools.evaluation import evaluate as score
from jobstream_parser.tools.real_postings import (
    RealPosting,
    attach_texts,
    read_real_set,
    rebuild_texts,
)
from jobstream_parser.tools.real_sources import (
    SOURCES,
    Origin,
    RebuildContext,
    detokenize,
    hn_html_to_text,
    js_array,
    rebuild_text,
    text_sha256,
)
from tests.support import parsed_posting

pytestmark = pytest.mark.unit

REAL_SET = Path(__file__).parents[2] / "data" / "real_postings"
SPLIT = REAL_SET / "split.tsv"
GROWN = REAL_SET / "grown.tsv"  # tune-only additions drawn after the split (draw.py --grow)
TUNE_SHARE = 0.6

runner = CliRunner()
register(CommandGroups(root=app, serve=serve, evaluate=evaluate))


def _split(path: Path = SPLIT) -> dict[str, tuple[str, str]]:
    with path.open(encoding="utf-8") as lines:
        rows = csv.DictReader((line for line in lines if not line.startswith("#")), delimiter="\t")
        return {row["id"]: (row["source"], row["part"]) for row in rows}


def _parts() -> dict[str, tuple[str, str]]:
    """Every labelled posting's source and part: the split, then the tune part's additions."""
    return _split() | _split(GROWN)


def test_the_split_was_drawn_once_stratified_by_source_about_60_40() -> None:
    split = _split()
    by_source = Counter(source for source, _ in split.values())
    tune = Counter(source for source, part in split.values() if part == "tune")

    assert len(split) >= 300 and len(by_source) >= 6
    assert set(by_source) <= set(SOURCES)
    for source, count in by_source.items():
        assert tune[source] == round(TUNE_SHARE * count), source


def test_postings_added_after_the_split_went_to_the_tune_part_only() -> None:
    split, grown = _split(), _split(GROWN)

    assert grown and not set(grown) & set(split)
    assert {part for _, part in grown.values()} == {"tune"}
    assert {source for source, _ in grown.values()} <= set(SOURCES)


def test_every_labelled_posting_is_valid_and_keeps_the_part_the_split_gave_it() -> None:
    postings, errors = read_real_set(REAL_SET)
    split = _parts()

    assert not errors
    assert len(postings) >= 100
    for posting in postings:
        assert split[posting.id] == (posting.source, posting.part), posting.id
        assert posting.licence == SOURCES[posting.source].licence
        # Only sources whose licence allows it carry their texts (the model checks it too).
        assert (posting.text is not None) == SOURCES[posting.source].texts_in_repo
    assert len(postings) == len(split)


def test_non_english_postings_are_in_the_set() -> None:
    postings, _ = read_real_set(REAL_SET)
    languages = Counter(posting.expected.language for posting in postings)

    assert {"de", "fr", "es", "pt"} <= set(languages)


def test_a_labels_only_posting_may_not_carry_its_text() -> None:
    postings, _ = read_real_set(REAL_SET)
    closed = next(posting for posting in postings if posting.text is None)
    record = closed.model_dump(mode="json") | {"text": "copied text"}

    with pytest.raises(ValueError, match="may not carry its text"):
        RealPosting.model_validate(record)


def test_labels_must_be_consistent() -> None:
    postings, _ = read_real_set(REAL_SET)
    record = postings[0].model_dump(mode="json")
    record["expected"] |= {"salary_min": 10.0, "salary_currency": None}

    with pytest.raises(ValueError, match="currency"):
        RealPosting.model_validate(record)
    record["expected"] |= {"salary_currency": "USD", "locations": [{"city": "X", "country": "DE",
                           "subdivision": "FR-75C"}]}  # fmt: skip
    with pytest.raises(ValueError, match="FR-75C is not in DE"):
        RealPosting.model_validate(record)


def _labelled(expected: Mapping[str, object]) -> LabelledPosting:
    return LabelledPosting(id="p", text="Data Engineer\nAcme", expected=dict(expected))


def _parser(**fields: Any) -> Callable[[LabelledPosting], ParsedPosting]:
    return lambda posting: parsed_posting(posting.text, **fields)


def test_places_are_scored_as_items_by_city_country_and_subdivision() -> None:
    expected = {"locations": [
        {"city": "Berlin", "country": "DE", "subdivision": "DE-BE"},
        {"city": "Paris 01", "country": "FR", "subdivision": "FR-75C"},
    ]}  # fmt: skip
    found = [
        Location(text="berlin", city="BERLIN", country="DE", region="DE-BE"),
        Location(text="Lyon, France", city="Lyon", country="France"),
    ]

    fields = score([_labelled(expected)], _parser(locations=found)).fields

    city, country, region = (
        fields["location_city"], fields["location_country"], fields["location_subdivision"]
    )  # fmt: skip
    assert (city.true_positives, city.false_positives, city.false_negatives) == (1, 1, 1)
    # "France" is a name, not an ISO code: it is no country for the score.
    assert (country.true_positives, country.false_positives, country.false_negatives) == (1, 0, 1)
    assert (region.true_positives, region.false_negatives, region.support) == (1, 1, 2)


def test_names_compare_up_to_case_spacing_and_legal_form() -> None:
    expected = {"title": "Senior  Data Engineer", "company": "Acme"}

    fields = score(
        [_labelled(expected)], _parser(title="senior data engineer", company="ACME Inc.")
    ).fields

    assert fields["title"].true_positives == 1
    assert fields["company"].true_positives == 1


def test_a_wrong_value_counts_against_precision_and_recall_and_shows_its_evidence() -> None:
    text = "Data Engineer\nPay: 50-60k EUR"
    posting = LabelledPosting(
        id="p", text=text, expected={"salary_max": 70000.0, "salary_annual_max": 70000.0}
    )
    salary = Salary(min=50000, max=60000, currency="EUR", period="year", text="50-60k EUR")
    evidence = {"salary": {"start": 19, "end": 29}}

    result = score([posting], _parser(salary=salary, evidence=evidence))

    field = result.fields["salary_max"]
    assert (field.false_positives, field.false_negatives, field.precision) == (1, 1, 0.0)
    mismatch = next(item for item in result.mismatches if item.field == "salary_max")
    assert mismatch.evidence == "50-60k EUR"
    # No annual figure from the parser: a miss, not a false positive.
    annual = result.fields["salary_annual_max"]
    assert (annual.false_negatives, annual.false_positives) == (1, 0)


def test_rebuilt_texts_are_checked_against_their_sha256(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "la-bulletins").mkdir(parents=True)
    bulletin = "CLERK\r\nClass Code: 1\r\nANNUAL SALARY\r\n$1 to $2\r\n"
    (data / "la-bulletins" / "CLERK 1.txt").write_bytes(bulletin.encode("cp1252"))
    posting = _real_posting("la-clerk", "la-bulletins", "la-bulletins/CLERK 1.txt", bulletin)
    changed = _real_posting("la-other", "la-bulletins", "la-bulletins/CLERK 1.txt", "other")
    texts = tmp_path / "texts"
    context = RebuildContext(data_dir=data, network=False)

    report = dict(rebuild_texts([posting, changed], texts, context))

    assert report == {
        "la-clerk": None,
        "la-other": "the origin gives a different text now (SHA-256)",
    }
    real = attach_texts([posting, changed], texts)
    assert real.texts == {"la-clerk": bulletin}  # CRLF kept, byte for byte
    assert "not rebuilt" in real.missing["la-other"]


def test_an_origin_outside_the_data_folder_is_refused(tmp_path: Path) -> None:
    context = RebuildContext(data_dir=tmp_path, network=False)

    with pytest.raises(Exception, match="outside the data folder"):
        rebuild_text("la-bulletins", Origin(path="../../etc/passwd"), context)


def _real_posting(id_: str, source: str, path: str, text: str) -> RealPosting:
    expected = {name: None for name in (
        "title", "company", "work_mode", "employment_type", "seniority", "experience_years_min",
        "experience_years_max", "salary_min", "salary_max", "salary_currency", "salary_period",
        "salary_annual_min", "salary_annual_max", "language",
    )} | {"title": "CLERK", "locations": []}  # fmt: skip
    return RealPosting(
        id=id_, source=source, part="tune", origin=Origin(path=path),
        licence=SOURCES[source].licence, text_sha256=text_sha256(text), expected=expected,
    )  # fmt: skip


def test_recipes_turn_records_into_the_text_a_reader_sees() -> None:
    comment = 'Acme | Engineer | Remote<p>We&#x27;re hiring: <a href="https://x">acme.dev</a>'
    assert hn_html_to_text(comment) == "Acme | Engineer | Remote\n\nWe're hiring: acme.dev"
    assert detokenize(["Salary", ":", "£", "35,000", "(", "DOE", ")", "."]) == (
        "Salary: £ 35,000 (DOE)."
    )
    source = """export const jobs = [
        // a comment
        {id: "A1", intitule: 'Chef d\\'équipe', pays: "France",
         lieuTravail: {libelle: "75 - PARIS",},},
    ];"""
    assert js_array(source) == [
        {"id": "A1", "intitule": "Chef d'équipe", "pays": "France",
         "lieuTravail": {"libelle": "75 - PARIS"}}
    ]  # fmt: skip


def test_eval_parser_scores_each_part_and_lists_only_tune_mismatches(tmp_path: Path) -> None:
    postings, _ = read_real_set(REAL_SET)
    # Postings whose texts are in the repository, one of each part.
    chosen = [
        next(p for p in postings if p.text is not None and p.part == part)
        for part in ("tune", "check")
        if any(p.text is not None and p.part == part for p in postings)
    ]
    (tmp_path / "set.jsonl").write_text(
        "".join(json.dumps(p.model_dump(mode="json")) + "\n" for p in chosen),
        encoding="utf-8",
    )

    as_json = runner.invoke(app, ["eval", "parser", str(tmp_path), "--json"])
    report = json.loads(as_json.stdout)
    assert as_json.exit_code == 0, as_json.output
    assert report["set"] == "real postings" and set(report["parts"]) == {"tune", "check"}
    assert "location_country" in report["parts"]["tune"]["fields"]

    listed = runner.invoke(app, ["eval", "parser", str(tmp_path), "--mismatches"])
    assert "TUNE part" in listed.stdout and "CHECK part" in listed.stdout
    assert "[check]" not in listed.output and "not listed" in listed.stderr


def test_eval_parser_says_which_postings_have_no_text(tmp_path: Path) -> None:
    postings, _ = read_real_set(REAL_SET)
    closed = next(posting for posting in postings if posting.text is None)
    (tmp_path / "set.jsonl").write_text(
        json.dumps(closed.model_dump(mode="json")) + "\n", encoding="utf-8"
    )

    result = runner.invoke(app, ["eval", "parser", str(tmp_path), "--json"])

    assert result.exit_code == 0
    assert json.loads(result.stdout)["left_out"][0]["id"] == closed.id
    assert "left out" in result.stderr
