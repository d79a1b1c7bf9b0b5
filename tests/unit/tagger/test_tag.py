"""The tagger's pure core: matching rules, required/preferred, mentions and spans, seeds."""

from __future__ import annotations

from typing import Any

import pytest

from jobstream.contracts import ParsedPosting, Span, TaggedPosting
from jobstream_tagger.tag import tag, taxonomy_mentions
from jobstream_tagger.taxonomy import Skill, Taxonomy, load_taxonomy
from tests.support import parsed_posting

pytestmark = pytest.mark.unit


def _parsed(text: str, **fields: Any) -> ParsedPosting:
    return parsed_posting(text, source_name="t.txt", **fields)


def _tag(text: str, taxonomy: Taxonomy | None = None) -> TaggedPosting:
    return tag(_parsed(text), taxonomy or load_taxonomy())


def _ids(tagged: TaggedPosting) -> list[str]:
    """The taxonomy's skills found (the span model's unlinked ones: test_spans.py)."""
    return [skill.skill_id for skill in tagged.skills if skill.linked]


def _skill(tagged: TaggedPosting, skill_id: str) -> tuple[bool, int, list[str]]:
    """(required, mentions, surface forms) of one tagged skill."""
    (found,) = (skill for skill in tagged.skills if skill.skill_id == skill_id)
    return found.required, found.mentions, [tagged.text[s.start : s.end] for s in found.spans]


# --- matching rules -----------------------------------------------------------------------


def test_token_boundaries() -> None:
    assert _ids(_tag("JavaScript and TypeScript")) == ["javascript", "typescript"]
    assert _ids(_tag("Java, not Javanese")) == ["java"]
    assert _ids(_tag("MySQL and NoSQL, no plain SQL here? SQL.")) == ["mysql", "nosql", "sql"]
    assert _ids(_tag("C#/.NET, Node.js/Express.js")) == ["csharp", "dotnet", "nodejs", "express"]
    assert _ids(_tag("kafkaesque postgresqlish")) == []


def test_longest_match_wins() -> None:
    tagged = _tag("Spring Boot services; we also like Spring.")

    assert _skill(tagged, "spring-boot") == (True, 1, ["Spring Boot"])
    assert _skill(tagged, "spring") == (True, 1, ["Spring"])


def test_matching_is_case_insensitive_with_aliases() -> None:
    tagged = _tag("KUBERNETES, k8s and K8S; postgres or PostgreSQL; golang")

    assert _skill(tagged, "kubernetes")[1:] == (3, ["KUBERNETES", "k8s", "K8S"])
    assert _skill(tagged, "postgresql")[1:] == (2, ["postgres", "PostgreSQL"])
    assert _skill(tagged, "go")[1:] == (1, ["golang"])


def test_case_insensitive_beyond_ascii_where_a_form_needs_it() -> None:
    # Text that is not all ASCII, with capitals outside ASCII next to the forms.
    text = "ÉCOLE · KAFKA · Über-Kafka · Kafka€"
    found = taxonomy_mentions(text, load_taxonomy())  # what the taxonomy's forms match
    assert [text[start:end] for start, end, form, _ in found if form.skill.id == "kafka"] == [
        "KAFKA",
        "Kafka",
        "Kafka",
    ]
    # A taxonomy with a form that has letters with case outside ASCII is matched in any case.
    taxonomy = Taxonomy([Skill(id="oekosystem", name="Ökosystem", category="practice")])
    assert _ids(_tag("ÖKOSYSTEM · ökosystem", taxonomy)) == ["oekosystem"]
    assert tag(_parsed("ÖKOSYSTEM · ökosystem"), taxonomy).skills[0].mentions == 2


@pytest.mark.parametrize(
    "text",
    [
        "Our go to market plan. Go to market fast. Go-to-market.",
        "Go build it. Let's Go!",
        "We value R&D and C-level buy-in.",
        "Plan C, or R.E.M. fans.",
        "Java, Go-to-market",
        "the rest of the team in the spring; swift and rusty make sense",
    ],
)
def test_ambiguous_short_names_are_not_tagged_as_words(text: str) -> None:
    assert not {"go", "r", "c", "rest", "spring", "swift", "rust"} & set(_ids(_tag(text)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Languages: Java, Go, Python", ["java", "go", "python"]),
        ("Go, Python or Rust", ["go", "python", "rust"]),
        ("Python and R", ["python", "r"]),
        ("C, C++ and Rust", ["c", "cpp", "rust"]),
        ("R, C, Go, Kotlin", ["r", "c", "go", "kotlin"]),  # a chain anchored at its end
        ("REST and/or GraphQL; Swift; Scala", ["rest", "graphql", "swift", "scala"]),
    ],
)
def test_ambiguous_short_names_in_lists(text: str, expected: list[str]) -> None:
    assert _ids(_tag(text)) == expected


