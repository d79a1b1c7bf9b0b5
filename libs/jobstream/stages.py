"""The pure core shared by the stream stages: records in, events or dead letters out.

No Kafka here: a `Record` is what a consumer read, and `transform_batch` decides, for each one,
the event to publish or the dead letter to write. The faust adapter does the I/O around it.
"""

from __future__ import annotations

import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from jobstream.contracts import DeadLetter, InvalidEvent, utc_now

StageName = Literal["ingest", "parser", "tagger", "store"]


class PermanentError(Exception):
    """Input a stage's domain code refuses for good (retrying cannot help): a dead letter.

    `reason` is the dead letter's short code (`^[a-z_]+$`, bounded: it labels metrics).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Record:
    """One record read from a topic."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int | None = None
    headers: Sequence[tuple[str, bytes]] = ()


@dataclass
class BatchResult:
    """What a stage does with a batch: events for its output topic, and dead letters."""

    events: list[BaseModel] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)


def dead_letter_for(record: Record, stage: StageName, reason: str, error: str) -> DeadLetter:
    payload, encoding = DeadLetter.encode_payload(record.value)
    key = record.key.decode("utf-8", "replace") if record.key is not None else None
    return DeadLetter(
        stage=stage,
        reason=reason,
        error=error[:4_000],
        failed_at=utc_now(),
        posting_id=key,
        source_topic=record.topic,
        source_partition=record.partition,
        source_offset=record.offset,
        key=key,
        payload=payload,
        payload_encoding=encoding,
    )


def transform_batch(
    records: Sequence[Record],
    stage: StageName,
    transform: Callable[[bytes | None], BaseModel],
) -> BatchResult:
    """Apply a pure `transform` to each record's value; failures become dead letters.

    `InvalidEvent` means the record is not what this stage reads; a `PermanentError` is the
    domain code refusing the input, with its own reason code. Any other exception is a
    bug in this stage's code for this input: it is dead-lettered too, with the exception, so
    one posting cannot stop the pipeline and it can be redriven once the bug is fixed.
    """
    result = BatchResult()
    for record in records:
        try:
            result.events.append(transform(record.value))
        except InvalidEvent as error:
            result.dead_letters.append(dead_letter_for(record, stage, "invalid_event", str(error)))
        except PermanentError as error:
            result.dead_letters.append(dead_letter_for(record, stage, error.reason, str(error)))
        except Exception as error:
            where = traceback.format_exception_only(type(error), error)[-1].strip()
            result.dead_letters.append(dead_letter_for(record, stage, "processing_error", where))
    return result


# Does a batch's side effects (publish, write); returns only when they are durable.
BatchHandler = Callable[[Sequence[Record]], Awaitable[None]]
