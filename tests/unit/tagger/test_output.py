"""The tagger builds its output models without validating them (output.py): they must be
exactly what validation or `model_construct()` would give."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from jobstream.contracts import (
    Span,
    TaggedPosting,
    TaggedSkill,
    decode,
    encode,
)
from jobstream_tagger import output
from jobstream_tagger.tag import tag
from jobstream_tagger.taxonomy import load_taxonomy
from tests.support import parsed_posting

pytestmark = pytest.mark.unit

SEEDS = Path(__file__).parents[3] / "seeds"
_SLOTS = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")


def _state(model: object) -> tuple[object, ...]:
    return tuple(getattr(model, slot) for slot in _SLOTS)


def _tagged(text: str) -> TaggedPosting:
    return tag(parsed_posting(text), load_taxonomy())


def test_construct_builds_what_model_construct_builds() -> None:
    values: dict[str, Any] = {"start": 3, "end": 7}

    assert _state(output.span(3, 7)) == _state(Span.model_construct(**values))
    assert _state(output.construct(Span, dict(values))) == _state(Span.model_construct(**values))
    fields: dict[str, Any] = {
        "skill_id": "kafka",
        "name": "Apache Kafka",
        "category": "messaging",
        "required": True,
        "mentions": 1,
        "spans": [output.span(0, 5)],
        "confidence": 1.0,
        "source_ids": {"onet": ["43232405"]},
        "linked": True,
    }
    assert _state(output.skill(dict(fields))) == _state(TaggedSkill.model_construct(**fields))
    assert output.skill(dict(fields)) == TaggedSkill.model_validate(fields)


def test_stamped_builds_what_model_copy_builds() -> None:
    tagged = _tagged((SEEDS / "000_bcb04a4a30d54f7e.txt").read_text(encoding="utf-8"))
    at = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)

    stamped = output.stamped(tagged, at)

    assert _state(stamped) == _state(tagged.model_copy(update={"tagged_at": at}))
    assert encode(stamped) == encode(tagged.model_copy(update={"tagged_at": at}))
    assert tagged.tagged_at is None  # the posting stamped is left as it was


def test_the_models_have_no_hooks_that_construction_would_skip() -> None:
    for model in (Span, TaggedSkill, TaggedPosting):
        assert model.__pydantic_post_init__ is None
        assert model.model_config.get("extra") in {"forbid", "ignore"}
        assert not model.__private_attributes__


@pytest.mark.parametrize("seed", sorted(path.name for path in SEEDS.glob("*.txt")))
def test_a_tagged_seed_validates_as_json_and_round_trips(seed: str) -> None:
    tagged = _tagged((SEEDS / seed).read_text(encoding="utf-8"))
    assert tagged.skills

    assert TaggedPosting.model_validate_json(tagged.model_dump_json()) == tagged
    assert TaggedPosting.model_validate(tagged.model_dump()) == tagged
    assert decode(TaggedPosting, encode(tagged)) == tagged


def test_spans_lie_in_the_text_and_mentions_count_them() -> None:
    tagged = _tagged("Kafka, kafka and Apache Kafka; Python (nice to have: Go, Rust).")

    for skill in tagged.skills:
        assert skill.mentions == len(skill.spans) >= 1
        assert 0 <= skill.confidence <= 1
        for span in skill.spans:
            assert 0 <= span.start < span.end <= len(tagged.text)
    assert TaggedPosting.model_validate_json(tagged.model_dump_json()) == tagged
