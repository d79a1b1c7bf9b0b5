"""The flat form of a parsed posting: one value per field name, for `jobstream parse --json`,
`--jsonl`, the evaluation, and the store's typed columns."""

from __future__ import annotations

from datetime import date
from typing import Final

from jobstream.contracts import ParsedPosting

# The names the labelled sets and `jobstream eval parser` score.
FLAT_FIELDS: Final = (
    "title",
    "company",
    "work_mode",
    "employment_type",
    "seniority",
    "experience_years_min",
    "experience_years_max",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "education",
    "language",
    "url",
)
# Also flat, also scorable when a labelled set names them.
EXTRA_FIELDS: Final = (
    "locations", "working_hours", "time_zone", "date_posted", "salary_annual_min",
    "salary_annual_max", "countries", "subdivisions", "remote_scope",
)  # fmt: skip

FlatValue = str | float | list[str] | None


def flatten(parsed: ParsedPosting) -> dict[str, FlatValue]:
    """Every flat field, `None` when the posting does not say; dates in ISO form, places by
    name and by code, so the result is plain JSON."""
    flat: dict[str, FlatValue] = {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in parsed.flat_fields().items()
    }
    flat["locations"] = [location.text for location in parsed.locations]
    flat.update(parsed.place_codes())
    return flat
