"""Where a group reset moves each partition's committed offset (pure).

The same targets as `kafka-consumer-groups --reset-offsets`: earliest, latest, the first
offset at or after a time, an offset, or a shift from the committed offset; a target outside
what the partition holds is clamped to it, and the clamp is reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jobstream.errors import JobstreamError
from jobstream_replay.arguments import ResetKind

TopicPartition = tuple[str, int]


class ResetError(JobstreamError, ValueError):
    """A reset that cannot be computed; the message says why."""


@dataclass(frozen=True)
class ResetRow:
    topic: str
    partition: int
    current: int | None  # the committed offset; None when the group has none there
    target: int
    earliest: int
    latest: int
    clamped: bool = False

    @property
    def moves(self) -> bool:
        return self.current != self.target

    @property
    def lag(self) -> int:
        """Records the group will read from the new offset (as things stand now)."""
        return self.latest - self.target


def reset_partitions(
    requested: Sequence[tuple[str, tuple[int, ...] | None]],
    topic_partitions: Mapping[str, Sequence[int]],
    committed: Mapping[TopicPartition, int],
) -> list[TopicPartition]:
    """The partitions to reset: those named, else every partition of the topics where the
    group has committed offsets."""
    if not requested:
        topics = sorted({topic for topic, _ in committed})
        if not topics:
            raise ResetError("the group has no committed offsets: name the topics with --topic")
        requested = [(topic, None) for topic in topics]
    chosen: list[TopicPartition] = []
    for topic, partitions in requested:
        present = topic_partitions[topic]
        missing = sorted(set(partitions or ()) - set(present))
        if missing:
            raise ResetError(
                f"topic {topic!r} has no partition {', '.join(map(str, missing))} "
                f"(it has {len(present)})"
            )
        chosen.extend((topic, p) for p in sorted(partitions or present))
    return sorted(set(chosen))


def plan_reset(
    kind: ResetKind,
    value: int | None,
    partitions: Sequence[TopicPartition],
    committed: Mapping[TopicPartition, int],
    beginnings: Mapping[TopicPartition, int],
    ends: Mapping[TopicPartition, int],
    at_time: Mapping[TopicPartition, int | None] | None = None,
) -> list[ResetRow]:
    """The new offset of each partition. `at_time` is Kafka's answer for a datetime: the first
    offset at or after it, None when every record is older (the target is then the end)."""
    rows = []
    for tp in partitions:
        earliest, latest = beginnings[tp], ends[tp]
        current = committed.get(tp)
        if kind == "earliest":
            wanted = earliest
        elif kind == "latest":
            wanted = latest
        elif kind == "datetime":
            if at_time is None:
                raise ResetError("a datetime reset needs the offsets at that time")
            found = at_time.get(tp)
            wanted = latest if found is None else found
        elif kind == "offset":
            wanted = _required(value, kind)
        else:
            if current is None:
                raise ResetError(
                    f"the group has no committed offset on {tp[0]} partition {tp[1]} to shift "
                    "from: reset it with --to-earliest, --to-latest, --to-datetime or --to-offset"
                )
            wanted = current + _required(value, kind)
        target = min(max(wanted, earliest), latest)
        rows.append(
            ResetRow(tp[0], tp[1], current, target, earliest, latest, clamped=target != wanted)
        )
    return rows


def _required(value: int | None, kind: str) -> int:
    if value is None:
        raise ResetError(f"a reset {kind} needs a value")
    return value
