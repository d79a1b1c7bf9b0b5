"""Event contracts: the one definition of every event on the wire.

Events travel as UTF-8 JSON; the Kafka key is the posting id. Each event carries
`schema_version`; a change that old readers cannot read raises it. JSON Schema files
generated from these models live in `libs/jobstream/schemas/` (`jobstream schemas write`), and
a unit test fails when they drift from the models.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated, Final, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

# Raised by `decode`; defined with the error model (importable from here too).
from jobstream.errors import InvalidEvent as InvalidEvent
from jobstream.topology import StageName

SCHEMA_VERSION: Final = 1

# Postings are a few KB; this bounds memory and record size for hostile input.
MAX_TEXT_CHARS: Final = 1_000_000

PostingId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="sha256 prefix")]
ShortText = Annotated[str, Field(max_length=2_000)]


def normalise_for_identity(text: str) -> str:
    """The form of a posting's text that decides its identity.

    Unicode compatibility forms, line endings and runs of white space do not make a posting
    different: the same posting pasted from a web page or saved with CRLF gets the same id.
    """
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "")
    # Same result as re.sub(r"\s+", " ", text).strip() (str.split() and re's \s agree on
    # every code point), three times faster: ingest hashes every posting it reads.
    return " ".join(text.split())


def posting_id_for(text: str, provided: ProvidedFields | None = None) -> str:
    """Stable id of a posting (128 bits of sha256): its normalised text, and the fields the
    sender gave with it.

    Plain text (no provided field) hashes its text alone, exactly as ids always did, so every
    id already stored stays valid. A posting given with a title, company, location, external
    id or source URL is identified by those too: the same text under two titles or companies
    is two postings (the sender said so), while the same input sent twice is still one.
    Title, company and location are compared without regard to case; ids and URLs as given.
    """
    identity = normalise_for_identity(text)
    given = provided.identity_fields() if provided is not None else []
    if given:
        # \x1e and \x1f are white space to str.split(), so normalised text and values never
        # hold them: the separators cannot be forged from inside a field.
        identity += "\x1e" + "\x1f".join(f"{name}={value}" for name, value in given)
    # surrogatepass: a lone surrogate (possible in JSON input) must not make hashing raise
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def utc_now() -> datetime:
    return datetime.now(UTC)


class _Event(BaseModel):
    # A reader ignores fields it does not know: a field added to an event (always optional,
    # with a default) does not stop the services of the version before from reading it.
    model_config = ConfigDict(frozen=True, extra="ignore")


class Span(_Event):
    """Character offsets `[start, end)` into the posting text an event carries."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


Channel = Literal["inbox", "cli", "http", "replay"]
SourceFormat = Literal["txt", "md", "html", "json", "jsonl", "csv", "pdf", "docx"]


class Source(_Event):
    """Where a posting came in."""

    channel: Channel
    name: ShortText | None = Field(None, description="file name or upload name, no directories")
    format: SourceFormat = "txt"
    compressed: bool = Field(False, description="the input was gzip-compressed")
    record: int | None = Field(
        None, ge=1, description="item, line or row of a file holding many postings (from 1)"
    )
    # Added later, with defaults: events written before read as "not recorded" / none replaced.
    encoding: ShortText | None = Field(
        None, description="the text encoding ingest read the input in (None: PDF, Word)"
    )
    replaced_bytes: int = Field(
        0,
        ge=0,
        description="bytes of this posting that were invalid in its encoding, each run of them"
        " replaced by U+FFFD",
    )


class ProvidedFields(_Event):
    """Fields given by structured input (JSON, CSV); the parser prefers them to its guesses."""

    title: ShortText | None = None
    company: ShortText | None = None
    location: ShortText | None = None
    url: ShortText | None = None
    external_id: ShortText | None = None

    def identity_fields(self) -> list[tuple[str, str]]:
        """The given fields in the form that decides a posting's id (see `posting_id_for`),
        in a fixed order; empty when none is given."""
        fields = []
        for name in IDENTITY_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            value = normalise_for_identity(value)
            if name in _CASELESS_FIELDS:
                value = value.casefold()
            if value:
                fields.append((name, value))
        return fields


# The provided fields that are part of a posting's identity, in the order they are hashed.
IDENTITY_FIELDS: Final = ("title", "company", "location", "external_id", "url")
_CASELESS_FIELDS: Final = frozenset({"title", "company", "location"})


class RawPosting(_Event):
    """A posting as it came in, published by ingest to the raw topic."""

    schema_version: Literal[1] = SCHEMA_VERSION
    posting_id: PostingId
    received_at: AwareDatetime
    source: Source
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    provided: ProvidedFields = ProvidedFields()

    @classmethod
    def from_text(
        cls, text: str, source: Source, provided: ProvidedFields | None = None
    ) -> RawPosting:
        provided = provided or ProvidedFields()
        return cls(
            posting_id=posting_id_for(text, provided),
            received_at=utc_now(),
            source=source,
            text=text,
            provided=provided,
        )


