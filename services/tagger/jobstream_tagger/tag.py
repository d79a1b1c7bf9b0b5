"""The tagger's domain: find the taxonomy's skills in a parsed posting. Pure, never raises.

One Aho-Corasick pass finds every form and every cue phrase (matching.py); the case, glue and
context rules drop forms that are ordinary words here (rules.py); overlapping matches keep the
leftmost, longest ("Apache Kafka" over "Kafka", counted once); the sections say what is only
preferred (sections.py). Terms that look like skills the taxonomy lacks are reported, never
tagged (unknown.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final

from pydantic import TypeAdapter

from jobstream.contracts import ParsedPosting, TaggedPosting, TaggedSkill
from jobstream_tagger.matching import Matcher, Occurrence
from jobstream_tagger.rules import (
    Kept,
    apply_context,
    expand_coordinations,
    longest_first,
    passes_case,
)
from jobstream_tagger.sections import PREFERRED_CUES, PreferredSections
from jobstream_tagger.taxonomy import Taxonomy
from jobstream_tagger.unknown import UNKNOWN_TERM_CUES, UnknownTerm, find_unknown_terms

# An O*NET-only skill (no curated review) is reported with this confidence at most.
ONET_ONLY_CONFIDENCE: Final = 0.9
# One validation call for all the skills of a posting (pydantic-core), not one per model.
_SKILLS: Final = TypeAdapter(list[TaggedSkill])
_PARSED_FIELDS: Final = tuple(ParsedPosting.model_fields)


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
    matcher = matcher_for(taxonomy)
    found = matcher.scan(text)  # the one pass over the text
    mentions = apply_rules(text, found.occurrences, matcher)
    preferred = PreferredSections(text, found.cues) if mentions else None
    by_skill: dict[str, list[Kept]] = {}
    for mention in mentions:
        by_skill.setdefault(mention.occurrence.form.skill.id, []).append(mention)
    skills = _SKILLS.validate_python(
        [_skill_fields(found, preferred) for found in by_skill.values()]
    )
    # The parsed posting is valid already and the skills were just validated: the tagged
    # posting is assembled from them without validating the copied text again.
    posting = TaggedPosting.model_construct(
        **{name: getattr(parsed, name) for name in _PARSED_FIELDS},
        taxonomy_version=taxonomy.version,
        skills=skills,
    )
    spans = [(kept.occurrence.start, kept.occurrence.end) for kept in mentions]
    return Tagging(posting, tuple(find_unknown_terms(text, spans, found.cues)))


def find_mentions(text: str, taxonomy: Taxonomy) -> list[Kept]:
    """Every mention of a skill in `text`, in order, after all matching rules."""
    matcher = matcher_for(taxonomy)
    return apply_rules(text, matcher.find(text), matcher)


def apply_rules(text: str, found: list[Occurrence], matcher: Matcher) -> list[Kept]:
    """The case and glue rules, longest first, the context rules, then shared heads."""
    occurrences = [o for o in found if o.form.plain or passes_case(text, o)]
    kept = apply_context(text, longest_first(occurrences))
    return expand_coordinations(text, kept, matcher.by_key)


@functools.lru_cache(maxsize=4)
def matcher_for(taxonomy: Taxonomy) -> Matcher:
    """The automaton of a taxonomy and the cue phrases, built once per taxonomy object."""
    return Matcher(taxonomy, cue_phrases=(*PREFERRED_CUES, *UNKNOWN_TERM_CUES))


def _skill_fields(found: list[Kept], preferred: PreferredSections | None) -> dict[str, object]:
    skill = found[0].occurrence.form.skill
    confidence = 0.0
    required = preferred is None
    spans = []
    for kept in found:
        start = kept.occurrence.start
        spans.append({"start": start, "end": kept.occurrence.end})
        confidence = max(confidence, kept.confidence)
        required = required or start not in preferred  # type: ignore[operator]
    if skill.source == "onet":
        confidence = min(confidence, ONET_ONLY_CONFIDENCE)
    return {
        "skill_id": skill.id,
        "name": skill.name,
        "category": skill.category,
        "required": required,
        "mentions": len(found),
        "spans": spans,
        "confidence": round(confidence, 2),
    }
