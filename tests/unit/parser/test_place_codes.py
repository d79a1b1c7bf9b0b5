"""Places coded with ISO 3166-1 countries and ISO 3166-2 subdivisions, and remote scopes."""

from __future__ import annotations

import pytest

from jobstream.contracts import ParsedPosting, RawPosting, Source
from jobstream_parser import geo
from jobstream_parser.document import Document
from jobstream_parser.parse import parse
from jobstream_parser.places import find_locations

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
        ("Location: London, UK", [("London, UK", "GB", None, False, None)]),
        ("Location: Toronto, ON", [("Toronto, ON", "CA", "CA-ON", False, None)]),
        ("Location: Paris", [("Paris", "FR", "FR-75C", False, None)]),
        ("Location: München, Bayern, Deutschland",
         [("München, Bayern, Deutschland", "DE", "DE-BY", False, None)]),
        ("Location: Cambridge, MA", [("Cambridge, MA", "US", "US-MA", False, None)]),
        # A town's own country by its ISO code, which a state or province also abbreviates:
        ("Location: Berlin, DE", [("Berlin, DE", "DE", "DE-BE", False, None)]),
        ("Location: Amsterdam, NL", [("Amsterdam, NL", "NL", "NL-NH", False, None)]),
        ("Location: Bangalore, IN", [("Bangalore, IN", "IN", "IN-KA", False, None)]),
        ("Location: Toronto, CA", [("Toronto, CA", "CA", "CA-ON", False, None)]),
        # ... but the state where the town is that state's (or unknown elsewhere):
        ("Location: Indianapolis, IN", [("Indianapolis, IN", "US", "US-IN", False, None)]),
        ("Location: Wilmington, DE", [("Wilmington, DE", "US", "US-DE", False, None)]),
        ("Location: San Jose, CA", [("San Jose, CA", "US", "US-CA", False, None)]),
        ("Location: St. John's, NL", [("St. John's, NL", "CA", "CA-NL", False, None)]),
        ("Location: Edinburgh, Scotland", [("Edinburgh, Scotland", "GB", None, False, None)]),
        ("Location: São Paulo, Brasil", [("São Paulo, Brasil", "BR", "BR-SP", False, None)]),
        ("Location: Lisbon, Portugal", [("Lisbon, Portugal", "PT", "PT-11", False, None)]),
        # Spanish provinces, not communities; a town with its province; an inverted article
        ("Localidad: Valdemoro (MADRID)", [("Valdemoro (MADRID)", "ES", "ES-M", False, None)]),
        ("Localidad: Agüimes (PALMAS (LAS))",
         [("Agüimes (LAS PALMAS)", "ES", "ES-GC", False, None)]),
        ("Localidad: GIRONA", [("GIRONA", "ES", "ES-GI", False, None)]),
        ("Arbeitsort Zürich", [("Zürich", "CH", "CH-ZH", False, None)]),
        # a town of the gazetteer (GeoNames' towns of 1,000 people or more): its country
        ("Standort Landquart", [("Landquart", "CH", None, False, None)]),
        ("Location: Anywhere in the U.S. (remote)", [("U.S", "US", None, True, None)]),
        ("Location: Virtual (100% Remote), Washington, DC; Chicago, IL",
         [("Washington, DC", "US", "US-DC", False, None),
          ("Chicago, IL", "US", "US-IL", False, None)]),
        ("Onsite/Hybrid (NYC)", [("NYC", "US", "US-NY", False, None)]),
        ("Location: Remote (Continental US)", [("US", "US", None, True, None)]),
        # towns of that name are in the United States (one state not known)
        ("Location: Springfield", [("Springfield", "US", None, False, None)]),
        ("Location: Remote (US only)", [("US", "US", None, True, None)]),
        ("Location: Remote, EMEA", [("EMEA", None, None, True, "emea")]),
        ("Location: Remote - Europe", [("Europe", None, None, True, "europe")]),
        ("This is a fully remote role (US & Canada only).",
         [("US", "US", None, True, None), ("Canada", "CA", None, True, None)]),
        ("You can work remotely from anywhere in the EU.", [("EU", None, None, True, "eu")]),
        ("Remote, flexible hours.", []),
        # parser 0.3.12: a head line of another field names no place
        ("Belo Horizonte, Brasil · Híbrido\n\n🎁 Benefícios: Assistência médica; VA; VT; VR",
         [("Belo Horizonte, Brasil", "BR", "BR-MG", False, None)]),
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
    ("head", "places"),
    [
        # parser 0.3.13, forms of forum heads found on unlabelled HN posts
        ("Acme | Engineer | San Francisco/Palo Alto | ONSITE | Full-time",
         [("San Francisco", "US", "US-CA"), ("Palo Alto", "US", "US-CA")]),
        ("Acme | Full-time | London, Berlin/Munich, New York | HYBRID",
         [("London", "GB", None), ("Berlin", "DE", "DE-BE"), ("Munich", "DE", "DE-BY"),
          ("New York", "US", "US-NY")]),
        ("Acme | Multiple Roles | Los Angeles, CA & NYC | HYBRID | Full-Time",
         [("Los Angeles, CA", "US", "US-CA"), ("NYC", "US", "US-NY")]),
        ("Acme | Robotics Engineers | Austin TX | Full-time | ONSITE",
         [("Austin TX", "US", "US-TX")]),
        ("Acme | Software Developer | Remote US Only | Full-time", [("US", "US", None)]),
        ("Acme | REMOTE CANADA | Staff Platform/SRE", [("CANADA", "CA", None)]),
        ("Acme | Fully Remote US/Canada | Senior SRE",
         [("US", "US", None), ("Canada", "CA", None)]),
        # no places: tools, a work mode with a state's letters
        ("Acme | Engineer | Elixir/Phoenix | Remote", []),
        ("Acme | Engineer | Hybrid OK | Full-time", []),
    ],
)  # fmt: skip
def test_places_listed_in_a_forum_head(
    head: str, places: list[tuple[str, str | None, str | None]]
) -> None:
    parsed = _parse(head + "\nWe build." + POSTING)
    assert [(p.text, p.country_code, p.subdivision_code) for p in parsed.locations] == places


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
        ("Scotland", "GB", None), ("Madrid", None, "ES-M"), ("Catalonia", None, "ES-CT"),
        ("Lombardy", "IT", "IT-25"), ("Nowhere", None, None),
    ],
)  # fmt: skip
def test_subdivision_codes(name: str, country: str | None, code: str | None) -> None:
    assert geo.subdivision_code(name, country).subdivision == code