WorkMode = Literal["remote", "hybrid", "onsite"]


def _unknown_is_none(value: object) -> object:
    # Events of parser versions before 0.3.0 said "unknown" where a posting does not say.
    return None if value == "unknown" else value


# Not stated is null; "unknown" (events before parser 0.3.0) is read as null.
StatedWorkMode = Annotated[WorkMode | None, BeforeValidator(_unknown_is_none)]
# schema.org / Google Jobs `employmentType` vocabulary.
EmploymentType = Literal[
    "FULL_TIME", "PART_TIME", "CONTRACTOR", "CONTRACT_TO_HIRE", "TEMPORARY", "INTERN",
    "VOLUNTEER", "PER_DIEM", "OTHER",
]  # fmt: skip
Seniority = Literal[
    "intern", "junior", "mid", "senior", "staff", "principal", "lead", "manager", "director",
    "executive",
]  # fmt: skip
SalaryPeriod = Literal["hour", "day", "week", "month", "year"]
Education = Literal["high_school", "associate", "bachelor", "master", "doctorate"]
SectionKind = Literal[
    "summary", "responsibilities", "requirements", "preferred", "benefits", "about_company",
    "legal",
]  # fmt: skip
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$", description="ISO 639-1")]


CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
SubdivisionCode = Annotated[
    str, Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$", description="ISO 3166-2")
]
# Where remote work may be done from when that is wider than a country.
RemoteArea = Literal[
    "worldwide", "europe", "eu", "emea", "americas", "north_america", "latin_america", "apac",
    "asia", "africa", "middle_east", "oceania",
]  # fmt: skip


class Location(_Event):
    """A place the posting names, split as stated ("Austin, TX": city and region), with its
    codes where the place is known ("US", "US-TX")."""

    text: ShortText = Field(description="the place as the posting states it")
    city: ShortText | None = Field(None, description="as written")
    region: ShortText | None = Field(None, description="as written")
    country: ShortText | None = Field(None, description="as written")
    span: Span | None = None
    country_code: CountryCode | None = None
    subdivision_code: SubdivisionCode | None = Field(
        None, description="the state, province or region, where the posting names one"
    )
    remote: bool = Field(
        False,
        description="the place says where remote work may be done from"
        ' ("Remote (US only)", "Remote, EMEA"), not an office',
    )
    area: RemoteArea | None = Field(
        None, description='a scope wider than a country ("EMEA", "Europe", "worldwide")'
    )


class Salary(_Event):
    """Pay as stated (a single amount has `min == max`; of several ranges, one a grade or
    step, the first), and the same for a year's work in the same currency."""

    min: float | None = Field(None, ge=0)
    max: float | None = Field(None, ge=0)
    currency: CurrencyCode | None = None
    period: SalaryPeriod | None = None
    text: ShortText = Field(description="the statement the figures were read from")
    annual_min: float | None = Field(
        None,
        ge=0,
        description="`min` for a year: an hour's pay times the hours a year the posting states"
        " (else 2,080), a day's times 260, a week's times 52, a month's times 12",
    )
    annual_max: float | None = Field(None, ge=0, description="`max` for a year, as `annual_min`")


class Section(_Event):
    """A part of the posting under a heading (or, for legal text, recognised by its wording)."""

    kind: SectionKind
    heading: ShortText | None = None
    text: str = Field(max_length=MAX_TEXT_CHARS)
    span: Span


class TextSignature(_Event):
    """A MinHash signature of the cleaned text: the share of positions where two signatures of
    one scheme hold the same value estimates the Jaccard similarity of the two texts' shingles
    (the store groups near-identical postings by it)."""

    scheme: str = Field(
        pattern=r"^[a-z0-9-]{1,40}$", description="how it was computed: only equal schemes compare"
    )
    values: list[Annotated[int, Field(ge=0, le=65_535)]] = Field(min_length=1, max_length=1_024)


class Cleaning(_Event):
    """What cleaning took out of the raw text (the raw topic keeps the original)."""

    duplicate_lines: int = Field(0, ge=0)
    boilerplate_lines: int = Field(0, ge=0)
    boilerplate: list[ShortText] = Field(
        default_factory=list, description="the first line of each job-board block removed"
    )


