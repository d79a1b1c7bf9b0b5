"""Occupation codes: title normalisation, the index build (O*NET-shaped fixture) and the coder."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from jobstream.contracts import Occupation
from jobstream_tagger.occupation import (
    MAX_TITLE_CHARS,
    SUFFIX_CONFIDENCE,
    WORDS_CONFIDENCE,
    OccupationCoder,
    load_coder,
    normalise_title,
    records_of,
    title_for,
    title_variants,
)
from jobstream_tagger.taxonomy import load_taxonomy
from jobstream_tagger.tools.inspection import jsonl_results
from jobstream_tagger.tools.occupation_build import (
    OCCUPATIONS_ATTRIBUTION,
    OccupationBuildError,
    build_occupations,
    singular,
)
from jobstream_tagger.tools.occupation_eval import LabelledTitlesError, evaluate, read_labelled
from jobstream_tagger.tools.taxonomy_build import read_curated

pytestmark = pytest.mark.unit

DATA = Path(__file__).parents[2] / "data"
ONET_DIR = DATA / "onet"
TAXONOMY = {
    "skills": [
        {"id": "kafka", "onet": {"examples": ["Apache Kafka"]}},
        {"id": "quickbooks", "onet": {"examples": ["Intuit QuickBooks"]}},
    ]
}


def _coder(curated: dict[str, Any] | None = None) -> OccupationCoder:
    document = build_occupations(ONET_DIR, curated or {}, TAXONOMY)
    return OccupationCoder(json.loads(json.dumps(record)) for record in records_of(document))


@pytest.mark.parametrize(
    ("title", "normalised"),
    [
        ("Senior Software Engineer", "software engineer"),
        ("Sr. Software Eng. II", "software engineer"),
        ("STAFF BACKEND ENGINEER", "backend engineer"),
        ("Accountant (m/f/d)", "accountant"),
        ("Workers' Compensation Analyst", "workers compensation analyst"),
        ("C++ Developer", "c++ developer"),
    ],
)
def test_titles_are_normalised_to_the_words_of_the_work(title: str, normalised: str) -> None:
    assert normalise_title(title) == normalised


def test_title_variants_try_the_part_before_each_separator() -> None:
    assert title_variants("Senior Backend Engineer, Search and Recommendations") == [
        "backend engineer search and recommendations",
        "backend engineer",
        "search and recommendations",
    ]
    assert title_variants("Contract: Staff Backend Engineer")[-1] == "backend engineer"


def test_occupation_titles_are_indexed_in_the_singular_too() -> None:
    assert singular("Software Developers") == "Software Developer"
    assert singular("Secretaries") == "Secretary"
    assert singular("Sailors and Marine Oilers") == "Sailors and Marine Oiler"
    assert _coder().code("Software Developer") == Occupation(
        code="15-1252.00", title="Software Developers", confidence=0.95
    )


def test_an_unambiguous_title_is_coded_with_high_confidence() -> None:
    coder = _coder()

    accountant = coder.code("SENIOR ACCOUNTANT")
    assert accountant is not None and accountant.code == "13-2011.00"
    assert accountant.title == "Accountants and Auditors" and accountant.confidence == 0.95
    assert coder.code("CEO") is not None
    assert coder.code("Totally unknown words") is None


def test_the_skills_choose_among_the_occupations_an_ambiguous_title_names() -> None:
    coder = _coder()

    by_title = coder.code("Test Engineer")  # Software Developers or QA testers (in the fixture)
    with_kafka = coder.code("Test Engineer", frozenset({"kafka"}))

    assert by_title is not None and with_kafka is not None
    assert {by_title.code, with_kafka.code} <= {"15-1252.00", "15-1253.00"}
    assert by_title.confidence < 0.95  # split votes: not sure
    assert with_kafka.confidence >= by_title.confidence * 0.9


def test_a_title_no_occupation_names_whole_is_coded_by_a_suffix_then_by_its_words() -> None:
    coder = _coder()

    suffix = coder.code("Platform Software Engineer")  # "software engineer" is a title
    words = coder.code("Web Developer Extraordinaire")  # no title: its words vote

    assert suffix is not None and suffix.code == "15-1252.00"
    assert suffix.confidence == SUFFIX_CONFIDENCE
    assert words is not None and words.code == "15-1254.00"
    assert words.confidence <= WORDS_CONFIDENCE


def test_a_working_supervisor_is_coded_as_a_first_line_supervisor_where_the_soc_has_one() -> None:
    data = json.loads(json.dumps(build_occupations(ONET_DIR, {}, TAXONOMY)))
    data["occupations"]["49-1011.00"] = "First-Line Supervisors of Mechanics"
    data["titles"]["mechanic"] = [[len(data["occupations"]) - 1, 1]]
    data["occupations"]["49-3023.00"] = "Automotive Service Technicians and Mechanics"
    data["titles"]["mechanic"] = [[len(data["occupations"]) - 1, 1]]
    coder = OccupationCoder(records_of(data))

    mechanics = coder.code("Mechanic Supervisor")
    accountants = coder.code("Accountant Supervisor")  # the SOC has no such supervisors

    assert mechanics is not None and mechanics.code == "49-1011.00"
    assert accountants is not None and accountants.code == "13-2011.00"


def test_curated_rewrites_and_titles_outvote_onet() -> None:
    plain = _coder().code("Back End Engineer")
    curated = _coder({"occupations": {"rewrites": {"backend": "software"}}}).code(
        "Backend Engineer"
    )
    forced = _coder({"occupations": {"titles": {"deck boss": "53-5011.00"}}}).code("Deck Boss")

    assert plain is not None and plain.code == "15-1254.00"  # O*NET: Back End -> Web Developers
    assert curated is not None and curated.code == "15-1252.00"
    assert forced is not None and forced.code == "53-5011.00"
    with pytest.raises(OccupationBuildError, match="unknown code"):
        build_occupations(ONET_DIR, {"occupations": {"titles": {"x": "99-9999.99"}}}, TAXONOMY)


def test_occupations_use_the_skills_of_their_technologies() -> None:
    document = build_occupations(ONET_DIR, {}, TAXONOMY)
    numbers = {code: str(index) for index, code in enumerate(document["occupations"])}

    assert "kafka" in document["skills"][numbers["15-1252.00"]]
    assert document["attribution"] == OCCUPATIONS_ATTRIBUTION
    with pytest.raises(OccupationBuildError, match="does not exist"):
        build_occupations(DATA, {}, TAXONOMY)


def test_the_title_is_the_parsers_else_the_given_one_else_the_first_line() -> None:
    assert title_for("Welder", "x", "y") == "Welder"
    assert title_for(None, "Plumber", "y") == "Plumber"
    assert title_for(None, None, "\n\n  DECK HAND \nClass Code: 5131") == "DECK HAND"
    assert title_for(None, "  ", "   ") is None


def _first_line(text: str) -> str | None:
    """What title_for gives without a title: the first non-blank line, as it was written."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:MAX_TITLE_CHARS]
    return None


