"""Codes of places: ISO 3166-1 countries and ISO 3166-2 subdivisions, from pycountry's lists.

pycountry (Debian's iso-codes data) holds every country and subdivision with its code, name
and official name. At import its names are read once into plain dictionaries (lower case, and
without accents: "Thüringen" is also "thuringen"), with the names postings use that the lists
lack: English names of regions ("Bavaria" for Bayern), common short forms ("USA", "UK",
"Deutschland"), the two-letter abbreviations of US states, Canadian provinces and other
countries whose codes are their postal abbreviations ("TX", "ON", "NSW"). A few hundred large
cities carry their country (and subdivision, where the city lies in one), so that "Berlin" or
"Austin, TX" is coded without naming the country. Smaller towns ("Landquart", "Sursee") are coded
by their country from a gazetteer of GeoNames' towns (`town_codes`), where the parser has read
a place that its own lists do not know.

Wider scopes of remote work ("EMEA", "Europe", "worldwide") are areas, not countries.
"""

from __future__ import annotations

import gzip
import unicodedata
from functools import cache
from importlib import resources
from typing import Final, NamedTuple

import pycountry

from jobstream.contracts import RemoteArea


class Codes(NamedTuple):
    country: str | None
    subdivision: str | None


def _folded(name: str) -> str:
    """Lower case without accents: "Thüringen" -> "thuringen", "São Paulo" -> "sao paulo"."""
    decomposed = unicodedata.normalize("NFKD", name.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _keys(name: str) -> set[str]:
    """The forms a name is looked up by: lower case, and without accents."""
    lowered = name.strip().lower()
    return {lowered, _folded(lowered)} if lowered else set()


# Names postings use that ISO's lists lack (ISO's own names and codes are read from pycountry).
_COUNTRY_ALIASES: Final = {
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "u.s": "US", "america": "US",
    "united states of america": "US", "the united states": "US", "the us": "US",
    "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "the uk": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "deutschland": "DE", "españa": "ES", "brasil": "BR", "méxico": "MX", "schweiz": "CH",
    "suisse": "CH", "svizzera": "CH", "österreich": "AT", "italia": "IT", "polska": "PL",
    "the netherlands": "NL", "holland": "NL", "nederland": "NL", "belgique": "BE",
    "belgië": "BE", "czech republic": "CZ", "korea": "KR", "south korea": "KR", "uae": "AE",
    "russia": "RU", "vietnam": "VN", "turkey": "TR", "türkiye": "TR", "iran": "IR",
    "taiwan": "TW", "hong kong": "HK", "macau": "MO", "bolivia": "BO", "venezuela": "VE",
    "tanzania": "TZ", "moldova": "MD", "laos": "LA", "syria": "SY", "palestine": "PS",
    "ivory coast": "CI", "côte d'ivoire": "CI", "sverige": "SE", "norge": "NO",
    "danmark": "DK", "suomi": "FI", "éire": "IE", "france": "FR", "perú": "PE",
}  # fmt: skip
# Countries whose places are coded one level down: Spanish provinces ("Girona", ES-GI) rather
# than autonomous communities, French départements ("64 - BAYONNE", FR-64) rather than regions,
# as the labelling guide (docs/parser-labelling.md) has it. A community or region named as such
# ("Catalonia", "Île-de-France") is still coded.
_FINER: Final = ("ES", "FR")
# Countries whose places carry no subdivision: the United Kingdom's ISO subdivisions are some
# two hundred councils, and its nations are no subdivision a reader filters by.
_UNDIVIDED: Final = frozenset({"GB"})
# English names of subdivisions that ISO lists in their own language.
_SUBDIVISION_ALIASES: Final = {
    "DE": {
        "bavaria": "DE-BY", "north rhine-westphalia": "DE-NW", "north rhine westphalia": "DE-NW",
        "lower saxony": "DE-NI", "hesse": "DE-HE", "saxony": "DE-SN", "thuringia": "DE-TH",
        "rhineland-palatinate": "DE-RP", "saxony-anhalt": "DE-ST", "baden-wurttemberg": "DE-BW",
        "baden-württemberg": "DE-BW", "mecklenburg-western pomerania": "DE-MV",
    },
    "ES": {"catalonia": "ES-CT", "catalunya": "ES-CT", "andalusia": "ES-AN",
           "vizcaya": "ES-BI", "guipuzcoa": "ES-SS", "guipúzcoa": "ES-SS", "baleares": "ES-PM",
           "islas baleares": "ES-PM",
           "basque country": "ES-PV", "community of madrid": "ES-MD",
           "valencian community": "ES-VC", "galicia": "ES-GA"},
    "IT": {"lombardy": "IT-25", "lazio": "IT-62", "tuscany": "IT-52", "piedmont": "IT-21",
           "sicily": "IT-82", "sardinia": "IT-88", "apulia": "IT-75"},
    "FR": {"ile-de-france": "FR-IDF", "île-de-france": "FR-IDF", "brittany": "FR-BRE",
           "normandy": "FR-NOR", "corsica": "FR-20R"},
    "CA": {"québec": "CA-QC"},
    "CH": {"geneva": "CH-GE", "zurich": "CH-ZH", "bern": "CH-BE", "basel-stadt": "CH-BS"},
    "AT": {"vienna": "AT-9", "upper austria": "AT-4", "lower austria": "AT-3", "styria": "AT-6",
           "tyrol": "AT-7", "carinthia": "AT-2"},
}  # fmt: skip
# Countries whose subdivision codes are the abbreviations postings write ("Austin, TX").
_ABBREVIATED: Final = ("US", "CA", "AU", "BR", "MX", "IN")
# Where a subdivision named without its country is looked for ("Ontario", "Bavaria").
_BARE_SUBDIVISION_COUNTRIES: Final = ("US", "CA", "AU", "DE", "GB", "IN", "BR", "ES")

_AREAS: Final[dict[str, RemoteArea]] = {
    "worldwide": "worldwide", "anywhere": "worldwide", "global": "worldwide",
    "globally": "worldwide", "anywhere in the world": "worldwide", "world": "worldwide",
    "europe": "europe", "european union": "eu", "eu": "eu", "emea": "emea",
    "americas": "americas", "the americas": "americas", "north america": "north_america",
    "latam": "latin_america", "latin america": "latin_america", "south america": "latin_america",
    "apac": "apac", "asia pacific": "apac", "asia-pacific": "apac", "asia": "asia",
    "africa": "africa", "middle east": "middle_east", "mena": "middle_east",
    "oceania": "oceania",
}  # fmt: skip

# City, country code, subdivision code ("-" where not coded here).
_CITIES: Final = """
berlin DE DE-BE|munich DE DE-BY|münchen DE DE-BY|hamburg DE DE-HH|frankfurt DE DE-HE
cologne DE DE-NW|köln DE DE-NW|stuttgart DE DE-BW|düsseldorf DE DE-NW|leipzig DE DE-SN
dresden DE DE-SN|nuremberg DE DE-BY|hanover DE DE-NI|hannover DE DE-NI|bonn DE DE-NW
london GB -|manchester GB -|edinburgh GB -|glasgow GB -|bristol GB -|birmingham GB -|leeds GB -
cambridge GB -|oxford GB -|belfast GB -|cardiff GB -|liverpool GB -|newcastle GB -|sheffield GB -
dublin IE -|cork IE -|galway IE -
paris FR FR-75C|lyon FR FR-69|marseille FR FR-13|toulouse FR FR-31|lille FR FR-59
nantes FR FR-44|bordeaux FR FR-33|nice FR FR-06|strasbourg FR FR-67|montpellier FR FR-34
rennes FR FR-35|grenoble FR FR-38|reims FR FR-51|le havre FR FR-76|toulon FR FR-83|angers FR FR-49
dijon FR FR-21|brest FR FR-29|le mans FR FR-72|clermont-ferrand FR FR-63|tours FR FR-37
amiens FR FR-80|limoges FR FR-87|metz FR FR-57|besançon FR FR-25|perpignan FR FR-66
orléans FR FR-45|rouen FR FR-76|mulhouse FR FR-68|caen FR FR-14|nancy FR FR-54
amsterdam NL NL-NH|rotterdam NL NL-ZH|utrecht NL NL-UT|eindhoven NL NL-NB|the hague NL NL-ZH
brussels BE -|antwerp BE -|ghent BE -|luxembourg LU -
zurich CH CH-ZH|zürich CH CH-ZH|geneva CH CH-GE|basel CH CH-BS|lausanne CH CH-VD|bern CH CH-BE
vienna AT AT-9|wien AT AT-9|graz AT AT-6|linz AT AT-4|salzburg AT AT-5
lisbon PT PT-11|lisboa PT PT-11|porto PT PT-13|braga PT PT-03|coimbra PT PT-06|faro PT PT-08
madrid ES ES-M|barcelona ES ES-B|valencia ES ES-V|seville ES ES-SE|sevilla ES ES-SE
málaga ES ES-MA|malaga ES ES-MA|bilbao ES ES-BI|zaragoza ES ES-Z|murcia ES ES-MU
palma ES ES-PM|las palmas ES ES-GC|alicante ES ES-A|córdoba ES ES-CO|valladolid ES ES-VA
vigo ES ES-PO|gijón ES ES-O|a coruña ES ES-C|granada ES ES-GR|vitoria-gasteiz ES ES-VI
oviedo ES ES-O|santander ES ES-S|pamplona ES ES-NA|san sebastián ES ES-SS|girona ES ES-GI
tarragona ES ES-T|lleida ES ES-L|huelva ES ES-H|albacete ES ES-AB|almería ES ES-AL
milan IT IT-25|milano IT IT-25|rome IT IT-62|roma IT IT-62|turin IT IT-21|torino IT IT-21
naples IT IT-72|bologna IT IT-45|florence IT IT-52
warsaw PL PL-14|warszawa PL PL-14|kraków PL PL-12|krakow PL PL-12|wrocław PL PL-02
wroclaw PL PL-02|gdańsk PL PL-22|gdansk PL PL-22|poznań PL PL-30|poznan PL PL-30|łódź PL PL-10
prague CZ CZ-10|praha CZ CZ-10|brno CZ CZ-64|budapest HU HU-BU|bucharest RO RO-B
cluj-napoca RO RO-CJ|sofia BG BG-22|athens GR -|belgrade RS -|zagreb HR HR-21|ljubljana SI -
bratislava SK SK-BL|stockholm SE SE-AB|gothenburg SE SE-O|malmö SE SE-M|malmo SE SE-M
copenhagen DK DK-84|aarhus DK DK-82|oslo NO NO-03|bergen NO -|helsinki FI FI-18
tallinn EE EE-37|riga LV LV-RIX|vilnius LT LT-VL|kyiv UA UA-30|kiev UA UA-30|lviv UA UA-46
istanbul TR TR-34|ankara TR TR-06|tel aviv IL IL-TA|jerusalem IL IL-JM|haifa IL IL-HA
dubai AE AE-DU|abu dhabi AE AE-AZ|riyadh SA SA-01|doha QA -|cairo EG EG-C
toronto CA CA-ON|vancouver CA CA-BC|montreal CA CA-QC|montréal CA CA-QC|ottawa CA CA-ON
calgary CA CA-AB|edmonton CA CA-AB|waterloo CA CA-ON|quebec city CA CA-QC|winnipeg CA CA-MB
halifax CA CA-NS|victoria CA CA-BC
new york US US-NY|new york city US US-NY|nyc US US-NY|brooklyn US US-NY|seattle US US-WA
austin US US-TX|boston US US-MA|chicago US US-IL|denver US US-CO|atlanta US US-GA
miami US US-FL|dallas US US-TX|houston US US-TX|san antonio US US-TX|phoenix US US-AZ
portland US -|san francisco US US-CA|sf US US-CA|san jose US US-CA|san diego US US-CA
sf bay area US US-CA|bay area US US-CA|san francisco bay area US US-CA|santa clara US US-CA
los angeles US US-CA|la US US-CA|oakland US US-CA|palo alto US US-CA|mountain view US US-CA
sunnyvale US US-CA|menlo park US US-CA|santa monica US US-CA|irvine US US-CA
sacramento US US-CA|pasadena US US-CA|washington US US-DC|washington dc US US-DC
washington, d.c. US US-DC|philadelphia US US-PA|pittsburgh US US-PA|minneapolis US US-MN
detroit US US-MI|nashville US US-TN|raleigh US US-NC|durham US US-NC|charlotte US US-NC
salt lake city US US-UT|las vegas US US-NV|baltimore US US-MD|columbus US US-OH
cleveland US US-OH|cincinnati US US-OH|indianapolis US US-IN|st. louis US US-MO
kansas city US -|new orleans US US-LA|tampa US US-FL|orlando US US-FL|boulder US US-CO
cambridge, ma US US-MA|redmond US US-WA|bellevue US US-WA|honolulu US US-HI
são paulo BR BR-SP|sao paulo BR BR-SP|rio de janeiro BR BR-RJ|belo horizonte BR BR-MG
curitiba BR BR-PR|porto alegre BR BR-RS|recife BR BR-PE|florianópolis BR BR-SC
florianopolis BR BR-SC|brasília BR BR-DF|brasilia BR BR-DF
mexico city MX MX-CMX|ciudad de méxico MX MX-CMX|cdmx MX MX-CMX|guadalajara MX MX-JAL
monterrey MX MX-NLE|bogotá CO CO-DC|bogota CO CO-DC|medellín CO CO-ANT|medellin CO CO-ANT
buenos aires AR -|santiago CL CL-RM|lima PE PE-LIM|montevideo UY UY-MO|quito EC -
bangalore IN IN-KA|bengaluru IN IN-KA|mumbai IN IN-MH|pune IN IN-MH|delhi IN IN-DL
new delhi IN IN-DL|hyderabad IN IN-TS|chennai IN IN-TN|gurgaon IN IN-HR|gurugram IN IN-HR
noida IN IN-UP|kolkata IN IN-WB|ahmedabad IN IN-GJ|kochi IN IN-KL
singapore SG -|sydney AU AU-NSW|melbourne AU AU-VIC|brisbane AU AU-QLD|perth AU AU-WA
adelaide AU AU-SA|canberra AU AU-ACT|auckland NZ -|wellington NZ -|christchurch NZ -
tokyo JP JP-13|osaka JP JP-27|kyoto JP JP-26|seoul KR KR-11|busan KR KR-26
shanghai CN CN-SH|beijing CN CN-BJ|shenzhen CN CN-GD|guangzhou CN CN-GD|hangzhou CN CN-ZJ
hong kong HK -|taipei TW TW-TPE|manila PH -|makati PH -|cebu PH -|jakarta ID ID-JK
kuala lumpur MY MY-14|bangkok TH TH-10|ho chi minh city VN VN-SG|hanoi VN VN-HN
cape town ZA ZA-WC|johannesburg ZA ZA-GP|nairobi KE KE-30|lagos NG NG-LA|accra GH -
karachi PK -|lahore PK -|islamabad PK -|dhaka BD -|colombo LK -
"""


def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for name in (
            country.name,
            getattr(country, "official_name", ""),
            getattr(country, "common_name", ""),
        ):
            for key in _keys(name):
                index.setdefault(key, country.alpha_2)
    for name, code in _COUNTRY_ALIASES.items():
        for key in _keys(name):
            index[key] = code
    return index


def _subdivision_index() -> dict[tuple[str, str], str]:
    """(country code, name in lower case) -> subdivision code, for the subdivisions at the
    top of each country's hierarchy (states, provinces, Länder, regions), or one level down
    in the `_FINER` countries (whose own level wins a name both levels hold: "Madrid" is the
    province ES-M, not the community ES-MD)."""
    index: dict[tuple[str, str], str] = {}
    finer = [sub for sub in pycountry.subdivisions if sub.country_code in _FINER]
    ordered = [sub for sub in finer if sub.parent_code is not None] + [
        sub for sub in pycountry.subdivisions if sub.parent_code is None
    ]
    for subdivision in ordered:
        country = subdivision.country_code
        if country in _UNDIVIDED:
            continue
        name, _, other = subdivision.name.partition(" [")  # "Girona [Gerona]"
        forms = {name, name.split(",", 1)[0]}  # "Asturias, Principado de"
        if other and "-" not in other:  # not "Wales [Cymru GB-CYM]"
            forms.add(other.rstrip("]"))
        for form in forms:
            for key in _keys(form):
                index.setdefault((country, key), subdivision.code)
        if country in _ABBREVIATED:
            index.setdefault((country, subdivision.code.split("-", 1)[1].lower()), subdivision.code)
    for country, aliases in _SUBDIVISION_ALIASES.items():
        for name, code in aliases.items():
            for key in _keys(name):
                index[(country, key)] = code
    return index


def _city_index() -> dict[str, Codes]:
    index: dict[str, Codes] = {}
    for entry in _CITIES.replace("\n", "|").split("|"):
        if not entry.strip():
            continue
        name, country, subdivision = entry.rsplit(" ", 2)
        for key in _keys(name):
            index[key] = Codes(country, None if subdivision == "-" else subdivision)
    return index


_COUNTRIES: Final = _country_index()
_SUBDIVISIONS: Final = _subdivision_index()
_CITY_CODES: Final = _city_index()
# The cities known here, in lower case (with and without accents).
CITY_NAMES: Final = frozenset(_CITY_CODES)
_FRENCH_DEPARTMENTS: Final = frozenset(
    sub.code for sub in pycountry.subdivisions if sub.country_code == "FR" and sub.code[3].isdigit()
)
_ALPHA_2: Final = frozenset(country.alpha_2 for country in pycountry.countries)
_ALPHA_3: Final = {country.alpha_3: country.alpha_2 for country in pycountry.countries}


def country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country named or coded ("Germany", "USA", "DEU")."""
    # (The indexes hold every name with and without its accents: no need to fold the key.)
    code = _COUNTRIES.get(name.strip().lower())
    if code is not None:
        return code
    stripped = name.strip()
    if stripped.isupper():  # a code only in capitals: "IN" is India, "in" is a word
        if stripped in _ALPHA_2:
            return stripped
        return _ALPHA_3.get(stripped)
    return None


def subdivision_code(name: str, country: str | None) -> Codes:
    """The codes of a state, province or region named (or abbreviated, "TX") in `country`, or
    in the countries postings most often name one of without the country."""
    key = name.strip().lower()
    candidates = (country,) if country else _BARE_SUBDIVISION_COUNTRIES
    found = {code for place in candidates if (code := _SUBDIVISIONS.get((place, key)))}
    if len(found) != 1 or country in _UNDIVIDED:  # none, or one in several countries
        return Codes(country, None)
    (code,) = found
    return Codes(code.split("-", 1)[0], code)


def is_subdivision_name(name: str, code: str) -> bool:
    """Whether `name` names the subdivision `code` ("Pyrénées-Atlantiques", FR-64)."""
    return any(_SUBDIVISIONS.get((code[:2], key)) == code for key in _keys(name))


def department_code(number: str) -> str | None:
    """The ISO 3166-2 code of a French département by its number ("64" -> FR-64; Paris, "75",
    is the collectivity FR-75C), or None for a number that is no département."""
    for code in (f"FR-{number}", f"FR-{number}C"):
        if code in _FRENCH_DEPARTMENTS:
            return code
    return None


def city_codes(name: str) -> Codes | None:
    """The country (and subdivision) of a large city, or None for a city not in the list."""
    return _CITY_CODES.get(name.strip().lower())


def town_codes(name: str) -> Codes | None:
    """The country (and, for a large town or a canton's capital, the subdivision) of a town
    of the gazetteer (GeoNames' towns of 1,000 people or more whose name only one country
    holds: towns.tsv.gz, built by `jobstream_parser.tools.gazetteer`), or None."""
    return _towns().get(_folded(name))


def load_towns() -> None:
    """Read the gazetteer now: the service does it at start-up, so that a missing or broken
    file stops it before it consumes and the first posting does not pay for the read."""
    _towns()


@cache
def _towns() -> dict[str, Codes]:
    """Read once: some 120,000 names (about 12 MB in memory)."""
    towns: dict[str, Codes] = {}
    shared: dict[str, Codes] = {}  # one Codes per country and subdivision, not per town
    data = resources.files("jobstream_parser").joinpath(TOWNS_FILE).read_bytes()
    for line in gzip.decompress(data).decode("utf-8").splitlines():
        if line.startswith("#") or not line:
            continue
        name, _, codes = line.partition("\t")
        found = shared.get(codes)
        if found is None:
            country, _, subdivision = codes.partition("\t")
            found = shared[codes] = Codes(country, None if subdivision == "-" else subdivision)
        towns[name] = found
    return towns


TOWNS_FILE: Final = "towns.tsv.gz"


def area(name: str) -> RemoteArea | None:
    """A scope of remote work wider than a country ("EMEA", "Europe", "worldwide")."""
    return _AREAS.get(name.strip().lower())
