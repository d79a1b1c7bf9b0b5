"""Compile the parser's hot modules with mypyc (`make` runs this; see `jobstream_parser.compiled`).

    python -m jobstream_parser.tools.compile           # when the build is missing or stale
    python -m jobstream_parser.tools.compile --force   # again, whatever is there

mypyc ships with mypy (a dev dependency); it type-checks the package and turns the modules of
`COMPILED_MODULES` into C, which the system's C compiler (with this Python's headers) builds
into extension modules. The work happens in a temporary copy of the package's sources, so a
build never writes beside the sources; what it makes lands in `_compiled/` with a manifest of
the sources' hashes, replacing the previous build in one rename. Where mypyc, the compiler or
the headers are missing, or compiling fails, nothing is replaced, a line says why, and the
parser runs as pure Python (the same output, slower). It never fails `make`. Nothing is
downloaded. A build takes one to two minutes of CPU.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import jobstream
from jobstream_parser.compiled import (
    BUILD_DIR,
    COMPILED_MODULES,
    MANIFEST_NAME,
    PACKAGE_DIR,
    fingerprint,
    read_manifest,
)


def missing_tools() -> str | None:
    """Why this machine cannot build (no mypyc, no C compiler, no headers), else None."""
    if importlib.util.find_spec("mypyc") is None:
        return "mypyc is not installed (it comes with mypy: pip install -e '.[dev]')"
    compiler = shlex.split(sysconfig.get_config_var("CC") or "cc") or ["cc"]
    if shutil.which(compiler[0]) is None:
        return f"no C compiler ({compiler[0]} is not on PATH)"
    include = Path(sysconfig.get_paths()["include"])
    if not (include / "Python.h").exists():
        return f"no Python headers in {include}"
    return None


def up_to_date(build_dir: Path = BUILD_DIR, package_dir: Path = PACKAGE_DIR) -> bool:
    manifest = read_manifest(build_dir)
    return manifest is not None and manifest.get("fingerprint") == fingerprint(package_dir)


def _mypy_path() -> str | None:
    """The folder holding the `jobstream` library, for mypyc's type check (not when it is
    site-packages: mypy finds installed packages there itself and refuses it on MYPYPATH)."""
    folder = Path(jobstream.__file__).resolve().parents[1]
    return None if folder.name in ("site-packages", "dist-packages") else str(folder)


def compile_modules(
    build_dir: Path = BUILD_DIR,
    package_dir: Path = PACKAGE_DIR,
    modules: tuple[str, ...] = COMPILED_MODULES,
) -> str | None:
    """Build `modules` of the package in `package_dir` into `build_dir`; None when done, else
    why not (then `build_dir` is as it was)."""
    problem = missing_tools()
    if problem is not None:
        return problem
    with tempfile.TemporaryDirectory(prefix="parser-mypyc-") as work:
        copy = Path(work) / package_dir.name
        copy.mkdir()
        for source in package_dir.glob("*.py"):
            shutil.copy2(source, copy / source.name)
        # What is compiled is these copies: a source edited during the build makes it stale.
        manifest = {"fingerprint": fingerprint(copy), "modules": list(modules)}
        env = dict(os.environ)
        mypy_path = _mypy_path()
        if mypy_path is not None:
            env["MYPYPATH"] = mypy_path
        files = [f"{package_dir.name}/{module}.py" for module in modules]
        command = [sys.executable, "-m", "mypyc", *files]
        result = subprocess.run(
            command, cwd=work, env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            output = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
            return f"{shlex.join(command)} failed:\n{output}"
        built = [copy / f"{module}{_suffix()}" for module in modules]
        shared = sorted(Path(work).glob(f"*__mypyc{_suffix()}"))
        absent = [path.name for path in built if not path.exists()]
        if absent or not shared:
            return f"mypyc made no {', '.join(absent) or 'shared library'}"
        staging = build_dir.with_name(build_dir.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / package_dir.name).mkdir(parents=True)
        for path in built:
            shutil.copy2(path, staging / package_dir.name / path.name)
        for path in shared:
            shutil.copy2(path, staging / path.name)
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    _replace(build_dir, staging)
    return None


def _suffix() -> str:
    return str(sysconfig.get_config_var("EXT_SUFFIX") or ".so")


def _replace(build_dir: Path, staging: Path) -> None:
    """The new build in place of the old one (a process that loaded the old one keeps it)."""
    old = build_dir.with_name(build_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if build_dir.exists():
        build_dir.rename(old)
    staging.rename(build_dir)
    shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--force", action="store_true", help="build even when up to date")
    force = options.parse_args(argv).force
    if not force and up_to_date():
        return 0
    print("parser: compiling its hot modules with mypyc (about 90 s of CPU)...", flush=True)
    problem = compile_modules()
    if problem is not None:
        print(f"parser: compiled build not made: {problem}")
        print("parser: it runs as pure Python (the same output, slower)")
    else:
        print(f"parser: compiled build made in {BUILD_DIR}")
    return 0  # never fails the build: the pure-Python modules are there


if __name__ == "__main__":
    sys.exit(main())
