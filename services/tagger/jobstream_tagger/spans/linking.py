"""The taxonomy names what the span model finds; the model decides which matches count.

Each span the model finds gives one skill:
- the taxonomy skill it is a form of, or the one taxonomy match it holds when its other words
  only qualify it ("Java development", "agile delivery", "AWS services", "excellent
  communication skills"): a linked skill, with the taxonomy's id;
- when the other words are part of a name ("Kotlin Coroutines", "Azure PaaS", "MS Dynamics
  365"), or it holds no match: an unlinked skill, named by its normalised surface form
  (`linked: false`), so the taxonomy can grow from what postings say;
- when it holds several matches (a list the model read as one span, "SQL and Database
  development"): each match, as the taxonomy names them.

A taxonomy match no span names is kept (the taxonomy knows names the model misses: in
cross-validation this adds 0.02 to the Knowledge layer's strict F1), unless its words are
used in another sense: a team ("other teams, like Integrations and
SRE", "the SRE team"), a department one works with ("collaborate with Product Management"),
a webmail service ("generic emails (@gmail)"), or the job's title itself.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Final, NamedTuple

from jobstream_tagger.matching import Form, ascii_lower
from jobstream_tagger.rules import Mention
from jobstream_tagger.spans.model import Layer, Span
from jobstream_tagger.taxonomy import Skill, Taxonomy

UNLINKED_PREFIX: Final = "unlinked-"
MODEL_SOURCE: Final = "model"  # the `source` of an unlinked skill: found by the model alone
MAX_UNLINKED_WORDS: Final = 8  # a longer span is a sentence, not a skill's name
MAX_SLUG_CHARS: Final = 60
# Webmail services: everyone uses them, no posting asks for them as a skill ("generic emails
# (@gmail)", "tools such as Gmail, Slack, Jira"), though the model reads them as products.
NOT_SKILLS: Final = frozenset({"gmail", "google mail", "hotmail", "yahoo mail", "outlook.com"})
# The first characters, as written, of a webmail service's name (see `other_sense`).
_WEBMAIL_FIRSTS: Final = frozenset(
    {"", *(name[0] for name in NOT_SKILLS), *(name[0].upper() for name in NOT_SKILLS)}
)
_SLUG: Final = re.compile(r"[^a-z0-9]+")
_CLEAN: Final = re.compile(r"[a-z0-9 -]+")


def is_name_part(word: str, after: bool) -> bool:
    """A word that is part of a product's or a method's name, not a plain qualifier: with a
    digit, an inner capital or in capitals ("365", "PaaS", "MS"), or, after the taxonomy's
    match, capitalised ("Kotlin Coroutines"; before it, "Effective communication" is
    capitalised only as the line's first word)."""
    if any(char.isdigit() or char.isupper() for char in word[1:]):
        return True
    return after and word[:1].isupper()


def normalised(surface: str) -> str:
    """The form an unlinked skill is known by: NFKC, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", surface).lower().split())


@functools.lru_cache(maxsize=65_536)
def unlinked_form(name: str, layer: Layer) -> Form:
    """The form of an unlinked skill named `name` (normalised), one object per name."""
    slug = _SLUG.sub("-", name).strip("-")[:MAX_SLUG_CHARS].strip("-") or "x"
    if _CLEAN.fullmatch(name) is None or len(name) > MAX_SLUG_CHARS:
        # "c++" and "c#" would both be "c": the name's hash keeps them apart
        slug = f"{slug}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"
    skill = Skill(
        id=f"{UNLINKED_PREFIX}{slug}",
        name=name[:1].upper() + name[1:],
        category=layer,  # "knowledge" or "skill": the layer the model found it in
        kind=layer,
        source=MODEL_SOURCE,
    )
    return Form(text=name, skill=skill)


def confidence(margin: float) -> float:
    """The model's confidence in a span from its score margin over O (a logistic curve),
    to two decimals."""
    value = 1.0 / (1.0 + math.exp(-margin))
    if 0.0 <= value <= 1.0:  # `hundredths(value)`'s common case inline: a call fewer a span
        scaled = value * 100.0
        whole = math.floor(scaled)
        if abs(scaled - whole - 0.5) >= 1e-6:
            return max(0.01, (whole + 1 if scaled - whole > 0.5 else whole) / 100)
    return max(0.01, round(value, 2))  # > 0: it was found


def hundredths(value: float) -> float:
    """`round(value, 2)` for 0 <= value <= 1, without its decimal conversion where it is
    not needed (a fifth of a span's naming cost).

    `value * 100` is within 1e-14 of the exact product, so unless that lies within 1e-6 of
    a half, rounding it to the nearest integer k gives the correctly rounded decimal, and
    k / 100 (a division of exact integers, correctly rounded) is the float nearest to it:
    what `round` returns. Near a half, `round` decides (ties go to the even digit)."""
    if not 0.0 <= value <= 1.0:  # (and NaN)
        return round(value, 2)
    scaled = value * 100.0
    whole = math.floor(scaled)
    if abs(scaled - whole - 0.5) < 1e-6:
        return round(value, 2)
    return (whole + 1 if scaled - whole > 0.5 else whole) / 100


def combine(
    text: str,
    spans: Sequence[Span],
    mentions: Sequence[Mention],
    taxonomy: Taxonomy,
    title: tuple[int, int] | None = None,
    lowered: str | None = None,
) -> list[Mention]:
    """The posting's skill mentions, in text order: the model's spans named by the taxonomy,
    and the taxonomy's matches the model does not read as something else.

    `title`: where the job's title is in the text; `lowered`: `ascii_lower(text)`, when the
    caller has it.
    """
    result: list[Mention] = []
    count = len(mentions)
    used = [False] * count
    starts = [mention[0] for mention in mentions]
    other_sense = _other_sense_in(text, title, team_words(text, lowered))

    for span_start, span_end, layer, _first, _end_chunk, margin in spans:
        if span_end - span_start <= 0:
            continue
        index = bisect.bisect_left(starts, span_start)
        inside = []
        while index < count:
            mention = mentions[index]
            if mention[0] >= span_end:
                break
            # A span names a skill of its own kind: a Skill span "collaborate with Product
            # Management" is not the knowledge of product management.
            if mention[1] <= span_end and mention[2].skill.kind == layer:
                inside.append(index)
            index += 1
        if other_sense(span_start, span_end):
            for number in inside:
                used[number] = True
            continue
        sure = confidence(margin)
        exact = [n for n in inside if mentions[n][0] == span_start and mentions[n][1] == span_end]
        if exact:  # the taxonomy's match is the span: its skill, the surer of the two
            start, end, form, rule_confidence = mentions[exact[0]]
            result.append((start, end, form, max(sure, rule_confidence)))
            used[exact[0]] = True  # a degree's field keeps its own ("MSc in Physics")
            continue
        surface = text[span_start:span_end]
        known = taxonomy.skill_for(surface)
        if known is not None and _plain(known):
            result.append((span_start, span_end, _form_cache(known), sure))
            for number in inside:
                used[number] = True
            continue
        if len(inside) == 1:
            number = inside[0]
            start, end, form, rule_confidence = mentions[number]
            before = text[span_start:start].split()
            after = text[end:span_end].split()
            if not any(is_name_part(word, False) for word in before) and not any(
                is_name_part(word, True) for word in after
            ):
                result.append((span_start, span_end, form, max(sure, rule_confidence)))
                used[number] = True
                continue
        elif len(inside) > 1:
            for number in inside:
                result.append(mentions[number])
                used[number] = True
            continue
        name = normalised(surface)
        if name and len(name.split()) <= MAX_UNLINKED_WORDS:
            result.append((span_start, span_end, unlinked_form(name, layer), sure))
            for number in inside:
                used[number] = True
    for number, mention in enumerate(mentions):
        if not used[number] and not other_sense(mention[0], mention[1]):
            result.append(mention)
    # By start, the longest first at one start (two stable sorts: no key function to call).
    result.sort(key=_END, reverse=True)
    result.sort(key=_START)
    return _without_overlaps(result)


_START: Final = operator.itemgetter(0)
_END: Final = operator.itemgetter(1)


def other_sense(
    text: str,
    start: int,
    end: int,
    title: tuple[int, int] | None,
    teams: TeamWords | None = None,
) -> bool:
    """Whether the words at [start, end) are used as something other than a skill: in the
    job's title, a webmail service, a team, a department. `teams`: `team_words(text)`, when
    the caller asks for many ranges of one text."""
    return _other_sense_in(text, title, team_words(text) if teams is None else teams)(start, end)


def _other_sense_in(
    text: str, title: tuple[int, int] | None, teams: TeamWords
) -> Callable[[int, int], bool]:
    """`other_sense(text, start, end, title, teams)` as a function of the range alone, with
    `is_team`'s first test inline: `combine` asks it of some thirty ranges of a posting."""
    title_start, title_end = title if title is not None else (1, 0)  # (1, 0) holds no range
    listing, naming = teams
    listings, namings = len(listing), len(naming)
    find = bisect.bisect_left

    def in_other_sense(start: int, end: int) -> bool:
        if title_start <= start and end <= title_end:
            return True  # the job's title names the job, not a skill it asks for
        # Each test behind what it needs, checked here without a call: most ranges are not
        # capitalised, most postings have no "team" near most ranges, and a webmail service's
        # name starts with one of few letters (after NFKC and lower-casing: any other ASCII
        # character stays as it is, or composes into a non-ASCII one).
        first = text[start : start + 1]
        if first.isupper() and is_department(text, start, end):
            return True
        if listing or naming:
            # `is_team`'s look-up of the word "team" near the range, before its patterns
            at = find(listing, start - _TEAM_REACH)
            listed = at < listings and listing[at] + 4 <= start
            at = find(naming, end + 1)
            named = at < namings and naming[at] + 4 <= end + _TEAM_REACH
            if (listed or named) and _team_patterns(text, start, end):
                return True
        if first in _WEBMAIL_FIRSTS or not first.isascii() or first.isspace():
            return is_webmail(text[start:end])
        return False

    return in_other_sense


@functools.lru_cache(maxsize=65_536)
def is_webmail(surface: str) -> bool:
    return normalised(surface) in NOT_SKILLS


# "other teams (like Integrations and SRE)", "the SRE team", "Platform and SRE teams"
_TEAM_LIST: Final = re.compile(
    r"\bteams?\s*(?:\(\s*)?(?:like|such as|including|e\.g\.?|i\.e\.?)\b[^()\n.;:]*$", re.IGNORECASE
)
_TEAM_AFTER: Final = re.compile(r"(?:\s*(?:,|/|and|&)\s*[A-Z][\w/&-]*)*\s+teams?\b")
# "collaborate with Product Management and cross-functional teams": a department
_WITH_DEPARTMENT: Final = re.compile(
    r"\b(?i:collaborat\w*|work\w*|partner\w*|together|liais\w*|coordinat\w*|align\w*)"
    r"\s+(?:closely\s+)?with\s+(?:the\s+|our\s+)?(?:[A-Z][\w&-]*\s*(?:,|and|&|/)\s*)*$"
)


# The last word of a business function's name ("Product Management", "Data Engineering").
DEPARTMENTS: Final = frozenset(
    {"management", "marketing", "sales", "finance", "engineering", "design", "operations",
     "legal", "security", "support", "success", "analytics", "research", "procurement",
     "accounting", "hr", "qa", "product", "ux", "it", "devops", "sre", "compliance", "science"}
)  # fmt: skip


# Both team patterns need the word "team" within 80 characters of the words, in a shape
# found once per posting (`team_words`): where none is near (most matches of most
# postings), neither pattern need run.
_TEAM_REACH: Final = 80
# What _TEAM_LIST needs, from "team" on (without its \b, which a window may create).
_TEAM_LISTING: Final = re.compile(
    r"teams?\s*(?:\(\s*)?(?:like|such as|including|e\.g|i\.e)", re.IGNORECASE
)


class TeamWords(NamedTuple):
    """Where, in a text, "team" starts a list of teams, and where it follows white space
    in lower case (ascending)."""

    listing: list[int]
    naming: list[int]


def team_words(text: str, lowered: str | None = None) -> TeamWords:
    """Where the team patterns could match in `text` (see `is_team`); `lowered`:
    `ascii_lower(text)`, when the caller has it."""
    # "team" in any case as re.IGNORECASE reads it (no other character case-folds to t, e,
    # a or m), found by str.find in the ASCII-lowered text (same length, same offsets): a
    # regular expression would try every position of the text.
    if lowered is None:
        lowered = ascii_lower(text)
    listing: list[int] = []
    naming: list[int] = []
    at = lowered.find("team")
    while at >= 0:
        if _TEAM_LISTING.match(text, at):
            listing.append(at)
        if at and text[at - 1].isspace() and text.startswith("team", at):
            naming.append(at)  # what _TEAM_AFTER's "\s+teams?" needs
        at = lowered.find("team", at + 4)
    return TeamWords(listing, naming)


def is_team(text: str, start: int, end: int, teams: TeamWords | None = None) -> bool:
    """Whether the words at [start, end) name a team: in a list of teams, or before "team".
    `teams`: `team_words(text)`, when the caller has it."""
    if teams is not None:
        # a listing "team" wholly in [start - 80, start), or a naming one in (end, end + 80)
        listing, naming = teams
        first = bisect.bisect_left(listing, start - _TEAM_REACH)
        listed = first < len(listing) and listing[first] + 4 <= start
        after = bisect.bisect_left(naming, end + 1)
        named = after < len(naming) and naming[after] + 4 <= end + _TEAM_REACH
        if not (listed or named):
            return False
    return _team_patterns(text, start, end)


def _team_patterns(text: str, start: int, end: int) -> bool:
    """`is_team`'s patterns: a list of teams before [start, end), or "team(s)" after it."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[max(line_start, start - _TEAM_REACH) : start]
    if _TEAM_LIST.search(before):
        return True
    return _TEAM_AFTER.match(text, end, end + _TEAM_REACH) is not None


def is_department(text: str, start: int, end: int) -> bool:
    """Whether capitalised words at [start, end) name a department one works with
    ("collaborate with Product Management"): capitalised, a business function's name, after
    "work with" or the like ("experience working with Snowflake" is no department)."""
    if not text[start : start + 1].isupper():
        return False
    surface = text[start:end]
    if surface.rsplit(" ", 1)[-1].lower() not in DEPARTMENTS:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    return _WITH_DEPARTMENT.search(text[max(line_start, start - 80) : start]) is not None


def _plain(skill: Skill) -> bool:
    """Whether any span written as one of the skill's forms names it (no case or context
    rule: those the matcher's rules decide)."""
    return not (skill.case_sensitive or skill.needs_context or skill.common_words)


@functools.lru_cache(maxsize=16_384)
def _form_cache(skill: Skill) -> Form:
    return Form(text=skill.name, skill=skill)


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Of mentions of one skill that overlap, the first (a span and a match it holds)."""
    kept: list[Mention] = []
    last_end: dict[str, int] = {}
    for mention in mentions:
        skill_id = mention[2].skill.id
        if last_end.get(skill_id, -1) > mention[0]:
            continue
        kept.append(mention)
        last_end[skill_id] = mention[1]
    return kept
