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

from jobstream_parser import geo
from jobstream_parser.document import Document
from jobstream_parser.sections import SectionIndex

MAX_MENTIONS: Final = 200

_EMPLOYMENT: Final = re.compile(
    r"(?<![\w-])(?:"
    r"(?P<CONTRACT_TO_HIRE>contract[- ]to[- ](?:hire|perm(?:anent)?)|temp[- ]to[- ](?:perm|hire)"
    r"|c2h)"
    r"|(?P<INTERN>internship|intern|praktikum|werkstudent(?:in)?|estágio|estagio|pr[áa]cticas"
    r"|pasantía|stage|alternance|(?:bachelor|master|abschluss)arbeit|bachelor-/masterarbeit"
    r"|lehrstelle)"
    r"|(?P<PER_DIEM>per[- ]diem|prn)"
    r"|(?P<VOLUNTEER>volunteer(?:ing)?|voluntário|voluntariado|bénévolat|bénévole|ehrenamt)"
    r"|(?P<TEMPORARY>temporary|temp|fixed[- ]term|seasonal|befristet|temporär|temporário|temporal"
    r"|cdd|interim|mission intérimaire|intérimaire|contrat à durée déterminée|saisonnier"
    r"|contrat travail saisonnier|funcionario interino|interin[oa]|term(?:[- ]limited)? appointment"
    r"|not[- ]to[- ]exceed \d{1,2} (?:months|years)|\d{1,2} months(?: and \d{1,2} days?)?"
    r"|duration of the (?:position|appointment|contract|employment) is \w{1,6} (?:years?|months)"
    r"|appointment duration is \w{1,6} (?:years?|months)"
    r"|contrato (?:por|de) obra(?: y servicio)?|contrato eventual"
    r"|contra(?:to|cte) de (?:\d{1,2}|un|una|dos|tres|cuatro|cinco|seis|doce) (?:mes(?:es|os)?"
    r"|años?|anys?|semanas?)"
    r"|\d{1,2}[- ]month (?:project|appointment|contract|position|post|assignment)"
    # "durada prevista inicial d'1 a 2 mesos", "DURACIÓN DEL CONTRATO: 1 MES", "de duración
    # determinada", "Interinatge" (Catalan and Spanish boards, 0.3.28)
    r"|(?:durada|duración)(?: prevista(?: inicial)?| del contra(?:to|cte):?"
    r"| del contracte (?:seria|serà|és))? (?:de |d'|d\u2019|entre )?(?:\d{1,2}|un|una|dos|tres)"
    r"(?:[ ]?(?:a|-|o|y|i)[ ]?\d{1,2})? (?:mes(?:es|os)?|setmanes|semanas|anys?|años?)"
    r"|(?:duración|durada) determinada|interinatge)"
    r"|(?P<PART_TIME>part[- ]?time|teilzeit|meio[- ]período|tempo parcial|medio tiempo"
    r"|media jornada|tiempo parcial|temps partiel|minijob|jornada parcial|parcial)"
    r"|(?P<CONTRACTOR>contractor|contract|freelance|freelancer|independent contractor|1099|pj"
    r"|werkvertrag)"
    r"|(?P<FULL_TIME>full[- ]?time|vollzeit|tempo integral|tiempo completo|jornada completa"
    r"|temps plein|completa)"
    # Permanence states no hours (the labelling guide): found, so that it is no other term,
    # and given no type.
    r"|(?P<PERMANENT>permanent(?:[ ](?:employment[ ])?contract)?|festanstellung|unbefristete?"
    r"|clt|cdi|indefinido"
    r"|contrat à durée indéterminée)"
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
FORUM_HEAD_CHARS: Final = 300
FORUM_HEAD_BARS: Final = 2
# How far back in the sentence a mention's context is read.
CONTEXT_CHARS: Final = 120
_WORK_MODE: Final = re.compile(
    r"(?<![\w-])(?:"
    # "NYC/SF ONSITE-Hybrid": on site or hybrid, the most remote offered (0.3.26)
    r"(?P<hybrid>on-?site[-/]hybrid|hybrid|hybride|h[íi]brid[oa]|hybrides arbeiten"
    # "teletrabajo parcial", "2 jours de télétravail", "teilweise Homeoffice", "mobiles Arbeiten"
    r"|teletrabajo parcial|télétravail partiel|semi-?presencial"
    r"|(?:[1-4]|un|deux|trois|quatre|dos|tres|cuatro) (?:jours? de télétravail|d[íi]as? de"
    r" teletrabajo)|teilweise (?:im )?home[- ]?office|mobiles arbeiten"
    r"|(?:(?:[1-4]|one|two|three|four)(?:-| )days?|[1-4]x)(?:[ ]?/[ ]?week|(?: a| per| each)?"
    r"(?: week)?) (?:in|at|on|from)(?: the| our)?(?: [a-z][\w-]*){0,2}?"
    r" (?:office|site|hq|headquarters)"
    r"|partially remote"
    r"|partly remote|partial(?:ly)? on-?site|partly on-?site"
    r"|some (?:flexible[/ ])?remote working(?: possible)?"
    # "options to work from home", "Work from Home Options", "a mix between office and remote
    # work": home some of the time (read from unlabelled postings, 0.3.18)
    r"|(?:options?|possibilit(?:y|ies)|opportunit(?:y|ies)) (?:to|of|for)"
    r" (?:work(?:ing)? (?:from home|remotely)|do home[- ]?office)"
    r"|(?:work(?:ing)? from home|remote work(?:ing)?|home[- ]?office)"
    r" (?:options?|opportunit(?:y|ies))|remote options?"
    r"|mix (?:between|of) (?:the )?office and remote"
    # "3-4 days a week onsite at the customer facility"
    r"|(?:[1-4](?:[-\u2013][2-4])?|one|two|three|four)[- ]days?(?: a| per| each)?(?: week)?"
    r" (?:on-?site|in[- ]office|in the office)"
    r"|(?:in|at|from) (?:the |our )?(?:[A-Z][\w-]{1,20} ){0,2}office (?:[1-4]|one|two|three|four)"
    r" days? (?:a|per|each) week"
    r"|(?:on-?site|in[- ]office|in the office)(?: in [A-Z][\w-]{1,20}(?: [A-Z][\w-]{1,20})?)?"
    r" (?:[1-4]|one|two|three|four) days? ?(?:(?:a|per|each) |/ ?)week)"
    # "Open to remote for the right candidate", "Remote-friendly for the right person": remote
    # is offered (0.3.26; not "not open to remote")
    r"|(?P<remote>(?<!not )(?<!n't )(?<!n\u2019t )open to remote(?! work(?:ers?)?\b)"
    r"|remote(?:[- ]friendly)? for the right (?:person|candidate|fit|hire|people)"
    r"|(?:fully |100% |full(?:y)? |all )?remote(?:ly|[- ]first|[- ]friendly)?"
    r"|work(?:ing)? from home|wfh"
    r"|telecommut\w{0,10}|telework\w{0,10}|remot[oa]|teletrabajo|teletreball|desde (?:tu |su )?casa"
    r"|télétravail(?: complet| total| à 100 ?%)?(?!\s?:\s?non)|home[- ]?office"
    r"|work from anywhere|virtual)"
    r"|(?P<onsite>on[- ]?site|in[- ]person|in[- ]office|office[- ]based|not remote"
    r"|work(?:ing)? from (?:the )?office"
    r"|no remote|vor ort|presencial|présentiel|sur site"
    r"|télétravail\s?:\s?non)"  # "Télétravail : Non": no telework
    r")(?![\w-])",
    re.IGNORECASE,
)
_MODE_NOUN: Final = re.compile(
    r"[ -]?(?:(?:work|working|role|position|job|first|only|friendly|option|opportunity|model"
    r"|schedule|setup|set-up|set up|arrangement|environment|policy|within|from|in|employee"
    r"|company|basis|possible|available)\b|\()",
    re.IGNORECASE,
)
_MODE_BEFORE: Final = re.compile(
    r"(?:fully|100%|is|be|are|work|working|completely|entirely|can work|100 %|performed|done"
    r"|based|full-time|full time)[ ]$",
    re.IGNORECASE,
)
# "We build in person every day", "building the company in person": the team works on site.
_IN_PERSON_BEFORE: Final = re.compile(
    r"\b(?:build|building)(?:[ ]the[ ]company|[ ]together)?[ ]$", re.IGNORECASE
)
# "ranging from fully remote to in-office": a range of options, the most remote offered.
_RANGE_TO: Final = re.compile(r"[ ]to[ ](?:in[- ]office|on-?site|hybrid|the office)\b", re.I)
_RANGE_FROM: Final = re.compile(r"\bfrom[ ]$", re.IGNORECASE)
# "Interviews will be conducted remotely", "a remote interview", "collaborate remotely with
# the Berlin team": the hiring process or how people talk, not where the job is done.
_NOT_MODE_AFTER: Final = re.compile(
    r"[ ]?(?:interview|onboarding|hiring process|assessment|screening|video)", re.IGNORECASE
)
_NOT_MODE_BEFORE: Final = re.compile(
    r"(?:interview\w*|collaborat\w*|communicat\w*|meet\w*|connect\w*|coordinat\w*"
    r"|support\w*|access\w*|monitor\w*|troubleshoot\w*|administ\w*|conducted|held"
    r"|schedules?)[ ]"
    r"(?:[\w-]+[ ]){0,3}$",
    re.IGNORECASE,
)
# "by phone and in person", "communicate ... in person": how people talk, not where they work.
_IN_PERSON_TALK: Final = re.compile(
    r"(?:phone|telephone|e-?mail|writing|orally|communicat\w*|meet\w*|speak\w*)"
    r"(?:[ ][\w,]+){0,3}?[ ](?:and|or)[ ]$|(?:communicat\w*|meet\w*|orally)[ ]$",
    re.IGNORECASE,
)
# "occasional in-person meetups", "an onsite interview": gatherings, not where the job is done.
_GATHERING_AFTER: Final = re.compile(
    r"[ ](?:meet-?ups?|meetings?|off-?sites?|events?|retreats?|gatherings?|interviews?"
    r"|onboarding|visits?)\b",
    re.IGNORECASE,
)
_ALWAYS_MODE: Final = re.compile(
    r"work(?:ing)? from home|wfh|telecommut|telework|days? (?:a |per |each )?(?:week )?(?:in|at|on"
    r"|from)|[1-4]x.*|partially remote|partly remote|fully remote|100% remote|not remote|no remote"
    r"|work from anywhere|partial(?:ly)? on-?site|partly on-?site|some (?:flexible[/ ])?remote"
    r"|open to remote|.* for the right .*|on-?site[-/]hybrid"
    r"|desde (?:tu |su )?casa|.*télétravail|.*teletrabajo|teletrabajo .*|télétravail .*"
    r"|teilweise .*|mobiles arbeiten|.*week|\d.* days?.*|options?.*|possibilit.*|opportunit.*"
    r"|.* options?"
    r"|.* opportunit(?:y|ies)|mix .*|télétravail\s?:\s?non",
    re.IGNORECASE,
)
_LABEL: Final = re.compile(
    r"(?:employment type|job type|type of employment|contract type|type de contrat"
    r"|tipo de contrato|tipo de vaga|vertragsart|anstellungsart|beschäftigungsart|arbeitszeit"
    r"|jornada|engagement type|schedule|type|work(?:place)? (?:location|type|mode|model"
    r"|arrangement|setting|style)|location(?: type)?|remote|arbeitsort|arbeitsmodell"
    r"|modelo de trabalho|modalidade|modalidad|lieu|mode de travail|location options|locations?"
    r"|where"
    r"|appointment(?: type)?|pensum)"
    r"[ ]?(?::|-(?!\w)|\u2013)[ ]?",  # not "Remote-first, with occasional in-person ..."
    re.IGNORECASE,
)
# A label of the terms right before them, inside a line of facts ("... Job type: Full-time
# Industry: ...", "Employement Type Full-Time").
_LABEL_JUST_BEFORE: Final = re.compile(
    r"(?:employe?ment type|job type|type of employment|contract type|working hours"
    r"|work(?:ing)? schedule|location options)[ ]?(?::|-|\u2013)?[ ]?$",
    re.IGNORECASE,
)
_BARE_LABEL: Final = re.compile(
    r"(?:employment type|job type|workplace type|work type|location type|remote type"
    r"|location options)",
    re.IGNORECASE,
)
_NOT_MODE_SECTIONS: Final = frozenset({"benefits", "legal", "about_company"})
_PERK: Final = re.compile(
    r"telework\w*|telecommut\w*|home[- ]?office|work(?:ing)? from home|wfh|remote(?:ly)?",
    re.IGNORECASE,
)
_REMOTENESS: Final = {"remote": 0, "hybrid": 1, "onsite": 2}
_LEFT_DELIMITER: Final = frozenset("|·•,(/\u2013\u2014-:[.!+")
_RIGHT_DELIMITER: Final = frozenset("|·•,)/\u2013\u2014-:(].+\u2192")
# "Contrato indefinido", "contract type permanent": the word before makes it a term.
_TERM_BEFORE: Final = re.compile(
    r"(?:contrato|contrat|contract|vertrag|regime|tipo|trabajo|empleo|feina)"
    r"(?: en| de| \w{1,12} a)?[ ]$",
    re.I,
)
# Words that are terms only under a label ("Jornada: COMPLETA", "Appointment Type: ... 12
# months"), and "Temporal" (a workflow engine) unless a label or "contrato" makes it a term.
_ONLY_LABELLED: Final = re.compile(
    r"completa|parcial|\d{1,2} months(?: and \d{1,2} days?)?|Temporal", re.IGNORECASE
)
_ALWAYS_TERM: Final = re.compile(
    r"fixed[- ]term|not[- ]to[- ]exceed.*|term(?:[- ]limited)? appointment|funcionario interino"
    r"|(?:bachelor|master|abschluss)arbeit|bachelor-/masterarbeit"
    r"|duration .*|appointment duration .*|contrato .*|\d{1,2}[- ]month .*|lehrstelle|befristet"
    # hours in words that mean nothing else
    r"|media jornada|jornada (?:completa|parcial)|tiempo (?:completo|parcial)|medio tiempo"
    r"|temps (?:plein|partiel)",
    re.IGNORECASE,
)
# The engagement's nature outranks its hours (the labelling guide): a fixed-term full-time job
# is TEMPORARY.
_NATURE: Final = frozenset({"TEMPORARY", "INTERN", "CONTRACTOR", "CONTRACT_TO_HIRE", "PER_DIEM"})
# A Swiss workload in the head: "Bäcker/in 100%", "Facility Manager 80-100%", "(10-20%)",
# "Pensum: 100%", "an 80% position".
_WORKLOAD: Final = re.compile(
    r"(?:^|[ (|:])(?P<low>\d{2,3})(?:[ ]?[-\u2013][ ]?(?P<high>\d{2,3}))?[ ]?%"
    # "Pensum 80-100%, Eintritt ab sofort", "Consultant 80-100% (w/m)" (0.3.28)
    r"(?=[ ]?(?:$|[)|,(]|position\b|stelle\b))",
    re.MULTILINE,
)
WORKLOAD_HEAD_LINES: Final = 8
# "certificado de discapacidad 33%, experiencia": a degree of disability, no workload.
_NOT_WORKLOAD_BEFORE: Final = re.compile(
    r"(?:discapacidad|minusval\w*|disability|behinderung)[^%]{0,12}$", re.IGNORECASE
)
FULL_TIME_WORKLOAD: Final = 80
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
    terms = [term for term in terms if term.value != "PERMANENT"]
    labelled = [term for term in terms if term.labelled]
    nature = [term for term in (*labelled, *terms) if term.value in _NATURE]
    hours = [term for term in (labelled or terms) if term.value not in _NATURE]
    found = nature[0] if nature else hours[0] if labelled else None
    if nature and hours:
        found = _first_alternative(document.text, nature[0], hours) or found
    if found is None:
        workload = _workload(document)
        if workload is not None:
            return workload if workload.value else None
        found = hours[0] if hours else None
    if found is not None and found.value == "CONTRACTOR":
        to_hire = next((term for term in terms if term.value == "CONTRACT_TO_HIRE"), None)
        return to_hire or found
    return found


# "Full-time or Contract", "Full-time/Contract": two terms offered, the first stated.
_ALTERNATIVE: Final = re.compile(r"[ ]?(?:/|or|ou|o|oder)[ ]?", re.IGNORECASE)


def _first_alternative(text: str, nature: Term, hours: list[Term]) -> Term | None:
    """The hours term stated first when it and the engagement's nature are alternatives
    ("Full-time or Contract": the first stated, the labelling guide's rule for alternatives)."""
    for term in hours:
        if term.span[1] <= nature.span[0] and _ALTERNATIVE.fullmatch(
            text, term.span[1], nature.span[0]
        ):
            return term
    return None


def _a_benefit(document: Document, sections: SectionIndex, term: Term) -> bool:
    """ "Flexible work schedules and telework" in a list of benefits: a perk, not where the job
    is done ("Hybrides Arbeiten: zwei Tage pro Woche im Büro" there still says it)."""
    return (
        not term.labelled
        and sections.kind_at(term.span[0]) in _NOT_MODE_SECTIONS
        and _PERK.fullmatch(document.text, *term.span) is not None
    )


def _workload(document: Document) -> Term | None:
    """A workload stated in the head: 100%, or from at least 80% to 100%, is full time; a top
    below 100% is part time; a range across both ("20-100%") says neither (value "")."""
    for line in document.lines[:WORKLOAD_HEAD_LINES]:
        if "%" not in line.text:
            continue
        match = _WORKLOAD.search(line.text)
        if match is None or _NOT_WORKLOAD_BEFORE.search(line.text, 0, match.start()):
            continue
        low = int(match.group("low"))
        high = int(match.group("high") or low)
        span = (line.start + match.start("low"), line.start + match.end())
        if high < 100:
            return Term("PART_TIME", span, True)
        return Term("FULL_TIME" if low >= FULL_TIME_WORKLOAD else "", span, True)
    return None


def find_work_mode(document: Document, sections: SectionIndex | None = None) -> Term | None:
    """Remote, hybrid or on-site: a label first; hybrid over the rest (hybrid postings mention
    both the office and home); else the first term, or the most remote of the terms on its
    line ("Remote or onsite": the most remote option offered). A benefits list naming
    "telework" says nothing of where the job is done."""
    terms = _terms(document, _WORK_MODE, _MODE_NOUN, None, employment=False)
    if sections is not None:
        terms = [term for term in terms if not _a_benefit(document, sections, term)]
    labelled = [term for term in terms if term.labelled]
    hybrid = [term for term in terms if term.value == "hybrid"]
    text = document.text
    for term in terms:
        start, end = term.span
        if (
            term.value == "remote"
            and _RANGE_TO.match(text, end, end + 20)
            and _RANGE_FROM.search(text, max(0, start - 15), start)
        ):
            return term  # "ranging from fully remote to in-office": the most remote offered
    if labelled:
        # "Work mode: ONSITE (3 days/week in office)": the line's own words make it hybrid
        line = document.line_at(labelled[0].span[0])
        if line is not None:
            for term in hybrid:
                if line.start <= term.span[0] < line.end:
                    return term
        return labelled[0]
    if hybrid:
        # "REMOTE (EU/Asia) or HYBRID Berlin": the most remote option of the line
        remote = _remote_alternative(document, terms, hybrid[0])
        return remote or hybrid[0]
    if not terms:
        return None
    line = document.line_at(terms[0].span[0])
    if line is None:
        return terms[0]
    on_line = [term for term in terms if line.start <= term.span[0] < line.end]
    return min(on_line, key=lambda term: _REMOTENESS[term.value])


def _remote_alternative(document: Document, terms: list[Term], hybrid: Term) -> Term | None:
    """A remote term offered as the alternative to `hybrid` on its line ("Remote or Hybrid",
    "REMOTE (EU/Asia/Americas -- no US) or HYBRID Berlin", "Hybrid/Remote", "ONSITE/HYBRID
    Preferred, Remote Available")."""
    line = document.line_at(hybrid.span[0])
    if line is None:
        return None
    for term in terms:
        if term.value != "remote" or not line.start <= term.span[0] < line.end:
            continue
        first, second = sorted((term.span, hybrid.span))
        between = document.text[first[1] : second[0]]
        if len(between) > ALTERNATIVE_CHARS or "." in between:
            continue
        if (
            " or " in between
            or between.strip() in _ALTERNATIVE_SIGNS
            or _OFFERED.match(document.text, term.span[1]) is not None
        ):
            return term
    return None


_ALTERNATIVE_SIGNS: Final = frozenset({"/", "or", "&", ",", "and"})  # "ONSITE, REMOTE, HYBRID"
# "Remote Available", "remote possible": remote is offered as an option.
_OFFERED: Final = re.compile(r"[ ](?:available|possible|ok|optional|option)\b", re.IGNORECASE)


ALTERNATIVE_CHARS: Final = 60


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
        if _in_a_name(text, start, end):
            continue
        if kind == "CONTRACTOR" and _ABOUT_CONTRACTS.match(text, end) is not None:
            continue
        if kind == "remote" and (
            _not_where_the_job_is(document, start, end) or _for_now(document, start, end)
        ):
            continue
        if kind == "onsite" and (
            _search_in_lower_case(document, _IN_PERSON_TALK, max(0, start - 40), start)
            or _GATHERING_AFTER.match(text, end, end + 20)
        ):
            continue  # "communicate orally by phone and in person": how, not where
        line = document.line_at(start)
        if line is None:
            continue
        before = text[line.start : start]
        if kind == "remote" and text[start] in "Vv" and not _a_place_of_work(before, text, end):
            continue  # "virtual and in-person learning", "Virtualization": no work mode
        labelled = _is_labelled(document, line.start, before)
        in_title = title_span is not None and line.start <= title_span[0] < line.end
        only_labelled = employment and _ONLY_LABELLED.fullmatch(match.group()) is not None
        if (
            in_title
            and only_labelled
            and not _ends_with(document, _TERM_BEFORE, line.start, start, 36)
            and not (_delimited_left(before) and _delimited_right(text, end, line.end))
        ):
            in_title = False  # "Trabajador/a social. servicio acogida temporal": no term
        if labelled or (employment and in_title):
            found.append(Term(kind, (start, end), True))
            continue
        if only_labelled and not (
            match.group() == "temporal" or _ends_with(document, _TERM_BEFORE, line.start, start, 36)
        ):
            continue
        if employment and (
            _ends_with(document, _NOT_EMPLOYMENT_BEFORE, line.start, start, 20)
            or _about_current_employment(before)
        ):
            continue
        # "contract-to-hire", "temp-to-perm": a term wherever it stands; a work mode anywhere in
        # a segment of a forum head ("Acme | Engineers | Austria or Remote EU Hours | ...")
        standalone = (
            kind == "CONTRACT_TO_HIRE"
            or _ALWAYS_TERM.fullmatch(match.group())
            or (_delimited_left(before) and _delimited_right(text, end, line.end))
            or (not employment and _is_forum_head(line.start, line.text))
        )
        if not standalone and kind == "remote" and _delimited_left(before):
            standalone = _scope_follows(text, end)  # "(Remote Europe / LATAM)", "Remote USA"
        if standalone or _is_phrase(document, match, line.start, noun, employment=employment):
            found.append(Term(kind, (start, end), False))
    return found


_SCOPE_WORD: Final = re.compile(r"[ ](?:only[ ])?(?P<name>[A-Z][\w]+(?:[ ][A-Z][\w]+)?)")


def _scope_follows(text: str, end: int) -> bool:
    """ "Remote Europe", "Remote USA", "Remote France or UK possible": remote, then where from
    (a country or an area such as EMEA)."""
    match = _SCOPE_WORD.match(text, end)
    if match is None:
        return False
    name = match.group("name")
    return geo.country_code(name) is not None or geo.area(name) is not None


def _in_a_name(text: str, start: int, end: int) -> bool:
    """ "temporal.io", "www.remote.com": part of a domain name, not a term."""
    after = text[end : end + 2]
    before = text[max(0, start - 2) : start]
    return (len(after) == 2 and after[0] == "." and (after[1].islower() or after[1].isdigit())) or (
        len(before) == 2 and before[1] == "." and before[0].isalnum()
    )


def _is_forum_head(start: int, text: str) -> bool:
    """The first line of a forum post that lists its facts between bars."""
    return start < FORUM_HEAD_CHARS and text.count("|") >= FORUM_HEAD_BARS


def _ends_with(
    document: Document, pattern: re.Pattern[str], line_start: int, start: int, chars: int
) -> bool:
    """`pattern` (ending with `$`) found in the last `chars` characters of the line before
    `start`, as `pattern.search(before[-chars:])` finds it, in lower case where that finds the
    same (a case-insensitive search tries each word at each place; in lower case `re` skips to
    where one may start)."""
    text, found = document.in_lower_case(pattern)
    return found.search(text[max(line_start, start - chars) : start]) is not None


def _search_in_lower_case(
    document: Document, pattern: re.Pattern[str], start: int, end: int
) -> bool:
    """`pattern.search(document.text, start, end)`, in lower case where that finds the same."""
    text, found = document.in_lower_case(pattern)
    return found.search(text, start, end) is not None


def _is_phrase(
    document: Document,
    match: re.Match[str],
    line_start: int,
    noun: re.Pattern[str],
    *,
    employment: bool,
) -> bool:
    """A term by the words around it: "a contract position", "fully remote", "remotely"."""
    text = document.text
    start = match.start()
    if noun.match(text, match.end()) is not None or _ends_with(
        document, _TERM_BEFORE, line_start, start, 36
    ):
        return True
    if employment:
        return (
            match.lastgroup in _PROGRAM_KINDS and _PROGRAM_NOUN.match(text, match.end()) is not None
        )
    if match.lastgroup == "onsite" and _ends_with(
        document, _IN_PERSON_BEFORE, line_start, start, 30
    ):
        return True
    return (
        _ends_with(document, _MODE_BEFORE, line_start, start, 20)
        or _ALWAYS_MODE.fullmatch(match.group()) is not None
        or _ALWAYS_MODE.match(match.group()) is not None
    )


def _not_where_the_job_is(document: Document, start: int, end: int) -> bool:
    """ "remote interviews", "collaborate remotely": the hiring process or how people work
    together, not where the job is done."""
    text = document.text
    if _NOT_MODE_AFTER.match(text, end, end + 20):
        return True
    # Tried only where one of its words starts: `re` tries each word at each of the 50 places.
    return document.search(_NOT_MODE_BEFORE, max(0, start - 50), start) is not None


# "due to COVID-19 this role may initially be remotely based", "our staff are now working
# remotely to ensure continuity", "working from home until the Campus re-opens": remote for the
# time being, not the job's work mode.
_FOR_NOW: Final = re.compile(
    r"covid|corona|pandemic|current situation|until further notice|temporarily"
    r"|\bre-?opens?\b|return to (?:the )?(?:office|campus|site)|ensure continuity",
    re.IGNORECASE,
)
SENTENCE_CHARS: Final = 160


def _for_now(document: Document, start: int, end: int) -> bool:
    """The sentence holding a remote mention says it is for now (a pandemic's arrangement)."""
    # Read in lower case where that finds the same (a case-insensitive search tries each word
    # at each of the 300 places; in lower case `re` skips to where one may start).
    text, pattern = document.in_lower_case(_FOR_NOW)
    before = text[max(0, start - SENTENCE_CHARS) : start]
    cut = max(before.rfind(". "), before.rfind("\n"), before.rfind("! "), before.rfind("? "))
    after = text[end : end + SENTENCE_CHARS]
    stops = [index for index in (after.find(". "), after.find("\n")) if index >= 0]
    sentence = before[cut + 1 :] + after[: min(stops) if stops else len(after)]
    return pattern.search(sentence) is not None


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
    # In lower case where that finds the same (as in `_for_now`).
    text, label_pattern = document.in_lower_case(_LABEL)
    lower = text[line_start : line_start + len(before)]  # `before` itself, or lower-cased
    label = label_pattern.match(lower)
    if label is not None and len(before) <= label.end() + 40:
        return True
    _, just_before = document.in_lower_case(_LABEL_JUST_BEFORE)
    if just_before.search(lower[-30:]):  # "Job description: Job type: Full-time"
        return True
    if before.strip():
        return False
    previous = document.line_at(line_start - 2) if line_start >= 2 else None
    return previous is not None and _BARE_LABEL.fullmatch(previous.text.rstrip(":")) is not None


def _a_place_of_work(before: str, text: str, end: int) -> bool:
    """ "Location: Virtual (100% Remote)", "Boston, MA (virtual)", "Full time, Virtual (Location
    Negotiable ...)": "virtual" among the places or terms, not a word of a sentence."""
    if _LABEL.match(before) is not None:
        return True
    return before.endswith(("(", ", ", "; ")) and text[end : end + 2] in {")", " (", "", "\n"}


def _delimited_left(before: str) -> bool:
    stripped = before.rstrip()
    return not stripped or stripped[-1] in _LEFT_DELIMITER


def _delimited_right(text: str, start: int, end: int) -> bool:
    """Nothing but white space, or a delimiter first, in `text[start:end]` ("Remote or
    onsite": "or" is one)."""
    while start < end and text[start].isspace():
        start += 1
    return start >= end or text[start] in _RIGHT_DELIMITER or text.startswith("or ", start)


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
    if not document.mentions("zone"):
        return None
    match = next(document.scan(_ZONE_ALONE, "hours", back=40, ahead=40), None)
    if match is None:
        return None
    group = "after" if match.group("after") else "before"
    return match.group(group), match.span(group)
