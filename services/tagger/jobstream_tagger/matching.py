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

Speed: a found form is a plain tuple `(start, end, form)`, not an object: a 4 KB posting has
some forty raw matches, and the tagger is meant to tag thousands of postings a second.

Choosing among overlapping matches (longest first) and the case and context rules live in
tag.py and rules.py; this module only reports where forms occur.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, NamedTuple, TypeAlias

from ahocorasick_rs import AhoCorasick, Implementation, MatchKind

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
    case_sensitive: bool = False
    needs_context: bool = False
    common_word: bool = False
    # What follows the first word, lower-cased ("testing" of "unit testing"), when another
    # form shares it ("integration testing"): only then can coordinated words name a skill
    # ("unit and integration testing"). None otherwise (most forms).
    head: str | None = None

    # No rule applies: any case, anywhere (most forms). Stored, as it is asked per mention.
    plain: bool = field(init=False)

    def __post_init__(self) -> None:
        rules = self.case_sensitive or self.needs_context or self.common_word
        object.__setattr__(self, "plain", not rules)

    @property
    def short(self) -> bool:
        return len(self.text) <= SHORT_FORM_CHARS


# A form found as a whole token at `text[start:end]`: (start, end, form). A plain tuple, as
# the matcher makes one per raw match.
Hit: TypeAlias = tuple[int, int, Form]


class Found(NamedTuple):
    """What one pass found: form hits (by start, then end) and cue phrases."""

    hits: list[Hit]
    cues: list[Phrase]


