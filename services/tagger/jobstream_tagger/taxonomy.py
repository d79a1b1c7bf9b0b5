"""The skill taxonomy: what the tagger looks for, loaded from the packaged `taxonomy.json`.

The file is generated (taxonomy_build.py: O*NET Technology Skills plus the curated layer) and
holds `{"attribution", "sources", "skills": [...]}`; each skill has `id`, `name`, `category`,
`aliases` and, optionally, `kind`, `source`, `case_sensitive`, `needs_context`, `common_words`,
`onet` and `esco`. Its version is a hash of its skills, so a tagged posting records exactly
which taxonomy tagged it, and any change to the skills changes it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any, Final, Literal

from jobstream.errors import JobstreamError

TAXONOMY_FILE: Final = "taxonomy.json"
MAX_FORM_CHARS: Final = 200

Kind = Literal["knowledge", "skill"]
_ID: Final = re.compile(r"[a-z0-9][a-z0-9-]*")
_CATEGORY: Final = re.compile(r"[a-z][a-z_]*")
_REQUIRED: Final = frozenset({"id", "name", "category", "aliases"})
_OPTIONAL: Final = frozenset(
    {"kind", "source", "case_sensitive", "needs_context", "common_words", "onet", "esco"}
)
_TOP_KEYS: Final = frozenset({"skills", "attribution", "sources"})


class TaxonomyError(JobstreamError, ValueError):
    """The taxonomy file is not valid; the message says which entry and why."""


@dataclass(frozen=True, slots=True)
class Skill:
    id: str
    name: str
    category: str
    aliases: tuple[str, ...] = ()
    kind: Kind = "knowledge"
    source: str = "curated"
    # Forms matched only exactly as written ("Go", "REST").
    case_sensitive: frozenset[str] = frozenset()
    # Forms kept only in a list of skills or next to a cue word ("Java, Go", "in Go").
    needs_context: frozenset[str] = frozenset()
    # Forms that are also ordinary words: need that context at the start of a sentence.
    common_words: frozenset[str] = frozenset()
    onet_codes: tuple[str, ...] = ()
    esco: tuple[str, ...] = ()

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """The ways a posting may write the skill: its name, then its aliases."""
        return (self.name, *self.aliases)

    def __hash__(self) -> int:
        # Equal skills have equal ids; hashing the id alone spares hashing every field's
        # tuple each time a skill keys a cache (several times a mention).
        return hash(self.id)


class Taxonomy:
    """A validated set of skills, looked up by id or by surface form (case-insensitively)."""

    def __init__(self, skills: Iterable[Skill], attribution: str = "") -> None:
        self._skills = tuple(skills)
        self.attribution: Final = attribution
        by_id: dict[str, Skill] = {}
        by_form: dict[str, Skill] = {}
        for skill in self._skills:
            _check_skill(skill)
            if skill.id in by_id:
                raise TaxonomyError(f"skill id {skill.id!r} is used twice")
            by_id[skill.id] = skill
            for form in skill.surface_forms:
                other = by_form.setdefault(form.lower(), skill)
                if other is not skill:
                    raise TaxonomyError(
                        f"surface form {form!r} of {skill.id!r} is already a form of {other.id!r}"
                    )
        self._by_id = MappingProxyType(by_id)
        self._by_form = MappingProxyType(by_form)
        # An ESCO concept names one skill (the build folds a concept into one skill only).
        self._by_esco = MappingProxyType(
            {uri: skill for skill in self._skills for uri in skill.esco}
        )
        self.version: Final = _content_version(self._skills)

    @classmethod
    def from_json(cls, text: str | bytes) -> Taxonomy:
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as error:
                raise TaxonomyError(f"the taxonomy is not UTF-8: {error}") from error
        rendered = _rendered_parts(text)
        if rendered is not None:
            head, lines = rendered
            return cls.from_data({**head, "skills": _LazyEntries(lines)})
        try:
            data = json.loads(text)
        except ValueError as error:
            raise TaxonomyError(f"the taxonomy is not valid JSON: {error}") from error
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: object) -> Taxonomy:
        if not isinstance(data, dict) or "skills" not in data or not set(data) <= _TOP_KEYS:
            raise TaxonomyError(
                f'the taxonomy must be an object with "skills" and at most {sorted(_TOP_KEYS)}'
            )
        entries = data["skills"]
        if not isinstance(entries, list | _LazyEntries):
            raise TaxonomyError('"skills" must be a list')
        attribution = data.get("attribution", "")
        if not isinstance(attribution, str):
            raise TaxonomyError('"attribution" must be a string')
        return cls(
            (_skill_from_entry(index, entry) for index, entry in enumerate(entries)), attribution
        )

    @property
    def skills(self) -> Sequence[Skill]:
        return self._skills

    @property
    def forms(self) -> Mapping[str, Skill]:
        """Every surface form, lower-cased, to its skill."""
        return self._by_form

    def get(self, skill_id: str) -> Skill | None:
        return self._by_id.get(skill_id)

    def skill_for(self, surface: str) -> Skill | None:
        return self._by_form.get(surface.lower())

    def for_esco(self, uri: str) -> Skill | None:
        """The skill an ESCO concept URI maps to, if any."""
        return self._by_esco.get(uri)

    def __len__(self) -> int:
        return len(self._skills)

    def __iter__(self) -> Iterator[Skill]:
        return iter(self._skills)

    def __repr__(self) -> str:
        return f"Taxonomy({len(self)} skills, version={self.version!r})"


@functools.cache
def load_taxonomy() -> Taxonomy:
    """The taxonomy packaged with the tagger (read once per process)."""
    text = resources.files("jobstream_tagger").joinpath(TAXONOMY_FILE).read_text(encoding="utf-8")
    return Taxonomy.from_json(text)


# The layout taxonomy_build.render() writes: the head, then one skill per line.
_SKILLS_START: Final = '\n  "skills": [\n    '
_SKILLS_END: Final = "\n  ]\n}\n"


class _LazyEntries:
    """The skill lines of a rendered taxonomy, each parsed only when it is reached: loading
    never holds the whole parsed file beside the skills it builds (36 MB less at peak)."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines

    def __iter__(self) -> Iterator[object]:
        for number, line in enumerate(self._lines):
            try:
                yield json.loads(line)
            except ValueError as error:
                raise TaxonomyError(f"skill #{number} is not valid JSON: {error}") from error


