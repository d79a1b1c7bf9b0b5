"""The packaged taxonomy, its validation and its content version."""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources
from typing import Any

import pytest

from jobstream_tagger.taxonomy import Skill, Taxonomy, TaxonomyError, load_taxonomy
from jobstream_tagger.tools.taxonomy_build import ESCO_ATTRIBUTION, ONET_ATTRIBUTION

pytestmark = pytest.mark.unit


def _entry(skill_id: str, *aliases: str, name: str | None = None) -> dict[str, Any]:
    return {
        "id": skill_id,
        "name": name or skill_id.title(),
        "category": "language",
        "aliases": list(aliases),
    }


def _packaged_text() -> str:
    return resources.files("jobstream_tagger").joinpath("taxonomy.json").read_text("utf-8")


# --- the packaged taxonomy ----------------------------------------------------------------


def test_packaged_taxonomy_loads_and_is_a_sensible_size() -> None:
    taxonomy = load_taxonomy()

    # O*NET's 8,768 examples, folded, plus curated, plus the ESCO concepts with usable labels
    assert 15_000 <= len(taxonomy) <= 22_000
    assert load_taxonomy() is taxonomy  # read once per process
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", skill.id) for skill in taxonomy)
    categories = {skill.category for skill in taxonomy}
    assert {"language", "framework", "database", "cloud", "messaging", "container"} <= categories
    assert {"observability", "devops", "practice", "soft_skill", "api", "search"} <= categories
    assert {"domain", "competence", "trade", "regulation"} <= categories
    by_source = Counter(skill.source for skill in taxonomy)
    assert by_source["esco"] > 5_000
    assert "European Union" in taxonomy.attribution and "O*NET" in taxonomy.attribution


@pytest.mark.parametrize(
    ("surface", "skill_id", "kind"),
    [
        ("hydraulics", "hydraulics", "knowledge"),
        ("hazardous materials", "hazardous-materials", "knowledge"),
        ("personal protective equipment", "personal-protective-equipment", "knowledge"),
        ("operate forklift", "forklift-operation", "knowledge"),  # curated, with ESCO's URI
        ("CPR", "first-aid", "knowledge"),
    ],
)
def test_esco_concepts_have_canonical_ids_and_uris(surface: str, skill_id: str, kind: str) -> None:
    taxonomy = load_taxonomy()

    skill = taxonomy.skill_for(surface)

    assert skill is not None and skill.id == skill_id and skill.kind == kind
    assert skill.esco and all(
        uri.startswith("http://data.europa.eu/esco/skill/") for uri in skill.esco
    )
    assert taxonomy.for_esco(skill.esco[0]) is skill


@pytest.mark.parametrize(
    "ordinary", ["training", "gender identity", "information regarding", "organisational", "public"]
)
def test_ordinary_words_and_boilerplate_of_esco_are_not_forms(ordinary: str) -> None:
    assert load_taxonomy().skill_for(ordinary) is None


@pytest.mark.parametrize(
    ("surface", "skill_id"),
    [
        ("postgres", "postgresql"),
        ("PostgreSQL", "postgresql"),
        ("k8s", "kubernetes"),
        ("golang", "go"),
        ("node.js", "nodejs"),
        ("nodejs", "nodejs"),
        ("js", "javascript"),
        ("CI/CD", "ci-cd"),
        ("RESTful API", "rest"),
        ("rest api", "rest"),
        ("Google Cloud", "gcp"),
        ("Amazon Web Services", "aws"),
        ("Spring Boot", "spring-boot"),
        ("communication", "communication"),
        ("mentoring", "mentoring"),
        ("leadership", "leadership"),
        ("collaboration", "collaboration"),
        ("microservices", "microservices"),
        ("code review", "code-review"),
        ("unit tests", "unit-testing"),
    ],
)
def test_packaged_taxonomy_knows_common_surface_forms(surface: str, skill_id: str) -> None:
    found = load_taxonomy().skill_for(surface)

    assert found is not None and found.id == skill_id


