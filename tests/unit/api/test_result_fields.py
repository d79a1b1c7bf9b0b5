"""Stored rows turned into answers (`jobstream_api.fields`)."""

from __future__ import annotations

import pytest

from jobstream_api.fields import skill_refs

pytestmark = pytest.mark.unit


def test_an_items_skills_are_named_required_first_then_most_mentioned_then_by_name() -> None:
    stored = [
        {"id": "docker", "required": False, "mentions": 1, "confidence": 1},
        {"id": "kafka", "required": True, "mentions": 1, "confidence": 0.9},
        {"id": "sql", "required": True, "mentions": 3, "confidence": 1},
        {"id": "c-sharp", "required": True, "mentions": 1, "confidence": 1},
        {"id": "rust", "required": False, "mentions": 2, "confidence": 1},
    ]
    names = {"docker": "Docker", "kafka": "Kafka", "sql": "SQL", "c-sharp": "C#", "rust": "Rust"}
    assert skill_refs(stored, names) == [
        {"id": "sql", "name": "SQL", "required": True},
        {"id": "c-sharp", "name": "C#", "required": True},
        {"id": "kafka", "name": "Kafka", "required": True},
        {"id": "rust", "name": "Rust", "required": False},
        {"id": "docker", "name": "Docker", "required": False},
    ]


def test_a_skill_the_skills_table_does_not_name_is_left_out() -> None:
    stored = [
        {"id": "kafka", "required": True, "mentions": 1, "confidence": 1},
        {"id": "gone", "required": True, "mentions": 9, "confidence": 1},
    ]
    assert skill_refs(stored, {"kafka": "Kafka"}) == [
        {"id": "kafka", "name": "Kafka", "required": True}
    ]
    assert skill_refs([], {}) == []
