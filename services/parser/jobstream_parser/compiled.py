"""Which build of the parser runs: its hot modules compiled by mypyc, or pure Python.

`make` (every target that runs the parser: run, test, unit, bench) runs
`python -m jobstream_parser.tools.compile`, which compiles `COMPILED_MODULES` with mypyc into
the git-ignored folder `_compiled/` beside this file, with a manifest of the hashes of the
sources it compiled. When the package is imported, `choose_build` puts `_compiled/` first on
the package's path only if that manifest matches the sources as they are now and this Python
can load the modules: an edited source (or a build for another Python) is never run, the
modules then load from their `.py` files as before. The two builds give the same output
(tests/unit/parser/test_compiled_build.py compares them); the compiled one is faster.

`JOBSTREAM_PARSER_PURE=1` makes the parser run as pure Python even when a build is there.

This module is never compiled itself, and imports nothing from the parser.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Final, Literal

Build = Literal["compiled", "python"]

PACKAGE_DIR: Final = Path(__file__).resolve().parent
BUILD_DIR: Final = PACKAGE_DIR / "_compiled"
MANIFEST_NAME: Final = "manifest.json"
PURE_ENV: Final = "JOBSTREAM_PARSER_PURE"
# The modules `parse()` spends its time in; the CLI, the service's wiring and the tools stay
# Python (they run once, or do I/O).
COMPILED_MODULES: Final = (
    "anchors",
    "cleaning",
    "companies",
    "dates",
    "document",
    "experience",
    "fields",
    "geo",
    "heads",
    "language",
    "line_cache",
    "money",
    "parse",
    "people",
    "places",
    "sections",
    "similarity",
    "terms",
    "titles",
)


# The library modules the compiled ones import: their types are compiled into the parser's code.
LIBRARY_MODULES: Final = ("contracts", "errors", "stages")


def _library_dir() -> Path:
    spec = importlib.util.find_spec("jobstream")
    origin = spec.origin if spec is not None else None
    return Path(origin).parent if origin is not None else Path()


def fingerprint(package_dir: Path = PACKAGE_DIR) -> dict[str, object]:
    """What a build is valid for: this Python's ABI and the hash of each compiled module's
    source and of the library modules they import."""
    library = _library_dir()
    sources = [package_dir / f"{module}.py" for module in COMPILED_MODULES]
    sources += [library / f"{module}.py" for module in LIBRARY_MODULES]
    return {
        "python": sys.implementation.cache_tag,
        "sources": {f"{source.parent.name}/{source.name}": _sha256(source) for source in sources},
    }


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def read_manifest(build_dir: Path) -> dict[str, object] | None:
    try:
        found = json.loads((build_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def choose_build(
    package_path: list[str],
    build_dir: Path = BUILD_DIR,
    package_dir: Path = PACKAGE_DIR,
) -> Build:
    """Put the compiled build first on `package_path` (the package's `__path__`) when it is
    valid for these sources; say which build the parser's modules will load from."""
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return "python"
    manifest = read_manifest(build_dir)
    if manifest is None or manifest.get("fingerprint") != fingerprint(package_dir):
        return "python"
    # mypyc's shared library of the modules is a top-level module beside the package folder.
    if str(build_dir) not in sys.path:
        sys.path.append(str(build_dir))
    package_path.insert(0, str(build_dir / package_dir.name))
    return "compiled"
