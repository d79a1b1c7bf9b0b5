"""Scoring the parser on a labelled set: per-field precision and recall. Pure: postings in,
scores out (the CLI reads the files and prints).

Two kinds of set are scored the same way:

- the labelled set of REAL postings (`tests/data/real_postings/`, `real_postings.py`): texts
  written by others, split once into a tune and a check part; this measures quality;
- the coverage set (`tests/data/parser_labelled.jsonl`): JSON lines `{"id", "text",
  "expected": {field: value}}` (optionally `"provided"`) written alongside the rules; it shows
  that the rules cover the forms it holds, not how well they do on unseen postings.

Only the fields named in `expected` are scored, and `null` there means "not stated". Per
field and posting:

- the parser's value equals the expected one (not null): a true positive;
- it gives a value where null was expected: a false positive;
- it gives nothing where a value was expected: a false negative (a miss);
- it gives a different value: a false positive AND a false negative;
- both null: nothing is counted.

precision = TP / (TP + FP), recall = TP / (TP + FN); `support` = postings with a value.

Equal means: numbers within half a cent; `title` and `company` up to case, spacing and outer
punctuation (and, for companies, a legal form at the end: "Acme Inc." is "Acme");
`work_mode` "unknown" is null. Places (`locations`, a list of {city, country, subdivision})
are scored as items, in three fields: `location_city` (as written, up to case and spacing),
`location_country` (ISO 3166-1 alpha-2) and `location_subdivision` (ISO 3166-2): each labelled
item found is a TP, each one missed an FN, each item the parser gives beyond them an FP.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jobstream.contracts import MAX_TEXT_CHARS, ParsedPosting, ProvidedFields, RawPosting, Source
from jobstream_parser.flat import EXTRA_FIELDS, FLAT_FIELDS, FlatValue, flatten
from jobstream_parser.parse import NotAPosting, parse

ANNUAL_FIELDS: Final = ("salary_annual_min", "salary_annual_max")
PLACE_FIELDS: Final = ("location_city", "location_country", "location_subdivision")
SCORABLE: Final = frozenset(FLAT_FIELDS) | frozenset(EXTRA_FIELDS) | frozenset(ANNUAL_FIELDS)
# The order fields are reported in: the fields first.
REPORT_ORDER: Final = (
    "title", "company", "work_mode", "employment_type", "seniority", "experience_years_min",
    "experience_years_max", "salary_min", "salary_max", "salary_currency", "salary_period",
    *ANNUAL_FIELDS, *PLACE_FIELDS, "language", "education", "url", "locations",
    "working_hours", "time_zone", "date_posted",
)  # fmt: skip
# The evidence span a field was read from, where the parser keeps it under another name.
EVIDENCE_OF: Final = {
    "salary_min": "salary", "salary_max": "salary", "salary_currency": "salary",
    "salary_period": "salary", "salary_annual_min": "salary", "salary_annual_max": "salary",
    "location_city": "locations", "location_country": "locations",
    "location_subdivision": "locations",
}  # fmt: skip
MAX_LINE_CHARS: Final = 4 * MAX_TEXT_CHARS
MAX_ID_CHARS: Final = 200
EVIDENCE_CHARS: Final = 160

_LEGAL_FORM: Final = re.compile(
    r"[,\s]+(?:inc|incorporated|llc|l\.l\.c|ltd|limited|gmbh|ag|sa|s\.a|sas|s\.a\.s|sl|s\.l"
    r"|slu|s\.l\.u|ltda|corp|corporation|co|plc|bv|b\.v|nv|n\.v|se|oy|ab|srl|s\.r\.l|spa"
    r"|s\.p\.a|kg|pty)\.?$",
    re.IGNORECASE,
)
_OUTER_PUNCTUATION: Final = " \t\n.,;:!?-\u2013\u2014|·•*\"'"


class LabelledPosting(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    expected: dict[str, Any] = Field(default_factory=dict)
    provided: ProvidedFields = ProvidedFields()


class LineError(NamedTuple):
    line: int
    error: str


class Mismatch(NamedTuple):
    id: str
    field: str
    expected: object
    got: object
    evidence: str | None = None  # the text the parser read its value from, if any


@dataclass
class FieldScore:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    support: int = 0  # postings (places: items) where a value (not null) was expected

    @property
    def precision(self) -> float | None:
        claimed = self.true_positives + self.false_positives
        return round(self.true_positives / claimed, 4) if claimed else None

    @property
    def recall(self) -> float | None:
        wanted = self.true_positives + self.false_negatives
        return round(self.true_positives / wanted, 4) if wanted else None

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "support": self.support,
            "tp": self.true_positives,
            "fp": self.false_positives,
            "fn": self.false_negatives,
        }


@dataclass
class Evaluation:
    fields: dict[str, FieldScore] = field(default_factory=dict)
    mismatches: list[Mismatch] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)
    postings: int = 0

    def ordered_fields(self) -> list[tuple[str, FieldScore]]:
        known = [(name, self.fields[name]) for name in REPORT_ORDER if name in self.fields]
        rest = sorted(
            (name, score) for name, score in self.fields.items() if name not in REPORT_ORDER
        )
        return known + rest

    def as_dict(self) -> dict[str, object]:
        return {
            "postings": self.postings,
            "fields": {name: score.as_dict() for name, score in self.ordered_fields()},
            "refused": [{"id": id_, "reason": reason} for id_, reason in self.refused],
        }


def read_labelled(lines: Iterable[str]) -> Iterator[LabelledPosting | LineError]:
    """Each line a labelled posting, or the error that makes it unusable (blank lines skip)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            yield LineError(number, f"line is over {MAX_LINE_CHARS:,} characters")
            continue
        try:
            posting = LabelledPosting.model_validate_json(line)
        except ValidationError as error:
            yield LineError(number, problems_of(error))
            continue
        unknown = sorted(set(posting.expected) - SCORABLE)
        if unknown:
            yield LineError(number, f"fields that cannot be scored: {', '.join(unknown)}")
            continue
        yield posting