def _rendered_parts(text: str) -> tuple[dict[str, Any], list[str]] | None:
    """The head and the skill lines of a taxonomy in render()'s layout, else None."""
    start = text.find(_SKILLS_START)
    if start < 0 or not text.endswith(_SKILLS_END) or text[start - 1] != ",":
        return None
    try:
        head = json.loads(text[: start - 1] + "\n}")
    except ValueError:
        return None
    if not isinstance(head, dict) or "skills" in head:
        return None
    body = text[start + len(_SKILLS_START) : -len(_SKILLS_END)]
    return head, body.split(",\n    ")


def _skill_from_entry(index: int, entry: object) -> Skill:
    where = f"skill #{index}"
    if not isinstance(entry, dict):
        raise TaxonomyError(f"{where} must be an object")
    keys = set(entry)
    if not keys >= _REQUIRED or not keys <= _REQUIRED | _OPTIONAL:
        raise TaxonomyError(
            f"{where} must have the keys {sorted(_REQUIRED)} and may have {sorted(_OPTIONAL)}"
        )
    skill_id, name, category = entry["id"], entry["name"], entry["category"]
    if not all(isinstance(value, str) for value in (skill_id, name, category)):
        raise TaxonomyError(f"{where}: id, name and category must be strings")
    where = f"{where} ({skill_id!r})"
    aliases = _string_list(entry["aliases"], f"{where}: aliases")
    kind = entry.get("kind", "knowledge")
    if kind not in ("knowledge", "skill"):
        raise TaxonomyError(f'{where}: kind must be "knowledge" or "skill"')
    source = entry.get("source", "curated")
    if not isinstance(source, str):
        raise TaxonomyError(f"{where}: source must be a string")
    # A skill may repeat a form in another case ("Kafka", "kafka"): keep the first.
    unique: dict[str, str] = {name.lower(): name}
    for alias in aliases:
        unique.setdefault(alias.lower(), alias)
    forms = set(unique.values())
    rules = {}
    for key in ("case_sensitive", "needs_context", "common_words"):
        values = frozenset(_string_list(entry.get(key, []), f"{where}: {key}"))
        if not values <= forms:
            raise TaxonomyError(f"{where}: {key} {sorted(values - forms)} are not its forms")
        rules[key] = values
    onet = entry.get("onet", {})
    if not isinstance(onet, dict):
        raise TaxonomyError(f"{where}: onet must be an object")
    return Skill(
        id=skill_id,
        name=name,
        category=category,
        aliases=tuple(unique.values())[1:],
        kind=kind,
        source=source,
        case_sensitive=rules["case_sensitive"],
        needs_context=rules["needs_context"],
        common_words=rules["common_words"],
        onet_codes=tuple(_string_list(onet.get("codes", []), f"{where}: onet codes")),
        esco=tuple(_string_list(entry.get("esco", []), f"{where}: esco")),
    )


def _string_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TaxonomyError(f"{where} must be a list of strings")
    return value


def _check_skill(skill: Skill) -> None:
    if _ID.fullmatch(skill.id) is None:
        raise TaxonomyError(f"skill id {skill.id!r} must match {_ID.pattern}")
    if _CATEGORY.fullmatch(skill.category) is None:
        raise TaxonomyError(
            f"category {skill.category!r} of {skill.id!r} must match {_CATEGORY.pattern}"
        )
    for form in skill.surface_forms:
        if not form or form != form.strip() or "\n" in form or len(form) > MAX_FORM_CHARS:
            raise TaxonomyError(
                f"surface form {form!r} of {skill.id!r} must be non-empty, on one line, "
                f"at most {MAX_FORM_CHARS} characters, with no white space at either end"
            )


def _content_version(skills: Sequence[Skill]) -> str:
    """First 16 hex digits of the sha256 of the canonical JSON of the skills.

    Canonical: skills ordered by id, lists sorted, keys sorted, no insignificant white space,
    so reformatting or reordering the file does not change the version, and any change to
    what the tagger finds or reports does.
    """
    # Hashed a skill at a time: the same bytes as dumping {"skills": [...]} at once, without
    # holding the JSON of 16,000 skills (a third of the tagger's start-up peak).
    digest = hashlib.sha256(b'{"skills":[')
    for number, skill in enumerate(sorted(skills, key=lambda skill: skill.id)):
        content = {
            "id": skill.id,
            "name": skill.name,
            "category": skill.category,
            "aliases": sorted(skill.aliases),
            "kind": skill.kind,
            "case_sensitive": sorted(skill.case_sensitive),
            "needs_context": sorted(skill.needs_context),
            "common_words": sorted(skill.common_words),
            "source": skill.source,
            "onet_codes": sorted(skill.onet_codes),
            "esco": sorted(skill.esco),
        }
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest.update((("," if number else "") + text).encode("utf-8"))
    digest.update(b"]}")
    return digest.hexdigest()[:16]
