"""Years of experience asked for: "5+ years", "a minimum of 5 years", "3-5 years",
"8+ years in software development", "two years of full-time experience", "up to 2 years".

A number of years counts only when the words around it are about experience ("experience",
"background", "in software development" after a "5+"), so "for the next two years" and "over
20 years in business" do not. The first mention in the requirements wins; mentions in preferred
sections, the company description, benefits and legal text come last.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from jobstream_parser.document import Document
from jobstream_parser.sections import SectionIndex

MAX_MENTIONS: Final = 200
WINDOW: Final = 80

_WORDS: Final = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "dois": 2, "três": 3, "cinco": 5, "dos": 2,
    "tres": 3, "deux": 2, "trois": 3, "cinq": 5, "un": 1, "une": 1,
}  # fmt: skip
_N: Final = r"\d{1,2}(?:[.,]5)?|" + "|".join(_WORDS)
# "one (1) year", and "(1) year" alone ("you must have one at least (1) year", 0.3.28)
_NUMBER: Final = rf"(?:(?:{_N})(?:[ ]?\(\d{{1,2}}\))?|\(\d{{1,2}}\))"
_YEARS: Final = r"(?:years?|yrs?|jahren?|jahre|anos?|años?|ans|an)\b"
_MONTHS: Final = r"(?:months?|mois|meses|monaten?)\b"
_MENTION: Final = re.compile(
    rf"(?<![\w.])(?:"
    rf"(?P<range_min>{_NUMBER})[ ]?(?:-|\u2013|\u2014|to|bis|a|à)[ ]?"
    rf"(?P<range_max>{_NUMBER})[ ]?\+?[ ]?"
    rf"{_YEARS}"
    rf"|(?P<plus>{_NUMBER})[ ]?\+[ ]?{_YEARS}"
    rf"|(?:a minimum of|minimum of|minimum|at least|no less than|not less than|mindestens"
    rf"|mínimo de|no mínimo|al menos|au moins|over|more than|más de|mais de)[ ]"
    rf"(?P<at_least>{_NUMBER})[ ]?\+?[ ]?{_YEARS}"
    rf"|(?:up to|maximum of|bis zu|até)[ ](?P<up_to>{_NUMBER})[ ]?{_YEARS}"
    rf"|(?P<plain>{_NUMBER})[ ]?{_YEARS}"
    rf"|(?P<months>{_NUMBER})[ ]?{_MONTHS}"
    rf")",
    re.IGNORECASE,
)
_CUE: Final = re.compile(
    r"experien|erfahrung|experiência|expérience|background|track record|hands-on"
    r"|berufserfahrung|\bas an? [a-z ]{0,40}(?:engineer|developer|analyst|manager|nurse)",
    re.IGNORECASE,
)
# After "5+ years": what makes it about experience even without the word.
_FIELD_AFTER: Final = re.compile(
    r"[ ]?(?:of|in|with|as|building|developing|designing|working|using|doing|writing|leading"
    r"|managing|programming|professional|relevant|related|hands|industry|commercial|software"
    r"|backend|frontend|full-time|paid|production)\b",
    re.IGNORECASE,
)
_NOT_EXPERIENCE: Final = re.compile(
    r"(?:for the|within the|in the|over the|during the|every|since|founded|ago|than|next|last"
    r"|past|after|age|aged|old)[ ]?$",
    re.IGNORECASE,
)
_SENTENCE_END: Final = re.compile(r"[.;!?]")
# No experience needed, stated: 0 years ("Débutant accepté", "sin experiencia", "no experience
# required", "new grads welcome").
_NONE_NEEDED: Final = re.compile(
    r"d[ée]butants? (?:sont |est )?accept[ée]s?|sin experiencia|sem experiência"
    r"|no (?:prior |previous )?experience (?:is )?(?:required|necessary|needed)"
    r"|new grads? (?:ok|welcome)|keine (?:berufs)?erfahrung (?:nötig|erforderlich)"
    # "Não precisa de experiência", "NO ES NECESARIO EXPERIENCIA PREVIA", "sense experiència",
    # "aucune expérience requise" (0.3.28)
    r"|não (?:é )?(?:precisa|necessári[oa]|exige)(?: ter)?(?: de)? experiência"
    r"|no (?:es )?(?:necesari[oa]|se requiere|se necesita|requiere)(?: tener)? experiencia"
    r"|sense experiència|aucune expérience (?:n'est )?(?:requise|exigée|nécessaire)",
    re.IGNORECASE,
)
_LATE_KINDS: Final = frozenset({"preferred", "about_company", "benefits", "legal"})


class FoundExperience(NamedTuple):
    minimum: float | None
    maximum: float | None
    span: tuple[int, int]


def find_experience(document: Document, sections: SectionIndex) -> FoundExperience | None:
    """The first years asked for (the requirements' first); 0 where the text says that none
    are needed before any figure."""
    found = _years(document, sections)
    none_needed = _none_needed(document)
    if none_needed is not None and (found is None or none_needed.span[0] < found.span[0]):
        return none_needed
    return found


def _none_needed(document: Document) -> FoundExperience | None:
    # The pattern runs only on texts holding one of its literal words (anchors.NONE_NEEDED_WORDS).
    if not document.mentions("no_experience"):
        return None
    match = _NONE_NEEDED.search(document.text)
    return FoundExperience(0.0, None, match.span()) if match is not None else None


def _years(document: Document, sections: SectionIndex) -> FoundExperience | None:
    early: FoundExperience | None = None
    late: FoundExperience | None = None
    for count, match in enumerate(document.scan(_MENTION, "experience", back=40, ahead=20)):
        if count >= MAX_MENTIONS:
            break
        found = _judge(document, match)
        if found is None:
            continue
        kind = sections.kind_at(match.start())
        if kind == "requirements":
            return found
        if kind in _LATE_KINDS:
            late = late or found
        else:
            early = early or found
    return early or late


def _judge(document: Document, match: re.Match[str]) -> FoundExperience | None:
    text = document.text
    start, end = match.span()
    line_start = text.rfind("\n", max(0, start - WINDOW), start) + 1
    before = max(line_start, start - WINDOW)  # where the words before the mention start
    after_end = text.find("\n", end, end + WINDOW)
    after = text[end : after_end if after_end >= 0 else end + WINDOW]
    sentence_after = _SENTENCE_END.split(after, maxsplit=1)[0]
    if document.find(_NOT_EXPERIENCE, before, start):
        return None
    cue = (
        document.find(_CUE, end, end + len(sentence_after)) is not None
        or document.find(_CUE, before, start) is not None
    )
    strong_form = match.group("plus") or match.group("range_min")
    if not cue and not (strong_form and _FIELD_AFTER.match(after)):
        return None
    minimum = _value(match.group("range_min") or match.group("plus") or match.group("at_least"))
    minimum = minimum if minimum is not None else _value(match.group("plain"))
    months = _value(match.group("months"))
    if months is not None:
        minimum = round(months / 12, 2)
    maximum = _value(match.group("range_max") or match.group("up_to"))
    if minimum is not None and maximum is not None and maximum < minimum:
        return None
    if (minimum or 0) > 40 or (maximum or 0) > 40:
        return None
    return FoundExperience(minimum, maximum, (start, end))


def _value(text: str | None) -> float | None:
    if not text:
        return None
    word = text.split("(")[0].strip().lower() or text.strip(" ()")
    if word in _WORDS:
        return float(_WORDS[word])
    return float(word.replace(",", "."))
