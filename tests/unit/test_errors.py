"""One error model: every exception the project defines derives from `JobstreamError`."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

from jobstream.errors import InvalidEvent, JobstreamError, PermanentError, TransientError

pytestmark = pytest.mark.unit

PACKAGES = (
    "jobstream",
    "jobstream_ingest",
    "jobstream_parser",
    "jobstream_tagger",
    "jobstream_store",
    "jobstream_replay",
    "jobstream_stack",
    "jobstream_api",
)


def project_exceptions() -> list[type[BaseException]]:
    found = []
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for module_info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            module = importlib.import_module(module_info.name)
            for _, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, BaseException) and value.__module__ == module.__name__:
                    found.append(value)
    return found


def test_every_project_exception_has_the_one_root() -> None:
    exceptions = project_exceptions()
    assert len(exceptions) >= 20
    strays = [
        f"{e.__module__}.{e.__qualname__}" for e in exceptions if not issubclass(e, JobstreamError)
    ]
    assert strays == []


def test_the_three_kinds() -> None:
    assert PermanentError("empty", "nothing left").reason == "empty"
    assert (InvalidEvent("not JSON").kind, InvalidEvent("not JSON").reason) == (
        "invalid_event",
        "invalid_event",
    )
    assert isinstance(InvalidEvent("x"), ValueError)  # callers that catch ValueError still do
    assert TransientError("down").kind == "transient"
    assert JobstreamError("a command refused").kind == "permanent"