@pytest.mark.parametrize(
    ("head", "city", "codes"),
    [
        ("64 - BAYONNE", "BAYONNE", ("FR", "FR-64")),
        ("75 - PARIS 01", "PARIS 01", ("FR", "FR-75C")),
        ("2A - AJACCIO", "AJACCIO", ("FR", "FR-2A")),
        ("65 - Pyrénées (Hautes)", None, ("FR", "FR-65")),
        ("64 - Pyrénées-Atlantiques", None, ("FR", "FR-64")),
    ],
)
def test_a_departement_line_under_the_title(
    head: str, city: str | None, codes: tuple[str, str]
) -> None:
    parsed = _parse(f"Frigoriste (H/F)\n{head}\nPublié le 01/11/2022\n" + POSTING)
    assert [(p.city, p.country_code, p.subdivision_code) for p in parsed.locations] == [
        (city, *codes)
    ]


def test_a_place_the_text_names_for_the_job_joins_the_pages_place() -> None:
    parsed = _parse(
        "Opérateur de production (H/F)\n26 - VALENCE\nPublié le 01/11/2022\n\n"
        "Poste basé à Châteauneuf sur Isère.\n" + POSTING
    )
    assert [(p.city, p.country_code, p.subdivision_code) for p in parsed.locations] == [
        ("VALENCE", "FR", "FR-26"),
        ("Châteauneuf sur Isère", "FR", None),
    ]