def test_the_first_line_is_found_in_the_first_characters_as_in_the_whole_text() -> None:
    rng = random.Random(5)
    pieces = ["a", "Deck Hand", " ", "\t", "\n", "\r", "\r\n", "\x85", "\u2028", "\x0c", "é"]
    texts = ["", "x" * 5_000, " " * 999 + "\r\nTitle", " " * 998 + "T\r\n" + "x" * 10]
    texts += ["".join(rng.choices(pieces, k=rng.randrange(1, 900))) for _ in range(2_000)]
    texts += [" " * rng.randrange(900, 1_100) + text for text in texts[4:200]]

    for text in texts:
        assert title_for(None, None, text) == _first_line(text), repr(text[:50])


def test_the_packaged_index_codes_the_issues_example_and_repeats_are_cached() -> None:
    coder = load_coder()

    first = coder.code("Staff Backend Engineer")
    assert first == Occupation(code="15-1252.00", title="Software Developers", confidence=0.95)
    assert coder.code("Staff Backend Engineer") is first
    assert "O*NET 29.2" in coder.attribution
    assert read_curated()["occupations"]["rewrites"]["backend"] == "software"


def test_jsonl_lines_carry_the_occupation() -> None:
    line = json.dumps({"id": 7, "text": "Staff Backend Engineer\nJava, Kotlin and Kafka."})

    (result,) = jsonl_results([line], load_taxonomy())

    assert result["occupation"] == {
        "code": "15-1252.00",
        "title": "Software Developers",
        "confidence": 0.95,
    }


LABELLED = DATA / "occupations" / "labelled_titles.tsv"


def test_the_labelled_titles_are_real_split_once_and_use_known_codes() -> None:
    labelled = read_labelled(LABELLED.read_text(encoding="utf-8").splitlines())
    coder = load_coder()

    assert len(labelled) >= 200
    assert {item.split for item in labelled} == {"tune", "report"}
    assert {item.source for item in labelled} == {"la-bulletins", "skillspan-train", "seeds"}
    assert all(coder.title_of(item.code) for item in labelled), "a code O*NET does not have"
    assert len({item.title.lower() for item in labelled}) == len(labelled)


def test_scores_count_exact_codes_soc_occupations_and_major_groups() -> None:
    lines = [
        "title\tcode\tsource\tsplit",
        "Staff Backend Engineer\t15-1252.00\tx\ttune",  # exact
        "Crime Analyst\t33-3021.00\tx\treport",  # O*NET also has 33-3021.06: same SOC
        "Zzzz Qqqq\t13-2011.00\tx\treport",  # no code
    ]

    scores = evaluate(read_labelled(lines), load_coder())

    assert scores["tune"].report()["exact"] == 1.0
    report = scores["report"]
    assert report.titles == 2 and report.uncoded == 1
    assert report.major_group >= report.detailed >= report.exact
    with pytest.raises(LabelledTitlesError, match="split"):
        read_labelled(["title\tcode\tsource\tsplit", "a\t15-1252.00\tx\tmaybe"])
    with pytest.raises(LabelledTitlesError, match="header"):
        read_labelled(["title\tcode", "a\tb"])