def problems_of(error: ValidationError, most: int = 3) -> str:
    """A labelled line's validation errors in words: where, and what is wrong."""
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or 'value'}: {item['msg']}"
        for item in error.errors()[:most]
    )


def parse_labelled(posting: LabelledPosting) -> ParsedPosting:
    source = Source(channel="cli", name=posting.id)
    return parse(RawPosting.from_text(posting.text, source, posting.provided))


def evaluate(
    postings: Iterable[LabelledPosting],
    parser: Callable[[LabelledPosting], ParsedPosting] = parse_labelled,
) -> Evaluation:
    result = Evaluation()
    for posting in postings:
        result.postings += 1
        parsed: ParsedPosting | None
        try:
            parsed = parser(posting)
        except NotAPosting as error:
            result.refused.append((posting.id, error.reason))
            parsed = None
        got = _flat(parsed)
        for name, expected in posting.expected.items():
            if name == "locations" and _is_places(expected):
                _score_places(result, posting.id, expected, parsed)
                continue
            _score(result, posting.id, name, expected, got.get(name), parsed)
    return result


def _flat(parsed: ParsedPosting | None) -> dict[str, FlatValue]:
    if parsed is None:
        return {}
    got = flatten(parsed)
    # Annual pay as the parser may give it: a flat field, or on the salary it annualised.
    salary = parsed.salary
    for name, attribute in zip(ANNUAL_FIELDS, ("annual_min", "annual_max"), strict=True):
        if got.get(name) is None and salary is not None:
            got[name] = getattr(salary, attribute, None)
    return got


def _score(
    result: Evaluation,
    id_: str,
    name: str,
    labelled: object,
    given: object,
    parsed: ParsedPosting | None,
) -> None:
    """Count one field of one posting; a mismatch keeps the values as written."""
    expected, got = _normal(name, labelled), _normal(name, given)
    score = result.fields.setdefault(name, FieldScore())
    if expected is not None:
        score.support += 1
    if _equal(expected, got):
        if expected is not None:
            score.true_positives += 1
        return
    shown = None if got is None else given
    result.mismatches.append(Mismatch(id_, name, labelled, shown, _evidence(parsed, name)))
    if got is not None:
        score.false_positives += 1
    if expected is not None:
        score.false_negatives += 1


def _is_places(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _score_places(
    result: Evaluation, id_: str, expected: list[dict[str, Any]], parsed: ParsedPosting | None
) -> None:
    found = _places(parsed)
    for name, key in zip(PLACE_FIELDS, ("city", "country", "subdivision"), strict=True):
        wanted = {_fold(str(place[key])) for place in expected if place.get(key)}
        given = {_fold(value) for place in found if (value := place.get(key))}
        score = result.fields.setdefault(name, FieldScore())
        score.support += len(wanted)
        score.true_positives += len(wanted & given)
        score.false_positives += len(given - wanted)
        score.false_negatives += len(wanted - given)
        if wanted != given:
            result.mismatches.append(
                Mismatch(
                    id_, name, sorted(wanted) or None, sorted(given) or None,
                    _evidence(parsed, name),
                )
            )  # fmt: skip


def _places(parsed: ParsedPosting | None) -> list[dict[str, str | None]]:
    """The parser's places as {city, country, subdivision} codes: ISO codes from the fields
    that hold them (`country_code`, `subdivision_code`), or `country`/`region` when those are
    codes already; a country given only by name is not a code and does not count."""
    if parsed is None:
        return []
    places = []
    for location in parsed.locations:
        country = getattr(location, "country_code", None) or location.country
        subdivision = getattr(location, "subdivision_code", None) or location.region
        places.append(
            {
                "city": location.city,
                "country": country if country and re.fullmatch(r"[A-Z]{2}", country) else None,
                "subdivision": subdivision
                if subdivision and re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", subdivision)
                else None,
            }
        )
    return places


def _evidence(parsed: ParsedPosting | None, name: str) -> str | None:
    if parsed is None:
        return None
    span = parsed.evidence.get(EVIDENCE_OF.get(name, name))
    if span is None:
        return None
    shown = " ".join(parsed.text[span.start : span.end].split())
    return shown if len(shown) <= EVIDENCE_CHARS else shown[: EVIDENCE_CHARS - 1] + "…"


def _fold(value: str) -> str:
    # NFKC: the form of the parser's cleaned text ("2ª" is "2a" there), for labels written
    # from the raw text.
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def _normal(name: str, value: object) -> object:
    if name == "work_mode" and value == "unknown":
        return None
    if name == "locations" and value == []:
        return None
    if isinstance(value, str):
        value = value.strip()
        if name in ("title", "company"):
            value = _fold(value).strip(_OUTER_PUNCTUATION)
            if name == "company":
                value = _LEGAL_FORM.sub("", value).strip(_OUTER_PUNCTUATION)
            return value or None
    return value


def _equal(expected: object, got: object) -> bool:
    numbers = (int, float)
    if isinstance(expected, numbers) and isinstance(got, numbers):
        return abs(float(expected) - float(got)) < 0.005
    return expected == got


def dumps_line(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)
