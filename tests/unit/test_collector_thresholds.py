"""Each stage's worker runs the garbage collector with the thresholds meant for it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from jobstream.kafka.worker import (
    COLLECTOR_THRESHOLDS,
    STORE_COLLECTOR_THRESHOLDS,
    collector_thresholds,
    settle_heap,
)
from jobstream.topology import PARSER, STORE, TAGGER

pytestmark = pytest.mark.unit


@pytest.fixture
def collector() -> Iterator[None]:
    """The test process's collector as it was, afterwards."""
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_the_store_looks_less_often_than_parser_and_tagger() -> None:
    assert collector_thresholds(STORE) == STORE_COLLECTOR_THRESHOLDS
    assert collector_thresholds(PARSER) == collector_thresholds(TAGGER) == COLLECTOR_THRESHOLDS
    assert STORE_COLLECTOR_THRESHOLDS[0] > COLLECTOR_THRESHOLDS[0]


@pytest.mark.usefixtures("collector")
def test_settling_the_heap_sets_the_thresholds_given() -> None:
    settle_heap(collector_thresholds(STORE))
    assert gc.get_threshold() == STORE_COLLECTOR_THRESHOLDS
    settle_heap()
    assert gc.get_threshold() == COLLECTOR_THRESHOLDS
