"""The tagger's domain: find the taxonomy's skills in a parsed posting. Pure, never raises."""

from __future__ import annotations

import functools
import re
from typing import Final, NamedTuple

from jobstream.contracts import ParsedPosting, Span, TaggedPosting, TaggedSkill
from jobstream_tagger.matching import compile_forms
from jobstream_tagger.sections import PreferredSections
from jobstream_tagger.taxonomy import Skill, Taxonomy

# Forms that are also ordinary words or letters ("go", "rest", "spring"): matched only when
# written exactly so.
CASE_SENSITIVE_FORMS: Final = frozenset(
    {"Go", "R", "C", "Swift", "Rust", "Spring", "REST", "Make", "Chef", "Puppet", "Excel",
     "Scala", "React", "Spark"}
)  # fmt: skip
# Forms too short to trust alone: matched only in a list next to another skill
# ("Java, Go, Python"), and never glued to "&", "-", "'" ("R&D", "C-level", "Go-to-market").
LIST_ONLY_FORMS: Final = frozenset({"Go", "R", "C"})

_EXACT_CASE: Final = {form.lower(): form for form in CASE_SENSITIVE_FORMS}
_GLUE: Final = frozenset("&-'\u2019+#@")
_LIST_GAP: Final = re.compile(r"[\s,/;|&()]*(?:(?:and/or|and|or)\s+)?")
_MAX_LIST_GAP: Final = 12


class _Mention(NamedTuple):
    start: int
    end: int
    skill: Skill
    list_only: bool


def tag(parsed: ParsedPosting, taxonomy: Taxonomy) -> TaggedPosting:
    """The parsed posting with the skills it mentions, in order of first mention.

    A skill is `required` unless every mention of it is in a preferred section.
    """
    text = parsed.text
    mentions = _resolve_list_only(text, list(_candidates(text, taxonomy)))
    preferred = PreferredSections(text) if mentions else None
    by_skill: dict[str, list[_Mention]] = {}
    for mention in mentions:
        by_skill.setdefault(mention.skill.id, []).append(mention)
    skills = [
        TaggedSkill(
            skill_id=found[0].skill.id,
            name=found[0].skill.name,
            category=found[0].skill.category,
            required=preferred is None or any(m.start not in preferred for m in found),
            mentions=len(found),
            spans=[Span(start=m.start, end=m.end) for m in found],
        )
        for found in by_skill.values()
    ]
    return TaggedPosting(**dict(parsed), taxonomy_version=taxonomy.version, skills=skills)


@functools.lru_cache(maxsize=8)
def _pattern(taxonomy: Taxonomy) -> re.Pattern[str]:
    return compile_forms(taxonomy.forms)


def _candidates(text: str, taxonomy: Taxonomy) -> list[_Mention]:
    found = []
    for match in _pattern(taxonomy).finditer(text):
        surface = match.group()
        skill = taxonomy.skill_for(surface)
        if skill is None:  # a case-folding oddity the lookup does not share with the regex
            continue
        exact = _EXACT_CASE.get(surface.lower())
        if exact is not None and surface != exact:
            continue
        list_only = exact in LIST_ONLY_FORMS
        if list_only and _glued(text, match.start(), match.end()):
            continue
        found.append(_Mention(match.start(), match.end(), skill, list_only))
    return found


def _glued(text: str, start: int, end: int) -> bool:
    """ "R&D", "C-level", "Go-to", "R.E.M.": the short form is part of a longer token."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before in _GLUE or after in _GLUE or before == ".":
        return True
    return after == "." and end + 1 < len(text) and text[end + 1].isalnum()


def _resolve_list_only(text: str, candidates: list[_Mention]) -> list[_Mention]:
    """Keep a list-only mention when a kept mention sits next to it, in a list."""
    kept = [not candidate.list_only for candidate in candidates]
    for index in range(1, len(candidates)):  # chains to the right of a kept mention
        if not kept[index] and kept[index - 1]:
            kept[index] = _in_list(text, candidates[index - 1], candidates[index])
    for index in range(len(candidates) - 2, -1, -1):  # and to its left
        if not kept[index] and kept[index + 1]:
            kept[index] = _in_list(text, candidates[index], candidates[index + 1])
    return [candidate for candidate, keep in zip(candidates, kept, strict=True) if keep]


def _in_list(text: str, first: _Mention, second: _Mention) -> bool:
    if second.start - first.end > _MAX_LIST_GAP:
        return False
    return _LIST_GAP.fullmatch(text, first.end, second.start) is not None
