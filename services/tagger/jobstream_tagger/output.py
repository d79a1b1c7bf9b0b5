"""Building the tagger's output models from values that are valid by construction.

A 4 KB posting has some fifteen skills and twenty spans. Validating them (pydantic-core,
about a microsecond a model) or calling `model_construct()` (pure Python that walks every
field for aliases and defaults: slower still) took a third of the tagger's time. The
functions here do what `model_construct()` does when every field is given: set the
instance's `__dict__` and its set fields, with no extra and no private values; a unit test
checks that they build exactly what `model_construct()` builds, so a pydantic upgrade that
changes this fails a test rather than the wire format.

Why skipping validation is safe here, field by field:
- Span: the offsets of a match in the text, `0 <= start < end <= len(text)`.
- TaggedSkill: `skill_id`, `name` and `category` come from the taxonomy, which checks ids
  against the same pattern as the contract when it loads; `required` is a bool; `mentions`
  is the number of spans, at least one (a skill is listed because it was mentioned);
  `confidence` is one of the rules' constants, all in [0, 1]; `source_ids` maps "onet" /
  "esco" to the id strings the taxonomy file holds.
- TaggedPosting: the parsed posting's fields are those of a validated ParsedPosting (frozen,
  so unchanged since); `taxonomy_version` is a str; `tagged_at` is None (the service stamps
  it with `model_copy`).
A unit test validates tagged postings through `model_validate_json` and gets equal models.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, TypeVar

from pydantic import BaseModel

from jobstream.contracts import Span, TaggedPosting, TaggedSkill

M = TypeVar("M", bound=BaseModel)

# The setters of the four slots every pydantic model has (what model_construct() sets). The
# models are frozen, so their own __setattr__ refuses; the slots' setters are also the
# quickest way in (a fifth quicker than object.__setattr__ by name).
_new: Final = object.__new__
_set_dict: Final = BaseModel.__dict__["__dict__"].__set__
_set_fields_set: Final = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra: Final = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private: Final = BaseModel.__dict__["__pydantic_private__"].__set__
_SKILL_FIELDS: Final = frozenset(TaggedSkill.model_fields)


def construct(model: type[M], values: dict[str, Any]) -> M:
    """`model.model_construct(**values)` for `values` that hold every field, valid already."""
    instance = _new(model)
    _set_dict(instance, values)
    _set_fields_set(instance, set(values))
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance


def span(start: int, end: int) -> Span:
    """`Span(start=start, end=end)` for offsets of a match (non-negative by construction)."""
    instance = _new(Span)
    _set_dict(instance, {"start": start, "end": end})
    _set_fields_set(instance, {"start", "end"})
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance


def skill(values: dict[str, Any]) -> TaggedSkill:
    """A TaggedSkill from all its fields (see the module docstring for why they are valid)."""
    instance = _new(TaggedSkill)
    _set_dict(instance, values)
    _set_fields_set(instance, set(_SKILL_FIELDS))
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance


def stamped(posting: TaggedPosting, tagged_at: datetime) -> TaggedPosting:
    """`posting.model_copy(update={"tagged_at": tagged_at})` for a posting `tag()` built (an
    aware datetime from the service's clock: what the contract asks for)."""
    return construct(TaggedPosting, {**posting.__dict__, "tagged_at": tagged_at})
