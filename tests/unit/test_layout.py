"""The layout shows the architecture: inside each service, a pure core and its edges.

A service package holds its core at the top (parse, tag, the store's postings and ordering
rule, ingest's intake and formats, ...), its adapters in `adapters/`, its offline tools in
`tools/`, its composition root in `bootstrap.py`, its entry points in `service.py` and
`cli.py`, and what `make` runs to compile a native part in a `build.py`. The core imports no
client of the outside world and none of those edges.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from jobstream import topology
from jobstream.settings import PROJECT_ROOT

pytestmark = pytest.mark.unit

# Clients of the outside world: Kafka, PostgreSQL, HTTP, files watched, processes.
OUTSIDE = (
    "faust", "mode", "aiokafka", "asyncpg", "aiohttp", "watchfiles", "jobstream.kafka",
    "socket", "subprocess", "urllib.request", "http.client", "duckdb",
)  # fmt: skip
# (pyarrow is not among them: the query API's ports hand over Arrow record batches, a data
# type; writing them to files happens in its export adapter.)
# `build.py`: what `make` runs to compile a native part (the tagger's span reader).
EDGES = ("adapters", "tools", "bootstrap", "service", "cli", "build")


def service_packages() -> list[Path]:
    packages = {entry.settings.split(".", 1)[0] for entry in topology.SERVICES}
    return sorted(next((PROJECT_ROOT / "services").glob(f"*/{name}")) for name in packages)


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def is_core(package: Path, path: Path) -> bool:
    relative = path.relative_to(package)
    return relative.parts[0] not in EDGES and path.stem not in EDGES


@pytest.mark.parametrize("package", service_packages(), ids=lambda path: path.name)
def test_the_core_of_a_service_talks_to_nothing_outside(package: Path) -> None:
    edges = tuple(f"{package.name}.{edge}" for edge in EDGES)
    offenders = {}
    for path in sorted(package.rglob("*.py")):
        name = f"{package.name}/{path.relative_to(package)}"
        if not is_core(package, path):
            continue
        bad = sorted(
            module
            for module in imported(path)
            if any(module == out or module.startswith(f"{out}.") for out in OUTSIDE)
            or module.startswith(edges)
        )
        if bad:
            offenders[name] = bad
    assert offenders == {}


def test_the_services_have_their_composition_root_and_entry_point() -> None:
    for package in service_packages():
        assert (package / "bootstrap.py").exists(), package
        assert (package / "service.py").exists(), package