class Matcher:
    """The automaton of a taxonomy's forms; build once per taxonomy, use from one thread."""

    def __init__(self, taxonomy: Taxonomy, cue_phrases: Iterable[str] = ()) -> None:
        texts = [text for skill in taxonomy for text in skill.surface_forms]
        heads = Counter(_head(text) for text in texts)
        forms: list[Form] = []
        # The patterns, in three runs by how they are padded (both sides, before only, not
        # at all), then the cue phrases: a pattern's index says how to read its match.
        runs: tuple[list[str], list[str], list[str]] = ([], [], [])
        owners: tuple[list[Form], list[Form], list[Form]] = ([], [], [])
        for skill in taxonomy:
            for text in skill.surface_forms:
                head = _head(text)
                form = Form(
                    text=text,
                    skill=skill,
                    case_sensitive=text in skill.case_sensitive,
                    needs_context=text in skill.needs_context,
                    common_word=text in skill.common_words,
                    head=head if head is not None and heads[head] > 1 else None,
                )
                forms.append(form)
                key = lower_same_length(text)
                if form.short:
                    padded = [
                        before + key + after
                        for before in DELIMITERS
                        if before not in _NOT_BEFORE
                        for after in DELIMITERS
                    ]
                    kind = _BOTH
                elif len(key) <= LEAD_PADDED_CHARS and key[0].isalnum():
                    padded = [before + key for before in DELIMITERS]
                    kind = _LEAD
                else:
                    padded = [key]
                    kind = _NONE
                runs[kind].extend(padded)
                owners[kind].extend([form] * len(padded))
        phrases = list(dict.fromkeys(phrase.lower() for phrase in cue_phrases))
        patterns = [*runs[_BOTH], *runs[_LEAD], *runs[_NONE], *phrases]
        self._both_end = len(runs[_BOTH])
        self._lead_end = self._both_end + len(runs[_LEAD])
        self._forms_end = self._lead_end + len(runs[_NONE])
        self._owners: Sequence[Form | str] = (
            *owners[_BOTH],
            *owners[_LEAD],
            *owners[_NONE],
            *phrases,
        )
        self.forms: Final[Sequence[Form]] = tuple(forms)
        # Lower-cased form -> form, for rules that build a form from words ("unit" + "testing").
        self.by_key: Final[Mapping[str, Form]] = {
            lower_same_length(form.text): form for form in forms
        }
        self.pattern_count: Final = len(patterns)
        # Lower-casing only ASCII letters is enough when no pattern has a letter outside ASCII
        # that has case (true of O*NET and the curated layer; a few forms have a right quote,
        # which has no case): a capital "É" in a posting then stays "É", which no pattern
        # could match anyway.
        # How `scan` lowers a text (`lower`, for a caller that lowers it once for others too).
        self.lower: Callable[[str], str] = (
            ascii_lower
            if all(char.isascii() or not _cased(char) for key in patterns for char in key)
            else lower_same_length
        )
        # A contiguous NFA: about as fast here as a DFA (which scans a 4 KB posting some
        # 10 % faster alone, but is 100 MB to this one's 7 and crowds the CPU caches).
        self._automaton = (
            AhoCorasick(
                patterns,
                matchkind=MatchKind.Standard,
                implementation=Implementation.ContiguousNFA,
            )
            if patterns
            else None
        )

    def find(self, text: str, lowered: str | None = None) -> list[Hit]:
        """Every whole-token occurrence of a form, by start, then end (longest last)."""
        return self.scan(text, lowered).hits

    def scan(self, text: str, lowered: str | None = None) -> Found:
        """Form hits and cue phrases, whole tokens only, in one pass.

        `lowered` is `lower_same_length(text)`, when the caller has it already.
        """
        if self._automaton is None or not text:
            return Found([], [])
        if lowered is None:
            lowered = self.lower(text)
        if "\x92" in lowered:
            # Windows-1252's right quote read as Latin-1 ("Master\x92s degree"): an apostrophe.
            lowered = lowered.replace("\x92", "\u2019")
        haystack = " " + lowered + " "
        owners = self._owners
        both_end, lead_end, forms_end = self._both_end, self._lead_end, self._forms_end
        hits: list[Hit] = []
        cues: list[Phrase] = []
        for pattern, start, end in self._automaton.find_matches_as_indexes(
            haystack, overlapping=True
        ):
            # Haystack offsets are one more than text offsets (the leading space); the
            # delimiters of a padded pattern are part of its match, the form within them.
            if pattern < both_end:
                hits.append((start, end - 2, owners[pattern]))  # type: ignore[arg-type]
                continue
            after = haystack[end]
            if after.isalnum() or after == "_":
                continue
            if pattern < lead_end:
                hits.append((start, end - 1, owners[pattern]))  # type: ignore[arg-type]
                continue
            before = haystack[start - 1]
            if before.isalnum() or before == "_":
                continue
            if pattern < forms_end:
                hits.append((start - 1, end - 1, owners[pattern]))  # type: ignore[arg-type]
            else:
                cues.append(Phrase(owners[pattern], start - 1, end - 1))  # type: ignore[arg-type]
        hits.sort(key=_START_END)  # by start, then end: the longest last at each start
        cues.sort(key=_CUE_ORDER)  # in text order, as the sections expect them
        return Found(hits, cues)


_START_END: Final = operator.itemgetter(0, 1)
_CUE_ORDER: Final = operator.itemgetter(1, 2)  # a Phrase's start, then end


def _head(text: str) -> str | None:
    words = text.lower().split(" ", 1)
    return words[1] if len(words) == 2 else None


def _cased(char: str) -> bool:
    return char.lower() != char or char.upper() != char


def ascii_lower(text: str) -> str:
    """`text` with its ASCII letters lower-cased, every other character as it is.

    On text that is not all ASCII (a "·" or "€" is enough) str.lower() is slow, some 3 µs per
    KB; lowering the ASCII letters of the UTF-8 bytes takes a fifth of that (every byte of a
    multi-byte UTF-8 character is >= 0x80, so bytes.lower() leaves them alone).
    """
    if text.isascii():
        return text.lower()
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


def lower_same_length(text: str) -> str:
    """Lower-cased text of the same length, so offsets carry over to the original.

    A few characters lower-case to two ("İ" -> "i̇"); those are kept as they are.
    """
    if text.isascii():
        return text.lower()
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(char if len(low := char.lower()) != 1 else low for char in text)
