"""Reading the title and the company from the head of a cleaned posting.

Rules are conservative: a field is `None` rather than a guess. Only the head of the text is
read (`HEAD_CHARS`, `HEAD_LINES`), and every pattern is linear in what it reads, so any input
size or shape costs little.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final, NamedTuple

from ahocorasick_rs import AhoCorasick, Implementation, MatchKind

from jobstream_parser.document import Document
from jobstream_parser.heads import finditer, search

HEAD_CHARS: Final = 5_000
HEAD_LINES: Final = 40
# "As a <Title> on the team" is looked for in the opening sentences only.
OPENING_CHARS: Final = 1_500
MAX_TITLE_CHARS: Final = 100
MAX_TITLE_WORDS: Final = 12
MAX_COMPANY_CHARS: Final = 60
# Where "Acme is a leading ...", "Company: Acme" are looked for.
COMPANY_CHARS: Final = 2_000
MAX_COMPANY_WORDS: Final = 5

_TITLE_NOUNS: Final = (
    "engineer|developer|programmer|manager|analyst|scientist|designer|architect|director"
    "|specialist|lead|administrator|consultant|officer|technician|clerk|assistant|coordinator"
    "|intern|researcher|tester|strategist|recruiter|supervisor|operator|executive|accountant"
    "|owner|advisor|representative|associate|writer|editor|head|mechanic|nurse|driver|inspector"
    "|worker|attendant|electrician|planner|investigator|examiner|agent|therapist|teacher"
    "|instructor|counselor|chemist|pharmacist|physician|attorney|paralegal|cashier|carpenter"
    "|plumber|welder|guard|firefighter|chef|cook|receptionist|secretary|auditor|controller"
    "|buyer|estimator|surveyor|librarian|economist|statistician|superintendent|foreman|helper"
    "|apprentice|trainee|laborer|custodian|dispatcher|aide|captain|chief|deputy|president"
    "|partner|principal|fellow|marketer|sre|devops|entwickler(?:in)?|ingenieur(?:in)?"
    "|berater(?:in)?|leiter(?:in)?|desenvolvedor(?:a)?|engenheiro|engenheira|analista"
    "|desarrollador(?:a)?|ingeniero|ingeniera|développeur|développeuse|ingénieur|ingénieure"
    "|chargé|responsable|gerente|diretor|director|stagiaire|bookkeeper|mentor|tutor|coach"
    "|trainer|lawyer|doctor|dentist|hygienist|pilot|barista|bartender|server|housekeeper"
    "|janitor|cleaner|courier|vp|cto|ceo|cfo|coo|cio|ciso|founder|co-founder|producer|artist"
    "|animator|photographer|journalist|reporter|translator|interpreter|copywriter|treasurer"
    "|actuary|underwriter|adjuster|appraiser|broker|banker|teller|salesperson|merchandiser"
    "|technologist|psychologist|caregiver|machinist|installer|assembler|painter|landscaper"
    "|gardener|paramedic|ranger|scrum master|product owner|sales"
)
_TITLE_NOUN: Final = re.compile(rf"\b(?:{_TITLE_NOUNS})s?\b", re.IGNORECASE)
_ENDS_WITH_TITLE_NOUN: Final = re.compile(rf"\b(?:{_TITLE_NOUNS})s?$", re.IGNORECASE)

# "Contract: Staff Backend Engineer", "Job title: Data Analyst"
_LABEL_PREFIX: Final = re.compile(
    r"(?:contract|full[- ]?time|part[- ]?time|internship|temporary|freelance|permanent"
    r"|(?:job )?title|position|role|(?:now |we're |we are )?hiring)[ \t]*:[ \t]*",
    re.IGNORECASE,
)
# "Senior Software Engineer (Backend) — Job Description"
_JOB_DESCRIPTION_SUFFIX: Final = re.compile(
    r"[ \t]+[\u2014\u2013-][ \t]*job description$", re.IGNORECASE
)
# "(m/w/d)", "(f/m/x)", "(all genders)": a legal marker after German titles, not the title.
_GENDER_MARKER: Final = re.compile(
    r"[ ]?\((?:[mwfdhx*]/){1,3}[mwfdhx*]\)$|[ ]?\(all genders\)$|[ ]?\(gn\)$", re.IGNORECASE
)
# After a title, what is not the title: "(Summer 2025)", " - Per Diem", " - Contract-to-Hire",
# " (Remote)", " @ Acme".
_TITLE_TAIL: Final = re.compile(
    r"[ ]?\((?:summer|fall|autumn|winter|spring)?[ ]?\d{4}\)$"
    r"|[ ](?:[-\u2013\u2014|][ ]?|\()(?:full[- ]?time|part[- ]?time|contract(?:[- ]to[- ]hire)?"
    r"|contractor|freelance|temporary|temp|per diem|prn|internship|permanent|remote|hybrid"
    r"|on-?site)\)?$"
    r"|[ ]@[ ].{1,60}$",
    re.IGNORECASE,
)
MAX_TAILS: Final = 3
# Separated one-line heads: "Acme | Senior Engineer | Berlin | REMOTE | $150k-$200k".
_SEGMENTS: Final = re.compile(r"[ ]?[|·•][ ]?|[ ][\u2013\u2014-][ ]")
# A title may hold a dash ("Engineering Manager - Payments"), never a bar or a dot.
_TITLE_SEGMENTS: Final = re.compile(r"[ ]?[|·•][ ]?")
_COMMA: Final = re.compile(r",[ ]")
_SPACED_DASH: Final = re.compile(r"[ ][\u2013\u2014][ ]")
_AT_COMPANY: Final = re.compile(r"[ ]@[ ](?P<name>[A-Z0-9][\w&.-]*(?: [A-Z0-9][\w&.-]*){0,3})")
_BULLET: Final = re.compile(r"[-*•·▪◦‣\u2013\u2014]|\d{1,3}[.)][ \t]")
_URL: Final = re.compile(r"https?://|www\.", re.IGNORECASE)

_AS_A: Final = re.compile(r"\b[Aa]s an? (?=[A-Z])")
# Where the title after "As a" ends: "... Engineer on the team", "... Engineer, you will".
_AS_A_END: Final = re.compile(r"[,;.!?(]|[ \t](?:on|at|in|for|with|within|who|you|to)\b")
_TITLE_CONNECTORS: Final = frozenset({"of", "and", "&", "/", "-", "\u2013", "for"})

# A name: one to four capitalised words ("Upwork", "Acme Labs", "Booking.com").
_NAME: Final = r"[A-Z0-9][\w&.-]*(?: [A-Z0-9][\w&.-]*){0,3}"
_SENTENCE_START: Final = r"(?:^|(?<=[.!?] ))"
_COMPANY_PATTERNS: Final = (
    # "Upwork ($UPWK) is the world's work marketplace", "Acme (NASDAQ: ACME) is"
    re.compile(
        rf"{_SENTENCE_START}(?P<name>{_NAME}) \((?:[A-Z]{{2,8}}: ?)?\$?[A-Z]{{1,6}}\) is\b",
        re.MULTILINE,
    ),
    # "Acme is the world's largest ...", "Acme is a leading provider of ..."
    re.compile(
        rf"{_SENTENCE_START}(?P<name>{_NAME}) is"
        r" (?:the world['\u2019]s|an? leading|the leading)\b",
        re.MULTILINE,
    ),
    # "Company: Acme", "Empresa: Acme"
    re.compile(
        rf"^(?:Company|Employer|Organi[sz]ation|Hiring (?:company|organi[sz]ation)|Empresa"
        rf"|Unternehmen|Arbeitgeber|Entreprise|Société)[ ]?:[ ]?(?P<name>{_NAME})[ ]*$",
        re.MULTILINE,
    ),
    # "Acme is an equal opportunity employer", "Acme is proud to be an equal ..."
    re.compile(
        rf"{_SENTENCE_START}(?P<name>{_NAME}) is (?:an?|proud to be an?|committed to being an?)"
        r" (?:proud )?equal (?:employment )?opportunity",
        re.MULTILINE,
    ),
    # "Acme is hiring", "Acme is looking for", "Acme is seeking"
    re.compile(
        rf"{_SENTENCE_START}(?P<name>{_NAME}) is (?:hiring|looking for|seeking|searching for)\b",
        re.MULTILINE,
    ),
    re.compile(rf"^About (?P<name>{_NAME}):?$", re.MULTILINE),
    re.compile(rf"\bJoin (?P<name>{_NAME})['\u2019]s\b"),
    re.compile(rf"{_SENTENCE_START}At (?P<name>{_NAME}), we\b", re.MULTILINE),
)
# Words each of `_COMPANY_PATTERNS` needs (lower case), to skip patterns that cannot match.
_COMPANY_WORDS: Final = (
    (") is",),
    ("is the world", "is a leading", "is an leading", "is the leading"),
    ("company", "employer", "organi", "hiring", "empresa", "unternehmen", "arbeitgeber",
     "entreprise", "société"),
    ("equal",),
    (" is hiring", " is looking", " is seeking", " is searching"),
    ("about ",),
    ("join ",),
    ("at ",),
)  # fmt: skip
_COMPANY_WORD_LIST: Final = [word for words in _COMPANY_WORDS for word in words]
_COMPANY_PATTERN_OF_WORD: Final = [
    index for index, words in enumerate(_COMPANY_WORDS) for _ in words
]
_COMPANY_WORD_AUTOMATON: Final = AhoCorasick(
    _COMPANY_WORD_LIST, matchkind=MatchKind.Standard, implementation=Implementation.DFA
)
# A capitalised word that starts sentences but never a company's name.
_NOT_A_NAME: Final = frozenset(
    {
        "we", "our", "us", "you", "your", "this", "that", "it", "its", "they", "their", "there",
        "here", "the", "a", "an", "job", "role", "position", "team", "company", "who", "what",
    }
)  # fmt: skip
# Short first lines that are not a company: headings, work modes, employment types.
_NOT_A_COMPANY_LINE: Final = re.compile(
    r"\b(?:job|description|summary|overview|about|responsibilities|requirements|qualifications"
    r"|remote|hybrid|on-?site|full[- ]?time|part[- ]?time|contract|internship|apply|posted"
    r"|hiring|vacancy|position|role|careers?|jobs|join us|open positions|vacancies)\b",
    re.IGNORECASE,
)


class Found(NamedTuple):
    """A field's value and, when it was read from the text, its span there."""

    value: str
    span: tuple[int, int] | None


