"""Finding the taxonomy's surface forms in text: one Aho-Corasick pass (ahocorasick-rs).

Every form is put in one automaton, lower-cased, and the text is lower-cased once; a single
pass finds every occurrence of every form, overlapping ones included, in time proportional to
the text (not to the number of forms). Only occurrences that are whole tokens are kept: the
characters either side must not be letters, digits or "_", so "Java" does not match inside
"JavaScript" and "C#" matches in "C#/.NET".

Forms of one or two characters ("Go", "R", "C#", "AI") would otherwise match inside most words
and cost a check each; they go into the automaton padded with a delimiter on both sides
(" go,", "(r)", "/c# "), so only whole-token occurrences are ever reported. Forms of three or
four characters ("ORM", "SAS") are padded before only: inside words ("platform", "Kansas")
they are never reported either. The text is padded with a space at either end so the first
and last word count too. A short form glued to an unusual character ("•Go") is not found:
the delimiters below are the usual ones.

The same pass also finds the cue phrases the tagger needs ("nice to have", "experience
with"), so a posting is scanned once.

Choosing among overlapping matches (longest first) and the case and context rules live in
tag.py and rules.py; this module only reports where forms occur.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from ahocorasick_rs import AhoCorasick, MatchKind

from jobstream_tagger.phrases import Phrase
from jobstream_tagger.taxonomy import Skill, Taxonomy

SHORT_FORM_CHARS: Final = 2
LEAD_PADDED_CHARS: Final = 4  # forms up to this long get a delimiter before them
_NONE, _LEAD, _BOTH = 0, 1, 2  # how a pattern is padded
# Characters that may stand either side of a short form: white space and usual punctuation.
DELIMITERS: Final = tuple(" \t\n\r\u00a0,;:./()[]<>|&-'\"!?*\u2019\u2022")
# Not before: "Vite.js" is not JavaScript, "R.E.M." not R.
_NOT_BEFORE: Final = frozenset(".")


@dataclass(frozen=True, slots=True)
class Form:
    """One surface form of a skill, with the rules that apply to it."""

    text: str
    skill: Skill
    case_sensitive: bool
    needs_context: bool
    common_word: bool

    @property
    def short(self) -> bool:
        return len(self.text) <= SHORT_FORM_CHARS

    # No rule applies: any case, anywhere (most forms). Stored, as it is asked per mention.
    plain: bool = field(init=False)
    # What follows the first word, lower-cased ("testing" of "unit testing"), or None.
    head: str | None = field(init=False)

    def __post_init__(self) -> None:
        rules = self.case_sensitive or self.needs_context or self.common_word
        object.__setattr__(self, "plain", not rules)
        words = self.text.lower().split(" ", 1)
        object.__setattr__(self, "head", words[1] if len(words) == 2 else None)


class Occurrence(NamedTuple):
    """A form found as a whole token at `text[start:end]`."""

    start: int
    end: int
    form: Form


class Found(NamedTuple):
    """What one pass found: form occurrences (by start, then end) and cue phrases."""

    occurrences: list[Occurrence]
    cues: list[Phrase]


class Matcher:
    """The automaton of a taxonomy's forms; build once per taxonomy, use from one thread."""

    def __init__(self, taxonomy: Taxonomy, cue_phrases: Iterable[str] = ()) -> None:
        forms: list[Form] = []
        patterns: list[str] = []
        owners: list[Form | str] = []  # pattern index -> its form, or its cue phrase
        padded: list[int] = []  # pattern index -> _NONE, _LEAD or _BOTH
        for skill in taxonomy:
            for text in skill.surface_forms:
                form = Form(
                    text=text,
                    skill=skill,
                    case_sensitive=text in skill.case_sensitive,
                    needs_context=text in skill.needs_context,
                    common_word=text in skill.common_words,
                )
                forms.append(form)
                key = lower_same_length(text)
                if form.short:
                    for before in DELIMITERS:
                        if before in _NOT_BEFORE:
                            continue
                        for after in DELIMITERS:
                            patterns.append(before + key + after)
                            owners.append(form)
                            padded.append(_BOTH)
                elif len(key) <= LEAD_PADDED_CHARS and key[0].isalnum():
                    for before in DELIMITERS:
                        patterns.append(before + key)
                        owners.append(form)
                        padded.append(_LEAD)
                else:
                    patterns.append(key)
                    owners.append(form)
                    padded.append(_NONE)
        for phrase in dict.fromkeys(phrase.lower() for phrase in cue_phrases):
            patterns.append(phrase)
            owners.append(phrase)
            padded.append(_NONE)
        self.forms: Final[Sequence[Form]] = tuple(forms)
        # Lower-cased form -> form, for rules that build a form from words ("unit" + "testing").
        self.by_key: Final[Mapping[str, Form]] = {
            lower_same_length(form.text): form for form in forms
        }
        self.pattern_count: Final = len(patterns)
        self._owners = owners
        self._padded = padded
        self._automaton = AhoCorasick(patterns, matchkind=MatchKind.Standard) if patterns else None

    def find(self, text: str, lowered: str | None = None) -> list[Occurrence]:
        """Every whole-token occurrence of a form, by start, then end (longest last)."""
        return self.scan(text, lowered).occurrences

    def scan(self, text: str, lowered: str | None = None) -> Found:
        """Form occurrences and cue phrases, whole tokens only, in one pass.

        `lowered` is `lower_same_length(text)`, when the caller has it already.
        """
        if self._automaton is None or not text:
            return Found([], [])
        haystack = " " + (lower_same_length(text) if lowered is None else lowered) + " "
        owners, padded = self._owners, self._padded
        found: list[Occurrence] = []
        cues: list[Phrase] = []
        for pattern, start, end in self._automaton.find_matches_as_indexes(
            haystack, overlapping=True
        ):
            owner = owners[pattern]
            padding = padded[pattern]
            # Haystack offsets are one more than text offsets (the leading space); the
            # delimiters of a padded pattern are part of its match, the form within them.
            if padding == _BOTH:
                found.append(Occurrence(start, end - 2, owner))  # type: ignore[arg-type]
                continue
            after = haystack[end]
            if after.isalnum() or after == "_":
                continue
            if padding == _LEAD:
                found.append(Occurrence(start, end - 1, owner))  # type: ignore[arg-type]
                continue
            before = haystack[start - 1]
            if before.isalnum() or before == "_":
                continue
            if isinstance(owner, str):
                cues.append(Phrase(owner, start - 1, end - 1))
            else:
                found.append(Occurrence(start - 1, end - 1, owner))
        found.sort(key=_START_END)  # by start, then end: the longest last at each start
        cues.sort()
        return Found(found, cues)


_START_END: Final = operator.itemgetter(0, 1)


def lower_same_length(text: str) -> str:
    """Lower-cased text of the same length, so offsets carry over to the original.

    A few characters lower-case to two ("İ" -> "i̇"); those are kept as they are.
    """
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(char if len(low := char.lower()) != 1 else low for char in text)
