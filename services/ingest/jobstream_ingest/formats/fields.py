"""A structured record (a JSON object, a CSV row) to a posting's text and the fields it gives.

Keys are matched without regard to case, spaces, dashes or camelCase, so `jobTitle`,
`Job Title` and `job_title` are one key. schema.org JobPosting shapes are understood too
(`hiringOrganization.name`, `jobLocation.address`, `identifier.value`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import ValidationError

from jobstream.contracts import ProvidedFields
from jobstream_ingest.formats.errors import FormatError
from jobstream_ingest.formats.markup import html_to_text, looks_like_html

TEXT_KEYS = ("text", "description", "body", "content", "posting", "job_description")
FIELD_KEYS: Mapping[str, tuple[str, ...]] = {
    "title": ("title", "job_title", "position", "role"),
    "company": ("company", "company_name", "employer", "organization", "hiring_organization"),
    "location": ("location", "job_location", "place", "city"),
    "url": ("url", "link", "job_url", "apply_url", "source_url"),
    "external_id": ("external_id", "id", "job_id", "identifier", "reference", "req_id"),
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s\-.]+")
_ADDRESS_PARTS = ("addressLocality", "addressRegion", "addressCountry")


def normalise_key(key: str) -> str:
    return _SEPARATORS.sub("_", _CAMEL.sub("_", key.strip())).lower()


def has_text_key(keys: list[str]) -> bool:
    return any(normalise_key(key) in TEXT_KEYS for key in keys)


def posting_fields(
    record: Mapping[str, object], max_markup_chars: int
) -> tuple[str, ProvidedFields]:
    """The posting text and the provided fields of one record; FormatError when unusable.
    A text given as HTML is converted, if it is under `max_markup_chars`."""
    values = {normalise_key(key): value for key, value in record.items() if isinstance(key, str)}
    text = _first(values, TEXT_KEYS)
    if text is None:
        raise FormatError(
            "no_text", f"no posting text: give it in a field named one of {', '.join(TEXT_KEYS)}"
        )
    if not isinstance(text, str):
        raise FormatError("bad_field", f"the posting text must be a string, not {_kind(text)}")
    if looks_like_html(text):
        text = html_to_text(text, max_markup_chars)
    given = {}
    for field, keys in FIELD_KEYS.items():
        value = _first(values, keys)
        if value is not None:
            given[field] = _as_text(field, value)
        if "\x00" in (given.get(field) or ""):
            # PostgreSQL's text type cannot hold NUL; it would fail the store, not here.
            raise FormatError("bad_field", f"field {field} holds a NUL character")
    try:
        return text, ProvidedFields(**{name: value for name, value in given.items() if value})
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        raise FormatError("bad_field", f"field {field}: {problem['msg']}") from error


def _first(values: Mapping[str, object], keys: tuple[str, ...]) -> object | None:
    for key in keys:
        value = values.get(key)
        if value is not None and value != "":
            return value
    return None


def _as_text(field: str, value: object) -> str | None:
    """A field's value as one line of text, from a string, a number or a schema.org object."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Mapping):
        for key in ("name", "value", "address"):
            if key in value:
                return _as_text(field, value[key])
        parts = [_as_text(field, value[key]) for key in _ADDRESS_PARTS if key in value]
        if any(parts):
            return ", ".join(part for part in parts if part)
    if isinstance(value, list) and value:
        parts = [_as_text(field, item) for item in value]
        return "; ".join(part for part in parts if part) or None
    raise FormatError("bad_field", f"field {field} must be text, not {_kind(value)}")


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", bool: "true/false", type(None): "null"}
    return names.get(type(value), type(value).__name__)
