"""The parser's domain: a raw posting in, a structured posting out. Pure: no I/O.

`parse` either returns a `ParsedPosting` or raises `NotAPosting` (a permanent error: the stage
dead-letters the record with the reason); it raises nothing else on any text.
"""

from __future__ import annotations

import re
from typing import Final

from jobstream.contracts import ParsedPosting, RawPosting
from jobstream.stages import PermanentError
from jobstream_parser.cleaning import TooLong, clean
from jobstream_parser.companies import find_company
from jobstream_parser.dates import find_date_posted
from jobstream_parser.document import Document
from jobstream_parser.experience import find_experience
from jobstream_parser.fields import Found
from jobstream_parser.heads import finditer
from jobstream_parser.language import find_language
from jobstream_parser.money import find_salary
from jobstream_parser.people import find_education, find_seniority
from jobstream_parser.places import FoundPlace, find_locations, find_url, parse_place
from jobstream_parser.sections import SectionIndex, find_sections
from jobstream_parser.similarity import SCHEME, signature
from jobstream_parser.terms import find_employment_type, find_work_mode, find_working_hours
from jobstream_parser.titles import find_title

PARSER_VERSION: Final = "0.3.30"

# Below this share of letters among the visible characters, the input is not prose.
MIN_LETTER_SHARE: Final = 0.3
SAMPLE_CHARS: Final = 4_000
_NOT_LETTERS: Final = re.compile(r"[\W\d_]+")
_ALPHANUMERIC: Final = re.compile(r"[^\W_]")
_JOB_WORDS: Final = re.compile(
    r"\b(?:jobs?|roles?|positions?|hiring|hire|candidates?|applicants?|apply|experience"
    r"|responsibilit\w{0,5}|requirements?|qualifications?|salary|compensation|benefits"
    r"|employer|employment|careers?|vacanc\w{1,3}|skills|duties|vaga|stelle|puesto|poste"
    r"|emploi|trabajo|trabalho|aufgaben|profil|requisitos|empleo"
    # Spanish, Catalan, French, German, Portuguese words of short ads
    r"|jornada|contrato|contracte|salario|sueldo|experiencia|funciones|incorporaci[oó]n"
    r"|contrat|salaire|exp[ée]rience|entreprise|recrute|arbeitsort|pensum|anstellung"
    r"|bewerbung|berufserfahrung|sal[aá]rio|experi[eê]ncia|contrata[cç][aã]o|empresa"
    r"|buscamos|necesita|precisa|contractar|treballar|feina|vollzeit|teilzeit|festanstellung"
    r"|unbefristet|befristet|cdi|cdd|aufgabengebiet|arbeitsklima|lehrbeginn|lehrstelle"
    r"|aufgabe|erfahrung|ausbildung|anforderungen|suchen wir|wir bieten|wochenlektionen)\b",
    re.IGNORECASE,
)
MIN_JOB_WORDS: Final = 2
# Bytes that are not ASCII letters: deleting them counts the ASCII letters at C speed.
_NOT_ASCII_LETTERS: Final = bytes(byte for byte in range(128) if not chr(byte).isalpha())


class NotAPosting(PermanentError):
    """Input that holds no posting: `reason` is `empty`, `not_text`, `not_a_posting` or
    `too_long` (Unicode normalisation grew it past what an event may carry)."""


