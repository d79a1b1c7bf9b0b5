"""System packages the stack needs, installed with apt-get when missing (CI runs as root)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from jobstream_stack.steps import StackError, step

_apt_updated = False
POLICY_RC_D = Path("/usr/sbin/policy-rc.d")


# Ports `free_port` gave out in this process.
_GIVEN: set[int] = set()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for private servers of tests and benchmarks),
    never one given out before in this process: a port given out is free until its server
    binds it, and the kernel may hand it out again before then (two services of one test got
    the same port, and one failed to start)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _GIVEN:
            _GIVEN.add(port)
            return port


def ensure_commands(packages_by_command: Mapping[str, str], *, start_services: bool = True) -> None:
    """Install the Debian package of every command that is not on PATH."""
    missing = sorted({pkg for cmd, pkg in packages_by_command.items() if not shutil.which(cmd)})
    if missing:
        install_packages(missing, start_services=start_services)


@contextmanager
def services_not_started(policy: Path = POLICY_RC_D) -> Iterator[None]:
    """Keep packages from starting their system services while they install.

    Debian's `prometheus` package would start a server of its own on every address, port 9090;
    the stack runs its own, on a loopback address. invoke-rc.d and deb-systemd-invoke ask
    policy-rc.d first: exit code 101 means "do not start". An existing policy is left alone.
    """
    if policy.exists():
        yield
        return
    policy.write_text(
        "#!/bin/sh\n# written by jobstream_stack while installing packages\nexit 101\n"
    )
    policy.chmod(0o755)
    try:
        yield
    finally:
        policy.unlink(missing_ok=True)


def install_packages(packages: list[str], *, start_services: bool = True) -> None:
    global _apt_updated
    if os.geteuid() != 0:
        raise StackError(
            f"missing Debian packages {', '.join(packages)}: install them "
            f"(sudo apt-get install -y {' '.join(packages)}) or run as root"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with (
        step(f"apt-get install {' '.join(packages)}"),
        contextlib.nullcontext() if start_services else services_not_started(),
    ):
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
