"""Who the posting asks for: seniority (from the title first, then the text) and education.

Seniority words in a title: "Senior", "Staff", "Lead", "Head of", "VP"; a management level only
when the title manages people ("Engineering Manager" is a manager, "Product Manager" is not).
In the text only an explicit level counts ("Seniority level: Mid-Senior level", "an entry-level
position"): years of experience never stand in for a level.

Education is the lowest degree level the requirements ask for ("BS/MS" asks for a bachelor's);
degrees only preferred ("Advanced degree a plus") do not count.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple, cast

from jobstream.contracts import Education, Seniority
from jobstream_parser.document import Document
from jobstream_parser.heads import finditer
from jobstream_parser.sections import SectionIndex

MAX_MENTIONS: Final = 100

_TITLE_LEVEL: Final = re.compile(
    r"(?<![\w-])(?:"
    r"(?P<executive>chief|c[etofi]o|cpo|vp|svp|evp|vice[- ]president|president|geschäftsführer"
    r"|managing director)"
    r"|(?P<director>director|head of|head$|direktor(?:in)?|diretor(?:a)?|directeur|directrice"
    r"|bereichsleiter(?:in)?)"
    r"|(?P<manager>manager|supervisor|supervising|team ?leiter(?:in)?|teamleitung"
    r"|abteilungsleiter(?:in)?"
    r"|gerente|gestor(?:a)?|jef[ea](?! de equipo)|encargad[oa]|responsable|verantwortliche[r]?"
    r"|(?:laden|filial|betriebs|niederlassungs|geschäfts|shop)leiter(?:in|In)?"
    # "Leiter/in Zahlungsverkehr": the head of a unit
    r"|leiter(?:in)?(?=/in\b|[ ](?!des[ ]teams\b)[A-ZÄÖÜ]))"
    r"|(?P<principal>principal)"
    r"|(?P<staff>staff)"
    r"|(?P<lead>lead|tech lead|team lead|team leader|leiter(?:in)?|líder|lider|chef de ligne"
    r"|chef (?:d['\u2019 ]?)?[ée]quipe|cap de sala|caps? d['\u2019]equip|jefe de equipo)"
    r"|(?P<senior>senior|sr\.?|sênior|sénior)"
    r"|(?P<mid>mid-senior|mid(?:[- ]level)?|intermediate|pleno|médio|medior)"
    r"|(?P<junior>junior|jr\.?|júnior|entry[- ]level|graduate|new grad|trainee)"
    r"|(?P<intern>intern|internship|praktikant(?:in)?|praktikum|werkstudent(?:in)?|estagiári[oa]"
    r"|becari[oa]|stagiaire|stage|apprenti(?:e|ce)?|alternan(?:t|te|ce)|est[aá]gio|estagio"
    r"|lehrstelle|lehre|lehrling|lernende[rn]?|auszubildende[rn]?|azubi|pr[aá]cticas"
    r"|pràctiques)"
    r")(?![\w-])",
    re.IGNORECASE,
)
# "Product Manager", "Account Manager": a role named manager that manages no people.
_NOT_PEOPLE_MANAGER: Final = re.compile(
    r"(?:product|project|program|programme|account|accounts|community|content|case|property"
    r"|marketing|brand|campaign|social media|office|release|delivery|success|relationship"
    r"|category|partner|partnerships?|portfolio|key account|sales|territory|event|events"
    r"|channel|asset|facilities|facility|fleet|payroll|offert|offerten)[ ]$",
    re.IGNORECASE,
)
_FAMILY_NOUNS: Final = frozenset({"manager", "managerin", "gerente", "gestor", "gestora"})
# What a posting says of a role that manages people.
_MANAGES_PEOPLE: Final = re.compile(
    r"line manager (?:for|of|to)\b|direct reports\b|directs? the work of\b"
    r"|manag(?:e|es|ing) (?:a|the) team of\b|people management responsibilit"
    r"|personalverantwortung für|führung (?:und betreuung )?(?:des|der|von) (?:team|mitarbeit)",
    re.IGNORECASE,
)
# "Chief Technology Officer", "Chief Executive": a C-level officer.
_C_LEVEL: Final = re.compile(r"(?:[ ][\w&-]+){0,3}?[ ]officer\b|[ ]executive\b", re.IGNORECASE)
# "Staff Accountant", "Staff Nurse": staff as a level only in engineering-type titles.
# "Staff SWE", "Staff Platform/SRE", "Staff, Fullstack & Frontend Software Engineers", "(Staff
# level)".
_STAFF_ROLES: Final = re.compile(
    r"[ ,/]+(?:[\w+&-]+[ ,/]+){0,4}?[\w+&-]*?(?:engineer|developer|scientist|architect|designer"
    r"|researcher|analyst|sre|swe|ml|infra|platform)s?\b|[ -]level\b",
    re.IGNORECASE,
)
_TEXT_LEVEL: Final = re.compile(
    r"(?:(?:seniority|experience|career|job|position)[ ]level|karrierestufe|seniority:|level:)"
    r"[ ]?:?[ \n]?"
    r"(?P<label>[^\n]{2,30})"
    r"|experience[ ](?P<levelled>(?:entry|junior|mid-senior|mid|senior)[- ]level)"
    r"|(?P<entry>entry[- ]level)[ ](?:position|role|job|opportunity|candidates?)"
    r"|(?:looking for|seeking|hiring(?: for)?|hire|are you)(?: an?)? (?P<adjective>senior|junior"
    r"|mid-level|mid-senior|mid-stage|entry-level|principal|staff|lead)\b"
    # "Hiring at Manager level as well as mid-level/Senior levels": the first level named
    r"|hiring at (?P<hiring_at>manager|director|senior|junior|mid|staff|principal|lead)"
    r"(?:[- ]level)?[ ]levels?\b"
    # "eine Lehrstelle als ...", "Lehrbeginn August 2019", "3-jährige Lehre als Kauffrau": an
    # apprenticeship stated as such
    # ("eine abgeschlossene Lehre als Automatiker" is a requirement)
    r"|\b(?<!abgeschlossene[ ])(?<!abgeschlossener[ ])"
    r"(?P<apprenticeship>lehrstelle|lehrbeginn|lehre[ ](?:als|zum|zur))\b",
    re.IGNORECASE,
)
_LEVEL_LABELS: Final[tuple[tuple[str, Seniority], ...]] = (
    ("internship", "intern"),
    ("intern", "intern"),
    ("lehr", "intern"),
    ("entry", "junior"),
    ("junior", "junior"),
    ("associate", "junior"),
    ("mid", "mid"),
    ("intermediate", "mid"),
    ("senior", "senior"),
    ("staff", "staff"),
    ("principal", "principal"),
    ("lead", "lead"),
    ("manager", "manager"),
    ("director", "director"),
    ("executive", "executive"),
)
_MANAGEMENT: Final = ("executive", "director", "manager")


class Level(NamedTuple):
    value: Seniority
    span: tuple[int, int]


def find_seniority(
    document: Document, title: str | None, title_span: tuple[int, int] | None
) -> Level | None:
    text = document.text
    if title:
        level = _title_level(title) or _manager_of_people(document, title)
        if level is not None:
            value, (start, end) = level
            offset = title_span[0] if title_span is not None else None
            if offset is not None:
                return Level(value, (offset + start, offset + end))
            return _in_text(text, value, title[start:end])
    return (_head_part_level(text, title_span) if title_span else None) or _text_level(document)


def _head_part_level(text: str, title_span: tuple[int, int]) -> Level | None:
    """ "Level 12 | Full Stack Web Developer | Mid-Level & Senior | REMOTE": a part of the
    title's forum head that states only levels states the level (the first)."""
    start = text.rfind("\n", 0, title_span[0]) + 1
    end = text.find("\n", title_span[1])
    line = text[start : end if end >= 0 else len(text)]
    if "|" not in line:
        return None
    offset = start
    for part in line.split("|"):
        stripped = part.strip()
        if stripped and _LEVELS_ONLY.fullmatch(stripped):
            match = _TITLE_LEVEL.search(stripped)
            if match is not None and match.lastgroup in _LEVEL_PARTS:
                at = offset + part.find(stripped) + match.start()
                return Level(cast(Seniority, match.lastgroup), (at, at + len(match.group())))
        offset += len(part) + 1
    return None


