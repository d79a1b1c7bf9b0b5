"""System packages the stack needs, installed with apt-get when missing (CI runs as root)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Mapping

from jobstream_stack.steps import StackError, step

_apt_updated = False


def ensure_commands(packages_by_command: Mapping[str, str]) -> None:
    """Install the Debian package of every command that is not on PATH."""
    missing = sorted({pkg for cmd, pkg in packages_by_command.items() if not shutil.which(cmd)})
    if missing:
        install_packages(missing)


def install_packages(packages: list[str]) -> None:
    global _apt_updated
    if os.geteuid() != 0:
        raise StackError(
            f"missing Debian packages {', '.join(packages)}: install them "
            f"(sudo apt-get install -y {' '.join(packages)}) or run as root"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with step(f"apt-get install {' '.join(packages)}"):
        if not _apt_updated:
            subprocess.run(["apt-get", "update", "-q"], check=True, env=env, capture_output=True)
            _apt_updated = True
        result = subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise StackError(f"apt-get install {packages} failed:\n{result.stderr[-2000:]}")


def ensure_port_free(host: str, port: int, what: str) -> None:
    """Fail clearly when something else (another checkout's stack?) listens where we would."""
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex((host, port)) == 0:
            raise StackError(
                f"{what} cannot start: {host}:{port} is already in use by another process "
                "(a stack of another checkout? run `jobstream stack stop` there, or set the port)"
            )
