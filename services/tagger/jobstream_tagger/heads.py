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

from jobstream_tagger.phrases import Phrase
from jobstream_tagger.rules import Mention

HEAD_NOUNS: Final = frozenset(
    {"framework", "ecosystem", "architecture", "database", "certification", "tools",
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
# The cue phrases the matcher finds in its one pass for this module: so a mention's head noun
# is a dictionary look-up, not a look at the text after every mention.
HEAD_CUES: Final = tuple(sorted(HEAD_NOUNS | QUALIFICATION_HEADS))
_HEAD_CUES: Final = frozenset(HEAD_CUES)


def settle_heads(text: str, mentions: Sequence[Mention], cues: Sequence[Phrase]) -> list[Mention]:
    """The mentions with their head nouns taken in, and degrees that name the job dropped.

    `mentions` are in text order and do not overlap; `cues` are the cue phrases the matcher
    found (HEAD_CUES among them). A head noun that starts the next mention stays with it.
    """
    heads = {cue.start: cue for cue in cues if cue.phrase in _HEAD_CUES}
    settled: list[Mention] = []
    count = len(mentions)
    for index, mention in enumerate(mentions):
        start, end, form, confidence = mention
        head = heads.get(end + 1) if heads else None
        qualification = form.skill.category == QUALIFICATION
        if head is None and not qualification:
            settled.append(mention)  # the usual case
            continue
        if head is not None and text[end] in " -" and form.skill.kind == "knowledge":
            # Soft skills take no head ("collaborative tools" is not a kind of collaboration).
            following = mentions[index + 1][0] if index + 1 < count else len(text)
            if head.end <= following and (qualification or head.phrase in HEAD_NOUNS):
                end = head.end
        if qualification and _next_word(text, end) in POSITION_NOUNS:
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
