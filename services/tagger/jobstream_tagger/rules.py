"""Ambiguity rules: when a found form really names the skill.

Many skill names are also ordinary words or letters: Go, R, C, Swift, Rust, Spring, REST, Make,
Chef, Puppet, Excel, Word, Access, Scala. The taxonomy marks such forms, and these rules decide:

- case_sensitive: only as written ("Go", never "go"; "REST", never "rest").
- needs_context: kept only in a list next to another skill ("Java, Go, Python"; "Chef, Puppet
  or Ansible") or next to a cue word ("written in Go", "GNU Make", "R programming",
  "Word documents"); never glued into a longer token ("R&D", "C-level", "Go-to-market") and
  never before words that make it a verb ("Go to market", "Make sure").
- common_words: capitalised words ("Swift", "Excel", "Spring", "Rust") that are the skill
  mid-sentence, but at the start of a sentence or line, where every word is capitalised, need
  the same context ("Excel in a fast-paced team" is not the spreadsheet).
- A case-sensitive name written all in lower case ("spring", "swift") counts only in a list
  of other skills ("java, spring, hibernate": tag lists are often lower-case); names in
  capitals ("REST", "SAP") and names that need context ("Go") never count in lower case.

Shared heads: "unit, integration, and end-to-end testing" names three skills; when a form of
several words is found, the words coordinated before it are tried with its head ("unit
testing", "integration testing"), and each that is a form is tagged on the word itself.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping, Sequence
from typing import Final, TypeAlias

from jobstream_tagger.matching import Form, Hit

# Confidence of a mention kept only because of its context, relative to one that needs none.
CONTEXT_CONFIDENCE: Final = 0.8
LOWER_CASE_IN_LIST_CONFIDENCE: Final = 0.7

COORDINATED_CONFIDENCE: Final = 0.9
_GLUE: Final = frozenset("&-'\u2019+#@")
# One word coordinated before a mention: "unit, " / "unit and " / "unit/" at the end.
# What may stand between coordinated words: "unit, integration, and end-to-end testing".
_COORDINATION_GAP: Final = re.compile(r"[ \t]*(?:[,/&][ \t]*)?(?:(?:and|or)[ \t]+)?")
_MAX_COORDINATED: Final = 5
_COORDINATION_ENDS: Final = (",", ", ", "/", "/ ", " and ", " or ", " & ", ",\t", ", and ")
_LIST_GAP: Final = re.compile(r"[\s,/;|&()]*(?:(?:and/or|and|or|as well as|plus)\s+)?")
_MAX_LIST_GAP: Final = 14
_WORD: Final = re.compile(r"[A-Za-z][A-Za-z+#.-]*")
_SENTENCE_ENDS: Final = frozenset(".!?:;\n\r\u2022*\u00b7\u25aa\u25e6\u2023>|")
_SPACES: Final = frozenset(" \t\u00a0")

CUES_BEFORE: Final = frozenset(
    {"in", "using", "with", "gnu", "microsoft", "ms", "apple", "google", "golang", "learn",
     "proficient", "proficiency", "fluent", "advanced", "via", "knowledge"}
)  # fmt: skip
CUES_AFTER: Final = frozenset(
    {"programming", "language", "languages", "developer", "developers", "development",
     "engineer", "engineers", "engineering", "code", "codebase", "codebases", "scripts",
     "scripting", "modules", "services", "microservices", "spreadsheets", "spreadsheet",
     "documents", "document", "databases", "database", "cookbooks", "recipes", "manifests",
     "makefiles", "files", "macros", "formulas", "pivot", "vlookup", "apps", "applications",
     "stack", "experience", "skills", "libraries", "packages", "toolchain", "runtime",
     "backend", "routines", "shiny", "studio", "tidyverse", "compiler", "compilers",
     "standard", "programs", "queries", "reports", "forms", "ecosystem", "generics",
     "goroutines", "certification"}
)  # fmt: skip
# Words that make "of" a cue too: "knowledge of Go", "understanding of C".
CUES_BEFORE_OF: Final = frozenset(
    {"knowledge", "understanding", "experience", "command", "mastery", "grasp", "use", "usage"}
)
# After these words a short name is a verb or a word, whatever else is near it.
STOP_AFTER: Final = frozenset({"to", "ahead", "live", "back", "beyond", "further", "sure", "it"})
_START: Final = operator.itemgetter(0)


# A hit the rules keep, with its confidence (0..1): (start, end, form, confidence). A plain
# tuple, like the matcher's hits, as there are dozens in a posting.
Mention: TypeAlias = tuple[int, int, Form, float]


def select(text: str, hits: Sequence[Hit]) -> list[Mention]:
    """The case and glue rules, leftmost-longest among overlapping hits, the context rules.

    `hits` are sorted by start, then end (as the matcher gives them). Of overlapping hits the
    leftmost, then longest, is kept ("Spring Boot" over "Spring"), once the case and glue
    rules have dropped the hits that are not the skill there ("rest", "R&D").
    """
    chosen: list[Hit] = []
    end = last_start = -1
    plain = True  # no chosen hit needs a context rule (most postings)
    for hit in hits:
        start = hit[0]
        if start < end and start != last_start:
            continue  # inside the chosen hit: whatever the rules say, it is not kept
        form = hit[2]
        if not form.plain:
            if not passes_case(text, hit):
                continue
            plain = False  # (may be replaced by a longer plain one: only a slower path)
        if start < end:  # a longer one at the same start
            chosen[-1] = hit
        else:
            chosen.append(hit)
            last_start = start
        end = hit[1]
    if plain:
        return [(start, end, form, 1.0) for start, end, form in chosen]
    return apply_context(text, chosen)


def passes_case(text: str, hit: Hit) -> bool:
    """The case rule and the glue rule, which need only the hit and its neighbours."""
    start, end, form = hit
    if form.case_sensitive:
        surface = text[start:end]
        if surface != form.text and not _lower_case_variant(surface, form):
            return False
    return not (form.needs_context and _glued(text, start, end))


def _lower_case_variant(surface: str, form: Form) -> bool:
    """ "spring" for "Spring" (allowed in lists); not "rest" for "REST", nor "go" for "Go"
    (names that need context are too often ordinary words in lower case)."""
    if form.needs_context or form.text.isupper():
        return False
    return surface.islower() and form.text[0].isupper()


def apply_context(text: str, hits: Sequence[Hit]) -> list[Mention]:
    """Keep each hit that needs context only where it has some, chaining through lists.

    `hits` do not overlap (they are what `select` chose).
    """
    needing: list[int] = []  # indexes of the hits that need context, in order
    lower: set[int] = set()  # a case-sensitive name written in lower case: lists only
    for index, hit in enumerate(hits):
        if hit[2].plain:
            continue
        if _is_lower_case_variant(text, hit):
            lower.add(index)
            needing.append(index)
        elif _needs_context(text, hit):
            needing.append(index)
    if not needing:
        return [(start, end, form, 1.0) for start, end, form in hits]
    count = len(hits)
    kept = [True] * count
    for index in needing:
        kept[index] = index not in lower and _has_cue(text, hits[index])
    for index in needing:  # chains to the right of a kept hit
        if not kept[index] and index > 0 and kept[index - 1]:
            kept[index] = _in_list(text, hits[index - 1], hits[index])
    for index in reversed(needing):  # and to its left
        if not kept[index] and index + 1 < count and kept[index + 1]:
            kept[index] = _in_list(text, hits[index], hits[index + 1])
    need = set(needing)
    mentions: list[Mention] = []
    for index, (start, end, form) in enumerate(hits):
        if index not in need:
            mentions.append((start, end, form, 1.0))
        elif kept[index] and not _stopped(text, end):
            confidence = LOWER_CASE_IN_LIST_CONFIDENCE if index in lower else CONTEXT_CONFIDENCE
            mentions.append((start, end, form, confidence))
    return mentions


def expand_coordinations(
    text: str, mentions: list[Mention], forms: Mapping[str, Form]
) -> list[Mention]:
    """Add the skills of words that share a mention's head ("unit and integration tests")."""
    added: list[Mention] = []
    taken = -1  # no added word may reach into an earlier mention
    previous_end = 0
    for start, end, form, _ in mentions:
        head = form.head  # set only where another form shares the head
        floor, previous_end = previous_end, end
        if head is None:
            continue
        position = start
        for _ in range(_MAX_COORDINATED):
            # A cheap look at what ends right before it first: most mentions share no head.
            if not text.endswith(_COORDINATION_ENDS, 0, position):
                break
            word = _coordinated_word(text, max(floor, taken), position)
            if word is None:
                break
            word_start, word_end = word
            other = forms.get(f"{text[word_start:word_end].lower()} {head}")
            if other is None:
                break
            added.append((word_start, word_end, other, COORDINATED_CONFIDENCE))
            position = word_start
        taken = end
    if not added:
        return mentions
    return sorted([*mentions, *added], key=_START)


