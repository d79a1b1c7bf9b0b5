"""Turning stored rows into answers: the same for every adapter (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from jobstream_api.results import FieldValue, OccupationOut, Pay, Place, SectionOut, SpanOut

# The parsed fields a posting view lists, in order, under the store's column names.
FIELDS: Final = (
    "title", "company", "url", "work_mode", "employment_type", "seniority",
    "experience_years_min", "experience_years_max", "salary_min", "salary_max",
    "salary_currency", "salary_period", "salary_annual_min", "salary_annual_max", "education",
    "language", "date_posted", "working_hours", "time_zone", "countries", "subdivisions",
    "remote_scope",
)  # fmt: skip
# The parser's evidence key of a field when it is not the field's own name.
_EVIDENCE_KEY: Final = {
    "salary_min": "salary",
    "salary_max": "salary",
    "salary_currency": "salary",
    "salary_period": "salary",
    "salary_annual_min": "salary",
    "salary_annual_max": "salary",
}


def field_values(
    row: Mapping[str, Any], evidence: Mapping[str, Sequence[int]]
) -> dict[str, FieldValue]:
    """Every field of FIELDS with its value and the span it was read from."""
    values = {}
    for name in FIELDS:
        span = evidence.get(_EVIDENCE_KEY.get(name, name))
        value = row[name]
        if isinstance(value, list | tuple):  # codes of places
            value = list(value)
        elif value is not None and not isinstance(value, str | int | float | bool):
            value = value.isoformat() if hasattr(value, "isoformat") else float(value)
        values[name] = FieldValue(
            value=value, evidence=SpanOut(start=span[0], end=span[1]) if span else None
        )
    return values


def pay(row: Mapping[str, Any]) -> Pay | None:
    """The posting's pay, or None when it states none."""
    if row["salary_min"] is None and row["salary_max"] is None:
        return None
    return Pay(
        min=_float(row["salary_min"]),
        max=_float(row["salary_max"]),
        currency=row["salary_currency"],
        period=row["salary_period"],
        annual_min=_float(row.get("salary_annual_min")),
        annual_max=_float(row.get("salary_annual_max")),
    )


def occupation(row: Mapping[str, Any]) -> OccupationOut | None:
    if row.get("occupation_code") is None:
        return None
    return OccupationOut(
        code=row["occupation_code"],
        title=row["occupation_title"],
        confidence=row["occupation_confidence"],
    )


def places(locations: Sequence[Mapping[str, Any]]) -> list[Place]:
    return [
        Place(
            text=location.get("text") or "",
            city=location.get("city"),
            region=location.get("region"),
            country=location.get("country"),
            country_code=location.get("country_code"),
            subdivision_code=location.get("subdivision_code"),
            remote=location.get("remote"),
            area=location.get("area"),
        )
        for location in locations
    ]


def sections(stored: Sequence[Mapping[str, Any]], text: str) -> list[SectionOut]:
    return [
        SectionOut(
            kind=section["kind"],
            heading=section.get("heading"),
            start=section["start"],
            end=section["end"],
            text=text[section["start"] : section["end"]],
        )
        for section in stored
    ]


def spans(pairs: Sequence[Sequence[int]]) -> list[SpanOut]:
    return [SpanOut(start=start, end=end) for start, end in pairs]


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def skill_refs(
    stored: Sequence[Mapping[str, Any]], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """A result item's skills (`results.SkillRef`s) from the posting's `skills` column (each
    skill's id, required, mentions and confidence; migration 0025) and the skills' names:
    required first, then the most mentioned, then by name. A skill with no name (not in the
    skills table) is left out, as a join to it would."""
    named = [(skill, names[skill["id"]]) for skill in stored if skill["id"] in names]
    named.sort(key=lambda pair: (not pair[0]["required"], -pair[0]["mentions"], pair[1]))
    return [
        {"id": skill["id"], "name": name, "required": skill["required"]} for skill, name in named
    ]