def parse(raw: RawPosting) -> ParsedPosting:
    """Clean the text and read every field from it, each with the span of its evidence.

    Fields given by structured input (`raw.provided`) win over what the text suggests; their
    evidence span points at them in the text when they appear there verbatim.
    """
    try:
        cleaned = clean(raw.text)
    except TooLong as error:
        raise NotAPosting("too_long", f"the text is too long to carry: {error}") from error
    text = cleaned.text
    _refuse_non_text(text)
    document = Document(text)
    found_sections = find_sections(document)
    sections = SectionIndex(found_sections)
    evidence: dict[str, dict[str, int]] = {}

    def note(field: str, span: tuple[int, int] | None) -> None:
        if span is not None and span[1] > span[0]:
            evidence[field] = _span(span)

    title = _provided(raw.provided.title, text) or find_title(document)
    company = _provided(raw.provided.company, text) or find_company(document, title)
    note("title", title.span if title else None)
    note("company", company.span if company else None)

    found_url = find_url(document)
    url = _provided(raw.provided.url, text) or (Found(*found_url) if found_url else None)
    note("url", url.span if url else None)

    places = _provided_places(raw.provided.location, text) or find_locations(
        document, document.head, (company.value, company.span) if company else None
    )
    if places:
        note("locations", places[0].span)

    work_mode = find_work_mode(document, sections)
    note("work_mode", work_mode.span if work_mode else None)
    employment = find_employment_type(document, title.span if title else None)
    note("employment_type", employment.span if employment else None)
    seniority = find_seniority(
        document, title.value if title else None, title.span if title else None
    )
    note("seniority", seniority.span if seniority else None)
    experience = find_experience(document, sections)
    if experience is not None:
        if experience.minimum is not None:
            note("experience_years_min", experience.span)
        if experience.maximum is not None:
            note("experience_years_max", experience.span)
    salary = find_salary(document)
    note("salary", salary.span if salary else None)
    hours = find_working_hours(document)
    note("working_hours", hours.hours[1] if hours.hours else None)
    note("time_zone", hours.zone[1] if hours.zone else None)
    education = find_education(document, sections)
    note("education", education.span if education else None)
    language = find_language(text, document.lower)
    note("language", language.span if language else None)
    head = document.head
    posted = find_date_posted(
        document,
        head[-1].end if head else 0,
        raw.received_at.date(),
        day_first=language is not None and language.code != "en",
    )
    note("date_posted", posted.span if posted else None)

    if not (
        title or salary or employment or experience or work_mode or found_sections
    ) and not _has_job_words(text):
        raise NotAPosting(
            "not_a_posting",
            "no title, pay, terms or sections found, and too few words postings use",
        )
    values = signature(document.lower)

    # One validation of plain data builds every nested model in pydantic-core: validated as
    # much as one model per span, section and place built in Python, at a third of the cost.
    return ParsedPosting.model_validate(
        {
            "posting_id": raw.posting_id,
            "received_at": raw.received_at,
            "source": raw.source,
            "provided": raw.provided,
            "parser_version": PARSER_VERSION,
            "text": text,
            "title": title.value if title else None,
            "company": company.value if company else None,
            "evidence": evidence,
            "locations": [
                {
                    "text": place.text,
                    "city": place.city,
                    "region": place.region,
                    "country": place.country,
                    "span": _span(place.span) if place.span else None,
                    "country_code": place.country_code,
                    "subdivision_code": place.subdivision_code,
                    "remote": place.remote,
                    "area": place.area,
                }
                for place in places
            ],
            "url": url.value if url else None,
            "work_mode": work_mode.value if work_mode else None,
            "employment_type": employment.value if employment else None,
            "seniority": seniority.value if seniority else None,
            "experience_years_min": experience.minimum if experience else None,
            "experience_years_max": experience.maximum if experience else None,
            "salary": (
                {
                    "min": salary.minimum,
                    "max": salary.maximum,
                    "currency": salary.currency,
                    "period": salary.period,
                    "text": text[salary.span[0] : salary.span[1]][:2_000],
                    "annual_min": salary.annual_minimum,
                    "annual_max": salary.annual_maximum,
                }
                if salary
                else None
            ),
            "working_hours": hours.hours[0] if hours.hours else None,
            "time_zone": hours.zone[0] if hours.zone else None,
            "education": education.value if education else None,
            "language": language.code if language else None,
            "date_posted": posted.value if posted else None,
            "sections": [
                {
                    "kind": section.kind,
                    "heading": section.heading[:2_000] if section.heading else None,
                    "text": text[section.start : section.end],
                    "span": {"start": section.start, "end": section.end},
                }
                for section in found_sections
            ],
            "cleaning": {
                "duplicate_lines": cleaned.duplicate_lines,
                "boilerplate_lines": cleaned.boilerplate_lines,
                "boilerplate": cleaned.boilerplate,
            },
            "signature": {"scheme": SCHEME, "values": values} if values is not None else None,
        }
    )


def _span(span: tuple[int, int]) -> dict[str, int]:
    return {"start": span[0], "end": span[1]}


def _refuse_non_text(text: str) -> None:
    sample = text[:SAMPLE_CHARS]
    # ASCII letters are letters too, and counting them costs microseconds where the exact
    # count (every script's letters) costs a hundred or more: enough of them settles it. Most
    # often those of the first half alone are enough for the whole sample (at least the share
    # of all its characters, visible or not), and the rest need not be read.
    half = _ascii_letters(sample[: len(sample) // 2])
    if half > 0 and half >= MIN_LETTER_SHARE * len(sample):
        return
    visible = len(sample) - sample.count(" ") - sample.count("\n")
    if visible > 0 and _ascii_letters(sample) >= MIN_LETTER_SHARE * visible:
        return
    letters = len(_NOT_LETTERS.sub("", sample))
    if visible == 0 or (letters == 0 and _ALPHANUMERIC.search(sample) is None):
        raise NotAPosting("empty", "nothing is left after cleaning")
    if letters < MIN_LETTER_SHARE * visible:
        raise NotAPosting("not_text", f"only {letters} of {visible} visible characters are letters")


def _ascii_letters(text: str) -> int:
    return len(text.encode("ascii", "ignore").translate(None, _NOT_ASCII_LETTERS))


def _has_job_words(text: str) -> bool:
    # Only input with nothing else found gets here, hostile input among it: found by heads.
    found = {match.group().lower() for match in finditer(_JOB_WORDS, text[:SAMPLE_CHARS])}
    return len(found) >= MIN_JOB_WORDS


def _provided(value: str | None, text: str) -> Found | None:
    value = value.strip() if value else ""
    if not value:
        return None
    start = text.find(value)
    return Found(value, (start, start + len(value)) if start >= 0 else None)


def _provided_places(value: str | None, text: str) -> list[FoundPlace]:
    value = value.strip() if value else ""
    if not value:
        return []
    start = text.find(value)
    places = parse_place(value, max(start, 0)) or [FoundPlace(value, None, None, None, None)]
    return [place if start >= 0 else place._replace(span=None) for place in places]
