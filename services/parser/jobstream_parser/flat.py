"""The flat form of a parsed posting: one value per field name, for `jobstream parse --json`,
`--jsonl`, the evaluation, and the store's typed columns."""

from __future__ import annotations

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
EXTRA_FIELDS: Final = ("locations", "working_hours", "time_zone", "date_posted")

FlatValue = str | float | list[str] | None


def flatten(parsed: ParsedPosting) -> dict[str, FlatValue]:
    """Every flat field, `None` when the posting does not say (`work_mode` is then "unknown")."""
    salary = parsed.salary
    return {
        "title": parsed.title,
        "company": parsed.company,
        "work_mode": parsed.work_mode,
        "employment_type": parsed.employment_type,
        "seniority": parsed.seniority,
        "experience_years_min": parsed.experience_years_min,
        "experience_years_max": parsed.experience_years_max,
        "salary_min": salary.min if salary else None,
        "salary_max": salary.max if salary else None,
        "salary_currency": salary.currency if salary else None,
        "salary_period": salary.period if salary else None,
        "education": parsed.education,
        "language": parsed.language,
        "url": parsed.url,
        "locations": [location.text for location in parsed.locations],
        "working_hours": parsed.working_hours,
        "time_zone": parsed.time_zone,
        "date_posted": parsed.date_posted.isoformat() if parsed.date_posted else None,
    }


def flat_fields(parsed: ParsedPosting) -> dict[str, FlatValue]:
    """Alias kept short for the CLI."""
    return flatten(parsed)