class _Line(NamedTuple):
    text: str  # stripped of white space at both ends
    start: int  # offset of `text` in the posting


def find_title(document: Document) -> Found | None:
    """The job title: the first title-like line of the head, else "As a <Title> on/at ...".

    Lines before the title may be a URL, a company name or a heading; the search stops at the
    first line that reads like body text (a bullet, a sentence, a long line). In a separated
    one-line head ("Acme | Senior Engineer | Berlin") the title is the segment naming a role.
    """
    for line in document.derived(_HeadLines):
        if _is_body(line.text):
            break
        parts = _segments(line, _TITLE_SEGMENTS)
        if not parts and len(_SPACED_DASH.findall(line.text)) >= 2:
            parts = _segments(line, _SPACED_DASH)
        for part in parts or [line]:
            found = _title_of_line(part)
            if found is not None:
                return found
    return _title_after_as_a(document.text[:OPENING_CHARS])


def find_company(document: Document, title: Found | None = None) -> Found | None:
    """The employer, when the posting names it: a label, a known phrase, the segment beside
    the title in a separated head, or a bare organisation name on the line above the title."""
    text = document.text
    head = text[:COMPANY_CHARS]
    # A cheap test for the words a pattern needs before running it.
    worth_trying = document.derived(_company_patterns_worth_trying)
    for index in range(3):
        found = _first_name(_COMPANY_PATTERNS[index], head) if index in worth_trying else None
        if found is not None:
            return found
    found = _company_beside_title(document, title)
    if found is not None:
        return found
    found = _company_line(document)
    if found is not None:
        return found
    for match in document.scan(
        _COMPANY_PATTERNS[3], "legal", back=100, ahead=60
    ):  # "Acme is an equal ..."
        if match.group("name").split(" ", 1)[0].lower() not in _NOT_A_NAME:
            return Found(match.group("name"), match.span("name"))
    for index in range(4, len(_COMPANY_PATTERNS)):
        found = _first_name(_COMPANY_PATTERNS[index], head) if index in worth_trying else None
        if found is not None:
            return found
    return None


