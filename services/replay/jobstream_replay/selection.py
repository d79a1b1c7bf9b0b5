"""Which records a replay takes and where each one goes (pure: no Kafka here).

A `Selection` is what the operator asked for; `route_copy` and `route_dead_letter` decide, for
one record read from the source topic, the record to send or the reason it is skipped.
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from jobstream.contracts import (
    DEAD_LETTER_HEADER_SOURCE_TOPIC,
    DEAD_LETTER_HEADER_STAGE,
    REPLAY_HEADER_ID,
    REPLAY_HEADER_SOURCE_OFFSET,
    REPLAY_HEADER_SOURCE_PARTITION,
    REPLAY_HEADER_SOURCE_TOPIC,
    REPLAY_HEADERS,
    DeadLetter,
    InvalidEvent,
    decode,
)
from jobstream.stages import Record

Mode = Literal["copy", "dead-letters"]

# Why a record read was not sent; a bounded set, so it can label a metric.
SkipReason = Literal[
    "time",  # its timestamp is outside --since/--until
    "key",  # its key is not one of --key
    "header",  # it lacks a --header value
    "stage",  # a dead letter of another --stage
    "reason",  # a dead letter with another --reason
    "error_text",  # a dead letter whose error does not contain --error
    "invalid_dead_letter",  # a record of the dead-letter topic that is not a DeadLetter
    "no_target",  # a dead letter that does not say which topic it failed from
    "unknown_target",  # a dead letter from a topic this replay may not write to
    "already_sent",  # a resumed replay found it in the target already
]
SKIP_REASONS: Final[tuple[SkipReason, ...]] = (
    "time", "key", "header", "stage", "reason", "error_text", "invalid_dead_letter",
    "no_target", "unknown_target", "already_sent",
)  # fmt: skip

MAX_KEYS: Final = 1_000_000
MAX_KEY_CHARS: Final = 1_000


class Selection(BaseModel):
    """The records of the source topic a replay takes. Empty fields select everything.

    Offsets: `from_offset`/`until_offset` apply to every partition, `from_offsets`/
    `until_offsets` to one partition each (they win); `until*` are exclusive. Times bound
    record timestamps: `since` inclusive, `until` exclusive.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    partitions: tuple[int, ...] | None = None
    from_offset: int | None = Field(None, ge=0)
    until_offset: int | None = Field(None, ge=0)
    from_offsets: dict[int, int] = Field(default_factory=dict)
    until_offsets: dict[int, int] = Field(default_factory=dict)
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    keys: frozenset[str] = frozenset()
    headers: dict[str, frozenset[str]] = Field(default_factory=dict)
    limit: int | None = Field(None, ge=1)
    # Dead letters only.
    stages: frozenset[str] = frozenset()
    reasons: frozenset[str] = frozenset()
    error_text: str | None = None

    @property
    def filters_records(self) -> bool:
        """Whether records inside the planned offset ranges may be skipped."""
        return bool(
            self.since
            or self.until
            or self.keys
            or self.headers
            or self.stages
            or self.reasons
            or self.error_text
        )

    def from_for(self, partition: int) -> int | None:
        return self.from_offsets.get(partition, self.from_offset)

    def until_for(self, partition: int) -> int | None:
        return self.until_offsets.get(partition, self.until_offset)


