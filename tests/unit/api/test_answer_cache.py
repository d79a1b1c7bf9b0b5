"""Answers are served for the version of the data they were made from, for a while, and the
least recently used goes first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobstream_api.answer_cache import VersionedCache

pytestmark = pytest.mark.unit

V1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
V2 = V1 + timedelta(seconds=1)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_served_for_the_version_it_was_made_from() -> None:
    cache = VersionedCache[str](10, 30, Clock())
    assert cache.get("a", V1) is None
    cache.put("a", V1, '{"id":"a"}')
    assert cache.get("a", V1) == '{"id":"a"}'
    assert cache.get("a", V2) is None  # the store rewrote the posting: built again
    assert cache.get("a", V1) is None and len(cache) == 0  # the old version is dropped


def test_a_value_older_than_the_ttl_is_made_again() -> None:
    clock = Clock()
    cache = VersionedCache[str](10, 30, clock)
    cache.put("a", V1, "{}")
    clock.now += 30
    assert cache.get("a", V1) == "{}"
    clock.now += 0.5
    assert cache.get("a", V1) is None


def test_the_least_recently_used_goes_first() -> None:
    cache = VersionedCache[str](2, 30, Clock())
    cache.put("a", V1, "a")
    cache.put("b", V1, "b")
    assert cache.get("a", V1) == "a"  # "b" is now the least recently used
    cache.put("c", V1, "c")
    assert (cache.get("a", V1), cache.get("b", V1), cache.get("c", V1)) == ("a", None, "c")
    assert len(cache) == 2


def test_a_cache_of_no_items_keeps_nothing() -> None:
    cache = VersionedCache[str](0, 30, Clock())
    cache.put("a", V1, "a")
    assert cache.get("a", V1) is None and len(cache) == 0


def test_without_a_ttl_only_the_version_decides() -> None:
    clock = Clock()
    cache = VersionedCache[str](10, clock=clock)
    cache.put(("demand", "kafka"), V1, "answer")
    clock.now += 1e9
    assert cache.get(("demand", "kafka"), V1) == "answer"
    assert cache.get(("demand", "kafka"), None) is None