def _company_patterns_worth_trying(document: Document) -> frozenset[int]:
    """The indexes of `_COMPANY_PATTERNS` whose words are in the first `COMPANY_CHARS`."""
    found = _COMPANY_WORD_AUTOMATON.find_matches_as_indexes(
        document.lower[:COMPANY_CHARS], overlapping=True
    )
    return frozenset(_COMPANY_PATTERN_OF_WORD[word] for word, _, _ in found)


def _segments(line: _Line, pattern: re.Pattern[str] = _SEGMENTS) -> list[_Line]:
    parts = []
    position = 0
    for match in pattern.finditer(line.text):
        parts.append(_part(line, position, match.start()))
        position = match.end()
    if not parts:
        return []
    parts.append(_part(line, position, len(line.text)))
    return [part for part in parts if part.text]


def _part(line: _Line, start: int, end: int) -> _Line:
    raw = line.text[start:end]
    stripped = raw.strip()
    return _Line(stripped, line.start + start + len(raw) - len(raw.lstrip()))


def _company_beside_title(document: Document, title: Found | None) -> Found | None:
    """ "Acme | Senior Engineer | Berlin": the first segment when the title is another one;
    "ML Engineer @ Acme"; "Senior Engineer" then "Acme · Berlin, Germany": the first segment of
    the next line; or the next line alone when the posting names it again ("Acme is ...")."""
    if title is None or title.span is None:
        return None
    text = document.text
    lines = document.derived(_HeadLines)
    for index, line in enumerate(lines):
        if not line.start <= title.span[0] <= line.start + len(line.text):
            continue
        at = _AT_COMPANY.search(line.text, title.span[1] - line.start)
        if at is not None:
            return Found(
                at.group("name"), (line.start + at.start("name"), line.start + at.end("name"))
            )
        parts = _segments(line)
        if len(parts) >= 2 and parts[0].start != title.span[0]:
            return _company_of(parts[0])
        following = lines.get(index + 1)
        if following is None:
            return None
        parts = _segments(following) or _segments(following, _COMMA)
        if len(parts) >= 2:
            found = _company_of(parts[0])
            if found is not None and (
                _segments(following) or _named_again(text, found.value, following.start)
            ):
                return found
            return None
        found = _company_of(following)
        if found is not None and _named_again(text, found.value, following.start):
            return found
        return None
    return None


