"""The registry of services is the one place their names, groups, topics and ports are said."""

from __future__ import annotations

from typing import get_args

import pytest

from jobstream import topology
from jobstream.contracts import DeadLetter
from jobstream.topology import CONSUMING_STAGES, SERVICES, StageName, service
from jobstream_stack.services import SERVICES as STACK_SERVICES
from jobstream_stack.services import settings_class

pytestmark = pytest.mark.unit


def test_every_stage_name_is_a_service_of_the_registry() -> None:
    names = [entry.name for entry in SERVICES]
    assert len(set(names)) == len(names)
    assert set(get_args(StageName)) <= set(names)
    assert get_args(DeadLetter.model_fields["stage"].annotation) == get_args(StageName)


def test_the_consuming_stages_are_the_registry_s() -> None:
    assert tuple(entry.stage for entry in SERVICES if entry.stage) == CONSUMING_STAGES
    for stage in CONSUMING_STAGES:
        assert service(stage.name).stage is stage
        assert stage.group == f"jobstream-{stage.name}"


def test_each_service_s_settings_take_its_name_and_port_from_the_registry() -> None:
    ports = [entry.http_port for entry in SERVICES]
    assert len(set(ports)) == len(ports)
    for entry in SERVICES:
        settings = settings_class(entry)
        assert settings.model_config.get("env_prefix") == f"JOBSTREAM_{entry.name.upper()}_"
        assert settings.model_fields["http_port"].default == entry.http_port


def test_the_native_stack_runs_the_registry_s_services_in_order() -> None:
    assert list(STACK_SERVICES) == [entry.name for entry in topology.SERVICES]


def test_an_unknown_service_is_named_in_the_error() -> None:
    with pytest.raises(KeyError, match="services: ingest, parser"):
        service("billing")
