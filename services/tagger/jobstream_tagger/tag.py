"""The tagger's domain: find the skills of a parsed posting. Pure, never raises.

One Aho-Corasick pass finds every form and every cue phrase (matching.py); the case, glue and
context rules drop forms that are ordinary words here (rules.py); overlapping matches keep the
leftmost, longest ("Apache Kafka" over "Kafka", counted once). The span model (spans/) reads
the posting, with those matches among what it looks at, and finds the Knowledge and Skill
spans an annotator would mark; the taxonomy names them, and the matches the model reads as
something else (a team, a department, an example) are dropped (spans/linking.py). The
sections say what is only preferred (sections.py). Terms that look like skills near a cue
and that neither found are reported, never tagged (unknown.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Final

from jobstream.contracts import Occupation, ParsedPosting, TaggedPosting, TaggedSkill
from jobstream_tagger import output
from jobstream_tagger.heads import DEGREE_KEY, HEAD_CUES, settle_heads
from jobstream_tagger.matching import Found, Matcher, ascii_lower
from jobstream_tagger.occupation import load_coder, title_for
from jobstream_tagger.phrases import Phrase
from jobstream_tagger.rules import Mention, expand_coordinations, select
from jobstream_tagger.sections import PREFERRED_CUES, PreferredSections
from jobstream_tagger.spans.linking import MODEL_SOURCE, combine
from jobstream_tagger.spans.model import SpanModel, load_span_model
from jobstream_tagger.taxonomy import Skill, Taxonomy
from jobstream_tagger.unknown import UNKNOWN_TERM_CUES, UnknownTerm, find_unknown_terms

# An O*NET-only skill (no curated review) is reported with this confidence at most.
ONET_ONLY_CONFIDENCE: Final = 0.9
_PARSED_FIELDS: Final = tuple(ParsedPosting.model_fields)
# _tagged() gives every field of a TaggedPosting: a field added to the contract must be added
# there too (a model built without one would lack it), so this stops the import until it is.
_TAGGED_FIELDS: Final = {
    *_PARSED_FIELDS,
    "taxonomy_version",
    "tagger_version",
    "skills",
    "occupation",
    "tagged_at",
}
if set(TaggedPosting.model_fields) != _TAGGED_FIELDS:
    raise RuntimeError("TaggedPosting has fields that tag._tagged() does not set")


@dataclass(frozen=True)
class Tagging:
    """What tagging one posting found: the tagged posting and the unknown skill-like terms."""

    posting: TaggedPosting
    unknown_terms: tuple[UnknownTerm, ...]


def tag(parsed: ParsedPosting, taxonomy: Taxonomy, model: SpanModel | None = None) -> TaggedPosting:
    """The parsed posting with the skills it mentions, in order of first mention.

    A skill is `required` unless every mention of it is in a preferred part of the posting.
    `model`: the span model (the packaged one when None).
    """
    return analyse(parsed, taxonomy, model, unknown=False).posting


def analyse(
    parsed: ParsedPosting,
    taxonomy: Taxonomy,
    model: SpanModel | None = None,
    unknown: bool = True,
) -> Tagging:
    """`tag()`, and the skill-like terms near cues that neither the taxonomy nor the model
    found (when `unknown`)."""
    text = parsed.text
    model = model if model is not None else span_model()
    matcher = matcher_for(taxonomy)
    lowered = matcher.lower(text)  # once, for the matcher and the team words
    found = matcher.scan(text, lowered)  # the one pass over the text
    title = parsed.evidence.get("title")
    where = (title.start, title.end) if title is not None else None
    ascii_lowered = lowered if matcher.lower is ascii_lower else None
    mentions = read(text, apply_rules(text, found, matcher), taxonomy, model, where, ascii_lowered)
    posting = _tagged(parsed, taxonomy, model, mentions, found.cues)
    terms = find_unknown_terms(text, _covered(mentions), found.cues) if unknown else []
    return Tagging(posting, tuple(terms))


def read(
    text: str,
    matches: list[Mention],
    taxonomy: Taxonomy,
    model: SpanModel,
    title: tuple[int, int] | None = None,
    lowered: str | None = None,
) -> list[Mention]:
    """The model's spans named by the taxonomy, and the matches it does not overrule
    (`title`: where the posting's title is, whose words name the job, not its skills;
    `lowered`: `matching.ascii_lower(text)`, when the caller has it)."""
    return combine(text, model.read(text, matches), matches, taxonomy, title, lowered)


@functools.cache
def span_model() -> SpanModel:
    """The packaged span model, loaded once per process."""
    return load_span_model()


def _covered(mentions: list[Mention]) -> list[tuple[int, int]]:
    """The stretches of text the mentions cover, in order, not overlapping (a degree's
    mention may hold its field's: "MSc in Computer Science"). `mentions`: by start, as
    `read` gives them (at one start, in any order)."""
    spans: list[tuple[int, int]] = []
    for start, end, _form, _confidence in mentions:
        if spans and start < spans[-1][1]:
            if end > spans[-1][1]:
                spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def find_mentions(text: str, taxonomy: Taxonomy, model: SpanModel | None = None) -> list[Mention]:
    """Every skill mention in `text`, in order: the taxonomy's matches after all matching
    rules, read by the span model (`tag()`'s mentions)."""
    matcher = matcher_for(taxonomy)
    matches = apply_rules(text, matcher.scan(text), matcher)
    return read(text, matches, taxonomy, model if model is not None else span_model())


def taxonomy_mentions(text: str, taxonomy: Taxonomy) -> list[Mention]:
    """The taxonomy's matches in `text` after all matching rules, before the model reads it
    (what the model sees of the taxonomy)."""
    matcher = matcher_for(taxonomy)
    return apply_rules(text, matcher.scan(text), matcher)


def apply_rules(text: str, found: Found, matcher: Matcher) -> list[Mention]:
    """The case and glue rules, longest first, the context rules, shared heads, head nouns."""
    mentions = expand_coordinations(text, select(text, found.hits), matcher.by_key)
    return settle_heads(text, mentions, found.cues, matcher.by_key.get(DEGREE_KEY))


@functools.lru_cache(maxsize=4)
def matcher_for(taxonomy: Taxonomy) -> Matcher:
    """The automaton of a taxonomy and the cue phrases, built once per taxonomy object."""
    return Matcher(taxonomy, cue_phrases=(*PREFERRED_CUES, *UNKNOWN_TERM_CUES, *HEAD_CUES))


def _tagged(
    parsed: ParsedPosting,
    taxonomy: Taxonomy,
    model: SpanModel,
    mentions: list[Mention],
    cues: list[Phrase],
) -> TaggedPosting:
    preferred = PreferredSections(parsed.text, cues) if mentions else None
    fields = dict(parsed.__dict__)  # the parsed posting's fields, in their order
    fields["taxonomy_version"] = taxonomy.version
    fields["tagger_version"] = model.version
    fields["skills"] = skills = _skills(mentions, preferred)
    fields["occupation"] = _occupation(parsed, skills)
    fields["tagged_at"] = None  # stamped by the service, at the edge
    return output.construct(TaggedPosting, fields)  # valid by construction: see output.py


def _occupation(parsed: ParsedPosting, skills: list[TaggedSkill]) -> Occupation | None:
    """The posting's O*NET-SOC occupation, from its title and, where that is ambiguous, its
    skills (occupation.py; the packaged index is loaded once per process)."""
    title = title_for(parsed.title, parsed.provided.title, parsed.text)
    if title is None:
        return None
    return load_coder().code(title, frozenset(skill.skill_id for skill in skills))


def _skills(mentions: list[Mention], preferred: PreferredSections | None) -> list[TaggedSkill]:
    """The skills mentioned, in order of first mention, in one loop over the mentions.

    `mentions` are in text order, so one walk along the preferred ranges says which are in one.
    """
    ranges = preferred.ranges if preferred is not None else ()
    last = len(ranges)
    current = 0  # the first preferred range that does not end before the mention
    by_skill: dict[str, dict[str, Any]] = {}  # by id: a str hashes faster than a Skill
    capped = []
    span = output.span
    for start, end, form, confidence in mentions:
        while current < last and ranges[current][1] <= start:
            current += 1
        required = current == last or start < ranges[current][0]
        skill = form.skill
        fields = by_skill.get(skill.id)
        if fields is None:
            by_skill[skill.id] = {
                "skill_id": skill.id,
                "name": skill.name,
                "category": skill.category,
                "required": required,
                "mentions": 1,
                "spans": [span(start, end)],
                "confidence": confidence,
                "source_ids": source_ids(skill),
                "linked": skill.source != MODEL_SOURCE,
            }
            if skill.source == "onet":
                capped.append(by_skill[skill.id])
            continue
        fields["mentions"] += 1
        fields["spans"].append(span(start, end))
        if confidence > fields["confidence"]:
            fields["confidence"] = confidence
        if required:
            fields["required"] = True
    for fields in capped:
        fields["confidence"] = min(fields["confidence"], ONET_ONLY_CONFIDENCE)
    # The confidences are the rules' constants (1.0, 0.9, 0.8, 0.7): nothing to round.
    return [output.skill(fields) for fields in by_skill.values()]


_NO_SOURCE_IDS: Final[dict[str, list[str]]] = {}  # shared, never mutated


def source_ids(skill: Skill) -> dict[str, list[str]]:
    """The skill's ids in O*NET and ESCO (shared, never mutated)."""
    if not (skill.onet_codes or skill.esco):
        # An unlinked skill has none: kept out of the cache, which would otherwise grow by
        # every name the model ever reads (and a hash call spared).
        return _NO_SOURCE_IDS
    return _source_ids(skill)


@functools.cache
def _source_ids(skill: Skill) -> dict[str, list[str]]:
    """`source_ids`, built once per taxonomy skill."""
    ids = {"onet": list(skill.onet_codes), "esco": list(skill.esco)}
    return {name: values for name, values in ids.items() if values}
