"""Set-up steps that say what they do and how long it took (CI prints these timings)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from jobstream.errors import JobstreamError

console = Console(stderr=True, highlight=False)


@contextmanager
def step(what: str) -> Iterator[None]:
    started = time.monotonic()
    console.print(f"[bold]…[/] {what}")
    try:
        yield
    except BaseException:
        console.print(f"[red]✗[/] {what} failed after {time.monotonic() - started:.1f} s")
        raise
    console.print(f"[green]✓[/] {what} ({time.monotonic() - started:.1f} s)")


def note(message: str) -> None:
    console.print(f"  {message}")


class StackError(JobstreamError, RuntimeError):
    """The stack could not be set up; the message says what to do."""