@dataclass(frozen=True)
class Send:
    """A record to produce: to `topic`, with this key, value and headers."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class Skip:
    reason: SkipReason


Route = Send | Skip


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def record_skip(record: Record, selection: Selection) -> Skip | None:
    """The filters every mode shares: time, key and header values."""
    if record.timestamp_ms is not None and (
        (selection.since and record.timestamp_ms < _ms(selection.since))
        or (selection.until and record.timestamp_ms >= _ms(selection.until))
    ):
        return Skip("time")
    if selection.keys and (
        record.key is None or record.key.decode("utf-8", "replace") not in selection.keys
    ):
        return Skip("key")
    for name, wanted in selection.headers.items():
        values = {value.decode("utf-8", "replace") for key, value in record.headers if key == name}
        if not values & wanted:
            return Skip("header")
    return None


def replay_headers(
    record: Record, replay_id: str, keep: Sequence[tuple[str, bytes]] = ()
) -> tuple[tuple[str, bytes], ...]:
    """`keep` without earlier replay headers, then this replay's headers for `record`."""
    kept = tuple((name, value) for name, value in keep if name not in REPLAY_HEADERS)
    return (
        *kept,
        (REPLAY_HEADER_ID, replay_id.encode()),
        (REPLAY_HEADER_SOURCE_TOPIC, record.topic.encode()),
        (REPLAY_HEADER_SOURCE_PARTITION, str(record.partition).encode()),
        (REPLAY_HEADER_SOURCE_OFFSET, str(record.offset).encode()),
    )


def route_copy(record: Record, selection: Selection, replay_id: str, target: str) -> Route:
    """Copy: the same key, value and headers, plus the replay headers."""
    skip = record_skip(record, selection)
    if skip:
        return skip
    headers = replay_headers(record, replay_id, record.headers)
    return Send(target, record.key, record.value, headers)


def route_dead_letter(
    record: Record,
    selection: Selection,
    replay_id: str,
    allowed_targets: Collection[str],
    target: str | None = None,
) -> Route:
    """Redrive: the dead letter's original key and value, to the topic it failed from.

    The topic comes from the dead letter's header (or, lacking it, from the event), unless
    `target` overrides it; only `allowed_targets` may be written to, so a dead letter cannot
    send a replay to any topic it names.
    """
    skip = record_skip(record, selection)
    if skip:
        return skip
    stage = _header(record, DEAD_LETTER_HEADER_STAGE)
    if selection.stages and stage is not None and stage not in selection.stages:
        return Skip("stage")  # decided from the header: no need to decode the event
    try:
        letter = decode(DeadLetter, record.value)
    except InvalidEvent:
        return Skip("invalid_dead_letter")
    if selection.stages and letter.stage not in selection.stages:
        return Skip("stage")
    if selection.reasons and letter.reason not in selection.reasons:
        return Skip("reason")
    if selection.error_text and not _contains(letter, selection.error_text):
        return Skip("error_text")
    destination = target or _header(record, DEAD_LETTER_HEADER_SOURCE_TOPIC) or letter.source_topic
    if not destination:
        return Skip("no_target")
    if destination not in allowed_targets:
        return Skip("unknown_target")
    try:
        value = _payload(letter)
    except ValueError:  # base64 that does not decode: the dead letter is damaged
        return Skip("invalid_dead_letter")
    key = letter.key.encode("utf-8") if letter.key is not None else record.key
    return Send(destination, key, value, replay_headers(record, replay_id))


def _payload(letter: DeadLetter) -> bytes:
    if letter.payload_encoding == "base64":
        # strictly: lenient decoding would turn a damaged payload into other bytes
        return base64.b64decode(letter.payload, validate=True)
    return letter.payload_bytes()


def _contains(letter: DeadLetter, text: str) -> bool:
    needle = text.casefold()
    return needle in letter.error.casefold() or needle in letter.reason.casefold()


def _header(record: Record, name: str) -> str | None:
    for key, value in record.headers:
        if key == name:
            return value.decode("utf-8", "replace")
    return None


def replay_origin(headers: Sequence[tuple[str, bytes]], replay_id: str) -> tuple[int, int] | None:
    """(source partition, source offset) of a record this replay sent, else None."""
    found = {name: value for name, value in headers if name in REPLAY_HEADERS}
    if found.get(REPLAY_HEADER_ID) != replay_id.encode():
        return None
    try:
        partition = int(found[REPLAY_HEADER_SOURCE_PARTITION])
        offset = int(found[REPLAY_HEADER_SOURCE_OFFSET])
    except (KeyError, ValueError):
        return None
    return partition, offset