# Levels a head's part may state alone ("Senior", "Mid-Level & Senior", "Junior to Mid").
_LEVEL_WORD: Final = (
    r"(?:senior|sr\.?|junior|jr\.?|mid(?:[- ]level)?|intermediate|entry[- ]level|staff|principal"
    r"|lead)"
)
_LEVELS_ONLY: Final = re.compile(
    rf"{_LEVEL_WORD}(?:[ ]?(?:&|/|\+|-|,|to|and|or)[ ]?{_LEVEL_WORD})*\+?(?:[ ]level)?",
    re.IGNORECASE,
)
_LEVEL_PARTS: Final = frozenset({"senior", "junior", "mid", "staff", "principal", "lead"})


def _manager_of_people(document: Document, title: str) -> tuple[Seniority, tuple[int, int]] | None:
    """ "Delivery Manager" names a job family, not a level, unless the posting says the role
    manages people ("You will be the line manager for the developers")."""
    for match in finditer(_TITLE_LEVEL, title):
        if match.lastgroup == "manager" and not _counts(title, match):
            if document.search(_MANAGES_PEOPLE, 0, len(document.text)) is not None:
                return "manager", match.span()
            return None
    return None


def _title_level(title: str) -> tuple[Seniority, tuple[int, int]] | None:
    """Management levels first; else the first level word ("Senior/Lead" is senior), with
    "Senior Staff" and "Senior Principal" read as the higher one."""
    # Tried where a level word starts (heads.py): `re` tries the words at every position.
    levels = [(_level_of(title, m), m) for m in finditer(_TITLE_LEVEL, title) if _counts(title, m)]
    if not levels:
        return None
    for management in _MANAGEMENT:
        for level, match in levels:
            if level == management:
                return level, match.span()
    first, match = levels[0]
    if first == "senior" and len(levels) > 1:
        following, following_match = levels[1]
        gap = title[match.end() : following_match.start()]
        if following in {"staff", "principal"} and not gap.strip():
            first, match = following, following_match
    return first, match.span()