# The flat names of a parsed posting's fields, the one list of them: `ParsedPosting.flat_fields`
# (scalars) and `place_codes` (code lists) return these keys in this order (a unit test holds
# them), the store's `postings` table has a column of each name (`jobstream_store.adapters.
# repository.POSTING_COLUMNS` is built from them; an integration test holds the migrations to
# it), and `jobstream eval parser` scores fields by these names.
FLAT_FIELDS: Final = (
    "title", "company", "work_mode", "employment_type", "seniority", "experience_years_min",
    "experience_years_max", "salary_min", "salary_max", "salary_currency", "salary_period",
    "salary_annual_min", "salary_annual_max", "education", "language", "url", "working_hours",
    "time_zone", "date_posted",
)  # fmt: skip
PLACE_CODES: Final = ("countries", "subdivisions", "remote_scope")


class ParsedPosting(_Event):
    """A structured posting, published by the parser.

    Every field is `None` when the posting does not say; `evidence` maps a field name to the
    span of `text` it was read from.
    """

    schema_version: Literal[1] = SCHEMA_VERSION
    posting_id: PostingId
    received_at: AwareDatetime
    source: Source
    parser_version: str
    text: str = Field(max_length=MAX_TEXT_CHARS)
    title: ShortText | None = None
    company: ShortText | None = None
    evidence: dict[str, Span] = Field(default_factory=dict)
    locations: list[Location] = Field(default_factory=list)
    url: ShortText | None = None
    work_mode: StatedWorkMode = None
    employment_type: EmploymentType | None = None
    seniority: Seniority | None = None
    experience_years_min: float | None = Field(None, ge=0)
    experience_years_max: float | None = Field(None, ge=0)
    salary: Salary | None = None
    working_hours: ShortText | None = None
    time_zone: ShortText | None = None
    education: Education | None = None
    language: LanguageCode | None = None
    date_posted: date | None = None
    sections: list[Section] = Field(default_factory=list)
    cleaning: Cleaning = Cleaning()
    provided: ProvidedFields = Field(
        default_factory=ProvidedFields,
        description="the structured input as ingest received it (external id, source URL, ...)",
    )
    signature: TextSignature | None = Field(
        None, description="near-duplicate signature of `text` (None: too few words)"
    )

    def flat_fields(self) -> dict[str, str | float | date | None]:
        """The scalar fields under their flat names (`FLAT_FIELDS`, in that order): what
        `jobstream eval parser` scores and what the store's typed columns are called. `None`
        when the posting does not say."""
        salary = self.salary
        return {
            "title": self.title,
            "company": self.company,
            "work_mode": self.work_mode,
            "employment_type": self.employment_type,
            "seniority": self.seniority,
            "experience_years_min": self.experience_years_min,
            "experience_years_max": self.experience_years_max,
            "salary_min": salary.min if salary else None,
            "salary_max": salary.max if salary else None,
            "salary_currency": salary.currency if salary else None,
            "salary_period": salary.period if salary else None,
            "salary_annual_min": salary.annual_min if salary else None,
            "salary_annual_max": salary.annual_max if salary else None,
            "education": self.education,
            "language": self.language,
            "url": self.url,
            "working_hours": self.working_hours,
            "time_zone": self.time_zone,
            "date_posted": self.date_posted,
        }

    def place_codes(self) -> dict[str, list[str]]:
        """The codes of the places, each once in order: `countries` (ISO 3166-1 alpha-2 of
        every place), `subdivisions` (ISO 3166-2, where known), `remote_scope` (countries and
        areas where remote work may be done from). The store's array columns of those names
        (`PLACE_CODES`, in that order)."""
        places = self.locations
        return {
            "countries": _distinct(place.country_code for place in places),
            "subdivisions": _distinct(place.subdivision_code for place in places),
            "remote_scope": _distinct(
                place.area or place.country_code for place in places if place.remote
            ),
        }