def test_packaged_file_carries_the_onet_and_esco_attributions_and_no_version_key() -> None:
    data = json.loads(_packaged_text())

    assert set(data) == {"attribution", "sources", "skills"}
    assert data["attribution"] == f"{ONET_ATTRIBUTION} {ESCO_ATTRIBUTION}"
    assert set(data["sources"]) == {"onet", "esco", "curated"}
    assert "O*NET 29.2 Database" in load_taxonomy().attribution


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], 'with "skills"'),
        ({"skills": [], "version": "1"}, 'with "skills"'),
        ({"skills": {}}, "must be a list"),
        ({"skills": ["java"]}, "must be an object"),
        ({"skills": [_entry("java"), _entry("java")]}, "'java' is used twice"),
        ({"skills": [_entry("java", "jvm"), _entry("kotlin", "JVM")]}, "already a form of 'java'"),
        ({"skills": [_entry("java"), _entry("jdk", name="JAVA")]}, "already a form of 'java'"),
        ({"skills": [_entry("Java")]}, "must match"),
        ({"skills": [_entry("-java")]}, "must match"),
        ({"skills": [{**_entry("java"), "category": "Lang uage"}]}, "must match"),
        (
            {"skills": [{"id": "java", "name": "Java", "category": "language"}]},
            "must have the keys",
        ),
        ({"skills": [{**_entry("java"), "weight": 1}]}, "must have the keys"),
        ({"skills": [{**_entry("java"), "kind": "tool"}]}, "kind must be"),
        ({"skills": [{**_entry("java"), "case_sensitive": ["JAVA"]}]}, "are not its forms"),
        ({"skills": [{**_entry("java"), "needs_context": "Java"}]}, "list of strings"),
        ({"skills": [_entry("java", "j" * 201)]}, "at most 200"),
        ({"skills": [{**_entry("java"), "aliases": "jvm"}]}, "list of strings"),
        ({"skills": [{**_entry("java"), "aliases": [1]}]}, "list of strings"),
        ({"skills": [{**_entry("java"), "name": None}]}, "must be strings"),
        ({"skills": [_entry("java", " jvm")]}, "no white space"),
        ({"skills": [_entry("java", "")]}, "non-empty"),
    ],
)
def test_invalid_taxonomies_are_rejected_with_a_clear_error(data: object, message: str) -> None:
    with pytest.raises(TaxonomyError, match=re.escape(message)):
        Taxonomy.from_data(data)


def test_invalid_json_is_a_taxonomy_error() -> None:
    with pytest.raises(TaxonomyError, match="not valid JSON"):
        Taxonomy.from_json("{skills: [")


def test_repeated_forms_within_one_skill_are_kept_once() -> None:
    taxonomy = Taxonomy.from_data({"skills": [_entry("java", "JAVA", "jvm", "Jvm")]})

    assert taxonomy.get("java") == Skill("java", "Java", "language", ("jvm",))
    assert set(taxonomy.forms) == {"java", "jvm"}


# --- version ------------------------------------------------------------------------------


def test_version_is_16_hex_digits_of_the_content() -> None:
    assert re.fullmatch(r"[0-9a-f]{16}", load_taxonomy().version)
    assert Taxonomy.from_json(_packaged_text()).version == load_taxonomy().version


def test_version_ignores_formatting_and_order() -> None:
    data = {"skills": [_entry("java", "jvm", "jdk"), _entry("kotlin")]}
    reordered = {"skills": [_entry("kotlin"), _entry("java", "jdk", "jvm")]}

    compact = Taxonomy.from_json(json.dumps(data, separators=(",", ":")))
    pretty = Taxonomy.from_json(json.dumps(reordered, indent=4, sort_keys=True))

    assert compact.version == pretty.version


@pytest.mark.parametrize(
    "changed",
    [
        {"skills": [_entry("java", "jvm")]},
        {"skills": [_entry("java", "jvm", "jdk", "openjdk"), _entry("kotlin")]},
        {"skills": [_entry("java", "jvm", "jdk", name="Java SE"), _entry("kotlin")]},
    ],
)
def test_version_changes_with_the_content(changed: dict[str, Any]) -> None:
    base = {"skills": [_entry("java", "jvm", "jdk"), _entry("kotlin")]}

    assert Taxonomy.from_data(changed).version != Taxonomy.from_data(base).version


def test_the_tagger_can_be_given_another_taxonomy_file(tmp_path: Any) -> None:
    from jobstream_tagger.bootstrap import taxonomy_for
    from jobstream_tagger.settings import TaggerSettings

    assert taxonomy_for(TaggerSettings()).version == load_taxonomy().version
    path = tmp_path / "taxonomy.json"
    skill = {"id": "zorblax", "name": "Zorblax", "category": "tool", "aliases": []}
    path.write_text(json.dumps({"skills": [skill]}))
    other = taxonomy_for(TaggerSettings(taxonomy_path=path))
    assert len(other) == 1 and other.version != load_taxonomy().version
    path.write_text("{")
    with pytest.raises(TaxonomyError):
        taxonomy_for(TaggerSettings(taxonomy_path=path))


def test_a_rendered_file_loads_a_line_at_a_time_like_any_json_layout() -> None:
    from jobstream_tagger.tools.taxonomy_build import render

    document = {
        "attribution": "test data",
        "skills": [
            {"id": "kafka", "name": "Kafka", "category": "messaging", "aliases": ["Apache Kafka"]},
            {"id": "go", "name": "Go", "category": "language", "aliases": []},
        ],
    }
    rendered = render(document)

    lazy = Taxonomy.from_json(rendered)
    compact = Taxonomy.from_json(json.dumps(document))

    assert lazy.version == compact.version and len(lazy) == 2
    assert lazy.attribution == "test data" and lazy.skill_for("apache kafka") is lazy.get("kafka")
    broken = rendered.replace('"id": "go"', '"id": "go"}}')
    with pytest.raises(TaxonomyError, match="skill #1 is not valid JSON"):
        Taxonomy.from_json(broken)
    with pytest.raises(TaxonomyError, match="UTF-8"):
        Taxonomy.from_json(b"\xff" + rendered.encode())
