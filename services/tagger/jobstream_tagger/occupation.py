"""Occupation codes: the O*NET-SOC occupation of a posting, from its title and its skills. Pure.

The packaged `occupations.json` (occupation_build.py, from O*NET 29.2: 56,560 alternate
titles, 1,016 occupation titles, and the technologies each occupation uses) holds:
- `titles`: a normalised title -> the occupations it names, with how many O*NET titles say
  so ("software engineer" -> Software Developers);
- `heads`: the last one or two words of every title (its head: "engineer", "software
  engineer") -> the occupations titles with that head name, most named first;
- `skills`: per occupation, the taxonomy skills O*NET lists as its technologies.

Coding a title (`OccupationCoder.code`):
1. Normalise: lower case, words only, abbreviations spelt out ("sr" -> "senior"), levels and
   seniority dropped ("Senior", "II", "Staff"), what follows a separator dropped ("Senior
   Backend Engineer, Search" -> "backend engineer"), the curated rewrites applied.
2. The whole title, then the title before "(", "-", "," or "/" (each a variant), looked up
   exactly; else its longest head ("backend engineer" -> "engineer").
3. Where the title names one occupation, that is it. Where it names several (6,843 O*NET
   titles do), the posting's skills choose: each candidate scores its share of the titles
   plus the skills it shares with the posting, weighed by how few occupations use each.
Confidence: the winner's share of the score, times 0.95 for a whole-title match and 0.6 for
a head match. Results are cached per (title, skills): postings repeat titles.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

from jobstream.contracts import Occupation

OCCUPATIONS_FILE: Final = "occupations.json"
WHOLE_TITLE_CONFIDENCE: Final = 0.95
HEAD_CONFIDENCE: Final = 0.6
# How much one shared skill weighs against the titles' votes (a candidate's share of the
# titles is at most 1): a few distinctive skills outweigh a small lead in titles.
SKILL_WEIGHT: Final = 0.25
MAX_TITLE_CHARS: Final = 200
CACHE_SIZE: Final = 8192

_WORD: Final = re.compile(r"[a-z0-9]+(?:[+#]+|\.net)?")
_SEPARATORS: Final = re.compile(r"\s[-\u2013\u2014|:]\s|[(,/;\[]|\s(?:at|for|in|with)\s")
# Seniority, level and contract words: they say how senior or how hired, not the work.
DROPPED_WORDS: Final = frozenset(
    {"senior", "junior", "lead", "staff", "principal", "i", "ii", "iii", "iv", "v", "1", "2",
     "3", "4", "contract", "contractor", "remote", "temporary", "temp", "full", "part", "time",
     "fulltime", "parttime", "m", "f", "d", "w", "x", "h", "mfd", "mwd", "level", "entry",
     "experienced", "intern", "internship", "trainee", "apprentice", "freelance", "hybrid",
     "onsite", "new", "urgent", "hiring", "needed", "wanted", "the", "a", "an"}
)  # fmt: skip
ABBREVIATIONS: Final = {
    "sr": "senior", "jr": "junior", "eng": "engineer", "engr": "engineer", "mgr": "manager",
    "dev": "developer", "devs": "developers", "admin": "administrator", "asst": "assistant",
    "tech": "technician", "techs": "technicians", "rep": "representative", "coord": "coordinator",
    "supv": "supervisor", "spec": "specialist", "svc": "service", "svcs": "services",
    "dir": "director", "exec": "executive", "acct": "accountant", "assoc": "associate",
    "rn": "registered nurse", "lpn": "licensed practical nurse", "cna": "nursing assistant",
    "qa": "quality assurance", "swe": "software engineer", "sde": "software engineer",
}  # fmt: skip


@dataclass(frozen=True)
class Candidates:
    """The occupations a title names and how many O*NET titles say so."""

    votes: Mapping[str, int]
    whole_title: bool


class OccupationCoder:
    """Codes titles against the packaged index; build once per process (see load_coder)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.attribution: Final[str] = data.get("attribution", "")
        self._names: dict[str, str] = dict(data["occupations"])
        codes = list(self._names)
        self._titles: dict[str, tuple[tuple[str, int], ...]] = {
            title: tuple((codes[index], count) for index, count in entries)
            for title, entries in data["titles"].items()
        }
        self._heads: dict[str, tuple[tuple[str, int], ...]] = {
            head: tuple((codes[index], count) for index, count in entries)
            for head, entries in data["heads"].items()
        }
        skills = data["skills"]
        self._skills: dict[str, frozenset[str]] = {
            codes[int(index)]: frozenset(ids) for index, ids in skills.items()
        }
        users: dict[str, int] = {}
        for ids in self._skills.values():
            for skill_id in ids:
                users[skill_id] = users.get(skill_id, 0) + 1
        # A skill few occupations use tells more (Kotlin) than one most use (Excel).
        self._skill_weight = {skill_id: 1.0 / count for skill_id, count in users.items()}
        self._rewrites: dict[str, str] = dict(data.get("rewrites", {}))
        self.code = functools.lru_cache(maxsize=CACHE_SIZE)(self._code)

    def title_of(self, code: str) -> str | None:
        return self._names.get(code)

    def candidates(self, title: str) -> Candidates | None:
        """The occupations a title names, by exact title, else by head."""
        variants = title_variants(title, self._rewrites)
        for variant in variants:
            entries = self._titles.get(variant)
            if entries:
                return Candidates(dict(entries), whole_title=True)
        for variant in variants:
            words = variant.split()
            for size in (2, 1):
                if len(words) >= size:
                    entries = self._heads.get(" ".join(words[-size:]))
                    if entries:
                        return Candidates(dict(entries), whole_title=False)
        return None

    def _code(self, title: str, skill_ids: frozenset[str] = frozenset()) -> Occupation | None:
        """The occupation of a posting with this title and these skills, or None."""
        found = self.candidates(title[:MAX_TITLE_CHARS])
        if found is None:
            return None
        total = sum(found.votes.values())
        scores: dict[str, float] = {}
        for code, count in found.votes.items():
            shared = skill_ids & self._skills.get(code, frozenset())
            scores[code] = count / total + SKILL_WEIGHT * sum(
                self._skill_weight[skill_id] for skill_id in shared
            )
        best = max(sorted(scores), key=scores.__getitem__)  # ties: the lowest code
        share = scores[best] / sum(scores.values())
        scale = WHOLE_TITLE_CONFIDENCE if found.whole_title else HEAD_CONFIDENCE
        return Occupation(code=best, title=self._names[best], confidence=round(share * scale, 2))