def _distinct(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


class TaggedSkill(_Event):
    """One skill found in a posting: a skill of the taxonomy, or (`linked` false) a skill the
    span model found that the taxonomy does not name yet."""

    skill_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    category: str
    required: bool = Field(description="False when only asked for as preferred / nice to have")
    mentions: int = Field(ge=1)
    spans: list[Span]
    confidence: float = Field(
        1.0, ge=0, le=1, description="How sure the tagger is that the mentions name this skill"
    )
    source_ids: dict[str, list[str]] = Field(
        default_factory=dict,
        description="ids in the taxonomies it comes from: 'onet' commodity codes, 'esco' URIs",
    )
    linked: bool = Field(
        True,
        description="False for a skill no taxonomy entry names: its id is 'unlinked-' and its "
        "normalised surface form, its category the layer it was found in (knowledge, skill)",
    )


class Occupation(_Event):
    """The O*NET-SOC occupation of a posting, coded from its title and skills."""

    code: str = Field(pattern=r"^\d{2}-\d{4}\.\d{2}$", description="O*NET-SOC 2019 code")
    title: str = Field(max_length=200, description="the O*NET occupation title")
    confidence: float = Field(ge=0, le=1, description="how sure the coder is (0..1)")


class TaggedPosting(ParsedPosting):
    """A parsed posting with its skills, published by the tagger and written by the store."""

    taxonomy_version: str
    tagger_version: str | None = Field(
        None, description="the span model that found the skills: its name and content hash"
    )
    skills: list[TaggedSkill] = Field(default_factory=list)
    occupation: Occupation | None = Field(
        None, description="the O*NET-SOC occupation, or null when the title names none"
    )
    tagged_at: AwareDatetime | None = Field(
        None, description="when the tagger produced this event; orders versions in the store"
    )


class DeadLetter(_Event):
    """An event a stage could not process, with a reason a person can read.

    `payload` holds the original record value (UTF-8 text, or base64 when it was not text)
    so that `jobstream replay` can redrive it to `source_topic` once the cause is fixed.
    """

    schema_version: Literal[1] = SCHEMA_VERSION
    stage: StageName
    reason: Annotated[str, Field(pattern=r"^[a-z_]+$", description="short code for metrics")]
    error: str = Field(max_length=4_000, description="what went wrong, in words")
    failed_at: AwareDatetime
    posting_id: str | None = None
    source_topic: str | None = None
    source_partition: int | None = None
    source_offset: int | None = None
    key: str | None = None
    payload: str
    payload_encoding: Literal["utf-8", "base64"] = "utf-8"

    @staticmethod
    def encode_payload(value: bytes | None) -> tuple[str, Literal["utf-8", "base64"]]:
        if value is None:
            return "", "utf-8"
        try:
            return value.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii"), "base64"

    def payload_bytes(self) -> bytes:
        if self.payload_encoding == "base64":
            return base64.b64decode(self.payload)
        return self.payload.encode("utf-8")


EVENT_TYPES: Final[dict[str, type[BaseModel]]] = {
    "raw-posting": RawPosting,
    "parsed-posting": ParsedPosting,
    "tagged-posting": TaggedPosting,
    "dead-letter": DeadLetter,
}


E = TypeVar("E", bound=BaseModel)


def encode(event: BaseModel) -> bytes:
    # The serializer's own bytes, the same as `model_dump_json().encode()` without turning
    # 10 KB of JSON into a str and back: a third less CPU per event (docs/benchmarks.md).
    return event.__pydantic_serializer__.to_json(event)


def decode(event_type: type[E], value: bytes | None) -> E:
    if value is None:
        raise InvalidEvent("the record has no value")
    try:
        return event_type.model_validate_json(value)
    except ValidationError as error:
        raise InvalidEvent(_describe(event_type, error)) from error


def _describe(event_type: type[BaseModel], error: ValidationError) -> str:
    problems = "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or 'value'}: {item['msg']}"
        for item in error.errors()[:5]
    )
    return f"not a valid {event_type.__name__}: {problems}"


# Headers on dead-letter records, so tools can filter and redrive without parsing payloads.
DEAD_LETTER_HEADER_STAGE: Final = "jobstream-stage"
DEAD_LETTER_HEADER_REASON: Final = "jobstream-reason"
DEAD_LETTER_HEADER_SOURCE_TOPIC: Final = "jobstream-source-topic"
DEAD_LETTER_HEADER_SOURCE_PARTITION: Final = "jobstream-source-partition"
DEAD_LETTER_HEADER_SOURCE_OFFSET: Final = "jobstream-source-offset"


def dead_letter_headers(letter: DeadLetter) -> list[tuple[str, bytes]]:
    values = {
        DEAD_LETTER_HEADER_STAGE: letter.stage,
        DEAD_LETTER_HEADER_REASON: letter.reason,
        DEAD_LETTER_HEADER_SOURCE_TOPIC: letter.source_topic,
        DEAD_LETTER_HEADER_SOURCE_PARTITION: letter.source_partition,
        DEAD_LETTER_HEADER_SOURCE_OFFSET: letter.source_offset,
    }
    return [(name, str(value).encode()) for name, value in values.items() if value is not None]


# Headers `jobstream replay` adds to every record it copies or redrives: which replay sent it
# and the record it copies (for a redrive, the dead letter). A resumed replay finds what it
# already sent by them, and an operator can trace a replayed record back to its source.
REPLAY_HEADER_ID: Final = "jobstream-replay-id"
REPLAY_HEADER_SOURCE_TOPIC: Final = "jobstream-replay-source-topic"
REPLAY_HEADER_SOURCE_PARTITION: Final = "jobstream-replay-source-partition"
REPLAY_HEADER_SOURCE_OFFSET: Final = "jobstream-replay-source-offset"
REPLAY_HEADERS: Final = frozenset(
    {
        REPLAY_HEADER_ID,
        REPLAY_HEADER_SOURCE_TOPIC,
        REPLAY_HEADER_SOURCE_PARTITION,
        REPLAY_HEADER_SOURCE_OFFSET,
    }
)
