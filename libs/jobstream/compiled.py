"""Which build of a package's hot modules runs: compiled by mypyc, or pure Python.

`make` compiles a package's hot modules with mypyc (`jobstream.mypyc_build`) into a git-ignored
folder `_compiled/` inside the package, with a manifest of the hashes of the sources it
compiled. When the package is imported, its `__init__` calls `choose_build`, which puts the
build first on the package's path only if that manifest matches the sources as they are now:
an edited source (or a build for another Python) is never run, the modules then load from their
`.py` files as before. Both builds give the same output (each package has a test comparing
them); the compiled one is faster. An environment variable per package (`pure_env`) set to
anything but "" or "0" runs pure Python even when a build is there.

This module imports nothing from the packages it serves (it runs while they are imported).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Final, Literal

Build = Literal["compiled", "python"]

BUILD_DIR_NAME: Final = "_compiled"
MANIFEST_NAME: Final = "manifest.json"


def build_dir_of(package_dir: Path) -> Path:
    """Where `make` puts a package's compiled build."""
    return package_dir / BUILD_DIR_NAME


def sources(package_dir: Path) -> list[Path]:
    """Every Python source of the package, its subpackages included (the build's modules are
    type-checked against all of them), the build's own folder left out."""
    return sorted(
        path
        for path in package_dir.rglob("*.py")
        if BUILD_DIR_NAME not in path.relative_to(package_dir).parts
    )


def fingerprint(package_dir: Path) -> dict[str, object]:
    """What a build is valid for: this Python's ABI and the hash of every source."""
    return {
        "python": sys.implementation.cache_tag,
        "sources": {
            path.relative_to(package_dir).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sources(package_dir)
        },
    }


def read_manifest(build_dir: Path) -> dict[str, object] | None:
    try:
        found = json.loads((build_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def choose_build(package_path: list[str], package_dir: Path, pure_env: str) -> Build:
    """Put the compiled build first on `package_path` (the package's `__path__`) when it is
    valid for these sources; say which build the package's modules will load from. A
    subpackage follows with `subpackage_path`."""
    if os.environ.get(pure_env, "") not in ("", "0"):
        return "python"
    build_dir = build_dir_of(package_dir)
    manifest = read_manifest(build_dir)
    if manifest is None or manifest.get("fingerprint") != fingerprint(package_dir):
        return "python"
    # mypyc's shared library of the modules is a top-level module beside the package folder.
    if str(build_dir) not in sys.path:
        sys.path.append(str(build_dir))
    package_path.insert(0, str(build_dir / package_dir.name))
    return "compiled"


def subpackage_path(
    build: Build, package_path: list[str], package_dir: Path, subpackage_dir: Path
) -> None:
    """A subpackage's compiled modules first on its `__path__` when its package chose the
    compiled build (`build`)."""
    if build == "compiled":
        relative = subpackage_dir.relative_to(package_dir)
        package_path.insert(0, str(build_dir_of(package_dir) / package_dir.name / relative))