def test_a_city_that_employs_works_in_that_city() -> None:
    text = "SENIOR SYSTEMS ANALYST\nCity of Los Angeles\nANNUAL SALARY\n$86,468 to $126,468\n"
    employer = ("City of Los Angeles", (23, 42))
    places = find_locations(Document(text), [], employer)
    assert [(p.city, p.country_code, p.subdivision_code, p.span) for p in places] == [
        ("Los Angeles", "US", "US-CA", (31, 42))
    ]
    assert find_locations(Document(text), [], ("City of Springfield", (0, 19))) == []


def test_a_us_place_in_a_one_line_head_drops_the_words_before_the_city() -> None:
    parsed = _parse(
        "Jobs at Bloom Founding Growth / Marketing San Francisco, CA, US $120K - $180K 1+ years"
        + POSTING
    )
    assert [(p.city, p.country_code, p.subdivision_code) for p in parsed.locations] == [
        ("San Francisco", "US", "US-CA")
    ]


def test_every_city_code_is_an_iso_code() -> None:
    import pycountry

    countries = {country.alpha_2 for country in pycountry.countries}
    subdivisions = {subdivision.code for subdivision in pycountry.subdivisions}
    for name in geo.CITY_NAMES:
        codes = geo.city_codes(name)
        assert codes is not None
        assert codes.country in countries, name
        assert codes.subdivision is None or codes.subdivision in subdivisions, name


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        # Parser 0.3.9: towns the gazetteer knows, in a label's value or a list of them.
        ("Arbeitsorte: Niederglatt, Rümlang, Dübendorf",
         [("Niederglatt", "CH", None, False, None), ("Rümlang", "CH", None, False, None),
          ("Dübendorf", "CH", None, False, None)]),
        ("Localidad: Berriz (VIZCAYA)", [("Berriz (VIZCAYA)", "ES", "ES-BI", False, None)]),
        ("Localidad: San Sebastián de los Reyes (MADRID)",
         [("San Sebastián de los Reyes (MADRID)", "ES", "ES-M", False, None)]),
        ("Barueri, Brasil · Presencial", [("Barueri, Brasil", "BR", "BR-SP", False, None)]),
        # a job board's fields: glued to their labels, or a label alone before a blank line
        ("* OrtBern\n* Referenz114933", [("Bern", "CH", "CH-BE", False, None)]),
        ("* OrtUmgebung Langenthal", [("Langenthal", "CH", None, False, None)]),
        ("Region\n\nSursee\n", [("Sursee", "CH", None, False, None)]),
        ("Region\n\nKanton Aargau\n", [("Kanton Aargau", "CH", "CH-AG", False, None)]),
        ("Region\n\nOberaargau\n", []),  # a district, no town
        ("Einsatzort\n\nRegion Oberaargau\n", []),
        ("Fuer unsere Filiale in Luzern.", [("Luzern", "CH", "CH-LU", False, None)]),
    ],
)  # fmt: skip
def test_towns_of_the_gazetteer(
    text: str, codes: list[tuple[str, str | None, str | None, bool, str | None]]
) -> None:
    assert _codes(text) == codes


