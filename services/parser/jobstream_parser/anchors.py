"""One pass over a posting finds every line worth a closer look, for every extractor.

Python's `re` tries each branch of a big alternation at every position, so a dozen scans of a
4 KB posting with word lists cost milliseconds. Instead one Aho-Corasick pass (ahocorasick-rs,
a DFA in Rust, also the tagger's matcher) finds all the anchor words of all extractors in the
lower-cased text, and each extractor runs its exact pattern only on the lines that hold one of
its anchors. An anchor is a cheap, loose gate: the patterns still decide.
"""

from __future__ import annotations

from typing import Final

from ahocorasick_rs import AhoCorasick, Implementation, MatchKind

# The ISO 4217 codes money.py reads (in lower case here, as anchors are).
CURRENCY_CODES: Final = (
    "usd", "eur", "gbp", "cad", "aud", "nzd", "chf", "sek", "nok", "dkk", "pln", "czk", "huf",
    "ron", "bgn", "inr", "jpy", "cny", "rmb", "brl", "mxn", "zar", "sgd", "hkd", "ils", "try",
    "krw", "php", "aed", "ars", "clp", "cop", "pen", "ngn", "kes", "egp", "idr", "myr", "thb",
    "vnd", "twd", "sar", "qar", "uah", "rub",
)  # fmt: skip
# The literal words of experience.py's "no experience needed" pattern (lower case).
NONE_NEEDED_WORDS: Final = (
    "débutant", "debutant", "sin experiencia", "sem experiência", "experience is",
    "experience required", "experience necessary", "experience needed", "new grad", "keine",
    "de experiência", "precisa experiência", "necesario experiencia", "necesaria experiencia",
    "requiere experiencia", "necesita experiencia", "tener experiencia", "sense experiència",
    "aucune expérience",
)  # fmt: skip
ANCHORS: Final[dict[str, tuple[str, ...]]] = {
    "employment": (
        "time", "contract", "intern", "temp", "perm", "freelanc", "volunt", "diem", "prn",
        "seasonal", "fixed", "1099", "clt", "cdi", "cdd", "teilzeit", "vollzeit", "festanst",
        "befrist", "integral", "jornada", "tiempo", "temps", "stage", "prakt", "estág", "estag",
        "práct", "pasant", "werkstud", "altern", "minijob", "período", "parcial", "c2h", "pj",
        "indefinido", "werkvertrag", "bénévol", "voluntár", "ehrenamt", "interim", "temporár",
        "intérim", "durée", "saisonn", "interin", "appointment", "exceed", "month", "completa",
        "masterarbeit", "bachelorarbeit", "abschlussarbeit", "bachelor-", "duration", "contrato",
        "lehrstelle", "durada", "duración",
    ),
    "work_mode": (
        "remot", "hybrid", "híbrid", "hibrid", "site", "in person", "in-person", "office",
        "home", "wfh", "telecommut", "telework", "télétravail", "teletrabajo", "presencial",
        "présentiel", "vor ort", "anywhere", "casa", "virtual", "mobiles arbeiten",
        "teletreball",
    ),
    "salary": (
        "$", "€", "£", "¥", "₹", "₩", "₽", "₺", "₪", "₫", "₱", "zł", *CURRENCY_CODES, "euro",
        "salar", "pay", "compensation", "wage", "rate",
        "remunera", "gehalt", "vergütung", "sueldo", "salaire", "retribuci", "brutto", "ctc",
        "hour", "annum", "/hr", "/yr", "paid", "base", "ote", "earn", "gross", "stipend",
        "budget", "package", "salário", "rémunéra",
    ),
    "experience": ("year", "yr", "jahr", "ano", "año", "ans", "1 an", "un an", "month", "mois",
                   "meses", "monat"),
    "education": (
        "bachelor", "master", "degree", "phd", "ph.d", "ph. d", "doctor", "b.s", "m.s", " bs ",
        " bs/", "/bs", " bs,", "(bs", " ms ", " ms/", "/ms", " ms,", "(ms", "bsc", "msc", "b.sc",
        "m.sc", "mba", "b.a.", " ba ", " ba/", "b.tech", "btech", "b.eng", "beng", "m.eng",
        "meng", "high school", " ged", "/ged", "(ged", "secondary school", "studium", "graduação",
        "ensino", "licenciatura", "bac+", "bac +", "abitur", "mestrado", "doutorado",
        "máster", "maestría", "doctorado", "associate", "undergraduate", "graduat", "diplom",
        "college", "universit",
    ),
    "seniority": (
        "level", "entry", "looking for", "seeking", "hiring", "hire", "are you a", "karrierestufe",
        "lehrstelle", "lehrbeginn", "seniority", "lehre als", "lehre zum", "lehre zur",
    ),
    "hours": (
        "am", "pm", "a.m", "p.m", ":0", ":1", ":2", ":3", ":4", ":5", "0h", "1h", "2h", "3h",
        "4h", "5h", "6h", "7h", "8h", "9h", "zone", "hours", "utc", "gmt",
    ),
    "dates": (
        "posted", "date", "publi", "veröffentlicht", "ago", "today", "yesterday", "reposted",
    ),
    "legal": (
        "discriminat", "equal", "opportunit", "privacy", "accommodation", "veteran", "e-verify",
        "regard to", "inclusive workforce", "chancengleich", "igualdad", "égalité",
    ),
    "url": ("url", "link", "source", "posting"),
    "location": (
        "location", "based in", "standort", "arbeitsort", "einsatzort", "localiza",
        "local de trabalho", "ubicación", "lugar de trabajo", "lieu", "city", "where", "localidad",
        "- ort", "region", "filiale ", "jobs in ", "niederlassung ", "anstellungsort", "suchen wir",
    ),
    # Labels of a title or an employer ("Job title:", "Entreprise : SYNERGIE") and the words
    # of a civil-service bulletin's head ("Class Code: 1835").
    "title_label": (
        "title", "job:", "job :", "stellen", "intitulé", "puesto", "título", "nome da vaga",
        "denominación",
    ),
    "company_label": (
        "company", "employer", "organization", "organisation", "empresa", "unternehmen",
        "arbeitgeber", "entreprise", "société", "employeur", "firma", "empleador",
    ),
    "bulletin": ("class code", "exam open", "civil service", "open date", "examination"),
    # Gates: a pattern that is searched for in the whole text only when one of its literal
    # words is there (this pass says so for free, where a substring test per word scans the
    # text again each time).
    "no_experience": NONE_NEEDED_WORDS,
    "based_at": ("basé", "situé"),
    "zone": ("zone", "hour"),
    # Every statement of a working week's hours (money.py) says "hour" or "hr".
    "weekly_hours": ("hour", "hr"),
}  # fmt: skip


