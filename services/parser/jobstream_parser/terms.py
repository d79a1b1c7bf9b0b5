"""Terms of the job: employment type (schema.org vocabulary), work mode, working hours.

A word like "contract", "full-time" or "remote" is common in prose ("two years of full-time
experience", "remote teams", "Hybrid Workforce Solutions"), so a mention counts only when the
posting uses it as a term: under a label ("Job type: Full-time", "Work Location: In person"),
as the title's prefix ("Contract: Staff Backend Engineer"), standing alone between separators
("Berlin · Hybrid · Full-time", "(Remote)"), or before a word that makes it one ("a contract
position", "fully remote", "hybrid role"). Labels win over other mentions.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from jobstream_parser.document import Document

MAX_MENTIONS: Final = 200

_EMPLOYMENT: Final = re.compile(
    r"(?<![\w-])(?:"
    r"(?P<CONTRACT_TO_HIRE>contract[- ]to[- ](?:hire|perm(?:anent)?)|temp[- ]to[- ](?:perm|hire)"
    r"|c2h)"
    r"|(?P<INTERN>internship|intern|praktikum|werkstudent(?:in)?|estágio|estagio|prácticas"
    r"|pasantía|stage|alternance)"
    r"|(?P<PER_DIEM>per[- ]diem|prn)"
    r"|(?P<VOLUNTEER>volunteer(?:ing)?|voluntário|voluntariado|bénévolat|bénévole|ehrenamt)"
    r"|(?P<TEMPORARY>temporary|temp|fixed[- ]term|seasonal|befristet|temporário|temporal|cdd"
    r"|interim)"
    r"|(?P<PART_TIME>part[- ]?time|teilzeit|meio[- ]período|tempo parcial|medio tiempo"
    r"|media jornada|tiempo parcial|temps partiel|minijob)"
    r"|(?P<CONTRACTOR>contractor|contract|freelance|freelancer|independent contractor|1099|pj"
    r"|werkvertrag)"
    r"|(?P<FULL_TIME>full[- ]?time|permanent|vollzeit|festanstellung|unbefristet"
    r"|tempo integral|clt|tiempo completo|jornada completa|temps plein|cdi|indefinido"
    r"|unbefristete?)"
    r")(?![\w-])",
    re.IGNORECASE,
)
# "a contract position", "a full-time, remote position": the noun may follow a word or two.
_EMPLOYMENT_NOUN: Final = re.compile(
    r"(?:[ ,/&-]{1,3}[\w-]{1,15}){0,2}?[ ,-]{0,3}(?:position|role|job|employee|employment"
    r"|contract|basis|opportunity|assignment"
    r"|engagement|schedule|hire|vacancy|gig|w-?2|stelle|vaga|puesto|poste"
    r"|anstellung)\b",
    re.IGNORECASE,
)
# "an internship program", "our volunteer program" are terms; "a contract construction
# program", "the contract administration program" are work about contracts, not the terms.
_PROGRAM_NOUN: Final = re.compile(
    r"(?:[ ,/&-]{1,3}[\w-]{1,15}){0,2}?[ ,-]{0,3}(?:program|programme)\b", re.IGNORECASE
)
_PROGRAM_KINDS: Final = frozenset({"INTERN", "VOLUNTEER"})
# "Contract Administrator", "Contract Manager", "contract negotiation": a job about contracts
# (in the title too), not a contractor's terms.
_ABOUT_CONTRACTS: Final = re.compile(
    r"[ ](?:administrat|manag|specialist|analyst|officer|negotiat|coordinat|complian|lifecycle"
    r"|review|drafting)",
    re.IGNORECASE,
)
# "Applicants currently employed by the City on a part-time or exempt basis": who may apply,
# on the terms they have now, not the job's terms.
_CURRENTLY_EMPLOYED: Final = re.compile(
    r"\b(?:currently|presently|already|now) employed\b", re.IGNORECASE
)
# How far back in the sentence a mention's context is read.
CONTEXT_CHARS: Final = 120
_WORK_MODE: Final = re.compile(
    r"(?<![\w-])(?:"
    r"(?P<hybrid>hybrid|hybride|h[íi]brido|hybrides arbeiten"
    r"|(?:[1-4]|one|two|three|four)(?:-| )days?(?:[ ]?/[ ]?week|(?: a| per| each)?(?: week)?)"
    r" (?:in|at|on|from)(?: the| our)? (?:office|site|hq|headquarters)|partially remote"
    r"|partly remote|partial(?:ly)? on-?site|partly on-?site"
    r"|(?:in|at|from) (?:the |our )?(?:[A-Z][\w-]{1,20} )?office (?:[1-4]|one|two|three|four)"
    r" days? (?:a|per|each) week"
    r"|(?:on-?site|in[- ]office|in the office)(?: in [A-Z][\w-]{1,20}(?: [A-Z][\w-]{1,20})?)?"
    r" (?:[1-4]|one|two|three|four) days? (?:a|per|each) week)"
    r"|(?P<remote>(?:fully |100% |full(?:y)? )?remote(?:ly)?|work(?:ing)? from home|wfh"
    r"|telecommut\w{0,10}|telework\w{0,10}|remoto|teletrabajo"
    r"|télétravail(?: complet| total| à 100 ?%)?|home[- ]?office"
    r"|work from anywhere)"
    r"|(?P<onsite>on[- ]?site|in[- ]person|in[- ]office|office[- ]based|not remote"
    r"|work(?:ing)? from (?:the )?office"
    r"|no remote|vor ort|presencial|présentiel|sur site)"
    r")(?![\w-])",
    re.IGNORECASE,
)
_MODE_NOUN: Final = re.compile(
    r"[ -]?(?:(?:work|working|role|position|job|first|only|friendly|option|opportunity|model"
    r"|schedule|setup|set-up|arrangement|environment|policy|within|from|in|employee"
    r"|company|basis|possible|available)\b|\()",
    re.IGNORECASE,
)
_MODE_BEFORE: Final = re.compile(
    r"(?:fully|100%|is|be|are|work|working|completely|entirely|can work|100 %|performed|done"
    r"|based)[ ]$",
    re.IGNORECASE,
)
# "Interviews will be conducted remotely", "a remote interview", "collaborate remotely with
# the Berlin team": the hiring process or how people talk, not where the job is done.
_NOT_MODE_AFTER: Final = re.compile(
    r"[ ]?(?:interview|onboarding|hiring process|assessment|screening|video)", re.IGNORECASE
)
_NOT_MODE_BEFORE: Final = re.compile(
    r"(?:interview\w*|collaborat\w*|communicat\w*|meet\w*|connect\w*|coordinat\w*"
    r"|support\w*|access\w*|monitor\w*|troubleshoot\w*|administ\w*|conducted|held)[ ]"
    r"(?:[\w-]+[ ]){0,3}$",
    re.IGNORECASE,
)
_ALWAYS_MODE: Final = re.compile(
    r"work(?:ing)? from home|wfh|telecommut|telework|days? (?:a |per |each )?(?:week )?(?:in|at|on"
    r"|from)|partially remote|partly remote|fully remote|100% remote|not remote|no remote"
    r"|work from anywhere|partial(?:ly)? on-?site|partly on-?site",
    re.IGNORECASE,
)
_LABEL: Final = re.compile(
    r"(?:employment type|job type|type of employment|contract type|type de contrat"
    r"|tipo de contrato|tipo de vaga|vertragsart|anstellungsart|beschäftigungsart|arbeitszeit"
    r"|jornada|engagement type|schedule|type|work(?:place)? (?:location|type|mode|model"
    r"|arrangement|setting|style)|location(?: type)?|remote|arbeitsort|arbeitsmodell"
    r"|modelo de trabalho|modalidade|modalidad|lieu|mode de travail|locations?|where)"
    r"[ ]?(?::|-|\u2013)[ ]?",
    re.IGNORECASE,
)
_BARE_LABEL: Final = re.compile(
    r"(?:employment type|job type|workplace type|work type|location type|remote type)",
    re.IGNORECASE,
)
_LEFT_DELIMITER: Final = frozenset("|·•,(/\u2013\u2014-:[.!")
_RIGHT_DELIMITER: Final = frozenset("|·•,)/\u2013\u2014-:(].")
# "Contrato indefinido", "contract type permanent": the word before makes it a term.
_TERM_BEFORE: Final = re.compile(r"(?:contrato|contrat|contract|vertrag|regime|tipo)[ ]$", re.I)
_NOT_EMPLOYMENT_BEFORE: Final = re.compile(
    r"(?<![\w-])(?:(?:years?|months?) of|of|paid|equivalent|employment|formal|written)[ ]$",
    re.IGNORECASE,
)
_TIME: Final = r"\d{1,2}(?::\d{2})?[ ]?(?:[ap]\.?m\.?)|\d{1,2}:\d{2}(?:[ ]?h)?|\d{1,2}h(?:\d{2})?"
_ZONE: Final = (
    r"(?:Pacific|Eastern|Central|Mountain|Atlantic|Central European|Eastern European"
    r"|Western European|India|British|Greenwich Mean|Coordinated Universal|Brasília)"
    r"(?: Standard| Daylight| Summer)? Time"
    r"|UTC(?:[ ]?[+-\u2212±][ ]?\d{1,2}(?::?\d{2})?)?|GMT(?:[ ]?[+-\u2212±][ ]?\d{1,2})?"
    r"|PST|PDT|PT|EST|EDT|ET|CST|CDT|CT|MST|MDT|MT|BST|CET|CEST|EET|EEST|WET|WEST|IST|JST"
    r"|AEST|AEDT|SGT|HKT|BRT|ART"
)
_HOURS: Final = re.compile(
    rf"(?<![\w:])(?:{_TIME})[ ]?(?:-|\u2013|\u2014|to|until|till|bis|às|a|à|hasta)[ ]?(?:{_TIME})"
    rf"(?:[ ]?(?P<zone>{_ZONE})\b|[ ]?\((?P<zone_in_parens>{_ZONE})\))?",
    re.IGNORECASE,
)
# Where a match of `_HOURS` may start: a digit after no word character or colon.
_HOURS_START: Final = re.compile(r"\d(?<![\w:]\d)")
_ZONE_ALONE: Final = re.compile(
    rf"(?i:time ?zones?|timezone)[ ]?:?[ ]?\(?(?P<after>{_ZONE})\b"
    rf"|(?<![\w-])(?P<before>{_ZONE})(?:[ ]?[+-\u2212±][ ]?\d{{1,2}})?[ ]?(?i:time ?zones?|timezone"
    rf"|business hours|working hours|hours)\b",
)


class Term(NamedTuple):
    value: str
    span: tuple[int, int]
    labelled: bool


def find_employment_type(document: Document, title_span: tuple[int, int] | None) -> Term | None:
    """The employment type: labelled or in the title first, then the first term in the text;
    a contract that may become permanent ("contract-to-hire") wherever the text says so."""
    terms = _terms(document, _EMPLOYMENT, _EMPLOYMENT_NOUN, title_span, employment=True)
    labelled = [term for term in terms if term.labelled]
    found = labelled[0] if labelled else terms[0] if terms else None
    if found is not None and found.value == "CONTRACTOR":
        to_hire = next((term for term in terms if term.value == "CONTRACT_TO_HIRE"), None)
        return to_hire or found
    return found


def find_work_mode(document: Document) -> Term | None:
    """Remote, hybrid or on-site: a label first; hybrid over the rest (hybrid postings mention
    both the office and home); else the first term."""
    terms = _terms(document, _WORK_MODE, _MODE_NOUN, None, employment=False)
    labelled = [term for term in terms if term.labelled]
    hybrid = [term for term in terms if term.value == "hybrid"]
    if labelled:
        # "Work mode: ONSITE (3 days/week in office)": the line's own words make it hybrid
        line = document.line_at(labelled[0].span[0])
        if line is not None:
            for term in hybrid:
                if line.start <= term.span[0] < line.end:
                    return term
        return labelled[0]
    if hybrid:
        return hybrid[0]
    return terms[0] if terms else None


def _terms(
    document: Document,
    pattern: re.Pattern[str],
    noun: re.Pattern[str],
    title_span: tuple[int, int] | None,
    *,
    employment: bool,
) -> list[Term]:
    text = document.text
    found: list[Term] = []
    anchor = "employment" if employment else "work_mode"
    matches = document.scan(pattern, anchor, back=60, ahead=60)
    for count, match in enumerate(matches):
        if count >= MAX_MENTIONS:
            break
        kind = match.lastgroup
        if kind is None:
            continue
        start, end = match.span()
        if kind == "CONTRACTOR" and _ABOUT_CONTRACTS.match(text, end) is not None:
            continue
        if kind == "remote" and _not_where_the_job_is(document, start, end):
            continue
        line = document.line_at(start)
        if line is None:
            continue
        before = text[line.start : start]
        labelled = _is_labelled(document, line.start, before)
        in_title = title_span is not None and line.start <= title_span[0] < line.end
        if labelled or (employment and in_title):
            found.append(Term(kind, (start, end), True))
            continue
        if employment and (
            _NOT_EMPLOYMENT_BEFORE.search(before[-20:]) or _about_current_employment(before)
        ):
            continue
        # "contract-to-hire", "temp-to-perm": a term wherever it stands
        standalone = kind == "CONTRACT_TO_HIRE" or (
            _delimited_left(before) and _delimited_right(text, end, line.end)
        )
        if standalone or _is_phrase(text, match, before, noun, employment=employment):
            found.append(Term(kind, (start, end), False))
    return found


def _is_phrase(
    text: str, match: re.Match[str], before: str, noun: re.Pattern[str], *, employment: bool
) -> bool:
    """A term by the words around it: "a contract position", "fully remote", "remotely"."""
    if noun.match(text, match.end()) is not None or _TERM_BEFORE.search(before[-20:]):
        return True
    if employment:
        return (
            match.lastgroup in _PROGRAM_KINDS and _PROGRAM_NOUN.match(text, match.end()) is not None
        )
    return (
        _MODE_BEFORE.search(before[-20:]) is not None
        or _ALWAYS_MODE.fullmatch(match.group()) is not None
        or _ALWAYS_MODE.match(match.group()) is not None
    )


def _not_where_the_job_is(document: Document, start: int, end: int) -> bool:
    """ "remote interviews", "collaborate remotely": the hiring process or how people work
    together, not where the job is done."""
    text = document.text
    if _NOT_MODE_AFTER.match(text, end, end + 20):
        return True
    return _NOT_MODE_BEFORE.search(text, max(0, start - 50), start) is not None


def _about_current_employment(before: str) -> bool:
    """The sentence so far says whom it is about: people employed now ("currently employed
    ... on a part-time basis")."""
    sentence = before[-CONTEXT_CHARS:]
    end = max(
        sentence.rfind(". "), sentence.rfind("; "), sentence.rfind("! "), sentence.rfind("? ")
    )
    return _CURRENTLY_EMPLOYED.search(sentence, end + 1) is not None


def _is_labelled(document: Document, line_start: int, before: str) -> bool:
    """ "Job type: Full-time", or "Employment type" alone on the line above."""
    label = _LABEL.match(before)
    if label is not None and len(before) <= label.end() + 40:
        return True
    if before.strip():
        return False
    previous = document.line_at(line_start - 2) if line_start >= 2 else None
    return previous is not None and _BARE_LABEL.fullmatch(previous.text.rstrip(":")) is not None


def _delimited_left(before: str) -> bool:
    stripped = before.rstrip()
    return not stripped or stripped[-1] in _LEFT_DELIMITER


def _delimited_right(text: str, start: int, end: int) -> bool:
    """Nothing but white space, or a delimiter first, in `text[start:end]`."""
    while start < end and text[start].isspace():
        start += 1
    return start >= end or text[start] in _RIGHT_DELIMITER


class Hours(NamedTuple):
    hours: tuple[str, tuple[int, int]] | None
    zone: tuple[str, tuple[int, int]] | None


def find_working_hours(document: Document) -> Hours:
    """Working hours as stated ("8:00 am to 11:00 pm Pacific Time") and the time zone."""
    hours = next(document.scan(_HOURS, "hours", back=30, ahead=80, starts=_HOURS_START), None)
    if hours is not None:
        group = "zone" if hours.group("zone") else "zone_in_parens"
        zone = (
            (hours.group(group), hours.span(group)) if hours.group(group) else _zone_alone(document)
        )
        return Hours((hours.group(), hours.span()), zone)
    return Hours(None, _zone_alone(document))


def _zone_alone(document: Document) -> tuple[str, tuple[int, int]] | None:
    # Every match says "zone" or "hour" (in any case): without either, nothing to look for.
    if "zone" not in document.lower and "hour" not in document.lower:
        return None
    match = next(document.scan(_ZONE_ALONE, "hours", back=40, ahead=40), None)
    if match is None:
        return None
    group = "after" if match.group("after") else "before"
    return match.group(group), match.span(group)