def _level_of(title: str, match: re.Match[str]) -> Seniority:
    """The level a counted match names: "Chief" heads a unit (a manager) unless it names an
    officer ("Chief Technology Officer", "Chief Executive")."""
    level = cast(Seniority, match.lastgroup)
    chief = level == "executive" and match.group().lower() == "chief"
    if chief and _C_LEVEL.match(title, match.end()) is None:
        return "manager"
    return level


def _counts(title: str, match: re.Match[str]) -> bool:
    level = match.lastgroup
    if level == "manager":
        # "Payroll Supervisor" supervises people; "Payroll Manager" names a job family.
        family = match.group().lower() in _FAMILY_NOUNS
        return not family or _NOT_PEOPLE_MANAGER.search(title[: match.start()]) is None
    if level == "staff":
        return _STAFF_ROLES.match(title, match.end()) is not None
    if level == "principal":
        return match.end() < len(title.rstrip())
    if level == "lead":
        # "Lead" as a verb never starts a title; as a level it comes before the role.
        # "Tech Lead", "Team Lead" name the level whole.
        return match.end() < len(title.rstrip()) or match.start() > 0 or " " in match.group()
    return True


def _in_text(text: str, value: Seniority, word: str) -> Level | None:
    start = text.find(word)
    return Level(value, (start, start + len(word))) if start >= 0 else None


def _text_level(document: Document) -> Level | None:
    for count, match in enumerate(document.scan(_TEXT_LEVEL, "seniority", back=30, ahead=80)):
        if count >= MAX_MENTIONS:
            break
        group = match.lastgroup or ""
        words = match.group(group).lower()
        for label, value in _LEVEL_LABELS:
            if words.startswith(label) or (group == "entry" and label == "entry"):
                return Level(value, match.span(group))
    return None


_DEGREE: Final = re.compile(
    r"(?<![\w.])(?:"
    r"(?P<doctorate>ph\.? ?d\.?|doctorate|doctoral degree|doctor's degree|doktor(?:at)?"
    r"|doutorado|doctorado)"
    r"|(?P<master>master'?s?(?: degree)?|m\.s\.|m\.sc\.?|msc|ms(?=[ ]?(?:/|,|or|in|degree|\())"
    r"|mba|m\.eng\.?|meng|advanced degree|graduate degree|postgraduate degree|mestrado|máster"
    r"|maestría|bac ?\+ ?5|diplom)"
    r"|(?P<bachelor>bachelor'?s?(?: degree)?|b\.s\.|b\.sc\.?|bsc|b\.a\.|b\.eng\.?|beng|b\.tech"
    r"|btech|bs(?=[ ]?(?:/|,|or|in|degree|\())|ba(?=[ ]?(?:/|or|in|degree))"
    r"|four[- ]year (?:college |university )?degree|4[- ]year (?:college |university )?degree"
    r"|graduation from an? (?:accredited )?(?:four|4)[- ]year college|undergraduate degree"
    r"|university degree|college degree|hochschulstudium|studium|graduação|ensino superior"
    r"|licenciatura|bac ?\+ ?3)"
    r"|(?P<associate>associate'?s? degree|two[- ]year degree|2[- ]year degree|bac ?\+ ?2)"
    r"|(?P<high_school>high school|ged|secondary school|ensino médio|bachillerato|abitur"
    r"|baccalauréat)"
    r")(?![\w])",
    re.IGNORECASE,
)
_ORDER: Final[tuple[Education, ...]] = (
    "high_school",
    "associate",
    "bachelor",
    "master",
    "doctorate",
)
_PREFERRED_WORDS: Final = re.compile(
    r"prefer|a plus|is a plus|nice to have|bonus|desired|desirable|ideally|advantage|von vorteil"
    r"|wünschenswert|diferencial|desejável|deseable|valorable|un plus",
    re.IGNORECASE,
)
_SKIP_KINDS: Final = frozenset({"preferred", "about_company", "benefits", "legal"})


class Degree(NamedTuple):
    value: Education
    span: tuple[int, int]


def find_education(document: Document, sections: SectionIndex) -> Degree | None:
    text = document.text
    best: Degree | None = None
    for count, match in enumerate(document.scan(_DEGREE, "education", back=60, ahead=60)):
        if count >= MAX_MENTIONS:
            break
        if sections.kind_at(match.start()) in _SKIP_KINDS:
            continue
        if _PREFERRED_WORDS.search(_sentence(text, match.start(), match.end())):
            continue
        value = cast(Education, match.lastgroup)
        if best is None or _ORDER.index(value) < _ORDER.index(best.value):
            best = Degree(value, match.span())
    return best


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence (or bullet) around a match, at most 150 characters each side."""
    left = text[max(0, start - 150) : start]
    right = text[end : end + 150]
    for mark in (". ", "\n", "; "):
        index = left.rfind(mark)
        if index >= 0:
            left = left[index + len(mark) :]
        cut = right.find(mark)
        if cut >= 0:
            right = right[:cut]
    return left + right