# A salary's figures count only with a currency or a pay word before them (money.py), so its
# anchors are where those are: currency codes written in capitals, as they are read ("USD",
# not "strong", "open", "years"); pay words read as whole words only where they start a word
# (`\\bpay\\b`, `\\brate\\b`: not "repay", "accurate", "remote", "database"). Every other pay
# word of money.py's `_CUE` is an anchor as it is.
CAPITALS_ONLY: Final = frozenset(CURRENCY_CODES)
WORD_START_ONLY: Final = frozenset({"pay", "rate", "wage", "base", "ote", "gross", "ctc"})
# Every time of day terms.py reads has "am"/"pm" after a digit or a space ("9am", "9:00 pm"),
# ":" and a digit, or a digit and "h" ("9h30"): "am" in "team" or "program" is no anchor.
AFTER_A_NUMBER_ONLY: Final = frozenset({"am", "pm", "a.m", "p.m"})


def _names_of() -> dict[str, tuple[str, ...]]:
    names_of: dict[str, set[str]] = {}
    for name, words in ANCHORS.items():
        for word in words:
            names_of.setdefault(word, set()).add(name)
    return {word: tuple(sorted(names)) for word, names in names_of.items()}


_NAMES_OF: Final = _names_of()
# The extractors of each pattern, by the pattern's index in the automaton.
_PATTERN_NAMES: Final = tuple(_NAMES_OF.values())
# Per pattern: 1 when it counts in capitals only, 2 only at the start of a word, 3 only after
# a digit or a space, else 0.
_CONDITIONS: Final = tuple(
    1
    if word in CAPITALS_ONLY
    else 2
    if word in WORD_START_ONLY
    else 3
    if word in AFTER_A_NUMBER_ONLY
    else 0
    for word in _NAMES_OF
)
# Both, by pattern index: one lookup a hit.
_LISTS_OF: Final = tuple(zip(_CONDITIONS, _PATTERN_NAMES, strict=True))
if any(len(_NAMES_OF[word]) > 1 for word in CAPITALS_ONLY | WORD_START_ONLY | AFTER_A_NUMBER_ONLY):
    raise ValueError("a conditional anchor must belong to one extractor")
# A DFA: the fastest search (a few microseconds for 4 KB) for a few hundred short patterns.
_AUTOMATON: Final = AhoCorasick(
    list(_NAMES_OF), matchkind=MatchKind.Standard, implementation=Implementation.DFA
)


def anchor_positions(text: str, lowered: str) -> dict[str, list[int]]:
    """Start offsets (in characters, in order) of the anchors of each extractor in the
    lower-cased text (`lowered`, of `text`), overlapping ones included."""
    positions: dict[str, list[int]] = {name: [] for name in ANCHORS}
    lists = _LISTS_OF
    for index, start, end in _AUTOMATON.find_matches_as_indexes(lowered, overlapping=True):
        condition, names = lists[index]
        if condition and not _holds(condition, text, lowered, start, end):
            continue
        for name in names:
            positions[name].append(start)
    for found in positions.values():  # in order of their ends: sorted by their starts
        found.sort()
    return positions


def _holds(condition: int, text: str, lowered: str, start: int, end: int) -> bool:
    if condition == 1:
        return text[start:end].isupper()
    before = lowered[start - 1] if start > 0 else ""
    if condition == 2:
        return not (before.isalnum() or before == "_")
    return before == " " or before.isdecimal()


def lowered(text: str, lines: list[str] | None = None) -> str:
    """The text in lower case with the same length (offsets stay valid).

    `lines`, when the caller has them, are `text.split("\n")`: lowered one by one, the ASCII
    lines (most) take `str.lower`'s fast path, where a single other character in the text sends
    all of it down the slow one (a table lookup a character). The result is the same: no case
    mapping looks across a line break (a final sigma's context stops at it).
    """
    if lines is None or text.isascii():
        lower = text.lower()
    else:
        lower = "\n".join([line.lower() for line in lines])
    if len(lower) == len(text):
        return lower
    # A few characters ("İ") lower to two; keep those as they are.
    return "".join(char if len(char.lower()) != 1 else char.lower() for char in text)
