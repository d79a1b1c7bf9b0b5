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

from jobstream_tagger.rules import Mention

HEAD_NOUNS: Final = frozenset(
    {"framework", "ecosystem", "architecture", "database", "db", "certification", "tools",
     "environments", "scripting", "queries"}
)  # fmt: skip
QUALIFICATION: Final = "qualification"  # the category of degrees
QUALIFICATION_HEADS: Final = frozenset({"degree", "diploma"})
POSITION_NOUNS: Final = frozenset(
    {"student", "students", "studentship", "scholarship", "scholarships", "project",
     "projects", "position", "positions", "programme", "programmes", "program", "programs",
     "thesis", "theses", "study", "studies", "fellow", "fellows", "fellowship", "candidate",
     "candidates", "stipend", "regulations", "guide", "supervision", "course", "courses",
     "school", "level"}
)  # fmt: skip
_ALL_HEADS: Final = HEAD_NOUNS | QUALIFICATION_HEADS
# What a mention must be followed by for a head noun to follow it at all: a cheap first look
# (str.startswith with a tuple runs in C), as most mentions are followed by something else.
_PREFIXES: Final = tuple(
    f"{space}{spelling}"
    for word in _ALL_HEADS | POSITION_NOUNS
    for spelling in (word, word.capitalize())
    for space in (" ", "-")
    if space == " " or word in _ALL_HEADS
)


def settle_heads(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions with their head nouns taken in, and degrees that name the job dropped.

    `mentions` are in text order and do not overlap; a head noun that starts the next
    mention stays with that mention.
    """
    settled: list[Mention] = []
    count = len(mentions)
    for index, mention in enumerate(mentions):
        start, end, form, confidence = mention
        # Soft skills take no head ("collaborative tools" is not a kind of collaboration).
        if form.skill.kind != "knowledge" or not text.startswith(_PREFIXES, end):
            settled.append(mention)  # the usual case
            continue
        word_end = _word_end(text, end + 1)
        if word_end < len(text) and text[word_end].isalnum():
            word_end = end + 1  # "DB2", "Tools4Ever": not one of the words
        word = text[end + 1 : word_end].lower()
        qualification = form.skill.category == QUALIFICATION
        following = mentions[index + 1][0] if index + 1 < count else len(text)
        if word_end <= following and (
            word in HEAD_NOUNS or (qualification and word in QUALIFICATION_HEADS)
        ):
            end = word_end
            if qualification:  # "PhD degree students"
                word = _next_word(text, end)
        if qualification and word in POSITION_NOUNS:
            continue
        settled.append((start, end, form, confidence))
    return settled


def _word_end(text: str, position: int) -> int:
    while position < len(text) and text[position].isalpha():
        position += 1
    return position


def _next_word(text: str, end: int) -> str:
    if not text.startswith(" ", end):
        return ""
    return text[end + 1 : _word_end(text, end + 1)].lower()