def _coordinated_word(text: str, floor: int, position: int) -> tuple[int, int] | None:
    """The word before `position` and a coordinating gap (", ", " and ", "/"), if any."""
    gap_start = position
    while gap_start > floor and text[gap_start - 1] in " \t,/&":
        gap_start -= 1
    for conjunction in ("and", "or"):  # "unit and integration", "unit, and"
        if text.endswith(conjunction, floor, gap_start):
            before = gap_start - len(conjunction)
            if before > floor and text[before - 1] in " \t,":
                gap_start = before
                while gap_start > floor and text[gap_start - 1] in " \t,/&":
                    gap_start -= 1
            break
    if gap_start == position or _COORDINATION_GAP.fullmatch(text, gap_start, position) is None:
        return None
    start = gap_start
    while start > floor and (text[start - 1].isalnum() or text[start - 1] in "_-"):
        start -= 1
    if start == gap_start or not text[start].isalpha():
        return None
    return start, gap_start


def _is_lower_case_variant(text: str, hit: Hit) -> bool:
    start, end, form = hit
    return form.case_sensitive and text[start:end] != form.text


def _needs_context(text: str, hit: Hit) -> bool:
    start, _end, form = hit
    if form.needs_context:
        return True
    return form.common_word and at_sentence_start(text, start)


