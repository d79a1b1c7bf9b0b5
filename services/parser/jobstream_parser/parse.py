"""The parser's domain: a raw posting in, a structured posting out. Pure, never raises on text."""

from __future__ import annotations

from typing import Final

from jobstream.contracts import ParsedPosting, RawPosting, Span
from jobstream_parser.cleaning import clean_text
from jobstream_parser.fields import Found, find_company, find_title

PARSER_VERSION: Final = "0.1.0"


def parse(raw: RawPosting) -> ParsedPosting:
    """Clean the text and read the title and the company from it.

    Fields given by structured input (`raw.provided`) win over what the text suggests; their
    evidence span points at them in the text when they appear there verbatim.
    """
    text = clean_text(raw.text)
    title = _provided(raw.provided.title, text) or find_title(text)
    company = _provided(raw.provided.company, text) or find_company(text)
    evidence = {
        field: Span(start=found.span[0], end=found.span[1])
        for field, found in (("title", title), ("company", company))
        if found is not None and found.span is not None
    }
    return ParsedPosting(
        posting_id=raw.posting_id,
        received_at=raw.received_at,
        source=raw.source,
        parser_version=PARSER_VERSION,
        text=text,
        title=title.value if title else None,
        company=company.value if company else None,
        evidence=evidence,
    )


def _provided(value: str | None, text: str) -> Found | None:
    value = value.strip() if value else ""
    if not value:
        return None
    start = text.find(value)
    return Found(value, (start, start + len(value)) if start >= 0 else None)
