"""Tools the test suite needs besides the servers: the `docker compose` CLI plugin, kustomize.

No Docker engine runs here, but `docker compose config` validates docker-compose.yml. Debian
ships only the old Python docker-compose; the v2 plugin is a Go module, built with the
machine's Go toolchain when `docker compose` is missing (about 3 minutes from empty caches).
kustomize (deploy/kubernetes) is a Go module too, built the same way (about 2 minutes).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from jobstream_stack.steps import StackError, note, step

COMPOSE_MODULE = "github.com/docker/compose/v2"
COMPOSE_VERSION = "v2.40.3"
KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
KUSTOMIZE_VERSION = "v5.8.1"


def has_compose() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0


def ensure_compose_plugin() -> None:
    if has_compose():
        return
    if not shutil.which("docker"):
        note("no docker client on this machine: the compose file test will be skipped")
        return
    if not shutil.which("go"):
        raise StackError("`docker compose` is missing and there is no Go toolchain to build it")
    plugin = Path.home() / ".docker" / "cli-plugins" / "docker-compose"
    with step(f"build the docker compose plugin {COMPOSE_VERSION} with go"):
        env = {**os.environ, "GOFLAGS": "-modcacherw"}
        download = subprocess.run(
            ["go", "mod", "download", "-json", f"{COMPOSE_MODULE}@{COMPOSE_VERSION}"],
            capture_output=True,
            text=True,
            env=env,
        )
        if download.returncode != 0:
            raise StackError(f"go mod download failed:\n{download.stdout[-2000:]}")
        source = json.loads(download.stdout)["Dir"]
        plugin.parent.mkdir(parents=True, exist_ok=True)
        build = subprocess.run(
            ["go", "build", "-trimpath", "-o", str(plugin), "./cmd"],
            cwd=source,
            capture_output=True,
            text=True,
            env=env,
        )
        if build.returncode != 0 or not has_compose():
            raise StackError(f"building docker compose failed:\n{build.stderr[-2000:]}")


def _go_bin() -> Path:
    """Where `go install` puts commands ($GOBIN, else $GOPATH/bin)."""
    result = subprocess.run(["go", "env", "GOBIN", "GOPATH"], capture_output=True, text=True)
    gobin, gopath = [*result.stdout.splitlines(), "", ""][:2]
    return Path(gobin) if gobin else Path(gopath or Path.home() / "go") / "bin"


def kustomize_command() -> str | None:
    """The kustomize binary: on PATH, or where `go install` put it."""
    found = shutil.which("kustomize")
    if found:
        return found
    if shutil.which("go"):
        candidate = _go_bin() / "kustomize"
        if candidate.is_file():
            return str(candidate)
    return None


def ensure_kustomize() -> str:
    """kustomize, built from its Go module when missing; returns its path."""
    found = kustomize_command()
    if found:
        return found
    if not shutil.which("go"):
        raise StackError("kustomize is missing and there is no Go toolchain to build it")
    with step(f"build kustomize {KUSTOMIZE_VERSION} with go"):
        env = {**os.environ, "GOFLAGS": "-modcacherw"}
        build = subprocess.run(
            ["go", "install", f"{KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION}"],
            capture_output=True,
            text=True,
            env=env,
        )
        found = kustomize_command()
        if build.returncode != 0 or not found:
            raise StackError(f"building kustomize failed:\n{build.stderr[-2000:]}")
    return found
