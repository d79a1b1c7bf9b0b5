"""Head nouns belong to a mention; degrees that name the job are not asked-for skills.

These are rules of the taxonomy's matches (`taxonomy_mentions`); the span model reads the
posting after them and may draw a span wider, as SkillSpan's annotators would (test_spans.py).
"""

from __future__ import annotations

import pytest

from jobstream_tagger.tag import taxonomy_mentions
from jobstream_tagger.taxonomy import Skill, Taxonomy, load_taxonomy
from jobstream_tagger.tools.inspection import tag_text

pytestmark = pytest.mark.unit


def _mentions(text: str, taxonomy: Taxonomy | None = None) -> list[tuple[str, list[str]]]:
    """Each skill the taxonomy's matches name, with their surfaces, by first mention."""
    by_skill: dict[str, list[str]] = {}
    for start, end, form, _ in taxonomy_mentions(text, taxonomy or load_taxonomy()):
        by_skill.setdefault(form.skill.id, []).append(text[start:end])
    return list(by_skill.items())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We build on the Spring framework.", [("spring", ["Spring framework"])]),
        ("Part of the JVM ecosystem.", [("jvm", ["JVM ecosystem"])]),
        ("MongoDB database skills", [("mongodb", ["MongoDB database"])]),
        (
            "Bash scripting and SQL queries",
            [("bash", ["Bash scripting"]), ("sql", ["SQL queries"])],
        ),
        ("a BSc diploma", [("bachelors-degree", ["BSc diploma"])]),
        ("Kubernetes-environments", [("kubernetes", ["Kubernetes-environments"])]),
    ],
)
def test_a_head_noun_after_a_skill_belongs_to_its_mention(
    text: str, expected: list[tuple[str, list[str]]]
) -> None:
    assert _mentions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a plural or a longer word is not the head noun
        ("We use Spring frameworks.", [("spring", ["Spring"])]),
        ("Docker tools4all", [("docker", ["Docker"])]),
        # soft skills take no head noun
        ("Strong collaborative tools", [("collaboration", ["collaborative"])]),
    ],
)
def test_what_is_not_a_head_noun(text: str, expected: list[tuple[str, list[str]]]) -> None:
    assert _mentions(text) == expected


def test_a_head_noun_that_is_a_skill_itself_stays_its_own_mention() -> None:
    taxonomy = Taxonomy(
        [
            Skill(id="kafka", name="Kafka", category="messaging"),
            Skill(id="tools", name="tools", category="practice"),
        ]
    )
    posting = tag_text("Kafka tools", taxonomy).posting

    assert [
        (skill.skill_id, [(span.start, span.end) for span in skill.spans])
        for skill in posting.skills
    ] == [("kafka", [(0, 5)]), ("tools", [(6, 11)])]


def test_a_degree_that_names_the_position_is_not_a_requirement() -> None:
    text = "There are two PhD students. The PhD project is funded by a PhD scholarship."
    assert _mentions(text) == []
    assert _mentions("Master thesis students welcome; a Master degree is required.") == [
        ("masters-degree", ["Master degree"])
    ]
    assert _mentions("You hold a PhD degree in physics.") == [
        ("phd", ["PhD degree in physics"]),
        ("physics", ["physics"]),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "A degree in Computer Science.",
            [
                ("university-degree", ["degree in Computer Science"]),
                ("computer-science", ["Computer Science"]),
            ],
        ),
        (
            "MSc in Computer Science",
            [
                ("masters-degree", ["MSc in Computer Science"]),
                ("computer-science", ["Computer Science"]),
            ],
        ),
        (
            "Bachelor or Master degree",
            [
                ("bachelors-degree", ["Bachelor or Master degree"]),
                ("masters-degree", ["Master degree"]),
            ],
        ),
        ("A Computer Science degree", [("computer-science", ["Computer Science degree"])]),
        # a degree followed by another kind of skill is not coordinated with it
        ("Bachelor or Java", [("bachelors-degree", ["Bachelor"]), ("java", ["Java"])]),
        # "degree" alone is not a skill
        ("The degree of freedom in Java", [("java", ["Java"])]),
    ],
)
def test_a_degree_covers_its_field_and_the_degree_it_is_coordinated_with(
    text: str, expected: list[tuple[str, list[str]]]
) -> None:
    assert _mentions(text) == expected


def test_a_right_quote_misread_as_latin_1_is_an_apostrophe() -> None:
    # Windows-1252 text read as Latin-1 turns a right quote (U+2019) into U+0092.
    assert _mentions("A Master\x92s degree") == [("masters-degree", ["Master\x92s degree"])]
