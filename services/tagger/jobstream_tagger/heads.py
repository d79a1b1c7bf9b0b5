"""Where a mention ends: the head noun it takes, and degree names that name the job.

- A head noun right after a skill belongs to its mention: "the Spring framework", "the JVM
  ecosystem", "a microservices architecture", "NoSQL database", "CI/CD tools", "ISO 27001
  certification", "Bash scripting", "Kubernetes environments"; after a degree, "degree" and
  "diploma" ("Bachelor degree", "BSc/MSc diploma"). The mention names the same skill; its span
  is the whole noun phrase, as a reader (and SkillSpan's annotators) would mark it.
- A degree followed by a word like "student", "scholarship" or "project" names the position
  or the programme ("PhD student", "a 3-year PhD scholarship", "Master thesis"), not a
  qualification the posting asks for: such a mention is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from jobstream_tagger.matching import Form
from jobstream_tagger.phrases import Phrase
from jobstream_tagger.rules import Mention

HEAD_NOUNS: Final = frozenset(
    {"framework", "ecosystem", "architecture", "database", "certification", "tools",
     "environments", "scripting", "queries"}
)  # fmt: skip
QUALIFICATION: Final = "qualification"  # the category of degrees
FIELD: Final = "field"  # the category of fields of study ("Computer science")
_DEGREE_CATEGORIES: Final = frozenset({QUALIFICATION, FIELD})  # they take "degree"
_DEGREE_JOINS: Final = frozenset({" or ", " and ", " and/or ", "/", " / "})
DEGREE_KEY: Final = "university degree"  # the form a bare "degree" stands for
QUALIFICATION_HEADS: Final = frozenset({"degree", "diploma"})
POSITION_NOUNS: Final = frozenset(
    {"student", "students", "studentship", "scholarship", "scholarships", "project",
     "projects", "position", "positions", "programme", "programmes", "program", "programs",
     "thesis", "theses", "study", "studies", "fellow", "fellows", "fellowship", "candidate",
     "candidates", "stipend", "regulations", "guide", "supervision", "course", "courses",
     "school", "level"}
)  # fmt: skip
# The cue phrases the matcher finds in its one pass for this module: so a mention's head noun
# is a dictionary look-up, not a look at the text after every mention.
HEAD_CUES: Final = tuple(sorted(HEAD_NOUNS | QUALIFICATION_HEADS))
_HEAD_CUES: Final = frozenset(HEAD_CUES)


def settle_heads(
    text: str, mentions: Sequence[Mention], cues: Sequence[Phrase], degree: Form | None = None
) -> list[Mention]:
    """The mentions with their head nouns taken in, and degrees that name the job dropped.

    `mentions` are in text order and do not overlap; `cues` are the cue phrases the matcher
    found (HEAD_CUES among them). A head noun that starts the next mention stays with it.
    `degree` is the form a bare "degree" stands for ("a degree in Computer Science"), if any.

    A degree's mention also covers the field it is in and the degree it is coordinated with
    ("MSc in Computer Science", "Bachelor or Master's degree"), as one qualification; the
    field and the other degree keep their own mentions too.
    """
    heads = {cue.start: cue for cue in cues if cue.phrase in _HEAD_CUES}
    settled: list[Mention] = []
    count = len(mentions)
    for index, mention in enumerate(mentions):
        start, end, form, confidence = mention
        category = form.skill.category
        head = heads.get(end + 1) if heads else None
        if head is None and category not in _DEGREE_CATEGORIES:
            settled.append(mention)  # the usual case
            continue
        following = mentions[index + 1] if index + 1 < count else None
        if (
            head is not None
            and text[end] in " -"
            and form.skill.kind == "knowledge"
            and (following is None or head.end <= following[0])
            and (head.phrase in HEAD_NOUNS or category in _DEGREE_CATEGORIES)
        ):
            # Soft skills take no head ("collaborative tools" is not a kind of collaboration).
            end = head.end
        if category == QUALIFICATION:
            if _next_word(text, end) in POSITION_NOUNS:
                continue
            if following is not None:
                gap = text[end : following[0]]
                if gap == " in " or (
                    gap in _DEGREE_JOINS and following[2].skill.category == QUALIFICATION
                ):
                    end = _with_head(following[1], heads)
        elif category == FIELD and degree is not None and heads:
            bare = heads.get(start - 4 - len("degree"))
            if (
                bare is not None
                and bare.phrase == "degree"
                and text[bare.end : start] == " in "
                and (not settled or settled[-1][1] <= bare.start)
            ):
                settled.append((bare.start, end, degree, confidence))
        settled.append((start, end, form, confidence))
    return settled


def _with_head(end: int, heads: dict[int, Phrase]) -> int:
    """`end`, or the end of the degree word right after it ("Master's" + " degree")."""
    head = heads.get(end + 1)
    return head.end if head is not None and head.phrase in QUALIFICATION_HEADS else end


def _word_end(text: str, position: int) -> int:
    while position < len(text) and text[position].isalpha():
        position += 1
    return position


def _next_word(text: str, end: int) -> str:
    if not text.startswith(" ", end):
        return ""
    return text[end + 1 : _word_end(text, end + 1)].lower()
