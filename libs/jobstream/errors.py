"""One error model for every service: a root exception and three kinds.

- **permanent**: retrying the same thing cannot help. About a record, it is a verdict with a
  short `reason` code (`^[a-z_]+$`, it labels metrics): the stage dead-letters the record and
  goes on. About a command or a setting, the command says why and exits.
- **invalid_event**: a record that is not the event a stage reads (not JSON, not the schema).
  Permanent too, but it says the producer upstream is broken, so it counts towards the
  dead-letter brake (`jobstream.brake`), as an unexpected exception does.
- **transient**: the world is not there right now (a server down, a connection lost); the
  same call can succeed later. Never a dead letter: the stage retries where its retry policy
  is written down, without acknowledging, or stops un-acknowledged so the batch is read again.

Adapters translate their clients' exceptions (asyncpg, aiokafka, OS errors) into these kinds
at the edge, so the cores see only the project's own errors. Anything else a stage's record
processing raises is a bug for that input: dead-lettered as `processing_error`
(`jobstream.stages`), and counted by the brake.
"""

from __future__ import annotations

from typing import ClassVar, Literal

ErrorKind = Literal["permanent", "invalid_event", "transient"]


class JobstreamError(Exception):
    """The root of every error jobstream raises on purpose. Permanent unless a subclass says."""

    kind: ClassVar[ErrorKind] = "permanent"
    # The short code a dead letter, a rejection or a metric carries.
    reason: str = "error"


class PermanentError(JobstreamError):
    """Input refused for good (retrying cannot help), with its short `reason` code."""

    kind: ClassVar[ErrorKind] = "permanent"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class InvalidEvent(PermanentError, ValueError):
    """A record that is not a valid event of the expected type."""

    kind: ClassVar[ErrorKind] = "invalid_event"

    def __init__(self, message: str) -> None:
        super().__init__("invalid_event", message)


class TransientError(JobstreamError):
    """A dependency is unavailable right now; the same call may succeed later."""

    kind: ClassVar[ErrorKind] = "transient"
    reason = "unavailable"