def test_short_names_alone_in_a_list_of_themselves_are_not_tagged() -> None:
    assert _ids(_tag("Go, R, C")) == []


def test_mentions_and_spans() -> None:
    text = "Docker here. docker there, DOCKER everywhere; Dockerized is not Docker."
    tagged = _tag(text)

    assert tagged.skills[0].skill_id == "docker"
    assert tagged.skills[0].mentions == 4
    assert [text[s.start : s.end] for s in tagged.skills[0].spans] == [
        "Docker",
        "docker",
        "DOCKER",
        "Docker",
    ]
    assert tagged.skills[0].spans[0] == Span(start=0, end=6)


def test_skills_are_sorted_by_first_mention() -> None:
    tagged = _tag("Terraform, then AWS, then Terraform again, then Kafka")

    assert _ids(tagged) == ["terraform", "aws", "kafka"]


# --- required / preferred -----------------------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    ["Preferred qualifications", "Nice to haves", "Nice to have:", "Bonus points", "Pluses",
     "Preferred", "NICE-TO-HAVE"],
)  # fmt: skip
def test_skills_only_under_a_preferred_heading_are_not_required(heading: str) -> None:
    text = f"Requirements\n- Java\n{heading}\n- Kafka\n- Java again\n"
    tagged = _tag(text)

    assert _skill(tagged, "java")[:2] == (True, 2)
    assert _skill(tagged, "kafka")[:2] == (False, 1)


def test_a_preferred_section_ends_at_the_next_heading() -> None:
    text = "Nice to have\n- Kafka\nWhat you'll do:\n- Terraform\nBenefits\n- Docker for fun."
    tagged = _tag(text)

    assert [(s.skill_id, s.required) for s in tagged.skills] == [
        ("kafka", False),
        ("terraform", True),
        ("docker", True),
    ]


def test_every_preferred_section_counts_whatever_its_cue_word() -> None:
    # Two preferred headings with different cue words: the later one ("Bonus") must not hide
    # the earlier one (cues are taken in text order, not in the order of their words).
    text = (
        "Requirements\n- Java\nNice to have\n- Kafka\nWhat you'll do:\n- Python\nBonus\n- Docker\n"
    )
    tagged = _tag(text)

    assert [(s.skill_id, s.required) for s in tagged.skills] == [
        ("java", True),
        ("kafka", False),
        ("python", True),
        ("docker", False),
    ]


def test_inline_preferred_heading_and_sentences_that_are_not_headings() -> None:
    text = (
        "Nice to have: Terraform\n"
        "Requirements\n"
        "- AWS (Kubernetes preferred).\n"
        "A preferred candidate knows Helm, which we use across all our teams and services.\n"
        "We run Kafka.\n"
    )
    tagged = _tag(text)

    assert [(s.skill_id, s.required) for s in tagged.skills] == [
        ("terraform", False),
        ("aws", True),
        ("kubernetes", False),
        ("helm", False),
        ("kafka", True),
    ]


def test_without_headings_everything_is_required() -> None:
    tagged = _tag("We use Kafka and Terraform; preferred: nothing.")

    assert all(skill.required for skill in tagged.skills)
    assert len(tagged.skills) == 2


# --- the tagged posting -------------------------------------------------------------------


