"""`jobstream.compiled`: a package runs its mypyc build only when it matches the sources."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from jobstream.compiled import (
    MANIFEST_NAME,
    build_dir_of,
    choose_build,
    fingerprint,
    subpackage_path,
)

pytestmark = pytest.mark.unit

PURE = "JOBSTREAM_TEST_PACKAGE_PURE"


@pytest.fixture
def package(tmp_path: Path) -> Path:
    package = tmp_path / "somepackage"
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "hot.py").write_text("x = 1\n")
    (package / "inner" / "__init__.py").write_text("")
    (package / "inner" / "warm.py").write_text("y = 2\n")
    return package


def _built(package: Path) -> Path:
    build_dir = build_dir_of(package)
    (build_dir / package.name).mkdir(parents=True)
    manifest = {"fingerprint": fingerprint(package), "modules": ["hot", "inner.warm"]}
    (build_dir / MANIFEST_NAME).write_text(json.dumps(manifest))
    return build_dir


def test_a_build_matching_the_sources_comes_first_on_the_path(
    package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PURE, raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    build_dir = _built(package)
    path = [str(package)]
    assert choose_build(path, package, PURE) == "compiled"
    assert path == [str(build_dir / package.name), str(package)]
    assert str(build_dir) in sys.path  # where mypyc's shared library is
    inner = [str(package / "inner")]
    subpackage_path("compiled", inner, package, package / "inner")
    assert inner == [str(build_dir / package.name / "inner"), str(package / "inner")]


def test_an_edited_source_a_missing_build_or_the_variable_run_pure_python(
    package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PURE, raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    path = [str(package)]
    assert choose_build(path, package, PURE) == "python"  # nothing built
    _built(package)
    monkeypatch.setenv(PURE, "1")
    assert choose_build(path, package, PURE) == "python"
    monkeypatch.setenv(PURE, "0")
    (package / "inner" / "warm.py").write_text("y = 3\n")  # a subpackage's source edited
    assert choose_build(path, package, PURE) == "python"
    assert path == [str(package)]
    inner = [str(package / "inner")]
    subpackage_path("python", inner, package, package / "inner")
    assert inner == [str(package / "inner")]
