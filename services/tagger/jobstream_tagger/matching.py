"""Finding the taxonomy's surface forms in text: one Aho-Corasick pass (ahocorasick-rs).

Every form is put in one automaton, lower-cased, and the text is lower-cased once; a single
pass finds every occurrence of every form, overlapping ones included, in time proportional to
the text (not to the number of forms). Only occurrences that are whole tokens are kept: the
characters either side must not be letters, digits or "_", so "Java" does not match inside
"JavaScript" and "C#" matches in "C#/.NET".

Forms of one or two characters ("Go", "R", "C#", "AI") would otherwise match inside most words
and cost a check each; they go into the automaton padded with a delimiter on both sides
(" go,", "(r)", "/c# "), so only whole-token occurrences are ever reported. The text is padded
with a space at either end so the first and last word count too. A short form glued to an
unusual character ("•Go") is not found: the delimiters below are the usual ones.

Choosing among overlapping matches (longest first) and the case and context rules live in
tag.py and rules.py; this module only reports where forms occur.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

from ahocorasick_rs import AhoCorasick, MatchKind

from jobstream_tagger.taxonomy import Skill, Taxonomy

SHORT_FORM_CHARS: Final = 2
# Characters that may stand either side of a short form: white space and usual punctuation.
DELIMITERS: Final = tuple(
    " \t\n\r\f\v\u00a0\u2002\u2003\u2009,;:.!?/\\|()[]{}<>\"'`*&+-=~"
    "\u2018\u2019\u201c\u201d\u2013\u2014\u2022\u00b7"
)


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


class Occurrence(NamedTuple):
    """A form found as a whole token at `text[start:end]`."""

    start: int
    end: int
    form: Form


class Matcher:
    """The automaton of a taxonomy's forms; build once per taxonomy, use from one thread."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        forms: list[Form] = []
        patterns: list[str] = []
        owners: list[int] = []  # pattern index -> form index
        padded: list[bool] = []  # pattern index -> has a delimiter either side
        for skill in taxonomy:
            for text in skill.surface_forms:
                form = Form(
                    text=text,
                    skill=skill,
                    case_sensitive=text in skill.case_sensitive,
                    needs_context=text in skill.needs_context,
                    common_word=text in skill.common_words,
                )
                index = len(forms)
                forms.append(form)
                key = _lower(text)
                if form.short:
                    for before in DELIMITERS:
                        for after in DELIMITERS:
                            patterns.append(before + key + after)
                            owners.append(index)
                            padded.append(True)
                else:
                    patterns.append(key)
                    owners.append(index)
                    padded.append(False)
        self.forms: Final[Sequence[Form]] = tuple(forms)
        self.pattern_count: Final = len(patterns)
        self._owners = owners
        self._padded = padded
        self._automaton = AhoCorasick(patterns, matchkind=MatchKind.Standard) if patterns else None

    def find(self, text: str) -> list[Occurrence]:
        """Every whole-token occurrence of a form, in order of start (longest first)."""
        if self._automaton is None or not text:
            return []
        haystack = " " + _lower(text) + " "
        forms, owners, padded = self.forms, self._owners, self._padded
        found = []
        for pattern, start, end in self._automaton.find_matches_as_indexes(
            haystack, overlapping=True
        ):
            if padded[pattern]:
                # The delimiters are part of the match; the form lies within them.
                found.append(Occurrence(start, end - 2, forms[owners[pattern]]))
                continue
            before, after = haystack[start - 1], haystack[end]
            if (before.isalnum() or before == "_") or (after.isalnum() or after == "_"):
                continue
            # Haystack offsets are one more than text offsets (the leading space).
            found.append(Occurrence(start - 1, end - 1, forms[owners[pattern]]))
        found.sort(key=lambda occurrence: (occurrence.start, -occurrence.end))
        return found


def _lower(text: str) -> str:
    """Lower-cased text of the same length, so offsets carry over to the original.

    A few characters lower-case to two ("İ" -> "i̇"); those are kept as they are.
    """
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(char if len(low := char.lower()) != 1 else low for char in text)
