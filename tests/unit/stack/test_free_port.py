"""`free_port` never gives one port twice in a process, even when the kernel would."""

from __future__ import annotations

import socket

import pytest

from jobstream_stack import system

pytestmark = pytest.mark.unit


class _SamePortFirst(socket.socket):
    """A socket bound to port 0 gets `taken` first (as the kernel may when the port is
    still unbound), then whatever the kernel gives."""

    taken: int = 0
    calls = 0

    def getsockname(self) -> tuple[str, int]:
        type(self).calls += 1
        if type(self).calls <= 2:
            return ("127.0.0.1", self.taken)
        return super().getsockname()  # type: ignore[no-any-return]


def test_a_port_already_given_is_not_given_again(monkeypatch: pytest.MonkeyPatch) -> None:
    first = system.free_port()
    _SamePortFirst.taken = first
    monkeypatch.setattr(socket, "socket", _SamePortFirst)
    second = system.free_port()
    assert second != first
    assert _SamePortFirst.calls == 3  # the repeat was refused, a new port asked for
