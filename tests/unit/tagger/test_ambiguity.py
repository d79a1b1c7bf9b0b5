"""Names that are also ordinary words: tagged as skills in one text, not in the other.

Each of Go, R, C, Swift, Rust, Spring, REST, Make, Chef, Puppet, Excel, Word, Access and Scala
gets texts where it is the skill and texts where it is a plain word, with the packaged
taxonomy and its rules.
"""

from __future__ import annotations

import pytest

from jobstream_tagger.taxonomy import load_taxonomy
from jobstream_tagger.tools.inspection import tag_text

pytestmark = pytest.mark.unit


def _ids(text: str) -> set[str]:
    """The taxonomy's skills found (the span model's unlinked ones: test_spans.py)."""
    skills = tag_text(text, load_taxonomy()).posting.skills
    return {skill.skill_id for skill in skills if skill.linked}


CASES: dict[str, tuple[list[str], list[str]]] = {
    "go": (
        [
            "Languages: Java, Go, Python",
            "Services written in Go.",
            "Go developers welcome",
            "We use golang daily",
            "Backend in Kotlin and Go",
            "Strong knowledge of Go; experience with Redis.",
        ],
        [
            "Our go to market plan.",
            "Go to market fast.",
            "Go-to-market experience",
            "Go build it. Let's Go!",
            "Java, Go-to-market strategy",
            "you can go, and Java too",
            "The rest of Go to market.",
            "Think of Go as a verb here.",
        ],
    ),
    "r": (
        ["Python and R", "Statistics in R", "R programming for analysts", "Python, R, SQL"],
        ["We value R&D.", "R.E.M. fans", "Grade R", "See section R."],
    ),
    "c": (
        [
            "C, C++ and Rust",
            "Embedded C programming",
            "proficient in C and Python",
            "Understanding of C is a plus.",
        ],
        ["Plan C or plan B.", "C-level buy-in", "Series C funding", "Vitamin C daily"],
    ),
    "swift": (
        ["iOS apps in Swift and Objective-C", "We ship Swift and Kotlin apps", "SwiftUI views"],
        ["swift delivery of features", "Swift responses are expected from the team."],
    ),
    "rust": (
        ["Systems work in Rust and C++", "We use Rust for the storage engine"],
        ["rust on the pipes", "Rust never sleeps, they said."],
    ),
    "spring": (
        ["Java/Spring services", "Spring Framework and Hibernate", "Experience with Spring."],
        ["the spring release", "Spring is a lovely season.", "a spring in your step"],
    ),
    "rest": (
        ["REST APIs", "RESTful services", "REST and GraphQL"],
        ["the rest of the team", "Rest assured, we pay well.", "work, rest and play"],
    ),
    "make": (
        ["Build with CMake and Make", "GNU Make and Bazel", "Makefiles and shell scripts"],
        ["Make an impact.", "make sure tests pass", "Make it simple, Java too."],
    ),
    "chef": (
        ["Chef, Puppet or Ansible", "configuration management with Chef"],
        ["Our chef cooks lunch.", "Chef de partie needed", "Chef's kitchen on site."],
    ),
    "puppet": (
        ["Puppet and Ansible", "Puppet manifests and modules"],
        ["a puppet show", "Puppet theatre is fun.", "he is nobody's puppet"],
    ),
    "microsoft-excel": (
        ["Advanced Excel skills", "Microsoft Excel and Word", "Word, Excel and PowerPoint"],
        ["You excel at teamwork.", "Excel in a fast-paced team.", "help others excel"],
    ),
    "microsoft-word": (
        ["Microsoft Word", "Word, Excel and PowerPoint", "Excel and Word documents"],
        ["A word of advice.", "Word of mouth matters.", "In a word: great."],
    ),
    "microsoft-access": (
        ["Microsoft Access", "MS Access databases", "Advanced Excel and Access"],
        ["Access to benefits.", "access control", "You get Access to our gym."],
    ),
    "scala": (
        ["Scala and Java", "functional programming in Scala", "Scala developers"],
        ["La scala of prices", "a scala mobile"],
    ),
}


@pytest.mark.parametrize(
    ("skill_id", "text"),
    [(skill_id, text) for skill_id, (yes, _) in CASES.items() for text in yes],
)
def test_the_skill(skill_id: str, text: str) -> None:
    assert skill_id in _ids(text)


@pytest.mark.parametrize(
    ("skill_id", "text"),
    [(skill_id, text) for skill_id, (_, no) in CASES.items() for text in no],
)
def test_the_plain_word(skill_id: str, text: str) -> None:
    assert skill_id not in _ids(text)


def test_every_name_of_the_issue_is_covered() -> None:
    names = {"go", "r", "c", "swift", "rust", "spring", "rest", "make", "chef", "puppet",
             "microsoft-excel", "microsoft-word", "microsoft-access", "scala"}  # fmt: skip
    assert set(CASES) == names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("java, spring, hibernate", {"java", "spring", "hibernate"}),  # tag lists
        ("react redux typescript", {"react", "redux", "typescript"}),
        ("swift", set()),  # a lower-case name alone is a word
    ],
)
def test_lower_case_names_count_in_lists_of_skills(text: str, expected: set[str]) -> None:
    assert _ids(text) == expected


def test_context_kept_mentions_are_less_certain() -> None:
    tagged = tag_text("Python and R; Spring Boot", load_taxonomy()).posting
    confidence = {skill.skill_id: skill.confidence for skill in tagged.skills}

    assert confidence["python"] == 1.0
    assert confidence["r"] < 1.0
    assert confidence["spring-boot"] == 1.0