def at_sentence_start(text: str, start: int) -> bool:
    """Whether `start` begins a sentence, a line or a bullet (where words are capitalised)."""
    index = start - 1
    while index >= 0 and text[index] in _SPACES:
        index -= 1
    if index < 0:
        return True
    char = text[index]
    if char in _SENTENCE_ENDS:
        return True
    # "- Excel", "1. Excel": a bullet at the start of a line
    if char in "-\u2013\u2014" or (char == "." and index > 0 and text[index - 1].isdigit()):
        before = index - 1
        while before >= 0 and (text[before] in _SPACES or text[before].isdigit()):
            before -= 1
        return before < 0 or text[before] == "\n"
    return False


def _has_cue(text: str, hit: Hit) -> bool:
    previous = _word_before(text, hit[0])
    if previous is not None:
        previous = previous.lower()
        if previous in CUES_BEFORE:
            return True
        # "knowledge of Go", "experience of R": "of" counts after a word that asks for a skill
        if previous == "of":
            asking = _word_before(text, text.rfind("of", 0, hit[0]))
            if asking is not None and asking.lower() in CUES_BEFORE_OF:
                return True
    following = _word_after(text, hit[1])
    return following is not None and following.lower() in CUES_AFTER


def _stopped(text: str, end: int) -> bool:
    following = _word_after(text, end)
    return following is not None and following.lower() in STOP_AFTER


def _word_before(text: str, start: int) -> str | None:
    window = text[max(0, start - 20) : start]
    if not window.endswith((" ", "\u00a0")):
        return None
    words = _WORD.findall(window)
    return words[-1] if words and window.rstrip().endswith(words[-1]) else None


def _word_after(text: str, end: int) -> str | None:
    window = text[end : end + 24]
    if not window.startswith((" ", "\u00a0")):
        return None
    match = _WORD.match(window.lstrip(" \u00a0"))
    return match.group().rstrip(".") if match else None


def _glued(text: str, start: int, end: int) -> bool:
    """ "R&D", "C-level", "Go-to", "R.E.M.": the short form is part of a longer token."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before in _GLUE or after in _GLUE or before == ".":
        return True
    return after == "." and end + 1 < len(text) and text[end + 1].isalnum()


def _in_list(text: str, first: Hit, second: Hit) -> bool:
    if second[0] - first[1] > _MAX_LIST_GAP:
        return False
    return _LIST_GAP.fullmatch(text, first[1], second[0]) is not None
