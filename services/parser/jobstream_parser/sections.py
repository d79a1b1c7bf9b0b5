"""Sections: summary, responsibilities, requirements, preferred, benefits, about the company and
legal text, found from their headings in their many spellings.

A heading is a line of its own ("Nice to haves", "Must Haves (Required Skills):", "DUTIES") or
a label that starts a line ("Responsibilities: Architect ..."). A section runs from its heading
to the next heading. Headings of other parts ("How to apply", "SELECTION PROCESS", "Location:")
end the section before them without starting one. Legal text (equal opportunity, privacy
notices) is a section of its own even without a heading: its wording gives it away.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Final, NamedTuple, cast

from ahocorasick_rs import AhoCorasick, Implementation, MatchKind

from jobstream.contracts import SectionKind
from jobstream_parser.document import Document, Line, is_bullet
from jobstream_parser.heads import literal_heads, search
from jobstream_parser.line_cache import LINE_CACHE_SIZE, MAX_CACHED_LINE_CHARS

MAX_HEADING_CHARS: Final = 70
MAX_HEADING_WORDS: Final = 9
MAX_LABEL_CHARS: Final = 40
MAX_LABEL_WORDS: Final = 5
MAX_STRONG_LABEL_WORDS: Final = 3
MAX_LEGAL_LINE_CHARS: Final = 1_500
# Legal paragraphs (up to MAX_LEGAL_LINE_CHARS each) whose reading is kept.
LEGAL_CACHE_SIZE: Final = 1_024

# Tried in this order: "Preferred qualifications" is preferred, not requirements; "About the
# role" is the summary, "About you" the requirements, "About Acme" the company.
_KINDS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        (
            "preferred",
            r"prefer|nice[- ]to[- ]haves?|good[- ]to[- ]haves?|bonus|pluses|\bplus\b|desired"
            r"|desirable|would be (?:great|nice)|extra credit|even better|diferencia|desejáve"
            r"|wünschenswert|von vorteil|atouts|un plus|deseable|valorable|se valora|optional",
        ),
        (
            "legal",
            r"equal (?:employment )?opportunit|\beeo\b|\bprivacy|disclaimer|\blegal\b"
            r"|accommodation|e-verify|discriminat|affirmative action|diversity",
        ),
        (
            "summary",
            r"about (?:the|this) (?:role|job|position|opportunity|vacancy)|sobre a vaga"
            r"|sobre o cargo|sobre la vacante|über die stelle|à propos du poste",
        ),
        (
            "requirements",
            r"requirement|qualification|must[- ]haves?|\brequired|what you(?:'ll)? bring"
            r"|what you(?:'ll)? need|looking for|who you are|about you|your profile|\bprofile"
            r"|\bskills|\bexperience|what it takes|you have|requisitos|perfil|profil"
            r"|qualifikation|mitbringst|mitbringen|compétences|competencias|exigences"
            r"|\bminimum|knowledge|eligibility",
        ),
        (
            "about_company",
            r"about (?:us|the company|the team|our company|our team)|about [a-z0-9]"
            r"|who we are|our (?:company|story|mission|culture)"
            r"|company (?:overview|description|profile|info)|über uns|sobre (?:nós|nos|a empresa"
            r"|nosotros|la empresa)|qui sommes|à propos de nous|l'entreprise|the company"
            r"|das unternehmen|quem somos|quiénes somos",
        ),
        (
            "benefits",
            r"benefit|perks|what we offer|we offer|our offer|why (?:join|work|you'll love)"
            r"|compensation|\bsalary|\bpay\b|wir bieten|unser angebot|benefícios|beneficios"
            r"|avantages|nous offrons|ce que nous|o que oferecemos|ofrecemos|in it for you"
            r"|rewards|vergütung",
        ),
        (
            "responsibilities",
            r"responsibilit|duties|what you(?:'ll| will) (?:do|be doing|work on)|your role"
            r"|your impact|the work\b|day[- ]to[- ]day|scope|tasks|aufgaben|responsabilidades"
            r"|atividades|atribuições|missions?\b|funciones|in this role|accountabilit",
        ),
        (
            "summary",
            r"summary|overview|description|the role|the opportunity|\brole\b|\bposition\b"
            r"|introduction|descripción|le poste|the job|purpose|resumo|resumen|beschreibung",
        ),
        (
            "other",
            r"apply|application|process|deadline|\bnotes?\b|selection|examination|interview"
            r"|next steps|contact|location|schedule|shift|hours|\btype\b|seniority|industr"
            r"|function|class code|open date|posted|details|information|\bnotice\b|\bdate\b"
            r"|standort|localização|ubicación|lieu\b|branche\b",
        ),
    )
)


def _head_automaton() -> tuple[AhoCorasick, tuple[frozenset[int], ...], frozenset[int]]:
    """An automaton of the literal heads of every kind's alternatives; for each head, the
    kinds (indexes into `_KINDS`) that have it; and the kinds with an alternative that has no
    head (they are always tried)."""
    kinds_of: dict[str, set[int]] = {}
    headless: set[int] = set()
    for index, (_, pattern) in enumerate(_KINDS):
        heads = literal_heads(pattern.pattern)
        if heads is None:
            headless.add(index)
        for head in heads or []:
            kinds_of.setdefault(head, set()).add(index)
    automaton = AhoCorasick(
        list(kinds_of), matchkind=MatchKind.Standard, implementation=Implementation.DFA
    )
    return automaton, tuple(frozenset(kinds) for kinds in kinds_of.values()), frozenset(headless)


# A kind whose heads (heads.py) are not in a label cannot match it. One Aho-Corasick pass over
# a label finds the kinds worth trying; `re` would try each of the 150 words at every position
# (a `\\b` before a word rules out its fast scan), which costs microseconds a line.
_HEADS, _KINDS_OF_HEAD, _HEADLESS_KINDS = _head_automaton()


# Words a heading without a colon may start with ("Key responsibilities", "What you bring").
_STARTERS: Final = frozenset(
    {
        "key", "core", "main", "your", "our", "the", "job", "position", "role", "required",
        "minimum", "basic", "preferred", "additional", "what", "who", "why", "about", "must",
        "nice", "good", "bonus", "desired", "company", "general", "essential", "primary",
        "full", "ideal", "de", "ihr", "ihre", "dein", "deine", "vos", "tus", "sus", "o", "a",
        "os", "as", "nos", "nosso", "nossa", "sobre", "über", "was", "wir", "ce", "le", "la",
        "les", "votre", "ton", "seu", "sua", "it",
    }
)  # fmt: skip
# A line of its own that is only one of these words is a heading; a longer line starting with
# one ("Experience with Kafka") is content.
_BARE_ONLY: Final = frozenset({"experience", "skills", "knowledge", "minimum", "profile"})
_LEGAL_TEXT: Final = re.compile(
    r"equal (?:employment )?opportunity|do(?:es)? not discriminate|never discriminate"
    r"|without regard to|protected veteran|privacy (?:notice|policy)|affirmative action"
    r"|e-verify|reasonable accommodation|diverse and inclusive workforce"
    r"|discriminat(?:e|ion) (?:on the basis|based on|against)|chancengleich"
    r"|igualdade de oportunidades|igualdad de oportunidades|égalité des chances",
    re.IGNORECASE,
)
_LABEL: Final = re.compile(r"([^:\n]{2,40}):[ ]?(?=\S)")
_ASCII_DIGIT: Final = re.compile("[0-9]")


class Heading(NamedTuple):
    kind: str  # a SectionKind, or "other" for a heading that ends a section only
    text: str
    body_start: int


class FoundSection(NamedTuple):
    kind: SectionKind
    heading: str | None
    start: int
    end: int


def heading_of(line: Line) -> Heading | None:
    """The heading this line is or starts with, if any."""
    text = line.text
    found = _heading_in_cached(text) if len(text) <= MAX_CACHED_LINE_CHARS else _heading_in(text)
    if found is None:
        return None
    kind, heading, body = found
    return Heading(kind, heading, line.start + body)


def _heading_in(text: str) -> tuple[str, str, int] | None:
    """`heading_of` for a line's text: the kind, the heading's text and where the body starts
    (an offset into the line)."""
    first = text[0]
    if first in "([\"'" or (
        (first == "-" or "a" <= first <= "z" or first.isdecimal()) and is_bullet(text)
    ):
        return None
    if len(text) <= MAX_HEADING_CHARS and text[-1] not in ".!?;,":
        words = text.split()
        if len(words) <= MAX_HEADING_WORDS:
            label = text[:-1].rstrip() if text.endswith(":") else text
            # An ASCII label with a small letter is not in capitals: no need to look closer.
            strong = text.endswith(":") or (
                (label.isupper() or not label.isascii()) and _is_capitals(label)
            )
            kind = _kind(label, strong=strong)
            if kind is not None:
                return kind, text, len(text)
    # A label is 2 to 40 characters before the line's first colon: most lines have none there.
    colon = text.find(":", 0, MAX_LABEL_CHARS + 1)
    label_match = _LABEL.match(text) if colon >= 2 else None
    if label_match is not None:
        label = label_match.group(1).strip()
        count = len(label.split())
        if count <= MAX_LABEL_WORDS:
            # "Work Location: In person", "Salary: ...": a short label is a heading's words.
            kind = _kind(label, strong=count <= MAX_STRONG_LABEL_WORDS or _is_capitals(label))
            if kind is not None:
                return kind, label, label_match.end()
    return None


# Postings of one employer or board repeat their headings and boilerplate lines (most lines of
# the LA bulletins are in several of them), and what a line is depends on its text alone: each
# distinct line is read once, a repeat costs a dictionary look-up.
_heading_in_cached: Final = lru_cache(maxsize=LINE_CACHE_SIZE)(_heading_in)


@lru_cache(maxsize=LEGAL_CACHE_SIZE)
def _is_legal_text(line: str) -> bool:
    """A paragraph of legal text by its wording (an equal opportunity statement, a privacy
    notice): employers repeat theirs in every posting, so each distinct one is read once."""
    return search(_LEGAL_TEXT, line) is not None


def find_sections(document: Document) -> list[FoundSection]:
    text = document.text
    found: list[FoundSection] = []
    current: tuple[str, str | None, int] | None = None  # kind, heading, body start
    legal_lines = {line.start for line in document.lines_for("legal")}
    by_wording = False  # the current section is legal text without a heading

    def close(at: int) -> None:
        if current is None:
            return
        kind, heading, start = current
        # The body without the white space around it (as str.strip, without copying it).
        while start < at and text[start].isspace():
            start += 1
        while at > start and text[at - 1].isspace():
            at -= 1
        if at > start:
            found.append(FoundSection(cast(SectionKind, kind), heading, start, at))

    for line in document.lines:
        heading = heading_of(line)
        if heading is not None:
            is_label = heading.body_start < line.end
            if is_label and current is not None and current[0] == heading.kind:
                continue  # "Professional Experience: ..." inside requirements: no new section
            close(line.start)
            current = None
            by_wording = False
            if heading.kind != "other":
                current = (heading.kind, heading.text.rstrip(":").rstrip(), heading.body_start)
            continue
        # A paragraph, not a whole posting pasted onto one line, is legal text by its wording.
        legal = (
            line.start in legal_lines
            and len(line.text) <= MAX_LEGAL_LINE_CHARS
            and _is_legal_text(line.text)
        )
        if legal and (current is None or current[0] != "legal"):
            close(line.start)
            current, by_wording = ("legal", None, line.start), True
        elif not legal and by_wording:
            close(line.start)
            current, by_wording = None, False
    close(len(text))
    return found


def _has_digit(label: str) -> bool:
    if label.isascii():  # the common case: a search at C speed
        return _ASCII_DIGIT.search(label) is not None
    return any(char.isdigit() for char in label)


def _is_capitals(label: str) -> bool:
    """Three letters or more, all capitals (a loop that stops at the first small letter)."""
    letters = 0
    for char in label:
        if char.isalpha():
            if not char.isupper():
                return False
            letters += 1
    return letters >= 3


def _kind(label: str, *, strong: bool, capitals: bool = True) -> str | None:
    """The section kind a heading's words name; None when they are not a heading.
    `capitals`: a strong label in capitals is a heading ("other") whatever its words."""
    if not strong and not label[:1].isupper():
        return None  # what the first kind found would say (below), found or not
    lowered = label.lower().replace("\u2019", "'")
    candidates = candidate_kinds(lowered)
    if not candidates:
        return "other" if capitals and strong and _is_capitals(label) else None
    for index in sorted(candidates):
        kind, pattern = _KINDS[index]
        match = pattern.search(lowered)
        if match is None:
            continue
        if strong:
            return kind
        if kind == "other" or _has_digit(label):
            return None
        first = lowered.split(None, 1)[0].strip("'\u2019")
        if first in _BARE_ONLY and lowered != first:
            return None
        if match.start() == 0 or first in _STARTERS:
            return kind
        return None
    return "other" if capitals and strong and _is_capitals(label) else None


_OTHER: Final = next(pattern for kind, pattern in _KINDS if kind == "other")


def names_a_section(label: str) -> bool:
    """`label` reads as a heading by its words ("ANNUAL SALARY", "Ihre Aufgaben"), as
    `heading_of` reads a line; capitals alone ("CEMENT FINISHER") make no heading here."""
    if not label or len(label) > MAX_HEADING_CHARS or len(label.split()) > MAX_HEADING_WORDS:
        return False
    strong = label.endswith(":") or (
        (label.isupper() or not label.isascii()) and _is_capitals(label)
    )
    label = label.rstrip(":")
    kind = _kind(label, strong=strong, capitals=False)
    if kind == "other":
        # The loosest kind's words ("industr", "process", "contact") head a heading
        # ("SELECTION PROCESS" no, "APPLICATION PROCESS" yes) only from its start:
        # "MONTADOR AJUSTADOR DE MAQUINARIA INDUSTRIAL" is a title.
        return _OTHER.match(label.lower()) is not None
    return kind is not None


def candidate_kinds(lowered: str) -> set[int]:
    """The kinds (indexes into `_KINDS`) whose patterns may match a lower-cased label."""
    candidates = set(_HEADLESS_KINDS)
    for head, _, _ in _HEADS.find_matches_as_indexes(lowered, overlapping=True):
        candidates.update(_KINDS_OF_HEAD[head])
    return candidates


class SectionIndex:
    """Which section kind holds an offset (sections never overlap)."""

    def __init__(self, sections: list[FoundSection]) -> None:
        self._sections = sections
        self._starts = [section.start for section in sections]

    def kind_at(self, offset: int) -> SectionKind | None:
        index = bisect.bisect_right(self._starts, offset) - 1
        if index >= 0 and offset < self._sections[index].end:
            return self._sections[index].kind
        return None

    def has(self, kind: SectionKind) -> bool:
        return any(section.kind == kind for section in self._sections)
