"""Scoring the parser on a labelled set: per-field precision and recall. Pure: lines in, scores
out (the CLI reads the file and prints).

A labelled set is JSON lines `{"id", "text", "expected": {field: value, ...}}` (optionally
`"provided"`: structured fields as ingest would pass them). Only the fields named in `expected`
are scored, and `null` there means "must be null". Per field and posting:

- the parser's value equals the expected one (not null): a true positive;
- it gives a value that differs, or one where null was expected: a false positive;
- it misses or gets wrong an expected value: a false negative.

`work_mode` "unknown" counts as null (it is what the parser says when the posting does not).
Numbers are equal within half a cent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jobstream.contracts import MAX_TEXT_CHARS, ParsedPosting, ProvidedFields, RawPosting, Source
from jobstream_parser.flat import EXTRA_FIELDS, FLAT_FIELDS, FlatValue, flatten
from jobstream_parser.parse import NotAPosting, parse

SCORABLE: Final = frozenset(FLAT_FIELDS) | frozenset(EXTRA_FIELDS)
MAX_LINE_CHARS: Final = 4 * MAX_TEXT_CHARS
MAX_ID_CHARS: Final = 200


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


@dataclass
class FieldScore:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    support: int = 0  # postings where a value (not null) was expected

    @property
    def precision(self) -> float | None:
        claimed = self.true_positives + self.false_positives
        return round(self.true_positives / claimed, 4) if claimed else None

    @property
    def recall(self) -> float | None:
        wanted = self.true_positives + self.false_negatives
        return round(self.true_positives / wanted, 4) if wanted else None

    def as_dict(self) -> dict[str, float | int | None]:
        return {"precision": self.precision, "recall": self.recall, "support": self.support}


@dataclass
class Evaluation:
    fields: dict[str, FieldScore] = field(default_factory=dict)
    mismatches: list[Mismatch] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)
    postings: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "postings": self.postings,
            "fields": {name: score.as_dict() for name, score in sorted(self.fields.items())},
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
            problems = "; ".join(
                f"{'.'.join(str(part) for part in item['loc']) or 'value'}: {item['msg']}"
                for item in error.errors()[:3]
            )
            yield LineError(number, problems)
            continue
        unknown = sorted(set(posting.expected) - SCORABLE)
        if unknown:
            yield LineError(number, f"fields that cannot be scored: {', '.join(unknown)}")
            continue
        yield posting


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
        try:
            got: dict[str, FlatValue] = flatten(parser(posting))
        except NotAPosting as error:
            result.refused.append((posting.id, error.reason))
            got = {}
        for name, expected in posting.expected.items():
            _score(result, posting.id, name, _normal(name, expected), _normal(name, got.get(name)))
    return result


def _score(result: Evaluation, id_: str, name: str, expected: object, got: object) -> None:
    score = result.fields.setdefault(name, FieldScore())
    if expected is not None:
        score.support += 1
    if _equal(expected, got):
        if expected is not None:
            score.true_positives += 1
        return
    result.mismatches.append(Mismatch(id_, name, expected, got))
    if got is not None:
        score.false_positives += 1
    if expected is not None:
        score.false_negatives += 1


def _normal(name: str, value: object) -> object:
    if name == "work_mode" and value == "unknown":
        return None
    if name == "locations" and value == []:
        return None
    if isinstance(value, str):
        return value.strip()
    return value


def _equal(expected: object, got: object) -> bool:
    numbers = (int, float)
    if isinstance(expected, numbers) and isinstance(got, numbers):
        return abs(float(expected) - float(got)) < 0.005
    return expected == got


def dumps_line(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)
