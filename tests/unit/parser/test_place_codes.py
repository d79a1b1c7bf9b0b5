"""Places coded with ISO 3166-1 countries and ISO 3166-2 subdivisions, and remote scopes."""

from __future__ import annotations

import pytest

from jobstream.contracts import ParsedPosting, RawPosting, Source
from jobstream_parser import geo
from jobstream_parser.parse import parse

pytestmark = pytest.mark.unit

POSTING = "\nResponsibilities\n- Build pipelines.\n"


def _parse(text: str) -> ParsedPosting:
    return parse(RawPosting.from_text(text, Source(channel="cli")))


def _codes(text: str) -> list[tuple[str, str | None, str | None, bool, str | None]]:
    parsed = _parse("Data Engineer\n" + text + POSTING)
    return [
        (place.text, place.country_code, place.subdivision_code, place.remote, place.area)
        for place in parsed.locations
    ]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Location: Austin, TX", [("Austin, TX", "US", "US-TX", False, None)]),
        ("Location: Berlin, Germany", [("Berlin, Germany", "DE", "DE-BE", False, None)]),
        ("Location: London, UK", [("London, UK", "GB", "GB-ENG", False, None)]),
        ("Location: Toronto, ON", [("Toronto, ON", "CA", "CA-ON", False, None)]),
        ("Location: Paris", [("Paris", "FR", "FR-IDF", False, None)]),
        ("Location: München, Bayern, Deutschland",
         [("München, Bayern, Deutschland", "DE", "DE-BY", False, None)]),
        ("Location: Cambridge, MA", [("Cambridge, MA", "US", "US-MA", False, None)]),
        ("Location: Edinburgh, Scotland", [("Edinburgh, Scotland", "GB", "GB-SCT", False, None)]),
        ("Location: São Paulo, Brasil", [("São Paulo, Brasil", "BR", "BR-SP", False, None)]),
        ("Location: Lisbon, Portugal", [("Lisbon, Portugal", "PT", None, False, None)]),
        ("Location: Springfield", [("Springfield", None, None, False, None)]),
        ("Location: Remote (US only)", [("US", "US", None, True, None)]),
        ("Location: Remote, EMEA", [("EMEA", None, None, True, "emea")]),
        ("Location: Remote - Europe", [("Europe", None, None, True, "europe")]),
        ("This is a fully remote role (US & Canada only).",
         [("US", "US", None, True, None), ("Canada", "CA", None, True, None)]),
        ("You can work remotely from anywhere in the EU.", [("EU", None, None, True, "eu")]),
        ("Remote, flexible hours.", []),
    ],
)  # fmt: skip
def test_places_and_their_codes(
    text: str, codes: list[tuple[str, str | None, str | None, bool, str | None]]
) -> None:
    assert _codes(text) == codes


def test_a_forum_head_lists_places_and_a_remote_scope() -> None:
    parsed = _parse(
        "Stripe | Software Engineer | SF, Seattle, Remote (US) | Full-time\nWe build." + POSTING
    )
    assert [(p.text, p.country_code, p.subdivision_code, p.remote) for p in parsed.locations] == [
        ("SF", "US", "US-CA", False),
        ("Seattle", "US", "US-WA", False),
        ("US", "US", None, True),
    ]
    assert parsed.place_codes() == {
        "countries": ["US"],
        "subdivisions": ["US-CA", "US-WA"],
        "remote_scope": ["US"],
    }


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Germany", "DE"), ("germany", "DE"), ("Deutschland", "DE"), ("USA", "US"),
        ("United States of America", "US"), ("U.S.", "US"), ("UK", "GB"), ("DEU", "DE"),
        ("Côte d'Ivoire", "CI"), ("Cote d'Ivoire", "CI"), ("South Korea", "KR"),
        ("in", None), ("Narnia", None),
    ],
)  # fmt: skip
def test_country_codes_from_names_and_codes(name: str, code: str | None) -> None:
    assert geo.country_code(name) == code


@pytest.mark.parametrize(
    ("name", "country", "code"),
    [
        ("TX", None, "US-TX"), ("Ontario", None, "CA-ON"), ("Bavaria", None, "DE-BY"),
        ("Thüringen", "DE", "DE-TH"), ("Thuringen", "DE", "DE-TH"), ("NSW", "AU", "AU-NSW"),
        ("Scotland", "GB", "GB-SCT"), ("Lombardy", "IT", "IT-25"), ("Nowhere", None, None),
    ],
)  # fmt: skip
def test_subdivision_codes(name: str, country: str | None, code: str | None) -> None:
    assert geo.subdivision_code(name, country).subdivision == code
