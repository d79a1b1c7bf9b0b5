"""The settings reference of docs/settings.md, generated from the settings models.

Every environment variable, its default and what it does, read from the pydantic-settings
classes themselves (their `env_prefix`, field defaults and `description`s), so the reference
cannot drift from the code: `tests/unit/test_settings_reference.py` fails when it does.

    python -m jobstream_stack.settings_reference     # rewrite the generated part of the page
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings

from jobstream import topology
from jobstream.alert_receiver import AlertReceiverSettings
from jobstream.exporter import LagExporterSettings
from jobstream.settings import (
    PROJECT_ROOT,
    KafkaSettings,
    PostgresSettings,
    RuntimeSettings,
    ServiceSettings,
    StageSettings,
)
from jobstream_replay.settings import ReplaySettings
from jobstream_stack.services import settings_class
from jobstream_stack.settings import StackSettings

PAGE = PROJECT_ROOT / "docs" / "settings.md"
BEGIN = "<!-- BEGIN settings reference (generated: jobstream_stack.settings_reference) -->"
END = "<!-- END settings reference -->"
PLACEHOLDER = "<SERVICE>"


def _sections() -> Iterator[tuple[str, type[BaseSettings], str]]:
    """(title, settings class, prefix shown) in the order of the page."""
    yield "Kafka (every service and tool)", KafkaSettings, _prefix(KafkaSettings)
    yield (
        "PostgreSQL (store, `jobstream migrate`, the native stack)",
        PostgresSettings,
        _prefix(PostgresSettings),
    )
    yield "Every process", RuntimeSettings, _prefix(RuntimeSettings)
    services = ", ".join(entry.name.upper() for entry in topology.SERVICES)
    yield f"Every service ({PLACEHOLDER}: {services})", ServiceSettings, f"JOBSTREAM_{PLACEHOLDER}_"
    stages = ", ".join(entry.name.upper() for entry in topology.SERVICES if entry.stage)
    yield (
        f"Every consuming stage ({PLACEHOLDER}: {stages})",
        StageSettings,
        (f"JOBSTREAM_{PLACEHOLDER}_"),
    )
    for entry in topology.SERVICES:
        cls = settings_class(entry)
        yield f"{entry.name} (`jobstream serve {entry.name}`)", cls, _prefix(cls)
    yield "replay (`jobstream replay …`)", ReplaySettings, _prefix(ReplaySettings)
    yield (
        "lag exporter (`jobstream serve lag-exporter`)",
        LagExporterSettings,
        _prefix(LagExporterSettings),
    )
    yield (
        "alert receiver (`jobstream serve alert-receiver`)",
        AlertReceiverSettings,
        _prefix(AlertReceiverSettings),
    )
    yield (
        "The native stack (`jobstream stack …`, `make run`)",
        StackSettings,
        _prefix(StackSettings),
    )


def _prefix(cls: type[BaseSettings]) -> str:
    return str(cls.model_config.get("env_prefix", ""))


def _own_fields(cls: type[BaseSettings]) -> Iterator[tuple[str, FieldInfo]]:
    """The fields a class adds or changes, without nested settings (documented on their own)."""
    inherited: dict[str, FieldInfo] = {}
    for base in cls.__mro__[1:]:
        if isinstance(base, type) and issubclass(base, BaseSettings) and base is not BaseSettings:
            inherited = {**base.model_fields, **inherited}
    for name, info in cls.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseSettings):
            continue
        base_info = inherited.get(name)
        if base_info is not None and _default(base_info) == _default(info):
            continue  # inherited unchanged: documented with the class that declares it
        yield name, info


def _default(info: FieldInfo) -> str:
    if info.default_factory is not None:
        value: Any = info.default_factory()  # type: ignore[call-arg]
    elif info.default is PydanticUndefined:
        return "required"
    else:
        value = info.default
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, Path):
        value = value.relative_to(PROJECT_ROOT) if value.is_relative_to(PROJECT_ROOT) else value
    if isinstance(value, bool):
        value = str(value).lower()
    text = str(value)
    return f"`{text}`" if text else "empty"


def _description(cls: type[BaseSettings], name: str, info: FieldInfo) -> str:
    """The field's description, or the one of the field it overrides (a service's port)."""
    for owner in cls.__mro__:
        fields = getattr(owner, "model_fields", {})
        description = info.description or (fields[name].description if name in fields else None)
        if description:
            return description.replace("|", "\\|")
    raise ValueError(f"{cls.__name__}.{name} has no description: give its Field one")


def render() -> str:
    lines = [BEGIN, ""]
    for title, cls, prefix in _sections():
        rows = [
            f"| `{prefix}{name.upper()}` | {_default(info)} | {_description(cls, name, info)} |"
            for name, info in _own_fields(cls)
        ]
        if not rows:
            continue
        lines += [f"### {title}", "", "| variable | default | what |", "|---|---|---|", *rows, ""]
    lines.append(END)
    return "\n".join(lines)


def rewritten(page: str) -> str:
    """The page with its generated part replaced by `render()`."""
    start, end = page.index(BEGIN), page.index(END) + len(END)
    return page[:start] + render() + page[end:]


def main() -> None:
    PAGE.write_text(rewritten(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote the settings reference in {PAGE}", file=sys.stderr)


if __name__ == "__main__":
    main()
