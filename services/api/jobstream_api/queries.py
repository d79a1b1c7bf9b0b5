"""What a reader may ask, checked: query parameters in, validated query objects out (no I/O).

The HTTP adapter, `jobstream search` and `jobstream export` all build their queries here, so a
parameter means the same thing and has the same limits everywhere. A bad value raises
`BadParameter`, which names the parameter; the HTTP adapter turns it into a 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Final, Literal, get_args

from jobstream.contracts import EmploymentType, Seniority, WorkMode
from jobstream.errors import JobstreamError

MAX_LIMIT: Final = 200
DEFAULT_LIMIT: Final = 20
MAX_SKILLS: Final = 5  # `skill` may repeat this often (each is one EXISTS in the query)
MAX_TEXT: Final = 200  # characters of q, company, country, occupation
MAX_SALARY: Final = 100_000_000
MAX_CURSOR: Final = 400
SKILL_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
POSTING_ID: Final = re.compile(r"^[0-9a-f]{32}$")
OCCUPATION: Final = re.compile(r"^\d{2}-\d{4}\.\d{2}$")  # O*NET-SOC, as the tagger codes it

Sort = Literal["recent", "relevance"]
Bucket = Literal["week", "month"]
Params = Mapping[str, Sequence[str]]


class BadParameter(JobstreamError, ValueError):
    """A query parameter that cannot be used; `name` says which."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@dataclass(frozen=True)
