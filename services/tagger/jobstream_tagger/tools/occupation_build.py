"""Generating the packaged occupation index (`occupations.jsonl`) from O*NET 29.2.

`jobstream taxonomy build` writes it beside `taxonomy.json`, from the same O*NET folder:
`Occupation Data.txt` (1,016 occupations), `Alternate Titles.txt` (56,560 titles and short
titles), `Technology Skills.txt` (which occupations use which tools, mapped to the taxonomy's
skill ids through the examples each skill folds) and `[occupations]` of the curated layer
(rewrites of title words, and titles O*NET lacks). See occupation.py for how it is used.

Compact: occupations are numbered; a title maps to `[[number, votes], ...]`; a word (and a
head, the last word of titles) keeps the twelve occupations most titles with it name, and a
word the number of titles it is in.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from jobstream.errors import JobstreamError
from jobstream_tagger.occupation import normalise_title

OCCUPATION_DATA_FILE: Final = "Occupation Data.txt"
ALTERNATE_TITLES_FILE: Final = "Alternate Titles.txt"
TECHNOLOGY_FILE: Final = "Technology Skills.txt"
# Per title word, the occupations most titles with it name (the rest weigh little).
MAX_WORD_OCCUPATIONS: Final = 12
# A word of a single title says little and would only grow the index.
MIN_WORD_TITLES: Final = 2
# A curated title outvotes any number of O*NET titles.
CURATED_VOTES: Final = 1000
OCCUPATIONS_ATTRIBUTION: Final = (
    "Occupation codes and titles: this product includes information from the O*NET 29.2 "
    "Database by the U.S. Department of Labor, Employment and Training Administration "
    "(USDOL/ETA). Used under the CC BY 4.0 license. O*NET(R) is a trademark of USDOL/ETA."
)


class OccupationBuildError(JobstreamError, ValueError):
    """The O*NET files are not usable; the message says which and why."""


def _rows(directory: Path, name: str, columns: Iterable[str]) -> list[dict[str, str]]:
    path = directory / name
    if not path.is_file():
        raise OccupationBuildError(f"{path} does not exist: give the O*NET database folder")
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise OccupationBuildError(f"{path}: missing columns {sorted(missing)}")
        return list(reader)


def singular(title: str) -> str:
    """ "Software Developers" -> "Software Developer" (O*NET names occupations in plural)."""
    words = title.split()
    last = words[-1]
    if last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith(("sses", "shes", "ches", "xes")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return " ".join([*words[:-1], last])


def build_occupations(
    onet_dir: Path, curated: Mapping[str, Any], taxonomy: Mapping[str, Any]
) -> dict[str, Any]:
    """The index document (`occupations.jsonl` holds its records: occupation.records_of)."""
    section = curated.get("occupations", {})
    rewrites: dict[str, str] = dict(section.get("rewrites", {}))
    curated_titles: dict[str, str] = dict(section.get("titles", {}))
    occupations = {
        row["O*NET-SOC Code"]: row["Title"].strip()
        for row in _rows(onet_dir, OCCUPATION_DATA_FILE, ("O*NET-SOC Code", "Title"))
    }
    number = {code: index for index, code in enumerate(occupations)}
    votes: dict[str, Counter[str]] = defaultdict(Counter)

    def add(title: str, code: str, count: int = 1) -> None:
        key = normalise_title(title, rewrites)
        if key and code in number:
            votes[key][code] += count

    for code, title in occupations.items():
        add(title, code)
        add(singular(title), code)
    for row in _rows(onet_dir, ALTERNATE_TITLES_FILE, ("O*NET-SOC Code", "Alternate Title")):
        add(row["Alternate Title"], row["O*NET-SOC Code"])
        short = row.get("Short Title", "n/a")
        if short and short != "n/a":
            add(short, row["O*NET-SOC Code"])
    for title, code in curated_titles.items():
        if code not in number:
            raise OccupationBuildError(f"[occupations.titles] {title!r}: unknown code {code}")
        add(title, code, CURATED_VOTES)

    words: dict[str, Counter[str]] = defaultdict(Counter)
    heads: dict[str, Counter[str]] = defaultdict(Counter)
    for title, counter in votes.items():
        title_words = title.split()
        for word in set(title_words):
            words[word].update(counter)
        heads[title_words[-1]].update(counter)
    titles_with = Counter(word for title in votes for word in set(title.split()))

    return {
        "attribution": OCCUPATIONS_ATTRIBUTION,
        "occupations": occupations,
        "rewrites": rewrites,
        "titles": {
            title: [[number[code], count] for code, count in sorted(counter.items())]
            for title, counter in sorted(votes.items())
        },
        "words": {
            word: [titles_with[word], _top(counter, number)]
            for word, counter in sorted(words.items())
            if titles_with[word] >= MIN_WORD_TITLES
        },
        "heads": {head: _top(counter, number) for head, counter in sorted(heads.items())},
        "skills": _occupation_skills(onet_dir, taxonomy, number),
    }


def _top(counter: Counter[str], number: Mapping[str, int]) -> list[list[int]]:
    """The occupations most titles with a word name, as [[number, titles], ...] by number."""
    top = counter.most_common(MAX_WORD_OCCUPATIONS)
    return [[number[code], count] for code, count in sorted(top, key=lambda item: item[0])]


def _occupation_skills(
    onet_dir: Path, taxonomy: Mapping[str, Any], number: Mapping[str, int]
) -> dict[str, list[str]]:
    """Per occupation number, the taxonomy skills O*NET lists among its technologies."""
    by_example = {
        example: skill["id"]
        for skill in taxonomy["skills"]
        for example in skill.get("onet", {}).get("examples", [])
    }
    skills: dict[int, set[str]] = defaultdict(set)
    for row in _rows(onet_dir, TECHNOLOGY_FILE, ("O*NET-SOC Code", "Example")):
        skill_id = by_example.get(" ".join(row["Example"].split()))
        code = row["O*NET-SOC Code"]
        if skill_id is not None and code in number:
            skills[number[code]].add(skill_id)
    return {str(index): sorted(ids) for index, ids in sorted(skills.items())}