def normalise_title(title: str, rewrites: Mapping[str, str] | None = None) -> str:
    """Lower-case words, abbreviations spelt out, seniority and levels dropped, rewritten."""
    words: list[str] = []
    for word in _WORD.findall(title.lower().replace("\u2019", "'").replace("'", "")):
        expanded = ABBREVIATIONS.get(word, word)
        words.extend(part for part in expanded.split() if part not in DROPPED_WORDS)
    text = " ".join(words)
    if rewrites:
        text = " ".join(rewrites.get(word, word) for word in text.split())
    return text


def title_variants(title: str, rewrites: Mapping[str, str] | None = None) -> list[str]:
    """The whole title normalised, then the part before each separator, longest first."""
    variants = [normalise_title(title, rewrites)]
    for match in _SEPARATORS.finditer(title):
        variants.append(normalise_title(title[: match.start()], rewrites))
    for part in _SEPARATORS.split(title):
        variants.append(normalise_title(part, rewrites))
    return [variant for variant in dict.fromkeys(variants) if variant]


def title_for(title: str | None, provided: str | None, text: str) -> str | None:
    """The title to code: the parser's, else the one ingest was given, else the first line."""
    for candidate in (title, provided):
        if candidate and candidate.strip():
            return candidate
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:MAX_TITLE_CHARS]
    return None


def skill_ids_of(skills: Iterable[Any]) -> frozenset[str]:
    return frozenset(skill.skill_id for skill in skills)


@functools.cache
def load_coder() -> OccupationCoder:
    """The coder of the packaged index (read once per process)."""
    text = resources.files("jobstream_tagger").joinpath(OCCUPATIONS_FILE).read_bytes()
    return OccupationCoder(json.loads(text))


def codes_of(coder: OccupationCoder, titles: Sequence[str]) -> list[str | None]:
    """The codes of bare titles (no skills): what the accuracy figures of the docs score."""
    results = [coder.code(title) for title in titles]
    return [result.code if result else None for result in results]