class PostingFilter:
    """Which postings: every given condition must hold (skills: all of them)."""

    q: str | None = None
    skills: tuple[str, ...] = ()
    required: bool = False  # the skills must be asked for as required, not only preferred
    company: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 (`postings.countries`)
    work_mode: WorkMode | None = None
    employment_type: EmploymentType | None = None
    seniority: Seniority | None = None
    occupation: str | None = None
    salary_min: float | None = None  # pay for a year at least this (the posting's currency)
    since: datetime | None = None  # received at or after
    until: datetime | None = None  # received before


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the sort key and id of its last posting, and which query it was."""

    key: str | float  # received_at (ISO 8601) for recent, the rank for relevance
    posting_id: str
    query: str  # fingerprint of the filter and sort the cursor belongs to

    def encode(self) -> str:
        text = json.dumps([self.key, self.posting_id, self.query], separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @property
    def received_at(self) -> datetime:
        return datetime.fromisoformat(str(self.key))

    @property
    def rank(self) -> float:
        return float(self.key)


@dataclass(frozen=True)
class PostingQuery:
    filter: PostingFilter = field(default_factory=PostingFilter)
    sort: Sort = "recent"
    limit: int = DEFAULT_LIMIT
    cursor: Cursor | None = None

    @property
    def fingerprint(self) -> str:
        """Same filter and sort, same fingerprint: a cursor is only good for its own query."""
        # vars(): the filter's fields as asdict gives them (all flat), without its deep copy
        described = json.dumps([vars(self.filter), self.sort], default=str, sort_keys=True)
        return hashlib.sha256(described.encode()).hexdigest()[:12]

    def cursor_after(self, key: str | float, posting_id: str) -> Cursor:
        return Cursor(key, posting_id, self.fingerprint)


@dataclass(frozen=True)
class SkillQuery:
    q: str | None = None
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class DemandQuery:
    """Postings per skill per bucket (GET /stats/skills)."""

    skills: tuple[str, ...] = ()  # none: the `limit` skills most in demand in the range
    since: date | None = None
    until: date | None = None
    bucket: Bucket = "week"
    country: str | None = None
    occupation: str | None = None
    limit: int = 10


@dataclass(frozen=True)
class PayQuery:
    """Annual pay percentiles (GET /stats/pay)."""

    skill: str | None = None
    country: str | None = None


# -- parsing query parameters ------------------------------------------------------------------


def posting_query(params: Params) -> PostingQuery:
    """GET /postings's parameters (and `jobstream search`'s options) as a query."""
    _only(params, {*FILTER_PARAMS, "sort", "limit", "cursor"})
    query = PostingQuery(
        filter=posting_filter(params, allowed=None),
        sort=_choice(params, "sort", get_args(Sort)) or "recent",  # type: ignore[arg-type]
        limit=_int(params, "limit", 1, MAX_LIMIT) or DEFAULT_LIMIT,
    )
    if query.sort == "relevance" and query.filter.q is None:
        raise BadParameter("sort", "relevance needs a search text in q")
    cursor = _one(params, "cursor")
    if cursor is None:
        return query
    return PostingQuery(query.filter, query.sort, query.limit, decode_cursor(cursor, query))


FILTER_PARAMS: Final = frozenset(
    {
        "q", "skill", "required", "company", "country", "work_mode", "employment_type",
        "seniority", "occupation", "salary_min", "since", "until",
    }
)  # fmt: skip


def posting_filter(params: Params, allowed: set[str] | None = None) -> PostingFilter:
    """The filter parameters; with `allowed`, any other parameter is refused."""
    if allowed is not None:
        _only(params, allowed)
    skills = tuple(dict.fromkeys(_skill(value, "skill") for value in params.get("skill", ())))
    if len(skills) > MAX_SKILLS:
        raise BadParameter("skill", f"at most {MAX_SKILLS} skills, {len(skills)} given")
    required = _bool(params, "required") or False
    if required and not skills:
        raise BadParameter("required", "required=true needs at least one skill")
    since = _datetime(params, "since")
    until = _datetime(params, "until")
    if since and until and since >= until:
        raise BadParameter("until", "must be after since")
    return PostingFilter(
        q=_text(params, "q"),
        skills=skills,
        required=required,
        company=_text(params, "company"),
        country=_country(params),
        work_mode=_choice(params, "work_mode", get_args(WorkMode)),  # type: ignore[arg-type]
        employment_type=_choice(  # type: ignore[arg-type]
            params, "employment_type", get_args(EmploymentType)
        ),
        seniority=_choice(params, "seniority", get_args(Seniority)),  # type: ignore[arg-type]
        occupation=_occupation(params),
        salary_min=_number(params, "salary_min", 0, MAX_SALARY),
        since=since,
        until=until,
    )


def skill_query(params: Params) -> SkillQuery:
    _only(params, {"q", "limit"})
    return SkillQuery(q=_text(params, "q"), limit=_int(params, "limit", 1, MAX_LIMIT) or 20)


def demand_query(params: Params) -> DemandQuery:
    _only(params, {"skill", "since", "until", "bucket", "country", "occupation", "limit"})
    skills = tuple(dict.fromkeys(_skill(value, "skill") for value in params.get("skill", ())))
    if len(skills) > 20:
        raise BadParameter("skill", f"at most 20 skills, {len(skills)} given")
    since, until = _date(params, "since"), _date(params, "until")
    if since and until and since >= until:
        raise BadParameter("until", "must be after since")
    country, occupation = _country(params), _occupation(params)
    if country and occupation:
        raise BadParameter("occupation", "give country or occupation, not both")
    return DemandQuery(
        skills=skills,
        since=since,
        until=until,
        bucket=_choice(params, "bucket", get_args(Bucket)) or "week",  # type: ignore[arg-type]
        country=country,
        occupation=occupation,
        limit=_int(params, "limit", 1, 50) or 10,
    )


def pay_query(params: Params) -> PayQuery:
    _only(params, {"skill", "country"})
    skill = _one(params, "skill")
    return PayQuery(
        skill=_skill(skill, "skill") if skill is not None else None,
        country=_country(params),
    )


def posting_id(value: str) -> str:
    if not POSTING_ID.match(value):
        raise BadParameter("id", "a posting id is 32 hexadecimal digits")
    return value


def skill_id(value: str) -> str:
    return _skill(value, "id")


def decode_cursor(text: str, query: PostingQuery) -> Cursor:
    if len(text) > MAX_CURSOR:
        raise BadParameter("cursor", "not a cursor this API returned")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        key, posting, fingerprint = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as error:
        raise BadParameter("cursor", "not a cursor this API returned") from error
    if fingerprint != query.fingerprint:
        raise BadParameter("cursor", "belongs to another query; keep the filters and sort")
    valid_key = isinstance(key, float | int) if query.sort == "relevance" else _is_time(key)
    if not valid_key or not isinstance(posting, str) or not POSTING_ID.match(posting):
        raise BadParameter("cursor", "not a cursor this API returned")
    return Cursor(key, posting, fingerprint)


def _is_time(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def refuse_unknown(params: Params, allowed: set[str] | frozenset[str]) -> None:
    """Any parameter but the `allowed` ones is a mistake (a typo would otherwise go unseen)."""
    _only(params, allowed)


def _only(params: Params, allowed: set[str] | frozenset[str]) -> None:
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise BadParameter(unknown[0], f"unknown parameter; use {', '.join(sorted(allowed))}")


def _one(params: Params, name: str) -> str | None:
    values = params.get(name, ())
    if len(values) > 1:
        raise BadParameter(name, "give it once")
    if not values:
        return None
    value = values[0]
    if "\x00" in value:
        raise BadParameter(name, "must not hold NUL characters")
    return value


def _text(params: Params, name: str) -> str | None:
    value = _one(params, name)
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise BadParameter(name, "is empty")
    if len(value) > MAX_TEXT:
        raise BadParameter(name, f"at most {MAX_TEXT} characters")
    return value


def _occupation(params: Params) -> str | None:
    value = _one(params, "occupation")
    if value is not None and not OCCUPATION.match(value):
        raise BadParameter("occupation", "an O*NET-SOC code like 15-1252.00")
    return value


def _skill(value: str, name: str) -> str:
    if not SKILL_ID.match(value):
        raise BadParameter(name, f"{value[:40]!r} is not a skill id (like python, apache-kafka)")
    return value


def _choice(params: Params, name: str, choices: tuple[str, ...]) -> str | None:
    value = _one(params, name)
    if value is not None and value not in choices:
        raise BadParameter(name, f"one of {', '.join(choices)}")
    return value


def _int(params: Params, name: str, low: int, high: int) -> int | None:
    value = _one(params, name)
    if value is None:
        return None
    if not re.fullmatch(r"\d{1,9}", value) or not low <= int(value) <= high:
        raise BadParameter(name, f"a whole number from {low} to {high}")
    return int(value)


def _number(params: Params, name: str, low: float, high: float) -> float | None:
    value = _one(params, name)
    if value is None:
        return None
    if not re.fullmatch(r"\d{1,12}(\.\d{1,2})?", value) or not low <= float(value) <= high:
        raise BadParameter(name, f"a number from {low:,.0f} to {high:,.0f}")
    return float(value)


def _bool(params: Params, name: str) -> bool | None:
    value = _one(params, name)
    if value is None:
        return None
    if value.lower() not in ("true", "false", "1", "0"):
        raise BadParameter(name, "true or false")
    return value.lower() in ("true", "1")


def _date(params: Params, name: str) -> date | None:
    value = _one(params, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10]) if len(value) <= 32 else _bad_date(name)
    except ValueError:
        return _bad_date(name)


def _datetime(params: Params, name: str) -> datetime | None:
    """A date (midnight UTC) or a date and time (UTC unless it says otherwise)."""
    value = _one(params, name)
    if value is None:
        return None
    if len(value) > 40:
        _bad_date(name)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        _bad_date(name)
    if len(value) == 10:
        parsed = datetime.combine(parsed.date(), time())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _bad_date(name: str) -> date:
    raise BadParameter(name, "an ISO 8601 date (2026-01-31) or date and time")


def _country(params: Params) -> str | None:
    """A country as its ISO 3166-1 alpha-2 code: given as the code ("DE", "de") or by a name
    the parser codes the same way ("Germany", "Deutschland", "USA")."""
    value = _text(params, "country")
    if value is None:
        return None
    # Imported when a country is asked for: the parser's place tables take ~0.2 s to load, a
    # third of `jobstream export`'s and `search`'s start-up without one.
    from jobstream_parser.geo import country_code

    code = country_code(value.upper() if len(value) == 2 else value)
    if code is None:
        raise BadParameter("country", "an ISO 3166-1 alpha-2 code (DE) or a country's name")
    return code
