"""Compiling a package's hot modules with mypyc (what `make` runs; `jobstream.compiled` says
which build then runs).

mypyc ships with mypy (a dev dependency); it type-checks the package and turns the modules
asked for into C, which the system's C compiler (with this Python's headers) builds into
extension modules. The work happens in a temporary copy of the package's sources, so a build
never writes beside the sources; what it makes lands in the package's `_compiled/` with a
manifest of the sources' hashes, replacing the previous build in one rename. Where mypyc, the
compiler or the headers are missing, or compiling fails, nothing is replaced, the reason is
returned, and the package runs as pure Python (the same output, slower). Nothing is downloaded.
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
from jobstream.compiled import MANIFEST_NAME, build_dir_of, fingerprint, read_manifest, sources


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


def up_to_date(package_dir: Path, modules: tuple[str, ...]) -> bool:
    manifest = read_manifest(build_dir_of(package_dir))
    return (
        manifest is not None
        and manifest.get("fingerprint") == fingerprint(package_dir)
        and manifest.get("modules") == list(modules)
    )


def _mypy_path() -> str | None:
    """The folder holding the `jobstream` library, for mypyc's type check (not when it is
    site-packages: mypy finds installed packages there itself and refuses it on MYPYPATH)."""
    folder = Path(jobstream.__file__).resolve().parents[1]
    return None if folder.name in ("site-packages", "dist-packages") else str(folder)


def _suffix() -> str:
    return str(sysconfig.get_config_var("EXT_SUFFIX") or ".so")


def compile_modules(package_dir: Path, modules: tuple[str, ...]) -> str | None:
    """Build `modules` of the package in `package_dir` ("tag", "spans.linking") into its
    `_compiled/`; None when done, else why not (then the previous build is left as it was)."""
    problem = missing_tools()
    if problem is not None:
        return problem
    build_dir = build_dir_of(package_dir)
    with tempfile.TemporaryDirectory(prefix="mypyc-") as work:
        copy = Path(work) / package_dir.name
        for source in sources(package_dir):
            target = copy / source.relative_to(package_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        env = dict(os.environ)
        mypy_path = _mypy_path()
        if mypy_path is not None:
            env["MYPYPATH"] = mypy_path
        paths = [Path(*module.split(".")) for module in modules]
        files = [f"{package_dir.name}/{path}.py" for path in paths]
        command = [sys.executable, "-m", "mypyc", *files]
        result = subprocess.run(
            command, cwd=work, env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            output = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
            return f"{shlex.join(command)} failed:\n{output}"
        built = [copy / f"{path}{_suffix()}" for path in paths]
        shared = sorted(Path(work).glob(f"*__mypyc{_suffix()}"))
        absent = [path.name for path in built if not path.exists()]
        if absent or not shared:
            return f"mypyc made no {', '.join(absent) or 'shared library'}"
        staging = build_dir.with_name(build_dir.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        for path, module in zip(built, paths, strict=True):
            target = staging / package_dir.name / module.parent / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        for path in shared:
            shutil.copy2(path, staging / path.name)
        # The sources compiled are the copies: a source edited during the build stays stale.
        manifest = {"fingerprint": fingerprint(copy), "modules": list(modules)}
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    _replace(build_dir, staging)
    return None


def _replace(build_dir: Path, staging: Path) -> None:
    """The new build in place of the old one (a process that loaded the old one keeps it)."""
    old = build_dir.with_name(build_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if build_dir.exists():
        build_dir.rename(old)
    staging.rename(build_dir)
    shutil.rmtree(old, ignore_errors=True)


def build(name: str, package_dir: Path, modules: tuple[str, ...], force: bool = False) -> int:
    """`make`'s step for one package: build when missing or stale, say what happened; never
    fails (the pure-Python modules are there)."""
    if not force and up_to_date(package_dir, modules):
        return 0
    print(f"{name}: compiling its hot modules with mypyc (a minute or two)...", flush=True)
    problem = compile_modules(package_dir, modules)
    if problem is not None:
        print(f"{name}: compiled build not made: {problem}")
        print(f"{name}: it runs as pure Python (the same output, slower)")
    else:
        print(f"{name}: compiled build made in {build_dir_of(package_dir)}")
    return 0


def main(
    name: str, package_dir: Path, modules: tuple[str, ...], argv: list[str] | None = None
) -> int:
    """A package's `tools/compile` command: `build`, or with `--force` build whatever is there."""
    options = argparse.ArgumentParser(description=f"Compile the {name}'s hot modules with mypyc.")
    options.add_argument("--force", action="store_true", help="build even when up to date")
    return build(name, package_dir, modules, force=options.parse_args(argv).force)
