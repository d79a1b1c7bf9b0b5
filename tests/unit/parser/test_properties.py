# ruff: noqa: RUF001 - real postings use en dashes and curly quotes
"""Property tests (hypothesis): the parser never raises on arbitrary text but its declared
refusal, and every span it returns points at the evidence it names."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobstream.contracts import ParsedPosting, RawPosting, Source
from jobstream_parser.parse import NotAPosting, parse

pytestmark = pytest.mark.unit

# Pieces postings are made of, so that generated text often reaches every extractor.
PIECES = [
    "Senior Backend Engineer", "Acme Corp", "Contract: ", "Remote", "Hybrid", "On-site",
    "Full-time", " | ", " · ", " - ", "\n", "\n\n", "Requirements\n", "Nice to haves\n",
    "Benefits:", "- ", "5+ years of experience", "3-5 years", "$120,000 - $150,000 per year",
    "€60k–80k", "100-120k USD", "£45,000 per annum", "Bachelor's degree", "PhD", "MS/BS",
    "8:00 am to 5:00 pm PST", "Posted on March 3, 2024", "2 weeks ago", "Location: Austin, TX",
    "https://jobs.example.com/1", "Acme is an equal opportunity employer.", "(m/w/d)", "As a ",
    "Wir bieten", "Sobre a vaga", "R$ 8.000 a 10.000 por mês", "CTC: ₹25,00,000", "((((", "::::",
    "\u00a0", "\u200b", "\ufeff", "\r\n", "\t", "İ", "ﷺ", "0" * 30, "$" * 10, "k", "years",
]  # fmt: skip
texts = st.one_of(
    st.text(max_size=2_000),
    st.lists(st.sampled_from(PIECES) | st.text(max_size=20), max_size=60).map("".join),
)


def _parse(text: str) -> ParsedPosting | None:
    if not text:
        return None
    try:
        return parse(RawPosting.from_text(text, Source(channel="cli")))
    except NotAPosting as refused:
        assert re.fullmatch(r"[a-z_]+", refused.reason)
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_never_raises_but_its_refusal(text: str) -> None:
    _parse(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_every_span_points_at_its_evidence(text: str) -> None:
    parsed = _parse(text)
    if parsed is None:
        return
    size = len(parsed.text)
    for field, span in parsed.evidence.items():
        assert 0 <= span.start < span.end <= size, field
    for field in ("title", "company", "url", "working_hours", "time_zone"):
        found = parsed.evidence.get(field)
        value = getattr(parsed, field)
        assert (found is None) or parsed.text[found.start : found.end] == value, field
    if parsed.salary is not None:
        span = parsed.evidence["salary"]
        assert parsed.text[span.start : span.end] == parsed.salary.text
        assert any(char.isdigit() for char in parsed.salary.text)
    for field in ("experience_years_min", "experience_years_max"):
        if getattr(parsed, field) is not None and field in parsed.evidence:
            span = parsed.evidence[field]
            assert any(
                char.isdigit() or char.isalpha() for char in parsed.text[span.start : span.end]
            )
    for place in parsed.locations:
        if place.span is not None:
            assert parsed.text[place.span.start : place.span.end] == place.text
    for section in parsed.sections:
        assert parsed.text[section.span.start : section.span.end] == section.text
        assert section.text.strip() == section.text != ""
