"""The chaos run's fault schedule: reproducible from its seed, and covering every fault."""

from collections import Counter

import pytest

from jobstream_stack.services import service_of
from tests.e2e.faults import (
    INSTANCES,
    POSTGRES_OUTAGE_SECONDS,
    SERVICES,
    build_schedule,
    chaos_seed,
)

pytestmark = pytest.mark.unit

SEEDS = range(200)


def test_the_same_seed_gives_the_same_schedule() -> None:
    assert build_schedule(1234, span=60) == build_schedule(1234, span=60)
    assert build_schedule(1234, span=60) != build_schedule(1235, span=60)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_fault_is_in_every_schedule(seed: int) -> None:
    faults = build_schedule(seed, span=60, kills_per_service=3)
    actions = Counter(fault.action for fault in faults)
    assert actions == {
        "kill": 3 * len(SERVICES),
        "retire": 1,
        "restart_kafka": 1,
        "stop_postgres": 1,
        "start_postgres": 1,
    }
    killed = Counter(service_of(fault.target) for fault in faults if fault.action == "kill")
    assert killed == {service: 3 for service in SERVICES}
    assert [fault.at for fault in faults] == sorted(fault.at for fault in faults)
    assert all(0 < fault.at < 60 + POSTGRES_OUTAGE_SECONDS for fault in faults)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_retired_instance_is_never_killed_after_it_left(seed: int) -> None:
    faults = build_schedule(seed, span=60, kills_per_service=5)
    (retire,) = [fault for fault in faults if fault.action == "retire"]
    stage = service_of(retire.target)
    assert stage != "ingest" and retire.target in INSTANCES[stage]
    later_kills = [f for f in faults if f.action == "kill" and f.at >= retire.at]
    assert all(fault.target != retire.target for fault in later_kills)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_database_is_down_for_twenty_seconds_apart_from_the_broker_restart(
    seed: int,
) -> None:
    faults = build_schedule(seed, span=60)
    at = {fault.action: fault.at for fault in faults}
    assert at["start_postgres"] - at["stop_postgres"] == pytest.approx(POSTGRES_OUTAGE_SECONDS)
    assert at["stop_postgres"] - at["restart_kafka"] >= 0.15 * 60


def test_the_seed_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBSTREAM_CHAOS_SEED", "42")
    assert chaos_seed() == 42
    monkeypatch.delenv("JOBSTREAM_CHAOS_SEED")
    assert 0 <= chaos_seed() < 2**32


def test_a_schedule_needs_time_and_kills() -> None:
    with pytest.raises(ValueError):
        build_schedule(1, span=0)
    with pytest.raises(ValueError):
        build_schedule(1, span=60, kills_per_service=0)