def _named_again(text: str, name: str, after: int) -> bool:
    """The name starts a sentence later on ("Acme is a ...", "Acme builds ...")."""
    start = after + len(name)
    while True:
        start = text.find(name + " ", start, start + HEAD_CHARS)
        if start < 0:
            return False
        if start == 0 or text[start - 1] == "\n" or text[start - 2 : start] in {". ", "! "}:
            return True
        start += len(name)


def _company_of(part: _Line) -> Found | None:
    value = part.text
    looks_like_name = (
        1 < len(value) <= MAX_COMPANY_CHARS
        and len(value.split()) <= MAX_COMPANY_WORDS
        and (value[0].isupper() or value[0].isdigit())
        and value[-1] not in ".!?:;,"
        and value.split(" ", 1)[0].lower() not in _NOT_A_NAME
        and search(_TITLE_NOUN, value) is None
        and search(_NOT_A_COMPANY_LINE, value) is None
        and "," not in value
        and not any(char.isdigit() for char in value[:1])
    )
    return Found(value, (part.start, part.start + len(value))) if looks_like_name else None


class _HeadLines:
    """The head lines (`_head_lines`), read once per document (`Document.derived`) and only
    as far as a reader goes: the title and the company are nearly always on the first few."""

    def __init__(self, document: Document) -> None:
        self._rest = _head_lines(document)
        self._lines: list[_Line] = []

    def get(self, index: int) -> _Line | None:
        while len(self._lines) <= index:
            line = next(self._rest, None)
            if line is None:
                return None
            self._lines.append(line)
        return self._lines[index]

    def __iter__(self) -> Iterator[_Line]:
        index = 0
        while (line := self.get(index)) is not None:
            yield line
            index += 1


