"""The tagger's domain: find the taxonomy's skills in a parsed posting. Pure, never raises.

One Aho-Corasick pass finds every form (matching.py); the case, glue and context rules drop
forms that are ordinary words here (rules.py); overlapping matches keep the leftmost, longest
("Apache Kafka" over "Kafka", counted once); the sections say what is only preferred
(sections.py). Terms that look like skills the taxonomy lacks are reported, never tagged
(unknown.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from jobstream.contracts import ParsedPosting, Span, TaggedPosting, TaggedSkill
from jobstream_tagger.matching import Matcher
from jobstream_tagger.rules import Kept, apply_context, longest_first, passes_case
from jobstream_tagger.sections import PreferredSections
from jobstream_tagger.taxonomy import Taxonomy
from jobstream_tagger.unknown import UnknownTerm, find_unknown_terms

# An O*NET-only skill (no curated review) is reported with this confidence at most.
ONET_ONLY_CONFIDENCE = 0.9


@dataclass(frozen=True)
class Tagging:
    """What tagging one posting found: the tagged posting and the unknown skill-like terms."""

    posting: TaggedPosting
    unknown_terms: tuple[UnknownTerm, ...]


def tag(parsed: ParsedPosting, taxonomy: Taxonomy) -> TaggedPosting:
    """The parsed posting with the skills it mentions, in order of first mention.

    A skill is `required` unless every mention of it is in a preferred part of the posting.
    """
    return analyse(parsed, taxonomy).posting


def analyse(parsed: ParsedPosting, taxonomy: Taxonomy) -> Tagging:
    text = parsed.text
    mentions = find_mentions(text, taxonomy)
    preferred = PreferredSections(text) if mentions else None
    by_skill: dict[str, list[Kept]] = {}
    for mention in mentions:
        by_skill.setdefault(mention.occurrence.form.skill.id, []).append(mention)
    skills = [_tagged_skill(found, preferred) for found in by_skill.values()]
    posting = TaggedPosting(**dict(parsed), taxonomy_version=taxonomy.version, skills=skills)
    spans = [(kept.occurrence.start, kept.occurrence.end) for kept in mentions]
    return Tagging(posting, tuple(find_unknown_terms(text, spans)))


def find_mentions(text: str, taxonomy: Taxonomy) -> list[Kept]:
    """Every mention of a skill in `text`, in order, after all matching rules."""
    occurrences = [o for o in matcher_for(taxonomy).find(text) if passes_case(text, o)]
    return apply_context(text, longest_first(occurrences))


@functools.lru_cache(maxsize=4)
def matcher_for(taxonomy: Taxonomy) -> Matcher:
    """The automaton of a taxonomy, built once per taxonomy object."""
    return Matcher(taxonomy)


def _tagged_skill(found: list[Kept], preferred: PreferredSections | None) -> TaggedSkill:
    skill = found[0].occurrence.form.skill
    confidence = max(kept.confidence for kept in found)
    if skill.source == "onet":
        confidence = min(confidence, ONET_ONLY_CONFIDENCE)
    return TaggedSkill(
        skill_id=skill.id,
        name=skill.name,
        category=skill.category,
        required=preferred is None or any(k.occurrence.start not in preferred for k in found),
        mentions=len(found),
        spans=[Span(start=k.occurrence.start, end=k.occurrence.end) for k in found],
        confidence=round(confidence, 2),
    )
