"""The gazetteer's build: towns of one country, subdivisions where the guide gives them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("wordfreq")  # the build's extra (taxonomy); the parser reads its output only
from jobstream_parser.tools.gazetteer import build

pytestmark = pytest.mark.unit


def _place(name: str, country: str, admin1: str, population: int) -> dict[str, object]:
    return {"name": name, "countrycode": country, "admin1code": admin1, "population": population}


def test_towns_of_one_country_with_the_subdivisions_the_guide_gives(tmp_path: Path) -> None:
    places = [
        _place("Landquart", "CH", "GR", 8_886),
        _place("Luzern", "CH", "LU", 81_691),  # a canton's capital
        _place("Campinas", "BR", "27", 1_223_237),  # 100,000 people or more
        _place("Campinas", "BR", "05", 2_000),
        _place("Lena", "NO", "34", 1_245),  # two countries: no country from the name
        _place("Lena", "US", "IL", 2_800),
        _place("Springfield", "US", "MO", 169_176),  # one country's town dominates
        _place("Springfield", "AU", "04", 1_500),
        _place("Engineer", "KE", "01", 2_000),  # a common word
        _place("Hamlet", "CH", "ZH", 400),  # under 1,000 people
    ]
    source = tmp_path / "cities1000.json"
    source.write_text(json.dumps({str(n): p for n, p in enumerate(places)}), encoding="utf-8")

    towns = build(source)

    assert towns == {
        "landquart": ("CH", None),
        "luzern": ("CH", "CH-LU"),
        "campinas": ("BR", "BR-SP"),
        "springfield": ("US", "US-MO"),
    }
