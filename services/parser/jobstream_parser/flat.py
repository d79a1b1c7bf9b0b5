"""The flat form of a parsed posting: one value per field name, for `jobstream parse --json`,
`--jsonl`, the evaluation, and the store's typed columns."""

from __future__ import annotations

from datetime import date
from typing import Final

from jobstream import contracts
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
# Every other flat field (jobstream.contracts declares them), also scorable when a labelled set
# names it.
EXTRA_FIELDS: Final = tuple(
    name
    for name in ("locations", *contracts.FLAT_FIELDS, *contracts.PLACE_CODES)
    if name not in FLAT_FIELDS
)

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
