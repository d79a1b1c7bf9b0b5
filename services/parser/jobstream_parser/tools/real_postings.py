"""The labelled set of real postings: file format, split, and texts (docs/parser-quality.md).

One JSON line per posting, one file per source (`tests/data/real_postings/<source>.jsonl`):

    {"id", "source", "part": "tune" | "check", "origin": {repo, commit, path, key, url},
     "licence", "text_sha256", "text" (only where the licence allows), "expected": {...},
     "note" (why a label is what it is, where it needed a decision)}

`expected` names every field of `RealLabels`, `null` where the posting does not state it. The
split was drawn once (docs/parser-quality.md) and is part of the data: `part` never changes.
Texts that may not be committed are rebuilt from their origin into a git-ignored folder
(`texts/<id>.txt` beside the files) and checked against `text_sha256`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from jobstream.contracts import (
    MAX_TEXT_CHARS,
    EmploymentType,
    SalaryPeriod,
    Seniority,
)
from jobstream_parser.tools.evaluation import problems_of
from jobstream_parser.tools.real_sources import (
    SOURCES,
    Origin,
    RebuildContext,
    RebuildError,
    rebuild_text,
    text_sha256,
)

Part = Literal["tune", "check"]
PARTS: Final[tuple[Part, ...]] = ("tune", "check")
TEXTS_FOLDER: Final = "texts"
MAX_LINE_CHARS: Final = 4 * MAX_TEXT_CHARS


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LabelledPlace(_Strict):
    """A place of work: the city as written, ISO 3166-1 alpha-2 country, ISO 3166-2 code."""

    city: str | None = Field(max_length=200)
    country: str | None = Field(pattern=r"^[A-Z]{2}$")
    subdivision: str | None = Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")

    @model_validator(mode="after")
    def _subdivision_in_country(self) -> LabelledPlace:
        if self.subdivision and self.subdivision[:2] != self.country:
            raise ValueError(f"{self.subdivision} is not in {self.country}")
        if self.city is None and self.country is None:
            raise ValueError("a place needs a city or a country")
        return self


class RealLabels(_Strict):
    """What a careful reader finds in the posting; `None` where it does not say (the guide:
    docs/parser-labelling.md). Every field must be given, so "not stated" is a decision."""

    title: str | None = Field(max_length=300)
    company: str | None = Field(max_length=300)
    work_mode: Literal["remote", "hybrid", "onsite"] | None
    employment_type: EmploymentType | None
    seniority: Seniority | None
    experience_years_min: float | None = Field(ge=0, le=60)
    experience_years_max: float | None = Field(ge=0, le=60)
    salary_min: float | None = Field(ge=0)
    salary_max: float | None = Field(ge=0)
    salary_currency: str | None = Field(pattern=r"^[A-Z]{3}$")
    salary_period: SalaryPeriod | None
    salary_annual_min: float | None = Field(ge=0)
    salary_annual_max: float | None = Field(ge=0)
    language: str | None = Field(pattern=r"^[a-z]{2}$")
    locations: list[LabelledPlace]

    @model_validator(mode="after")
    def _consistent(self) -> RealLabels:
        low, high = self.experience_years_min, self.experience_years_max
        if low is not None and high is not None and low > high:
            raise ValueError("experience_years_min is above experience_years_max")
        stated = self.salary_min is not None or self.salary_max is not None
        if stated != (self.salary_currency is not None):
            raise ValueError("a salary needs its currency, and a currency a salary")
        if (self.salary_annual_min is not None or self.salary_annual_max is not None) and (
            self.salary_period is None
        ):
            raise ValueError("annual pay needs the stated period")
        return self


class RealPosting(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,150}$")
    source: str
    part: Part
    origin: Origin
    licence: str = Field(min_length=1, max_length=300)
    text_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    text: str | None = Field(None, max_length=MAX_TEXT_CHARS)
    expected: RealLabels
    note: str | None = Field(None, max_length=4_000)

    @model_validator(mode="after")
    def _licence_decides_the_text(self) -> RealPosting:
        info = SOURCES.get(self.source)
        if info is None:
            raise ValueError(f"unknown source {self.source!r}")
        if info.texts_in_repo != (self.text is not None):
            rule = "must carry its text" if info.texts_in_repo else "may not carry its text"
            raise ValueError(f"a posting of {self.source} {rule} (licence: {info.licence})")
        if self.text is not None and text_sha256(self.text) != self.text_sha256:
            raise ValueError("text does not match text_sha256")
        return self


@dataclass(frozen=True)
class ReadError:
    where: str
    error: str


@dataclass
class RealSet:
    """The postings read from a folder (or one file), each with its text when it is known."""

    postings: list[RealPosting] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # id -> why its text is unknown

    def part(self, part: Part) -> list[RealPosting]:
        return [posting for posting in self.postings if posting.part == part]


def is_real_set(path: Path) -> bool:
    """A folder of real postings, or a file whose first line is one (has `part`)."""
    if path.is_dir():
        return True
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                return '"part"' in line and '"origin"' in line
    return False


def set_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.jsonl")) if path.is_dir() else [path]


def read_real_set(path: Path) -> tuple[list[RealPosting], list[ReadError]]:
    postings: list[RealPosting] = []
    errors: list[ReadError] = []
    seen: set[str] = set()
    for file in set_files(path):
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{file}:{number}"
            if len(line) > MAX_LINE_CHARS:
                errors.append(ReadError(where, f"line is over {MAX_LINE_CHARS:,} characters"))
                continue
            try:
                posting = RealPosting.model_validate_json(line)
            except ValidationError as error:
                errors.append(ReadError(where, problems_of(error)))
                continue
            if posting.id in seen:
                errors.append(ReadError(where, f"id {posting.id} is used twice"))
                continue
            seen.add(posting.id)
            postings.append(posting)
    return postings, errors


def texts_dir_for(path: Path) -> Path:
    return (path if path.is_dir() else path.parent) / TEXTS_FOLDER


def attach_texts(postings: Iterable[RealPosting], texts_dir: Path) -> RealSet:
    """Each posting with its text: its own, or the rebuilt one when its SHA-256 matches."""
    real = RealSet()
    for posting in postings:
        real.postings.append(posting)
        if posting.text is not None:
            real.texts[posting.id] = posting.text
            continue
        path = texts_dir / f"{posting.id}.txt"
        try:
            text = path.read_bytes().decode("utf-8")  # bytes: CRLF line ends stay as they were
        except FileNotFoundError:
            real.missing[posting.id] = "not rebuilt (jobstream eval parser --rebuild)"
            continue
        if text_sha256(text) != posting.text_sha256:
            real.missing[posting.id] = f"{path} differs from the labelled text (SHA-256)"
            continue
        real.texts[posting.id] = text
    return real


def rebuild_texts(
    postings: Iterable[RealPosting], texts_dir: Path, context: RebuildContext
) -> Iterator[tuple[str, str | None]]:
    """Rebuild every text that is not in the repository and not yet (correctly) on disk.

    Yields `(id, None)` per text written and `(id, reason)` per text that could not be
    rebuilt; a text whose origin now gives other content is refused, never written."""
    texts_dir.mkdir(parents=True, exist_ok=True)
    for posting in postings:
        if posting.text is not None:
            continue
        path = texts_dir / f"{posting.id}.txt"
        if path.exists() and text_sha256(path.read_bytes().decode("utf-8")) == posting.text_sha256:
            continue
        try:
            text = rebuild_text(posting.source, posting.origin, context)
        except (RebuildError, ValueError, KeyError) as error:
            yield posting.id, str(error)
            continue
        if text_sha256(text) != posting.text_sha256:
            yield posting.id, "the origin gives a different text now (SHA-256)"
            continue
        path.write_bytes(text.encode("utf-8"))
        yield posting.id, None
