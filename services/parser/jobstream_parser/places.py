"""Where the job is (locations, as stated) and the posting's own URL.

Places are read from a label ("Location: Austin, TX", "Standort: München"), from the separated
segments of the head ("Acme · Berlin, Germany · Hybrid", "Acme | Role | London, UK | REMOTE"),
and from "based in ...". A place is split into city, region and country by its form ("City,
ST", "City, Country") and small lists of countries, US states, Canadian provinces and large
cities; a segment nothing recognises is not taken for a place. Each place is then coded
(geo.py): its ISO 3166-1 country and, where known, ISO 3166-2 subdivision. "Remote (US only)",
"Remote, EMEA", "remote within the EU" say where remote work may be done from: places marked
`remote`, coded by country or by area.

The URL is a link on a line of its own at the top (boards' copy-paste adds one) or after a
label ("URL:", "Job link:"); links in the body (application portals, PDFs) are not the posting.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final, NamedTuple

from jobstream.contracts import RemoteArea
from jobstream_parser import geo
from jobstream_parser.document import Document, Line
from jobstream_parser.heads import search
from jobstream_parser.line_cache import LINE_CACHE_SIZE, MAX_CACHED_LINE_CHARS

MAX_URL_CHARS: Final = 2_000
MAX_PLACES: Final = 10
MAX_REMOTE_MENTIONS: Final = 20
URL_HEAD_LINES: Final = 4

_URL: Final = re.compile(r"(?:link-|url-)?(?P<url>(?:https?://|www\.)[^\s<>\"']{1,2000})")
_URL_LABEL: Final = re.compile(
    r"^(?:url|link|job link|job url|posting url|original posting|source|job posting)[ ]?:[ ]?"
    r"(?P<url>(?:https?://|www\.)[^\s<>\"']{1,2000})",
    re.IGNORECASE | re.MULTILINE,
)
_PLACE_LABEL: Final = re.compile(
    r"(?:job |work |office |primary )?locations?(?:\(s\))?|based in|(?:job )?standort"
    r"|arbeitsorte?|anstellungsort(?:e|\(e\))?|einsatzort|localização|localizacao"
    r"|local de trabalho|ubicación|lugar de trabajo"
    r"|lieu(?: de travail)?|localidad|city|where",
    re.IGNORECASE,
)
_LABEL_LINE: Final = re.compile(
    rf"(?:(?:{_PLACE_LABEL.pattern})[ ]?[:\u2013-]"
    r"|(?:arbeitsorte?|einsatzort|standort)(?=[ ][A-ZÄÖÜ])"
    r"|-[ ]ort(?=(?-i:[A-ZÄÖÜ])))"  # "* OrtBern" (a bullet, cleaned): fields glued to labels
    r"[ ]?(?P<value>.{2,150})$",
    re.IGNORECASE,
)
_BASED_IN: Final = re.compile(
    r"\b(?:based|located|headquartered|(?i:(?:located )?on-?site)) in (?:our )?"
    r"(?P<value>[A-Z][\w.'-]{1,30}(?: [A-Z][\w.'-]{1,30}){0,2}"
    r"(?:, [A-Z][\w.'-]{1,30}(?: [A-Z][\w.'-]{1,30}){0,2}){0,2})"
)
_SEGMENT_SPLIT: Final = re.compile(r"[ ]?[|·•;][ ]?|[ ][-\u2013\u2014+][ ]|[ ]/[ ]| or ")
# What `_SEGMENT_SPLIT` splits at, for a quick `in` test: the pattern, starting with an optional
# space, is tried in full at every position of a line (a paragraph costs tens of microseconds).
_SEPARATORS: Final = ("|", "·", "•", ";", " - ", " \u2013 ", " \u2014 ", " + ", " / ", " or ")
# Longer than this, a segment cannot be "outer (inner)" (100 characters each at most), and
# less a ZIP code (11 at most) it is still longer than a place (80).
MAX_SEGMENT_CHARS: Final = 202
_ZIP: Final = re.compile(r"[ ]\d{4,5}(?:-\d{4})?$")
_WORK_MODE_WORD: Final = (
    r"(?:fully |100% )?(?:remote|hybrid|on-?site|in person|in-person|onsite|work from home"
    r"|anywhere|home office|remoto|híbrido|presencial|virtual)"
)
# "Hybrid", "Onsite/Hybrid", "Virtual (100% Remote)": a work mode, no place.
_WORK_MODE_WORDS: Final = re.compile(
    rf"{_WORK_MODE_WORD}(?:[ ]?[/,&][ ]?{_WORK_MODE_WORD}){{0,2}}", re.IGNORECASE
)
_LEADING_WORK_MODE: Final = re.compile(
    rf"{_WORK_MODE_WORD}[ ]\({_WORK_MODE_WORD}\),[ ]", re.IGNORECASE
)
# A label alone on its line, its value on the next (after a blank line, too): "Region\n\nSursee".
_BARE_LABEL: Final = re.compile(rf"{_PLACE_LABEL.pattern}|region", re.IGNORECASE)
# "Fuer unsere Filiale in Luzern.", "ASTRA-Filiale Estavayer-le-Lac", "Jobs in Pratteln": a
# town the text names for the job.
_TOWN_NAME: Final = r"[A-ZÄÖÜ][\w.'-]{1,30}(?:[ ][A-ZÄÖÜ][\w.'-]{1,30}){0,2}"
_IN_TOWN: Final = re.compile(
    r"\b(?:(?:[Ff]iliale|[Nn]iederlassung)(?: in)?|Jobs in"
    r"|(?:[Ss]tandort|[Aa]rbeitsort) (?:in|ist))"
    r" (?P<value>[A-ZÄÖÜ][\w-]{2,30}(?: [A-ZÄÖÜ][\w-]{2,30})?)"
    r"|\bin (?P<before>[A-ZÄÖÜ][\w-]{2,30}(?: [A-ZÄÖÜ][\w-]{2,30})?) suchen wir\b"
)
# Head lines that name the town: alone ("Uzwil"), after a postal code ("8008 Zürich (ZH) 30%",
# "in 4133 Pratteln"), after a workload ("Temporär/Festanstellung 100%, Luzern", "80 - 100 % |
# in Bern").
# (At a line's start or after "in": "located at 12000 Vista del Mar" is a street address.)
_POSTAL_TOWN: Final = re.compile(
    rf"(?:^(?:in[ ])?|(?<=[ ]in[ ]))(?:[A-Z]{{1,2}}-)?\d{{4,5}}[ ](?P<town>{_TOWN_NAME})"
)
_WORKLOAD_TOWN: Final = re.compile(rf"%[ ]?[,|][ ]?(?:in[ ])?(?P<town>{_TOWN_NAME})$")
HEAD_TOWN_LINES: Final = 8
# "Umgebung Langenthal", "Region Aarau", "Raum Bern": the town the job is around.
_AROUND: Final = re.compile(r"(?:Umgebung|Region|Raum|Gro(?:ss|ß)raum)[ ](?=[A-ZÄÖÜ])")
# "Kanton Aargau": a Swiss canton.
_CANTON: Final = re.compile(r"(?:Kanton|Canton|Cantone)[ ](?P<name>[A-ZÄÖÜÉ][\w .-]{1,30})")
# "HYBRID Berlin", "ONSITE in San Francisco, CA", "Zurich, Onsite": a work mode beside a place
# (a remote one is a scope of remote work, read elsewhere).
_OFFICE_MODE: Final = r"(?:hybrid|on-?site|in[- ]office|in[- ]person|onsite only)"
_LEADING_MODE: Final = re.compile(rf"{_OFFICE_MODE}(?:[ ]in)?[ ](?=(?-i:[A-Z]))", re.IGNORECASE)
_FIRST_PLACE: Final = re.compile(r"[^,]+?(?=,| or |$)")
_TRAILING_MODE: Final = re.compile(rf",[ ]?{_OFFICE_MODE}$", re.IGNORECASE)

# Words that make the place after them the scope of remote work.
_REMOTE_WORDS: Final = re.compile(
    r"(?:fully |100% )?remote(?:ly)?|work from home|wfh|anywhere|home office|remoto"
    r"|télétravail",
    re.IGNORECASE,
)
# "within the", "anywhere in": before a scope; "only", "-based": after it.
_SCOPE_BEFORE: Final = re.compile(
    r"^(?:(?:open to candidates |candidates )?(?:anywhere )?(?:with)?in |from (?:anywhere in )?"
    r"|based in )?(?:the )?(?:continental |contiguous |mainland )?",
    re.IGNORECASE,
)
_SCOPE_AFTER: Final = re.compile(r"(?:[ -]only|[ -]based|[ ]time ?zones?)$", re.IGNORECASE)
_SCOPE_SPLIT: Final = re.compile(r"[ ]?[,/&;+][ ]?| and | or ")
# "Remote (US only)", "remote, EMEA", "remote within the EU", "Remote - Europe" in the text.
_REMOTE_SCOPE: Final = re.compile(
    r"(?i:remote(?:ly)?(?: role| position| job| opportunity| work)?)[ ]?"
    r"(?:\(|[,:\u2013\u2014-][ ]?|(?i:(?:with)?in|from(?: anywhere in)?|across)[ ](?i:the )?)"
    r"(?P<scope>[A-Z][\w.]{1,20}(?:(?:[ ]|[ ]?[&/,][ ]?| and | or )[A-Z][\w.]{1,20}){0,4})"
)
_ASCII_DIGIT: Final = re.compile("[0-9]")
# France Travail's place line under the title: "64 - BAYONNE", "2A - AJACCIO", "75 - PARIS 01",
# "65 - Pyrénées (Hautes)" (the département alone).
_DEPARTMENT_LINE: Final = re.compile(r"(?P<number>\d{2}|2[AB]|97[1-6]) - (?P<name>\w[^|:]{1,60})")
_DEPARTMENT_HEAD_LINES: Final = 4
# "Poste basé à Châteauneuf sur Isère": a place of work the text names, beside the page's.
_BASED_AT: Final = re.compile(
    r"\b(?:[Pp]oste|[Mm]ission|[Ee]mploi) (?:basée?|situé|situ\u00e9e) (?:à|a|sur) "
    r"(?P<value>[A-ZÉÈ][\w'-]{1,30}"
    r"(?:[ -](?:[A-ZÉÈ][\w'-]{1,30}|sur|sous|en|le|la|les|de|du)){0,5})"
)
# "New York, NY, US" in running text (job boards' one-line heads): a US city by its state.
_US_PLACE: Final = re.compile(
    r"\b(?P<value>[A-Z][a-z.'-]{1,20}(?: [A-Z][a-z.'-]{1,20}){0,3}, [A-Z]{2}), (?:US|USA)\b"
)
# "• London, England, GB Job type": a job board's one-line head, the country as its ISO code.
_BOARD_PLACE: Final = re.compile(
    r"•[ ](?P<city>[A-Z][\w.'-]{1,20}(?:[ ][A-Z][\w.'-]{1,20}){0,3}),[ ]"
    r"(?P<region>[A-Z][\w-]{1,20}(?:[ ][A-Z][\w-]{1,20}){0,2}),[ ](?P<code>[A-Z]{2})\b"
)
# "City of Los Angeles", "Ville de Paris": an employer that is a city works in that city.
_CITY_EMPLOYER: Final = re.compile(r"(?:City|Town) of (?P<city>[A-Z][\w .'-]{1,40})")
_NOT_IN_TOWN: Final = re.compile("[,:]")
# "Agüimes (PALMAS (LAS))": a province named with its article after it.
_INVERTED_ARTICLE: Final = re.compile(r"\((?P<name>[^()]{1,60}) \((?P<article>[^()]{1,4})\)\)$")
_PARENS: Final = re.compile(r"^(?P<outer>[^()]{0,100})\((?P<inner>[^()]{1,100})\)$")

_US_STATES: Final = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
}  # fmt: skip
_PROVINCES: Final = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "ON": "Ontario",
    "PE": "Prince Edward Island", "QC": "Quebec", "SK": "Saskatchewan",
}  # fmt: skip
_REGION_NAMES: Final = frozenset(
    name.lower() for name in (*_US_STATES.values(), *_PROVINCES.values())
) | {
    "bavaria", "bayern", "berlin", "catalonia", "catalunya", "england", "scotland", "wales",
    "ontario", "québec", "île-de-france", "lombardy", "lombardia",
}  # fmt: skip


class FoundPlace(NamedTuple):
    text: str
    city: str | None
    region: str | None
    country: str | None
    span: tuple[int, int] | None
    country_code: str | None = None
    subdivision_code: str | None = None
    remote: bool = False
    area: RemoteArea | None = None


class FoundUrl(NamedTuple):
    value: str
    span: tuple[int, int]


def find_url(document: Document) -> FoundUrl | None:
    for line in document.lines[:URL_HEAD_LINES]:
        if " " in line.text:
            continue
        match = _URL.fullmatch(line.text)
        if match is not None:
            return _url_of(match, line.start)
    labelled = next(document.scan(_URL_LABEL, "url", back=40, ahead=2_100), None)
    if labelled is not None:
        return _url_of(labelled, 0)
    return None


def _url_of(match: re.Match[str], offset: int) -> FoundUrl | None:
    value = match.group("url").rstrip(".,;:)]")
    if len(value) > MAX_URL_CHARS:
        return None
    start = offset + match.start("url")
    return FoundUrl(value, (start, start + len(value)))


def find_locations(
    document: Document, head: list[Line], employer: tuple[str, tuple[int, int] | None] | None = None
) -> list[FoundPlace]:
    """Places from labels first (a département line under the title is one), then from the
    head's segments, then "based in", then a US "City, ST, US" in the text, then the city an
    employer is ("City of Los Angeles"); and the places the text names for the job ("Poste
    basé à ...")."""
    found: list[FoundPlace] = _department_place(document)
    for line in document.lines_for("location"):
        match = _LABEL_LINE.match(line.text)
        if match is not None:
            found.extend(_places_in(match.group("value"), line.start + match.start("value")))
        elif _BARE_LABEL.fullmatch(line.text.rstrip(": ")):
            found.extend(_after_bare_label(document, line))
        else:
            found.extend(_in_town(line))
        if len(found) >= MAX_PLACES:
            return _unique(found)
    if not found:
        for line in head:
            if _other_field(line.text):
                continue  # "🎁 Benefícios: Assistência médica; VA; VT; VR": no places
            if len(line.text) <= 60 or any(mark in line.text for mark in _SEPARATORS):
                found.extend(_places_in(line.text, line.start, strict=True))
    if not found:
        found.extend(_head_town(head))
    if not found:
        match = search(_BASED_IN, document.text[:3_000])
        if match is not None:
            found.extend(_places_in(match.group("value"), match.start("value"), strict=True))
    if not found:
        match = search(_US_PLACE, document.text[:3_000])
        if match is not None:
            found.extend(_us_place(match.group("value"), match.start("value")))
    if not found:
        match = search(_BOARD_PLACE, document.text[:3_000])
        if match is not None:
            found.extend(_board_place(match))
    if not found and employer is not None:
        found.extend(_employer_place(*employer))
    found.extend(_based_at(document, found))
    if not any(place.remote for place in found):
        found.extend(_remote_scope_in_text(document))
    return _unique(found)


# A head line that is a field of some other kind than a place: "Benefícios: ...", "Salary: ...".
_FIELD: Final = re.compile(r"[^\w(]{0,4}(?P<label>[^\W\d_][^\W\d_ ]*(?:[ ][^\W\d_]+)?)[ ]?:[ ]")


def _other_field(text: str) -> bool:
    field = _FIELD.match(text) if ":" in text[:40] else None
    if field is None:
        return False
    label = field.group("label")
    return not (_BARE_LABEL.fullmatch(label) or _WORK_MODE_WORDS.fullmatch(label))


def _board_place(match: re.Match[str]) -> list[FoundPlace]:
    """ "London, England, GB": a city, its region and an ISO country code."""
    code = match.group("code")
    if geo.country_code(code) != code:
        return []
    start, end = match.start("city"), match.end("code")
    city, region = match.group("city"), match.group("region")
    place = FoundPlace(match.group()[2:], city, region, code, (start, end))
    return [_coded(place)]


def _after_bare_label(document: Document, line: Line) -> list[FoundPlace]:
    """ "Location:" or "Region" alone on a line: the place is on the next line, or on the one
    after a blank line. After "Region" (a board's field that may hold a district), only a town
    the lists or the gazetteer know, or a canton."""
    vague = line.text.rstrip(": ").lower() == "region"
    for gap in (1, 2):
        following = document.line_at(line.end + gap)
        if following is not None and following.start == line.end + gap and following.text:
            places = _places_in(following.text, following.start)
            if vague:
                places = [place for place in places if place.country_code is not None]
            return places
        if document.text[line.end + gap - 1 : line.end + gap] != "\n":
            break
    return []


def _in_town(line: Line) -> list[FoundPlace]:
    """ "Fuer unsere Filiale in Luzern.", "Der Arbeitsort ist Stäfa.", "in Wildhaus suchen
    wir": a town the lists or the gazetteer know."""
    match = _IN_TOWN.search(line.text)
    if match is None:
        return []
    group = "value" if match.group("value") else "before"
    if not _is_town(match.group(group)):
        return []
    return _places_in(match.group(group), line.start + match.start(group))


def _head_town(head: list[Line]) -> list[FoundPlace]:
    """A town the lists or the gazetteer know, on a head line of its own ("Uzwil"), after a
    postal code ("3803 Beatenberg", "8008 Zürich (ZH) 30%") or after a workload ("100%,
    Luzern")."""
    for index, line in enumerate(head[:HEAD_TOWN_LINES]):
        text = line.text.strip()
        # (Not the first line, a title's place; not in capitals: "CARPENTER" is a title.)
        if index > 0 and not text.isupper() and _looks_like_name(text) and _is_town(text):
            return [_town_at(line, text, line.text.find(text))]
        for pattern in (_POSTAL_TOWN, _WORKLOAD_TOWN):
            match = pattern.search(text) if any(char.isdigit() for char in text) else None
            town = _known_start(match.group("town")) if match is not None else None
            if match is not None and town is not None:
                return [_town_at(line, town, line.text.find(text) + match.start("town"))]
    return []


def _known_start(words: str) -> str | None:
    """The longest run of the first words that names a known town ("Zürich (ZH)" -> "Zürich")."""
    parts = words.split(" ")
    for end in range(len(parts), 0, -1):
        name = " ".join(parts[:end])
        if _is_town(name):
            return name
    return None


def _town_at(line: Line, town: str, at: int) -> FoundPlace:
    start = line.start + at
    return _coded(FoundPlace(town, town, None, None, (start, start + len(town))))


def _is_town(name: str) -> bool:
    return geo.city_codes(name) is not None or geo.town_codes(name) is not None


def _us_place(value: str, offset: int) -> list[FoundPlace]:
    """ "Marketing San Francisco, CA": the city is the longest run of the words before the
    state that the list of cities knows (else all of them)."""
    city, _, _ = value.partition(",")
    words = city.split(" ")
    for first in range(len(words)):
        if geo.city_codes(" ".join(words[first:])) is not None:
            skip = len(" ".join(words[:first])) + (first > 0)
            return _places_in(value[skip:], offset + skip, strict=True)
    return _places_in(value, offset, strict=True)


def _department_place(document: Document) -> list[FoundPlace]:
    """ "64 - BAYONNE" on a line of its own under the title: Bayonne in the département 64."""
    for line in document.lines[1:_DEPARTMENT_HEAD_LINES]:
        match = _DEPARTMENT_LINE.fullmatch(line.text.strip())
        if match is None:
            continue
        code = geo.department_code(match.group("number"))
        if code is None:
            return []
        name = match.group("name").strip()
        start = line.start + line.text.find(name)
        # "65 - Pyrénées (Hautes)": the département itself, no city
        city = None if name.endswith(")") or geo.is_subdivision_name(name, code) else name
        return [FoundPlace(name, city, None, "France", (start, start + len(name)), "FR", code)]
    return []


def _based_at(document: Document, found: list[FoundPlace]) -> list[FoundPlace]:
    """ "Poste basé à Châteauneuf sur Isère": a place of work beside the page's, in the country
    of the page's places when they name one."""
    if not document.mentions("based_at"):  # "basé", "situé": the pattern's words
        return []
    match = _BASED_AT.search(document.text, 0, 6_000)
    if match is None:
        return []
    name = match.group("value")
    if _name_key(name) in {_name_key(place.city) for place in found if place.city}:
        return []  # "Poste basé à Montigny-le-Bretonneux" under "78 - MONTIGNY LE BRETONNEUX"
    countries = {place.country_code for place in found if place.country_code}
    coded = _coded(FoundPlace(name, name, None, None, (match.start("value"), match.end("value"))))
    if coded.country_code is None and len(countries) == 1:
        coded = coded._replace(country_code=countries.pop())
    return [coded]


def _name_key(name: str) -> str:
    return name.lower().replace("-", " ")


def _employer_place(name: str, span: tuple[int, int] | None) -> list[FoundPlace]:
    """A city's own bulletin ("City of Los Angeles") is a job in that city, if the city is
    known."""
    match = _CITY_EMPLOYER.fullmatch(name.strip())
    if match is None or geo.city_codes(match.group("city")) is None:
        return []
    city = match.group("city")
    place_span = (span[0] + match.start("city"), span[0] + match.end("city")) if span else None
    return [_coded(FoundPlace(city, city, None, None, place_span))]


def _remote_scope_in_text(document: Document) -> list[FoundPlace]:
    """The first scope of remote work the text states ("fully remote (US only)")."""
    text, lower = document.text, document.lower
    at = lower.find("remote")
    for _ in range(MAX_REMOTE_MENTIONS):
        if at < 0:
            break
        match = _REMOTE_SCOPE.match(text, at)
        if match is not None:
            scope = _remote_scope(match.group("scope"), match.start("scope"))
            if scope:
                return scope
        at = lower.find("remote", at + 6)
    return []


def _unique(places: list[FoundPlace]) -> list[FoundPlace]:
    seen: set[str] = set()
    unique = []
    for place in places[:MAX_PLACES]:
        if place.text.lower() not in seen:
            seen.add(place.text.lower())
            unique.append(place)
    return unique


def _places_in(value: str, offset: int, strict: bool = False) -> list[FoundPlace]:
    """The places a line or a label's value names, their spans from `offset`."""
    if len(value) > MAX_CACHED_LINE_CHARS:
        return _shifted(_places_at_zero(value, strict), offset)
    return _shifted(_places_at_zero_cached(value, strict), offset)


def _shifted(places: tuple[FoundPlace, ...], offset: int) -> list[FoundPlace]:
    if not offset:
        return list(places)
    return [
        place._replace(span=(place.span[0] + offset, place.span[1] + offset))
        if place.span is not None
        else place
        for place in places
    ]


def _places_at_zero(value: str, strict: bool) -> tuple[FoundPlace, ...]:
    """`_places_in(value, 0, strict)`: what a value names depends on its text alone."""
    places = []
    position = 0
    remote_before = False  # "Remote - US": the place after is where remote work may be done
    for part in _SEGMENT_SPLIT.split(value):
        start = value.find(part, position)
        position = start + len(part)
        found = _place(part, start, strict)
        if remote_before and value[position - len(part) - 3 : position - len(part)].strip() in {
            "-",
            "\u2013",
            "\u2014",
        }:
            found = [place._replace(remote=True) for place in found]
        remote_before = _REMOTE_WORDS.fullmatch(part.strip()) is not None
        places.extend(found)
    return tuple(places)


# Postings of one employer or board repeat their head lines and place labels ("Location:
# Remote (US)"): each distinct value is read once, a repeat costs a dictionary look-up.
_places_at_zero_cached: Final = lru_cache(maxsize=LINE_CACHE_SIZE)(_places_at_zero)


def parse_place(value: str, offset: int) -> list[FoundPlace]:
    """A place given as such (structured input): split it, recognised or not."""
    return _place(value, offset, strict=False)


def _place(segment: str, offset: int, strict: bool, towns: bool = False) -> list[FoundPlace]:
    """ "Austin, TX 78701" is Austin in TX; "Remote (US)" is the US as the scope of remote
    work; "Hybrid" is no place. `towns`: a town of the gazetteer counts as known (in a label's
    value, not in a forum head's parts, where "Rust" or "Elixir" name no town)."""
    text = segment.strip().rstrip(".")
    if len(text) > MAX_SEGMENT_CHARS:
        return []
    offset += segment.find(text) if text else 0
    if text[:1] in "HhOoIi":  # (the first letters `_LEADING_MODE` needs)
        mode = _LEADING_MODE.match(text)
        first = _FIRST_PLACE.match(text, mode.end()) if mode is not None else None
        # "HYBRID Berlin", "ONSITE in San Francisco, CA", "ONSITE SF or NYC"; "Hybrid OK" is none
        if mode is not None and first is not None and _is_town(first.group().strip()):
            text, offset = text[mode.end() :], offset + mode.end()
    if "," in text:
        mode = _TRAILING_MODE.search(text)
        if mode is not None:  # "Zurich, Onsite"
            text = text[: mode.start()]
    if not strict and text[:1] in "UuRrRrGgKkCc":  # (the first letters of the two patterns)
        around = _AROUND.match(text)
        if around is not None:  # "Umgebung Langenthal"; "Region Oberaargau" is a district
            if not _is_town(text[around.end() :]):
                return []
            text, offset = text[around.end() :], offset + around.end()
        canton = _CANTON.fullmatch(text)
        if canton is not None:  # "Kanton Aargau"
            codes = geo.subdivision_code(canton.group("name"), "CH")
            if codes.subdivision is not None:
                span = (offset, offset + len(text))
                return [FoundPlace(text, None, canton.group("name"), None, span, *codes)]
    if text.endswith("))"):
        text = _INVERTED_ARTICLE.sub(r"(\g<article> \g<name>)", text)
    leading = _LEADING_WORK_MODE.match(text)
    if leading is not None:  # "Virtual (100% Remote), Washington, DC"
        text, offset = text[leading.end() :], offset + leading.end()
    # (The quick tests before the patterns below say where they cannot match.)
    parens = _PARENS.match(text) if text.endswith(")") else None
    if parens is not None:
        outer, inner = parens.group("outer").strip(), parens.group("inner").strip()
        inner_offset = offset + parens.start("inner")
        if outer and _REMOTE_WORDS.fullmatch(outer):
            return _remote_scope(inner, inner_offset)
        if not outer or _WORK_MODE_WORDS.fullmatch(outer):
            return _place(inner, inner_offset, strict)
        if _REMOTE_WORDS.fullmatch(inner):  # "Anywhere in the U.S. (remote)"
            scope = _remote_scope(outer, offset)
            if scope:
                return scope
        province = geo.subdivision_code(inner, None) if not _NOT_IN_TOWN.search(outer) else None
        if province is not None and province.subdivision is not None and _looks_like_name(outer):
            # "Valdemoro (MADRID)": a town in its province
            span = (offset, offset + len(outer))
            return [FoundPlace(text, outer, inner, None, span, *province)]
        if "," in outer:
            # "Berlin, Germany (Hybrid)": the place is outside the parentheses; "SF, Seattle,
            # Remote (US)": a list whose last item has them
            whole = text
            return _place(outer, offset, strict, towns) or _listed(
                [part.strip() for part in whole.split(",")], whole, offset, towns
            )
        if (
            strict
            and ":" not in outer
            and geo.city_codes(inner) is not None
            and geo.subdivision_code(inner, None).subdivision is None  # not "(MADRID)"
            and _looks_like_name(inner)
        ):
            # "Spiich Labs (Stockholm)": a known city after the employer's name
            return _place(inner, inner_offset, strict)
        text = outer
    zip_code = _ZIP.search(text) if text[-1:].isdecimal() else None
    if zip_code is not None:
        text = text[: zip_code.start()]
    if not text or len(text) > 80 or ":" in text:
        return []
    comma = text.find(",")
    if comma > 0 and _REMOTE_WORDS.fullmatch(text[:comma]):  # "Remote, US only"
        after = comma + 1 + (text[comma + 1 : comma + 2] == " ")
        return _remote_scope(text[after:], offset + after)
    if text[:1] in "RrFf1":
        remote = _REMOTE_THEN_SCOPE.match(text)
        if remote is not None:  # "Remote US Only", "REMOTE CANADA", "Remote US/Canada"
            scope = _remote_scope(text[remote.end() :], offset + remote.end())
            if scope:
                return scope
    if "/" in text or " & " in text or " and " in text:
        # "San Francisco/Palo Alto", "NY, SF, London & Munich", "Remote and NYC": each part
        # a place (work modes left out)
        parts = [
            item
            for part in _ALTERNATIVES.split(text)
            if not _WORK_MODE_WORDS.fullmatch(part)
            for item in _cities_or_place(part)
        ]
        if len(parts) > 1:
            listed = _listed(parts, text, offset, towns)
            if listed:
                return listed
    state = _CITY_STATE.fullmatch(text) if text[-2:].isupper() else None
    if (
        state is not None
        and state.group("state") in _US_STATES
        and (geo.city_codes(state.group("city")) or geo.town_codes(state.group("city")))
    ):
        # "Austin TX", "San Mateo CA"
        span = (offset, offset + len(text))
        return [_coded(FoundPlace(text, state.group("city"), state.group("state"), None, span))]
    if strict and not _may_be_known(text.rsplit(",", 1)[-1].strip(), towns, text):
        return []  # what the lists below say of it
    if _WORK_MODE_WORDS.fullmatch(text):
        return []
    parts = [part.strip() for part in text.split(",")]
    if any(not part for part in parts):
        return []
    if len(parts) > 3:  # "Santa Clara, New York, London, Bangalore"
        return _listed(parts, text, offset, towns or not strict)
    city = region = country = None
    rest = list(parts)
    if rest and _is_country(rest[-1]):
        country = rest.pop()
    if rest and _is_region(rest[-1], has_city=len(rest) > 1):
        region = rest.pop()
    if len(rest) == 1:
        city = rest.pop()
    recognised = country is not None or region is not None or _is_city(city, towns)
    if (
        rest
        or not (city or region or country)
        or (strict and not recognised)
        or (city is not None and not _looks_like_name(city))
    ):
        # "SF, Seattle, Remote (US)": a list of places, each one known by itself
        return _listed(parts, text, offset, towns or not strict) if len(parts) > 1 else []
    return [_coded(FoundPlace(text, city, region, country, (offset, offset + len(text))))]


# "Remote US Only", "Fully Remote AUS/NZ": remote, then where from (no comma or parenthesis).
_REMOTE_THEN_SCOPE: Final = re.compile(r"(?:fully |100% )?remote[ ](?=[A-Z])", re.IGNORECASE)
# Places listed with a slash, an ampersand or "and" ("San Francisco/Palo Alto").
_ALTERNATIVES: Final = re.compile(r"[ ]?/[ ]?|[ ]&[ ]|[ ]and[ ]")
# "Austin TX", "San Mateo CA": a US town and its state without a comma.
_CITY_STATE: Final = re.compile(
    r"(?P<city>[A-Z][\w.'-]*(?:[ ][A-Z][\w.'-]*){0,2})[ ](?P<state>[A-Z]{2})"
)


def _cities_or_place(part: str) -> list[str]:
    """ "London, Berlin": two cities; "Los Angeles, CA" is one place."""
    names = part.split(", ")
    if len(names) > 1 and all(geo.city_codes(name) or geo.town_codes(name) for name in names):
        return names
    return [part]


def _listed(parts: list[str], text: str, offset: int, towns: bool = False) -> list[FoundPlace]:
    """Each part a place the lists know ("Arbeitsorte: Niederglatt, Rümlang, Dübendorf": or
    the gazetteer, in a label's value), else none."""
    places = []
    position = 0
    for part in parts:
        start = text.find(part, position)
        position = start + len(part)
        found = _place(part, offset + start, strict=True, towns=towns)
        if not found:
            return []
        places.extend(found)
    return places


def _coded(place: FoundPlace) -> FoundPlace:
    """The place with its country's code and, where known, its subdivision's."""
    country: str | None = None
    subdivision: str | None = None
    area: RemoteArea | None = None
    if place.country is not None:
        area = geo.area(place.country)
        country = geo.country_code(place.country) if area is None else None
    town = None
    if place.city is not None:
        town = geo.city_codes(place.city) or geo.town_codes(place.city)
    region = place.region
    if region is not None and town is not None and _country_of_town(region, town.country):
        # "Berlin, DE", "Amsterdam, NL", "Bangalore, IN": the town's own country by its ISO
        # code, which a US state or Canadian province also abbreviates (Delaware, Newfoundland)
        country, region = town.country, None
    if region is not None:
        if len(region) == 2 and region.istitle() and town is not None:
            region = region.upper()  # "Redmond, Wa": a state abbreviated in title case
        if country is None and region.isupper():  # "Austin, TX", "Toronto, ON"
            country = "US" if region in _US_STATES else "CA" if region in _PROVINCES else None
        codes = geo.subdivision_code(region, country)
        country, subdivision = country or codes.country, codes.subdivision or subdivision
    if town is not None and (country is None or country == town.country):
        # a large city of the lists, else a town of the gazetteer ("Landquart": Switzerland)
        country = town.country
        if subdivision is None and region is None:
            subdivision = town.subdivision
    return place._replace(
        country_code=country, subdivision_code=subdivision, area=area if area else None
    )


def _country_of_town(region: str, town_country: str | None) -> bool:
    """Whether a region written after a known town is that town's country's ISO code."""
    return len(region) == 2 and region.isupper() and region == town_country


def _remote_scope(value: str, offset: int) -> list[FoundPlace]:
    """ "US only", "EMEA", "US & Canada", "the EU": where remote work may be done from; every
    part must be a country, an area, a subdivision or a known city."""
    before = _SCOPE_BEFORE.match(value)
    start = before.end() if before else 0
    text = value[start:]
    after = _SCOPE_AFTER.search(text)
    if after is not None:
        text = text[: after.start()]
    places = []
    position = 0
    for part in _SCOPE_SPLIT.split(text):
        at = text.find(part, position)
        position = at + len(part)
        name = part.strip().rstrip(".")
        if not name:
            return []
        span = (offset + start + at, offset + start + at + len(name))
        area = geo.area(name)
        country = geo.country_code(name) if area is None else None
        if area is not None or country is not None:
            places.append(
                FoundPlace(
                    name, None, None, name if area is None else None, span, country
                )._replace(remote=True, area=area)
            )
            continue
        region = geo.subdivision_code(name, None)
        city = geo.city_codes(name)
        if region.subdivision is not None:
            places.append(FoundPlace(name, None, name, None, span, *region, True))
        elif city is not None:
            places.append(FoundPlace(name, name, None, None, span, *city, True))
        else:
            return []  # a part that is no place: not a scope ("Remote, flexible hours")
    return places


def _may_be_known(last: str, towns: bool = False, text: str = "") -> bool:
    """Whether the last comma-separated part of a place may be a country, a region or a city
    the lists know (or, with `towns`, the gazetteer): a strict place always ends with one.
    "Redmond, Wa": a state abbreviated in title case after a town the lists know."""
    if last.isupper() and (last in _US_STATES or last in _PROVINCES):
        return True
    if len(last) == 2 and last.istitle() and last.upper() in _US_STATES:
        town = text[: text.rfind(",")].strip()
        return geo.city_codes(town) is not None or geo.town_codes(town) is not None
    return last.lower() in _PLACE_NAMES or (
        towns and _looks_like_name(last) and geo.town_codes(last) is not None
    )


def _is_country(part: str) -> bool:
    return part.lower() in _COUNTRY_NAMES


def _is_region(part: str, *, has_city: bool) -> bool:
    if part.upper() in _US_STATES or part.upper() in _PROVINCES:
        # "Austin, TX"; "Redmond, Wa" after a city
        return (part.isupper() or (has_city and part.istitle())) and (has_city or len(part) == 2)
    return part.lower() in _REGION_NAMES and (has_city or part.lower() not in _CITY_NAMES)


def _is_city(part: str | None, towns: bool = False) -> bool:
    if part is None:
        return False
    return part.lower() in _CITY_NAMES or (towns and geo.town_codes(part) is not None)


def _looks_like_name(part: str) -> bool:
    """Up to four capitalised words, and small words between them ("San Sebastián de los
    Reyes", "Las Palmas de Gran Canaria")."""
    words = part.split()
    if not 0 < len(words) <= MAX_NAME_WORDS or not part[0].isupper() or _has_digit(part):
        return False
    return len(words) <= MAX_CAPITALISED_WORDS or (
        sum(word[0].isupper() for word in words) <= MAX_CAPITALISED_WORDS
        and all(word[0].isupper() or word in _NAME_CONNECTORS for word in words)
    )


MAX_NAME_WORDS: Final = 7
MAX_CAPITALISED_WORDS: Final = 4
_NAME_CONNECTORS: Final = frozenset(
    "de del la las los le les des du da do das dos di sur sous en an am im bei ob".split()  # noqa: SIM905
)


def _has_digit(part: str) -> bool:
    if part.isascii():  # the common case: a search at C speed
        return _ASCII_DIGIT.search(part) is not None
    return any(char.isdigit() for char in part)


def _names(block: str) -> frozenset[str]:
    """Names in a block of text: separated by two spaces or line breaks; single spaces join
    the words of one name when listed one name a line."""
    return frozenset(name.strip() for name in re.split(r"\n|  +", block) if name.strip())


_COUNTRY_NAMES: Final = _names(
    """us
usa
u.s.
u.s.a.
united states
united states of america
america
uk
u.k.
united kingdom
great britain
england
scotland
germany
deutschland
france
spain
españa
portugal
brazil
brasil
canada
mexico
méxico
netherlands
the netherlands
belgium
switzerland
schweiz
austria
österreich
italy
italia
ireland
poland
polska
sweden
norway
denmark
finland
czech republic
czechia
hungary
romania
bulgaria
greece
turkey
israel
india
china
japan
singapore
australia
new zealand
south africa
nigeria
kenya
egypt
argentina
chile
colombia
peru
uruguay
philippines
indonesia
malaysia
vietnam
thailand
south korea
korea
taiwan
hong kong
uae
united arab emirates
saudi arabia
ukraine
estonia
latvia
lithuania
croatia
serbia
slovenia
slovakia
luxembourg
iceland
europe
emea
latam
apac
north america
worldwide"""
)
_CITY_NAMES = _names(
    """berlin
munich
münchen
hamburg
frankfurt
cologne
köln
stuttgart
düsseldorf
leipzig
london
manchester
edinburgh
glasgow
bristol
birmingham
leeds
cambridge
oxford
dublin
paris
lyon
marseille
toulouse
lille
nantes
bordeaux
amsterdam
rotterdam
utrecht
eindhoven
brussels
antwerp
zurich
zürich
geneva
basel
vienna
wien
lisbon
lisboa
porto
madrid
barcelona
valencia
seville
sevilla
málaga
bilbao
milan
milano
rome
roma
turin
warsaw
kraków
krakow
wrocław
prague
brno
budapest
bucharest
sofia
athens
stockholm
gothenburg
copenhagen
oslo
helsinki
tallinn
riga
vilnius
kyiv
istanbul
tel aviv
dubai
toronto
vancouver
montreal
montréal
ottawa
calgary
waterloo
new york
new york city
seattle
austin
boston
chicago
denver
atlanta
miami
dallas
houston
phoenix
portland
san francisco
san jose
san diego
los angeles
washington
philadelphia
pittsburgh
minneapolis
detroit
nashville
raleigh
salt lake city
são paulo
sao paulo
rio de janeiro
belo horizonte
curitiba
porto alegre
recife
florianópolis
mexico city
ciudad de méxico
guadalajara
monterrey
bogotá
bogota
medellín
buenos aires
santiago
lima
montevideo
bangalore
bengaluru
mumbai
delhi
new delhi
hyderabad
pune
chennai
gurgaon
gurugram
noida
singapore
sydney
melbourne
brisbane
perth
auckland
tokyo
osaka
seoul
shanghai
beijing
shenzhen
hong kong
taipei
manila
jakarta
kuala lumpur
bangkok
ho chi minh city
hanoi
cape town
johannesburg
nairobi
lagos
cairo"""
)
_CITY_NAMES |= geo.CITY_NAMES
_PLACE_NAMES: Final = _COUNTRY_NAMES | _REGION_NAMES | _CITY_NAMES
