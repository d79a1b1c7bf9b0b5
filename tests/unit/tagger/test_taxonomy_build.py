"""The taxonomy generator, on a tiny O*NET-shaped fixture (never the real O*NET data)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from jobstream_tagger.taxonomy import Taxonomy
from jobstream_tagger.tools.taxonomy_build import (
    CURATED_PATH,
    ONET_ATTRIBUTION,
    TaxonomyBuildError,
    build_file,
    build_taxonomy,
    main,
    parse_onet,
    read_curated,
    read_onet,
    render,
)

pytestmark = pytest.mark.unit

DATA = Path(__file__).parents[2] / "data"
ONET_DIR = DATA / "onet"
CURATED = DATA / "taxonomy_curated.toml"
HEADER = "O*NET-SOC Code\tExample\tCommodity Code\tCommodity Title\tHot Technology\tIn Demand"


def _build(curated: Path = CURATED) -> tuple[dict[str, dict[str, Any]], Any]:
    document, report = build_taxonomy(read_onet(ONET_DIR), read_curated(curated))
    return {skill["id"]: skill for skill in document["skills"]}, report


def test_onet_rows_are_folded_per_example_with_flags_and_codes() -> None:
    examples = {example.name: example for example in read_onet(ONET_DIR)}

    kafka = examples["Apache Kafka"]  # two occupations, one example
    assert kafka.codes == ("43232402",)
    assert kafka.hot and kafka.in_demand
    assert not examples["PuTTY"].hot


def test_examples_fold_into_curated_skills_by_vendorless_name_abbreviation_or_list() -> None:
    skills, report = _build()

    assert skills["kafka"]["aliases"] == ["Apache Kafka", "Kafka Streams"]  # "Apache" stripped
    assert skills["kafka"]["source"] == "curated+onet"
    assert skills["kafka"]["onet"] == {
        "codes": ["43232402"],
        "examples": ["Apache Kafka"],
        "hot": True,
        "in_demand": True,
    }
    assert "Structured query language" in skills["sql"]["aliases"]  # "SQL" spells it
    assert skills["java"]["aliases"] == ["Oracle Java"]
    assert skills["microsoft-excel"]["onet"]["examples"] == ["Microsoft Excel"]  # `onet` list
    assert skills["java"]["esco"] == [
        "http://data.europa.eu/esco/skill/19a8293b-8e95-4de3-983f-77484079c389"
    ]
    assert report.folded_into_curated == 4


def test_other_examples_become_skills_with_derived_forms_and_categories() -> None:
    skills, _ = _build()

    gce = skills["google-compute-engine-gce"]
    assert gce["name"] == "Google Compute Engine (GCE)"
    assert gce["aliases"] == [
        "Compute Engine",
        "GCE",
        "Google Compute Engine",
    ]  # hot: vendorless too
    assert gce["case_sensitive"] == ["GCE"]  # abbreviations only as written
    redshift = skills["amazon-redshift"]  # a hot technology: its plain short name is kept
    assert redshift["aliases"] == ["Redshift"]
    assert redshift["category"] == "database_tool"  # from its commodity class
    assert redshift["common_words"] == ["Redshift"]
    assert skills["ibm-content-manager"]["aliases"] == []  # "Content Manager": plain, not hot
    assert skills["putty"]["case_sensitive"] == ["PuTTY"]  # one token: as written ("putty")
    assert skills["accounting-software"]["aliases"] == []  # a kind of software, no short form
    assert skills["bentley-microstation"]["category"] == "design_software"
    assert all(
        skill["kind"] == "knowledge" for skill in skills.values() if skill["source"] == "onet"
    )
    assert skills["communication"]["kind"] == "skill"


def test_denied_short_and_shared_forms_are_left_out() -> None:
    skills, report = _build()

    assert "google" not in skills  # on the deny list
    assert "j" not in skills  # one or two characters
    assert report.denied == ["Google", "J"]
    # Two examples derive "WAZ": it names neither.
    assert "WAZ" not in skills["acme-widget-analyzer-zeta-waz"]["aliases"]
    assert "WAZ" not in skills["widget-analyzer-zone-waz"]["aliases"]
    assert len(report.dropped_forms) == 2


def test_the_document_loads_and_carries_the_attribution() -> None:
    document, _ = build_taxonomy(read_onet(ONET_DIR), read_curated(CURATED))

    assert document["attribution"] == ONET_ATTRIBUTION
    taxonomy = Taxonomy.from_json(render(document))
    assert len(taxonomy) == len(document["skills"])
    assert taxonomy.attribution == ONET_ATTRIBUTION
    assert taxonomy.skill_for("apache kafka").id == "kafka"  # type: ignore[union-attr]


def test_the_build_is_reproducible_and_its_version_follows_the_curated_layer(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    build_file(ONET_DIR, CURATED, first)
    build_file(ONET_DIR, CURATED, second)
    assert first.read_bytes() == second.read_bytes()

    changed = tmp_path / "curated.toml"
    changed.write_text(CURATED.read_text().replace('"Kafka Streams"', '"Kafka Connect"'))
    third = tmp_path / "third.json"
    build_file(ONET_DIR, changed, third)

    version = Taxonomy.from_json(first.read_text()).version
    assert Taxonomy.from_json(third.read_text()).version != version


def test_one_skill_per_line_so_diffs_read_skill_by_skill() -> None:
    document, _ = build_taxonomy(read_onet(ONET_DIR), read_curated(CURATED))
    lines = render(document).splitlines()

    skill_lines = [line for line in lines if line.startswith('    {"id": ')]
    assert len(skill_lines) == len(document["skills"])
    assert json.loads(render(document)) == document


def test_the_packaged_curated_layer_is_valid() -> None:
    document, _ = build_taxonomy(read_onet(ONET_DIR), read_curated(CURATED_PATH))
    taxonomy = Taxonomy.from_json(render(document))

    assert taxonomy.get("kafka") is not None
    assert taxonomy.skill_for("Apache Kafka").id == "kafka"  # type: ignore[union-attr]
    ids = [skill.id for skill in taxonomy]
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", skill_id) for skill_id in ids)


def test_main_writes_the_file_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "taxonomy.json"

    code = main(["--onet", str(ONET_DIR), "--curated", str(CURATED), "--out", str(output)])

    assert code == 0
    assert output.exists()
    assert "O*NET examples: 14" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["Example\tCommodity Code"], "missing columns"),
        ([HEADER, "15-1252.00\t\t43232402\tX\tN\tN"], "no example name"),
        ([HEADER, "15-1252.00\tKafka\tnot-a-code\tX\tN\tN"], "commodity code"),
    ],
)
def test_malformed_onet_rows_are_clear_errors(lines: list[str], message: str) -> None:
    with pytest.raises(TaxonomyBuildError, match=message):
        parse_onet(lines)


def test_missing_onet_folder_and_bad_curated_layer_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyBuildError, match="does not exist"):
        read_onet(tmp_path)
    broken = tmp_path / "curated.toml"
    broken.write_text("[[group]\n")
    with pytest.raises(TaxonomyBuildError, match="cannot read the curated layer"):
        read_curated(broken)
    assert main(["--onet", str(tmp_path), "--out", str(tmp_path / "t.json")]) == 2


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ('id = "sql", name = "SQL"', 'id = "java", name = "SQL"', "used twice"),
        ('case_sensitive = ["Go"]', 'case_sensitive = ["GO"]', "is not one of its forms"),
        ('{ id = "sql", name = "SQL" }', '{ id = "sql", name = "SQL", weight = 1 }', "unknown"),
        ('vendors = ["Amazon"', 'vendors = [1, "Amazon"', "list of non-empty strings"),
    ],
)
def test_invalid_curated_layers_are_rejected(
    tmp_path: Path, replace: str, by: str, message: str
) -> None:
    curated = tmp_path / "curated.toml"
    text = CURATED.read_text()
    assert replace in text
    curated.write_text(text.replace(replace, by))

    with pytest.raises(TaxonomyBuildError, match=message):
        _build(curated)


def test_a_failed_build_leaves_the_previous_file(tmp_path: Path) -> None:
    output = tmp_path / "taxonomy.json"
    build_file(ONET_DIR, CURATED, output)
    before = output.read_bytes()
    onet = tmp_path / "onet"
    shutil.copytree(ONET_DIR, onet)
    (onet / "Technology Skills.txt").write_text(HEADER + "\n15-1252.00\t\t1\tX\tN\tN\n")

    with pytest.raises(TaxonomyBuildError):
        build_file(onet, CURATED, output)

    assert output.read_bytes() == before
