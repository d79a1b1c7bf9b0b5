"""The skill taxonomy: what the tagger looks for, loaded from the packaged `taxonomy.json`.

The file is `{"skills": [{"id", "name", "category", "aliases"}, ...]}`. Its version is a hash
of its content, so a tagged posting records exactly which taxonomy tagged it.
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
from typing import Final

TAXONOMY_FILE: Final = "taxonomy.json"

_ID: Final = re.compile(r"[a-z0-9][a-z0-9-]*")
_CATEGORY: Final = re.compile(r"[a-z][a-z_]*")
_FIELDS: Final = frozenset({"id", "name", "category", "aliases"})


class TaxonomyError(ValueError):
    """The taxonomy file is not valid; the message says which entry and why."""


@dataclass(frozen=True, slots=True)
class Skill:
    id: str
    name: str
    category: str
    aliases: tuple[str, ...] = ()

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """The ways a posting may write the skill: its name, then its aliases."""
        return (self.name, *self.aliases)


class Taxonomy:
    """A validated set of skills, looked up by id or by surface form (case-insensitively)."""

    def __init__(self, skills: Iterable[Skill]) -> None:
        self._skills = tuple(skills)
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
        self.version: Final = _content_version(self._skills)

    @classmethod
    def from_json(cls, text: str | bytes) -> Taxonomy:
        try:
            data = json.loads(text)
        except ValueError as error:
            raise TaxonomyError(f"the taxonomy is not valid JSON: {error}") from error
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: object) -> Taxonomy:
        if not isinstance(data, dict) or set(data) != {"skills"}:
            raise TaxonomyError('the taxonomy must be an object with one key, "skills"')
        entries = data["skills"]
        if not isinstance(entries, list):
            raise TaxonomyError('"skills" must be a list')
        return cls(_skill_from_entry(index, entry) for index, entry in enumerate(entries))

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


def _skill_from_entry(index: int, entry: object) -> Skill:
    where = f"skill #{index}"
    if not isinstance(entry, dict):
        raise TaxonomyError(f"{where} must be an object")
    if set(entry) != _FIELDS:
        raise TaxonomyError(f"{where} must have exactly the keys {sorted(_FIELDS)}")
    skill_id, name, category = entry["id"], entry["name"], entry["category"]
    aliases = entry["aliases"]
    if not all(isinstance(value, str) for value in (skill_id, name, category)):
        raise TaxonomyError(f"{where}: id, name and category must be strings")
    if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
        raise TaxonomyError(f"{where} ({skill_id!r}): aliases must be a list of strings")
    # A skill may repeat a form in another case ("Kafka", "kafka"): keep the first.
    unique: dict[str, str] = {name.lower(): name}
    for alias in aliases:
        unique.setdefault(alias.lower(), alias)
    return Skill(id=skill_id, name=name, category=category, aliases=tuple(unique.values())[1:])


def _check_skill(skill: Skill) -> None:
    if _ID.fullmatch(skill.id) is None:
        raise TaxonomyError(f"skill id {skill.id!r} must match {_ID.pattern}")
    if _CATEGORY.fullmatch(skill.category) is None:
        raise TaxonomyError(
            f"category {skill.category!r} of {skill.id!r} must match {_CATEGORY.pattern}"
        )
    for form in skill.surface_forms:
        if not form or form != form.strip() or "\n" in form:
            raise TaxonomyError(
                f"surface form {form!r} of {skill.id!r} must be non-empty, on one line, "
                "with no white space at either end"
            )


def _content_version(skills: Sequence[Skill]) -> str:
    """First 16 hex digits of the sha256 of the canonical JSON of the skills.

    Canonical: skills ordered by id, aliases sorted, keys sorted, no insignificant white space,
    so reformatting or reordering the file does not change the version.
    """
    content = {
        "skills": [
            {
                "id": skill.id,
                "name": skill.name,
                "category": skill.category,
                "aliases": sorted(skill.aliases),
            }
            for skill in sorted(skills, key=lambda skill: skill.id)
        ]
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