def test_carries_the_parsed_posting_and_the_taxonomy_version() -> None:
    taxonomy = Taxonomy([Skill("widgets", "Widgets", "practice", ("widget",))])
    parsed = _parsed(
        "Widget maker\nYou make widgets.",
        title="Widget maker",
        evidence={"title": Span(start=0, end=12)},
    )

    tagged = tag(parsed, taxonomy)

    assert tagged.taxonomy_version == taxonomy.version
    exclude = {"taxonomy_version", "tagger_version", "skills", "occupation", "tagged_at"}
    assert tagged.model_dump(exclude=exclude) == parsed.model_dump()
    # "maker" is the head of many O*NET titles: a guess, and said to be one
    assert tagged.occupation is not None and tagged.occupation.confidence < 0.5
    assert tagged.tagged_at is None  # the pure tagger reads no clock; the service stamps it
    assert [(s.skill_id, s.name, s.category) for s in tagged.skills] == [
        ("widgets", "Widgets", "practice")
    ]
    # The title names the job, not a skill it asks for: only the body's mention counts.
    assert [(span.start, span.end) for span in tagged.skills[0].spans] == [(22, 29)]
    assert tagged.tagger_version is not None and tagged.tagger_version.startswith("skillspan")


def test_an_empty_taxonomy_or_text_tags_nothing() -> None:
    assert tag(_parsed("Java and Kafka"), Taxonomy([])).skills == []
    assert _tag("").skills == []


# --- hostile input ------------------------------------------------------------------------

HOSTILE = {
    "one 1 MB line": "x" * 1_000_000,
    "dense skills": "Java, Go, R, C, " * 15_000,
    "only blank lines": " \n\t\n" * 250_000,
    "parens and colons": "((((:::: " * 100_000,
    "dots": "." * 1_000_000,
    "headings": "Nice to have:\nKafka\n" * 50_000,
    "odd unicode": "\u017f\u212a\u0130\ufb03\U0001d50dava\u2028\u0085\u00a0 " * 100_000,
}


# A hang (catastrophic regex backtracking) fails by timeout; speed itself is measured in
# `make bench`, never asserted in a unit test.
@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_finishes_and_never_raises(text: str) -> None:
    parsed = _parsed(text[:1_000_000])
    load_taxonomy()  # loading is not what this measures

    tagged = tag(parsed, load_taxonomy())

    for skill in tagged.skills:
        assert skill.mentions == len(skill.spans)


@pytest.mark.parametrize(
    "line",
    ["Nice to have: Terraform.", "- Nice to have: Terraform", "Bonus: Terraform and more.",
     "Preferred skills: Terraform, ideally on AWS", "• Good to have: Terraform"],
)  # fmt: skip
def test_inline_preferred_labels_cover_their_line_only(line: str) -> None:
    tagged = _tag(f"Requirements\n- Kafka\n{line}\n- Docker\n")

    assert _skill(tagged, "terraform")[0] is False
    assert _skill(tagged, "kafka")[0] is True
    assert _skill(tagged, "docker")[0] is True  # the next line is back under Requirements


def test_an_inline_label_ends_a_preferred_section() -> None:
    tagged = _tag("Nice to have\n- Kafka\nRequirements: Java and Docker.\n- Terraform\n")

    assert [(s.skill_id, s.required) for s in tagged.skills] == [
        ("kafka", False),
        ("java", True),
        ("docker", True),
        ("terraform", True),
    ]


@pytest.mark.parametrize(
    ("text", "preferred"),
    [
        ("Experience with Kafka is a plus. Java is a must.", {"kafka"}),
        ("Java required; Kotlin would be a big plus.", {"kotlin"}),
        ("Docker (Kubernetes preferred) and Terraform.", {"kubernetes"}),
        ("Ideally you know Rust and Go.", {"rust", "go"}),
        ("Terraform is nice to have. Kafka too.", {"terraform"}),
        ("We use Kafka, plus Terraform.", set()),  # "plus" alone is not a cue
        ("Our preferred partner runs AWS; we use Java.", {"aws"}),  # a cue is a cue
    ],
)
def test_clause_cues_make_their_clause_preferred(text: str, preferred: set[str]) -> None:
    tagged = _tag(text)

    assert {skill.skill_id for skill in tagged.skills if not skill.required} == preferred


def test_apache_kafka_is_one_mention_of_kafka() -> None:
    tagged = _tag("Apache Kafka, then Kafka Streams, then Kafka.")

    assert _skill(tagged, "kafka") == (True, 3, ["Apache Kafka", "Kafka Streams", "Kafka"])


def test_short_forms_need_whole_tokens() -> None:
    assert _ids(_tag("Vite.js and D3.js")) == []  # not JavaScript ("js") nor "D3"
    assert _ids(_tag("(JS) [Go, Python]")) == ["javascript", "go", "python"]
    assert _ids(_tag("AI/ML models")) == ["artificial-intelligence", "machine-learning"]