def _head_lines(document: Document) -> Iterator[_Line]:
    """The non-blank, non-URL lines of the head (the first `HEAD_LINES` lines, blank ones
    counted, within the first `HEAD_CHARS` characters), stripped, with their offsets, read
    from the document's lines."""
    text = document.text
    number = 0  # of the line in the text, blank lines counted
    previous_start = 0
    for line in document.lines:
        if line.start >= HEAD_CHARS:
            break
        number += text.count("\n", previous_start, line.start)
        if number >= HEAD_LINES:
            break
        previous_start = line.start
        raw = line.text if line.end <= HEAD_CHARS else line.text[: HEAD_CHARS - line.start]
        stripped = raw.strip()
        if stripped and not _is_url(stripped):
            yield _Line(stripped, line.start + len(raw) - len(raw.lstrip()))


def _is_url(line: str) -> bool:
    """A line that is one link, like "https://..." or "link-https://..."."""
    return " " not in line and _URL.search(line) is not None


def _is_body(line: str) -> bool:
    return len(line) > 2 * MAX_TITLE_CHARS or line[-1] in ".!?" or _BULLET.match(line) is not None


def _title_of_line(line: _Line) -> Found | None:
    value, start = line.text, line.start
    label = _LABEL_PREFIX.match(value)
    if label is not None:
        value, start = value[label.end() :], start + label.end()
    suffix = _JOB_DESCRIPTION_SUFFIX.search(value)
    if suffix is not None:
        value = value[: suffix.start()]
    marker = _GENDER_MARKER.search(value)
    if marker is not None:
        value = value[: marker.start()]
    for _ in range(MAX_TAILS):
        tail = _TITLE_TAIL.search(value)
        if tail is None or tail.start() == 0:
            break
        value = value[: tail.start()]
    if not _looks_like_title(value):
        return None
    return Found(value, (start, start + len(value)))


def _looks_like_title(value: str) -> bool:
    return (
        1 < len(value) <= MAX_TITLE_CHARS
        and len(value.split()) <= MAX_TITLE_WORDS
        and not value[0].islower()
        and value[-1] not in ".!?:;,"
        and search(_TITLE_NOUN, value) is not None
    )


def _title_after_as_a(opening: str) -> Found | None:
    for match in _AS_A.finditer(opening):
        window = opening[match.end() : match.end() + MAX_TITLE_CHARS]
        end = _AS_A_END.search(window)
        if end is None:
            continue
        value = window[: end.start()].rstrip()
        words = value.split()
        if (
            words
            and len(words) <= MAX_TITLE_WORDS
            and all(word[0].isupper() or word in _TITLE_CONNECTORS for word in words)
            and search(_ENDS_WITH_TITLE_NOUN, value) is not None
        ):
            return Found(value, (match.end(), match.end() + len(value)))
    return None


def _first_name(pattern: re.Pattern[str], head: str) -> Found | None:
    for match in finditer(pattern, head):  # tried where its heads are, when it has some
        name = match.group("name")
        if name.split(" ", 1)[0].lower() not in _NOT_A_NAME:
            return Found(name, match.span("name"))
    return None


def _company_line(document: Document) -> Found | None:
    """ "Upwork" on the first line, the title on the next: the first line names the company."""
    lines = document.derived(_HeadLines)
    first, second = lines.get(0), lines.get(1)
    if first is None or second is None:
        return None
    value = first.text
    looks_like_name = (
        len(value) <= MAX_COMPANY_CHARS
        and len(value.split()) <= MAX_COMPANY_WORDS
        and (value[0].isupper() or value[0].isdigit())
        and value[-1] not in ".!?:;,"
        and value.split(" ", 1)[0].lower() not in _NOT_A_NAME
        and search(_TITLE_NOUN, value) is None
        and search(_NOT_A_COMPANY_LINE, value) is None
    )
    if not looks_like_name or _is_body(second.text) or _title_of_line(second) is None:
        return None
    return Found(value, (first.start, first.start + len(value)))
