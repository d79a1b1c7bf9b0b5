"""Occupation codes: the O*NET-SOC occupation of a posting, from its title and its skills. Pure.

The packaged `occupations.jsonl` (occupation_build.py, from O*NET 29.2: 56,560 alternate
titles, 1,016 occupation titles, and the technologies each occupation uses) holds one record
a line (`records_of`):
- `title`: a normalised title -> the occupations it names, with how many O*NET titles say
  so ("software engineer" -> Software Developers);
- `word` and `head`: a word of titles (any, or the last) -> the twelve occupations most
  titles with it name, and how many titles have the word;
- `skills`: per occupation, the taxonomy skills O*NET lists as its technologies.

Coding a title (`OccupationCoder.code`):
1. Normalise: lower case, words only, abbreviations spelt out ("sr" -> "senior"), levels,
   seniority and contract words dropped ("Senior", "II", "Staff", "(m/f/d)"), the curated
   rewrites applied ("backend" -> "software").
2. The whole title, then its parts before and after separators ("Contract: Staff Backend
   Engineer" -> "backend engineer"), looked up exactly; a working supervisor by the SOC's
   first-line supervisor rule; else the longest suffix that is a title; else the words vote.
3. Where several occupations remain (6,843 O*NET titles name more than one), the posting's
   skills choose: each candidate scores its share of the votes plus the skills it shares
   with the posting, weighed by how few occupations use each.
Confidence: the winner's share of the score, times 0.95 (whole title), 0.75 (suffix) or 0.5
(words). Results are cached per (title, skills): postings repeat titles.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

from jobstream.contracts import Occupation

OCCUPATIONS_FILE: Final = "occupations.jsonl"
WHOLE_TITLE_CONFIDENCE: Final = 0.95
SUFFIX_CONFIDENCE: Final = 0.75
WORDS_CONFIDENCE: Final = 0.5
# How much one shared skill weighs against the titles' votes (a candidate's share of the
# titles is at most 1): a few distinctive skills outweigh a small lead in titles.
SKILL_WEIGHT: Final = 0.25
# How much more the last word of a title (its head: "inspector") weighs than its others.
HEAD_WEIGHT: Final = 0.5
MAX_TITLE_CHARS: Final = 200
_FIRST_LINES_CHARS: Final = 1_000  # where title_for looks first (see there)
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


SUPERVISOR_WORDS: Final = frozenset({"supervisor", "superintendent", "foreman", "forewoman"})
# The SOC's first-line supervisor codes, by the code prefix of the workers they supervise.
FIRST_LINE_SUPERVISORS: Final = {
    "33-2": "33-1021.00", "33-3012": "33-1011.00", "33-3": "33-1012.00",
    "33-9032": "33-1091.00", "35-": "35-1012.00", "37-2": "37-1011.00", "37-3": "37-1012.00",
    "41-2": "41-1011.00", "41-": "41-1012.00", "43-": "43-1011.00", "45-": "45-1011.00",
    "47-": "47-1011.00", "49-": "49-1011.00", "51-": "51-1011.00", "53-3": "53-1043.00",
    "53-7": "53-1043.00",
}  # fmt: skip
_FIRST_LINE_PREFIXES: Final = sorted(FIRST_LINE_SUPERVISORS, key=len, reverse=True)


@dataclass(frozen=True)
class Candidates:
    """The occupations a title names, each with its weight, and how they were found."""

    weights: Mapping[str, float]
    confidence: float  # at most: WHOLE_TITLE_CONFIDENCE, SUFFIX_CONFIDENCE or WORDS_CONFIDENCE


class OccupationCoder:
    """Codes titles against the packaged index; build once per process (see load_coder)."""

    def __init__(self, records: Iterable[Sequence[Any]]) -> None:
        """Built from the index's records, in the file's order (see `records_of`): one at a
        time, so loading never holds the whole parsed file beside what it builds."""
        self.attribution = ""
        self._rewrites: dict[str, str] = {}
        self._names: dict[str, str] = {}
        codes: list[str] = []
        titles = 1
        # Most titles name one occupation once: one shared tuple per distinct entry list.
        shared: dict[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]] = {}
        self._titles: dict[str, tuple[tuple[str, int], ...]] = {}
        # word -> how telling it is (fewer titles: more); word and head -> their occupations
        # and the shares of their titles, as two tuples (less memory than a pair each)
        self._telling: dict[str, float] = {}
        self._words: dict[str, _Votes] = {}
        self._heads: dict[str, _Votes] = {}
        self._skills: dict[str, frozenset[str]] = {}
        for record in records:
            kind = record[0]
            if kind == "title":
                entry = tuple((codes[index], count) for index, count in record[2])
                self._titles[record[1]] = shared.setdefault(entry, entry)
            elif kind == "word":
                self._telling[record[1]] = math.log(titles / record[2])
                self._words[record[1]] = _votes(codes, record[3])
            elif kind == "head":
                self._heads[record[1]] = _votes(codes, record[2])
            elif kind == "skills":
                self._skills[codes[record[1]]] = frozenset(record[2])
            elif kind == "occupation":
                codes.append(record[1])
                self._names[record[1]] = record[2]
            elif kind == "meta":
                self.attribution = record[1]["attribution"]
                self._rewrites = dict(record[1]["rewrites"])
                titles = max(1, record[1]["titles"])
            else:
                raise ValueError(f"the occupation index has a record of unknown kind {kind!r}")
        users: dict[str, int] = {}
        for ids in self._skills.values():
            for skill_id in ids:
                users[skill_id] = users.get(skill_id, 0) + 1
        # A skill few occupations use tells more (Kotlin) than one most use (Excel).
        self._skill_weight = {skill_id: 1.0 / count for skill_id, count in users.items()}
        self.code = functools.lru_cache(maxsize=CACHE_SIZE)(self._code)

    def title_of(self, code: str) -> str | None:
        return self._names.get(code)

    def candidates(self, title: str) -> Candidates | None:
        """The occupations a title names: by the whole title, else by its longest suffix
        that is a title ("platform software engineer" -> "software engineer"), else by its
        words (each weighed by how few titles have it; the last word, the head, twice)."""
        variants = title_variants(title, self._rewrites)
        for variant in variants:
            entries = self._titles.get(variant)
            if entries:
                return Candidates(_shares(entries), WHOLE_TITLE_CONFIDENCE)
        supervised = self._supervisors_of(variants[0]) if variants else None
        if supervised is not None:
            return supervised
        for variant in variants:
            words = variant.split()
            for start in range(1, len(words) - 1):
                entries = self._titles.get(" ".join(words[start:]))
                if entries:
                    return Candidates(_shares(entries), SUFFIX_CONFIDENCE)
        if not variants:
            return None
        words = variants[0].split()
        weights: dict[str, float] = {}
        for word in set(words):
            found = self._words.get(word)
            if found is not None:
                telling = self._telling[word]
                for code, share in zip(*found, strict=True):
                    weights[code] = weights.get(code, 0.0) + telling * share
        head_weight = HEAD_WEIGHT * self._telling.get(words[-1], 1.0)
        for code, share in zip(*self._heads.get(words[-1], ((), ())), strict=True):
            weights[code] = weights.get(code, 0.0) + head_weight * share
        if not weights:
            return None
        return Candidates(weights, WORDS_CONFIDENCE)

    def _supervisors_of(self, title: str) -> Candidates | None:
        """ "wastewater treatment mechanic supervisor": SOC codes a working supervisor as a
        first-line supervisor of the workers supervised where the SOC has such a code
        (mechanics: 49-1011), else as one of those workers ("graphics supervisor": a
        graphic designer)."""
        words = title.split()
        if len(words) < 2 or not (words[-1] in SUPERVISOR_WORDS or words[0] == "supervising"):
            return None
        rest = " ".join(words[1:] if words[0] == "supervising" else words[:-1])
        workers = self.candidates(rest)
        if workers is None:
            return None
        best = max(sorted(workers.weights), key=workers.weights.__getitem__)
        prefix = next((p for p in _FIRST_LINE_PREFIXES if best.startswith(p)), None)
        if prefix is None or FIRST_LINE_SUPERVISORS[prefix] not in self._names:
            return workers
        return Candidates({FIRST_LINE_SUPERVISORS[prefix]: 1.0}, workers.confidence)

    def _code(self, title: str, skill_ids: frozenset[str] = frozenset()) -> Occupation | None:
        """The occupation of a posting with this title and these skills, or None."""
        found = self.candidates(title[:MAX_TITLE_CHARS])
        if found is None:
            return None
        total = sum(found.weights.values())
        scores: dict[str, float] = {}
        for code, weight in found.weights.items():
            shared = skill_ids & self._skills.get(code, frozenset())
            scores[code] = weight / total + SKILL_WEIGHT * sum(
                self._skill_weight[skill_id] for skill_id in shared
            )
        best = max(sorted(scores), key=scores.__getitem__)  # ties: the lowest code
        share = scores[best] / sum(scores.values())
        confidence = round(share * found.confidence, 2)
        return Occupation(code=best, title=self._names[best], confidence=confidence)


# Occupations and their shares, in the same order.
_Votes = tuple[tuple[str, ...], tuple[float, ...]]


def _votes(codes: Sequence[str], entries: Sequence[Sequence[int]]) -> _Votes:
    total = sum(votes for _index, votes in entries) or 1
    return (
        tuple(codes[index] for index, _count in entries),
        tuple(count / total for _index, count in entries),
    )


def _shares(entries: Sequence[tuple[str, int]]) -> dict[str, float]:
    total = sum(votes for _code, votes in entries)
    return {code: votes / total for code, votes in entries}


def normalise_title(title: str, rewrites: Mapping[str, str] | None = None) -> str:
    """Lower-case words, abbreviations spelt out, seniority and levels dropped, rewritten."""
    words: list[str] = []
    for word in _WORD.findall(title.lower().replace("\u2019", "'").replace("'", "")):
        expanded = ABBREVIATIONS.get(word, word)
        words.extend(part for part in expanded.split() if part not in DROPPED_WORDS)
    if rewrites:
        words = [rewrites.get(word, word) for word in words]
    return " ".join(words)


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
    # The first lines are enough when a whole non-blank line lies in them: splitting a 4 KB
    # text into all its lines for its first one cost more than coding the title.
    head = text[:_FIRST_LINES_CHARS]
    lines = head.splitlines() if len(head) < len(text) else []
    for number, line in enumerate(lines):
        if line.strip():
            if number + 1 < len(lines):  # a line break follows it in `head`: whole
                return line.strip()[:MAX_TITLE_CHARS]
            break
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:MAX_TITLE_CHARS]
    return None


def records_of(document: Mapping[str, Any]) -> Iterator[list[Any]]:
    """The records of an index document (what occupation_build makes), in file order."""
    yield [
        "meta",
        {
            "attribution": document["attribution"],
            "rewrites": document["rewrites"],
            "titles": len(document["titles"]),
        },
    ]
    for code, title in document["occupations"].items():
        yield ["occupation", code, title]
    for title, entries in document["titles"].items():
        yield ["title", title, entries]
    for word, (count, entries) in document["words"].items():
        yield ["word", word, count, entries]
    for head, entries in document["heads"].items():
        yield ["head", head, entries]
    for index, ids in document["skills"].items():
        yield ["skills", int(index), ids]


@functools.cache
def load_coder() -> OccupationCoder:
    """The coder of the packaged index (read once per process, a line at a time)."""
    with resources.files("jobstream_tagger").joinpath(OCCUPATIONS_FILE).open("rb") as file:
        return OccupationCoder(json.loads(line) for line in file)
