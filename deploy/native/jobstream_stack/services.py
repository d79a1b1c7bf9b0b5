"""The services of the registry (`jobstream.topology.SERVICES`) as background processes of
the native stack (pid files, logs)."""

from __future__ import annotations

import asyncio
import importlib
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import aiohttp

from jobstream import topology
from jobstream.settings import ServiceSettings
from jobstream_stack.layout import StackLayout
from jobstream_stack.processes import ManagedProcess
from jobstream_stack.steps import StackError


def settings_class(service: topology.Service) -> type[ServiceSettings]:
    """The settings class the registry names for a service (`module:Class`)."""
    module, name = service.settings.split(":")
    found: type[ServiceSettings] = getattr(importlib.import_module(module), name)
    return found


# The registry's services and their settings classes, in pipeline order; stopped in the same
# order so no stage is left with new input.
SERVICES: Mapping[str, type[ServiceSettings]] = {
    service.name: settings_class(service) for service in topology.SERVICES
}


def jobstream_command() -> str:
    """The `jobstream` script of the running interpreter's environment."""
    return str(Path(sys.executable).parent / "jobstream")


def service_of(name: str) -> str:
    """The service a process name runs: an instance `parser-2` runs `parser` (several
    instances of a stage share its consumer group); a plain service name is itself."""
    return name.split("-", 1)[0]


def service_process(layout: StackLayout, name: str) -> ManagedProcess:
    """The process of a service, or of one instance of it (`parser-2`), under `layout`."""
    return ManagedProcess(
        name=name,
        pid_file=layout.run / f"{name}.pid",
        log_file=layout.logs / f"{name}.log",
        fingerprint=f"serve {service_of(name)}",
    )


def start_service(layout: StackLayout, name: str, env: Mapping[str, str] | None = None) -> int:
    command = [jobstream_command(), "serve", service_of(name)]
    return service_process(layout, name).start(command, env=env)


def stop_services(layout: StackLayout, timeout: float = 30.0) -> list[str]:
    return [name for name in SERVICES if service_process(layout, name).stop(timeout=timeout)]


def readiness_url(name: str, settings: ServiceSettings | None = None) -> str:
    settings = settings or SERVICES[name]()
    return f"http://{settings.http_host}:{settings.http_port}/readyz"


def wait_ready(layout: StackLayout, urls: Mapping[str, str], timeout: float) -> None:
    """Wait until every service answers its /readyz URL with 200; fail early if one exits."""
    deadline = time.monotonic() + timeout
    pending = dict(urls)
    while pending:
        for name, url in list(pending.items()):
            process = service_process(layout, name)
            if process.has_exited():
                raise StackError(f"{name} exited; its log ends:\n{process.log_tail()}")
            if asyncio.run(_answers_ok(url)):
                del pending[name]
        if pending and time.monotonic() > deadline:
            raise StackError(f"not ready after {timeout:.0f} s: {', '.join(pending)}")
        time.sleep(0.3)


async def _answers_ok(url: str) -> bool:
    try:
        timeout = aiohttp.ClientTimeout(total=2)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as response:
            return response.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False