@pytest.mark.parametrize(
    ("head", "places"),
    [
        ("Acme | Senior research/engineers | Full Time | Zurich, Onsite | 100-200k CHF",
         [("Zurich", "CH", "CH-ZH")]),
        ("Acme | Customer Engineer | REMOTE (EU/Asia) or HYBRID Berlin | €55k",
         [("Berlin", "DE", "DE-BE")]),
        ("Acme | Senior Engineer | ONSITE in San Francisco, CA",
         [("San Francisco, CA", "US", "US-CA")]),
        ("Acme | Engineers | Full-time | ONSITE SF or NYC | Remote",
         [("SF", "US", "US-CA"), ("NYC", "US", "US-NY")]),
        ("Microsoft | Senior SWE | Redmond, Wa", [("Redmond, Wa", "US", "US-WA")]),
        ("Spiich Labs (Stockholm) | Founding GTM | Full-time | On-site",
         [("Stockholm", "SE", "SE-AB")]),
        # no place: a work mode's words, a language that is also a town's name
        ("Carta | Senior Software Engineer II | Waterloo / Toronto | ONSITE (Hybrid OK)",
         [("Waterloo", "CA", "CA-ON"), ("Toronto", "CA", "CA-ON")]),
        ("Acme | Rust Engineer | Elixir | Remote", []),
    ],
)  # fmt: skip
def test_places_of_a_forum_head(head: str, places: list[tuple[str, str, str | None]]) -> None:
    parsed = _parse(head + "\nWe build." + POSTING)
    found = [(p.text, p.country_code, p.subdivision_code) for p in parsed.locations if not p.remote]
    assert found == places


def test_a_postal_code_and_its_town_at_the_top() -> None:
    parsed = _parse("und Pflegheim\n3803 Beatenberg\nSind Sie die Nachtwache?" + POSTING)
    assert [(p.text, p.country_code) for p in parsed.locations] == [("Beatenberg", "CH")]


def test_the_gazetteer_holds_towns_of_one_country_and_no_common_words() -> None:
    assert geo.town_codes("Sursee") == geo.Codes("CH", None)
    assert geo.town_codes("LUZERN") == geo.Codes("CH", "CH-LU")  # a canton's capital
    assert geo.town_codes("Campinas") == geo.Codes("BR", "BR-SP")  # 100,000 people or more
    assert geo.town_codes("Lena") is None  # in Norway and the United States
    assert geo.town_codes("Engineer") is None  # a town in Kenya, a word everywhere
    assert geo.town_codes("Nowhere-upon-Nothing") is None


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # Parser 0.3.10, from unlabelled Swiss ads: the town on a head line of its own, after a
        # postal code or a workload, or in a phrase naming the place of work.
        ("Project Manager (m/w)\nUzwil\nIhre Aufgaben", [("Uzwil", "CH", None)]),
        ("Kita-Leiter/in\n8008 Zürich (ZH) 30%\nIhre Aufgaben", [("Zürich", "CH", "CH-ZH")]),
        ("Reisebus Fahrer/in (Teilzeit)\nin 4133 Pratteln\nIhre Aufgaben",
         [("Pratteln", "CH", None)]),
        ("Mechaniker Montage 100% | Pfäffikon\nUnser Kunde", [("Pfäffikon", "CH", None)]),
        ("Sachbearbeiter (m/w)\nTemporär/Festanstellung 100%, Luzern\nAufgaben",
         [("Luzern", "CH", "CH-LU")]),
        ("Sekretär/in\nWir sind ein Team. Der Arbeitsort ist Stäfa.", [("Stäfa", "CH", None)]),
        ("Bademeister/in\nFür die Badi in Wildhaus suchen wir eine/n", [("Wildhaus", "CH", None)]),
        ("Informatiker/in\nJob Standort: Zürich", [("Zürich", "CH", "CH-ZH")]),
        # none: a title in capitals that is also a town's name; a street address
        ("CARPENTER\nClass Code: 3344\nANNUAL SALARY", []),
        ("Vocational Worker\nPositions located at 12000 Vista del Mar, in the plant.", []),
    ],
)  # fmt: skip
def test_towns_named_in_the_head_or_a_phrase(
    text: str, places: list[tuple[str, str, str | None]]
) -> None:
    parsed = _parse(text + POSTING)
    assert [(p.text, p.country_code, p.subdivision_code) for p in parsed.locations] == places
