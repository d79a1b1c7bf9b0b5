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
from jobstream_parser.sections import SectionIndex

MAX_MENTIONS: Final = 100

_TITLE_LEVEL: Final = re.compile(
    r"(?<![\w-])(?:"
    r"(?P<executive>chief|c[etofi]o|cpo|vp|svp|evp|vice[- ]president|president|geschäftsführer"
    r"|managing director)"
    r"|(?P<director>director|head of|direktor(?:in)?|diretor(?:a)?|directeur|directrice"
    r"|bereichsleiter(?:in)?)"
    r"|(?P<manager>manager|supervisor|team ?leiter(?:in)?|abteilungsleiter(?:in)?|gerente"
    r"|gestor(?:a)?|responsable)"
    r"|(?P<principal>principal)"
    r"|(?P<staff>staff)"
    r"|(?P<lead>lead|tech lead|team lead|leiter(?:in)?|líder|lider)"
    r"|(?P<senior>senior|sr\.?|sênior|sénior)"
    r"|(?P<mid>mid(?:[- ]level)?|intermediate|pleno|médio|medior)"
    r"|(?P<junior>junior|jr\.?|júnior|entry[- ]level|graduate|trainee)"
    r"|(?P<intern>intern|internship|praktikant(?:in)?|werkstudent(?:in)?|estagiári[oa]|becari[oa]"
    r"|stagiaire|apprentice)"
    r")(?![\w-])",
    re.IGNORECASE,
)
# "Product Manager", "Account Manager": a role named manager that manages no people.
_NOT_PEOPLE_MANAGER: Final = re.compile(
    r"(?:product|project|program|programme|account|accounts|community|content|case|property"
    r"|marketing|brand|campaign|social media|office|release|delivery|success|relationship"
    r"|category|partner|partnerships?|portfolio|key account|sales|territory|event|events"
    r"|channel|asset|facilities|payroll)[ ]$",
    re.IGNORECASE,
)
# "Staff Accountant", "Staff Nurse": staff as a level only in engineering-type titles.
_STAFF_ROLES: Final = re.compile(
    r"[ ](?:[\w/+-]+[ ]){0,3}?(?:engineer|developer|scientist|architect|designer|researcher"
    r"|analyst|sre)\b",
    re.IGNORECASE,
)
_TEXT_LEVEL: Final = re.compile(
    r"(?:seniority|experience|career|job|position)[ ]level[ ]?:?[ \n]?(?P<label>[^\n]{2,30})"
    r"|(?P<entry>entry[- ]level)[ ](?:position|role|job|opportunity|candidates?)"
    r"|(?:looking for|seeking|hiring|hire|are you) an? (?P<adjective>senior|junior|mid-level"
    r"|mid-senior|entry-level|principal|staff|lead)\b",
    re.IGNORECASE,
)
_LEVEL_LABELS: Final[tuple[tuple[str, Seniority], ...]] = (
    ("internship", "intern"),
    ("intern", "intern"),
    ("entry", "junior"),
    ("junior", "junior"),
    ("associate", "junior"),
    ("mid-senior", "senior"),
    ("mid senior", "senior"),
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
        level = _title_level(title)
        if level is not None:
            value, (start, end) = level
            offset = title_span[0] if title_span is not None else None
            if offset is not None:
                return Level(value, (offset + start, offset + end))
            return _in_text(text, value, title[start:end])
    return _text_level(document)


def _title_level(title: str) -> tuple[Seniority, tuple[int, int]] | None:
    """Management levels first; else the first level word ("Senior/Lead" is senior), with
    "Senior Staff" and "Senior Principal" read as the higher one."""
    matches = [m for m in _TITLE_LEVEL.finditer(title) if _counts(title, m)]
    if not matches:
        return None
    for level in _MANAGEMENT:
        for match in matches:
            if match.lastgroup == level:
                return cast(Seniority, level), match.span()
    first = matches[0]
    if first.lastgroup == "senior" and len(matches) > 1:
        following = matches[1]
        gap = title[first.end() : following.start()]
        if following.lastgroup in {"staff", "principal"} and not gap.strip():
            first = following
    return cast(Seniority, first.lastgroup), first.span()


def _counts(title: str, match: re.Match[str]) -> bool:
    level = match.lastgroup
    if level == "manager":
        return _NOT_PEOPLE_MANAGER.search(title[: match.start()]) is None
    if level == "staff":
        return _STAFF_ROLES.match(title, match.end()) is not None
    if level == "principal":
        return match.end() < len(title.rstrip())
    if level == "lead":
        # "Lead" as a verb never starts a title; as a level it comes before the role.
        return match.end() < len(title.rstrip()) or match.start() > 0
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
