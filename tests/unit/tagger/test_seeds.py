"""The five seed postings: the skills a reader would list, and nothing that is not there.

For each seed: what a person reading it would write down as its skills (required, or only
preferred), and words in it that a careless tagger would take for skills: a team ("other
teams, like Integrations and SRE"), a department ("collaborate with Product Management"), a
webmail service ("Gmail"), short names inside other words.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jobstream.contracts import TaggedPosting
from jobstream_tagger.heads import HEAD_NOUNS, QUALIFICATION_HEADS
from jobstream_tagger.taxonomy import load_taxonomy
from jobstream_tagger.tools.inspection import tag_text

pytestmark = pytest.mark.unit

SEEDS = Path(__file__).parents[3] / "seeds"
HEADS = HEAD_NOUNS | QUALIFICATION_HEADS


def _seed(prefix: str) -> TaggedPosting:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return tag_text(path.read_text(encoding="utf-8"), load_taxonomy()).posting


def _required(tagged: TaggedPosting) -> set[str]:
    return {skill.skill_id for skill in tagged.skills if skill.required}


def _preferred(tagged: TaggedPosting) -> set[str]:
    return {skill.skill_id for skill in tagged.skills if not skill.required}


def _surfaces(tagged: TaggedPosting, skill_id: str) -> list[str]:
    (skill,) = (skill for skill in tagged.skills if skill.skill_id == skill_id)
    return [tagged.text[span.start : span.end] for span in skill.spans]


# What a reader lists, and what is in the text but is not a skill there.
READER: dict[str, tuple[set[str], set[str], set[str]]] = {
    # Staff backend engineer, Upwork: Java, REST, AWS, unit tests, relational databases.
    "000": (
        {
            "java",
            "rest",
            "aws",
            "unit-testing",
            "relational-databases",
            "distributed-systems",
            "software-architecture",
            "code-review",
            "on-call",
            "mentoring",
            "communication",
            "english",
            "leadership",
            "scalability",
            "system-design",
        },
        set(),
        # "Ads & Monetization", "Google" (reviews), "@gmail", "LinkedIn profiles", "Glassdoor";
        # "Collaborate with Product Management": a department to work with
        {
            "google-ads",
            "gmail",
            "go",
            "c",
            "r",
            "python",
            "kafka",
            "javascript",
            "product-management",
        },
    ),
    # Senior/lead backend engineer: Java or Kotlin, REST/GraphQL, JUnit, Mockito, AWS, Scrum.
    "001": (
        {
            "java",
            "kotlin",
            "rest",
            "graphql",
            "unit-testing",
            "junit",
            "mockito",
            "aws",
            "nosql",
            "scrum",
            "agile",
            "code-review",
            "jira",
            "confluence",
            "slack",
            "on-call",
            "communication",
            "scalability",
        },
        set(),
        # "collaborative tools such as Gmail, Slack, Confluence, Jira": webmail is no skill
        {"go", "c", "r", "python", "javascript", "spring", "excel", "gmail"},
    ),
    # Search and recommendations: Java, Elasticsearch, OpenSearch, Solr, CI/CD, ML, unit tests.
    "002": (
        {
            "java",
            "elasticsearch",
            "opensearch",
            "solr",
            "ci-cd",
            "machine-learning",
            "artificial-intelligence",
            "unit-testing",
            "api-design",
            "code-review",
            "english",
            "communication",
            "on-call",
        },
        set(),
        # "Al team" (a typo for AI), the LinkedIn tracking URL, "PST"
        {"go", "c", "r", "python", "http", "kafka", "linkedin"},
    ),
    # Senior backend engineer: the long one, with a "Preferred qualifications" section.
    "003": (
        {
            "java",
            "go",
            "python",
            "kotlin",
            "csharp",
            "nodejs",
            "spring",
            "django",
            "flask",
            "express",
            "dotnet",
            "rest",
            "graphql",
            "microservices",
            "distributed-systems",
            "system-design",
            "nosql",
            "databases",
            "caching",
            "message-queues",
            "aws",
            "gcp",
            "azure",
            "docker",
            "kubernetes",
            "containerization",
            "unit-testing",
            "ci-cd",
            "automated-testing",
            "oauth",
            "jwt",
            "observability",
            "logging",
            "distributed-tracing",
            "sre",
            "devops",
            "code-review",
            "mentoring",
            "communication",
            "computer-science",
            "concurrency",
            "design-patterns",
            "debugging",
            "incident-management",
        },
        {
            "kafka",
            "kinesis",
            "event-driven-architecture",
            "stream-processing",
            "data-pipelines",
            "prometheus",
            "grafana",
            "jaeger",
            "elk",
            "terraform",
            "infrastructure-as-code",
        },
        # "QA" is the people to work with ("designers, QA, and DevOps/SRE"), not a skill
        {"c", "r", "rust", "make", "access", "quality-assurance"},
    ),
    # Worker platform: Kotlin, JVM, AWS preferred, Kubernetes, ECS, Datadog, CloudWatch.
    "004": (
        {
            "kotlin",
            "jvm",
            "concurrency",
            "distributed-systems",
            "system-design",
            "kubernetes",
            "ecs",
            "containerization",
            "observability",
            "datadog",
            "cloudwatch",
            "ci-cd",
            "code-review",
            "pair-programming",
            "mentoring",
            "communication",
            "collaboration",
        },
        {"aws", "java", "asynchronous-programming", "incident-management", "generative-ai"},
        # "Project Loom", "Plazma", book titles, "FinOps", "Go" nowhere; "other teams (like
        # Plazma, Integrations, and SRE)": SRE is a team there
        {"go", "loom", "microsoft-project", "c", "r", "spring", "lean", "sre"},
    ),
}


@pytest.mark.parametrize("prefix", sorted(READER))
def test_the_skills_a_reader_would_list(prefix: str) -> None:
    required, preferred, absent = READER[prefix]
    tagged = _seed(prefix)

    assert required <= _required(tagged), sorted(required - _required(tagged))
    assert preferred <= _preferred(tagged), sorted(preferred - _preferred(tagged))
    found = _required(tagged) | _preferred(tagged)
    assert not absent & found, sorted(absent & found)


def test_seed_003_go_comes_from_lists_only_and_c_sharp_is_not_c() -> None:
    tagged = _seed("003")

    assert _surfaces(tagged, "go") == ["Go", "Go"]  # "Java, Go, Python" and "Spring, Go,"
    assert _surfaces(tagged, "csharp") == ["C#", "C#"]
    assert _surfaces(tagged, "spring") == ["Spring"]  # "Java/Spring"


def test_seed_004_aws_is_preferred_only_where_the_posting_says_so() -> None:
    tagged = _seed("004")

    # "cloud infrastructure (AWS preferred) and container orchestration (e.g., Kubernetes, ECS)"
    assert "aws" in _preferred(tagged)
    assert {"kubernetes", "ecs"} <= _required(tagged)
    # Java only under "Nice to haves"; Kotlin in the requirements and again there.
    assert _surfaces(tagged, "java") == ["Java"]
    assert "Kotlin" in _surfaces(tagged, "kotlin")


def test_a_reader_lists_kotlin_coroutines_and_relational_databases() -> None:
    # "modern JVM concurrency models, such as Kotlin Coroutines": a skill of its own, which
    # the taxonomy does not name (yet): kept unlinked, by its normalised form.
    seed_004 = _seed("004")
    (coroutines,) = (skill for skill in seed_004.skills if skill.name == "Kotlin coroutines")
    assert not coroutines.linked and coroutines.skill_id == "unlinked-kotlin-coroutines"
    assert _surfaces(seed_004, coroutines.skill_id) == ["Kotlin Coroutines"]
    # "Deep knowledge of relational databases": the taxonomy's skill.
    assert _surfaces(_seed("000"), "relational-databases") == ["relational databases"]
    assert "relational-databases" in _required(_seed("001"))  # "relational and non-relational"


@pytest.mark.parametrize("prefix", sorted(READER))
def test_spans_hold_the_skill_in_order_of_first_mention(prefix: str) -> None:
    taxonomy = load_taxonomy()
    tagged = _seed(prefix)

    firsts = [skill.spans[0].start for skill in tagged.skills]
    assert firsts == sorted(firsts)
    for skill in tagged.skills:
        assert skill.mentions == len(skill.spans)
        assert 0 < skill.confidence <= 1
        surfaces = [tagged.text[span.start : span.end] for span in skill.spans]
        if not skill.linked:
            # Named by its normalised surface form, which every mention has.
            assert skill.skill_id.startswith("unlinked-") and taxonomy.get(skill.skill_id) is None
            assert {" ".join(surface.lower().split()) for surface in surfaces} == {
                skill.name.lower()
            }
            continue
        known = taxonomy.get(skill.skill_id)
        assert known is not None
        for surface in surfaces:
            # A span as an annotator marks it holds a form of the skill ("conduct code
            # reviews", "the Spring framework"), or its first word where a list shares the
            # head ("unit, integration, and end-to-end testing"); a degree's mention runs on
            # over its field ("Bachelor's degree in Computer Science", "a degree in physics").
            lowered = surface.lower()
            head = lowered.rsplit(" ", 1)[0] if lowered.split(" ")[-1] in HEADS else lowered
            degree = known.category == "qualification"
            assert any(
                form.lower() in lowered
                or form.lower().startswith(head + " ")
                or (degree and lowered.startswith("degree in "))
                for form in known.surface_forms
            ), surface
