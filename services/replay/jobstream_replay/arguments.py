"""The replay tool's arguments: parsed and checked before anything is read (pure).

Every problem raises `BadArguments` with a message that says what to change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final, Literal, get_args

from pydantic import ValidationError

from jobstream.errors import JobstreamError
from jobstream.topology import StageName
from jobstream_replay.selection import MAX_KEY_CHARS, MAX_KEYS, Selection

REPLAY_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_DURATION_PART: Final = re.compile(r"(\d+(?:\.\d+)?)([wdhms])")
_DURATION: Final = re.compile(r"^(?:\d+(?:\.\d+)?[wdhms])+$")
_UNITS: Final = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
_STAGES: Final = frozenset(get_args(StageName))
MAX_RATE: Final = 1_000_000.0


class BadArguments(JobstreamError, ValueError):
    """Arguments that cannot make a replay; the message says what is wrong."""


def parse_duration(text: str) -> timedelta:
    """'2h', '90m', '1h30m', '2d', '1w', '45s' (a number then a unit, repeated)."""
    compact = text.strip().lower().replace(" ", "")
    if not _DURATION.match(compact):
        raise BadArguments(f"{text!r} is not a duration like 2h, 90m, 1h30m, 2d")
    seconds = sum(float(n) * _UNITS[unit] for n, unit in _DURATION_PART.findall(compact))
    try:
        return timedelta(seconds=seconds)
    except OverflowError as error:
        raise BadArguments(f"{text!r} is too long a duration") from error


def parse_time(text: str, now: datetime, option: str = "time") -> datetime:
    """An ISO-8601 time ('2024-05-01', '2024-05-01T10:00:00+02:00'; without a zone: UTC), or
    a duration meaning that long before `now` ('2h')."""
    text = text.strip()
    if _DURATION.match(text.lower().replace(" ", "")):
        try:
            return now - parse_duration(text)
        except OverflowError as error:
            raise BadArguments(f"{option} {text!r} reaches before year 1") from error
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise BadArguments(
            f"{option} {text!r} is neither an ISO-8601 time (2024-05-01T10:00:00Z) "
            "nor a duration (2h, 30m, 1d)"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_offset(text: str, option: str) -> tuple[int | None, int]:
    """'N' (every partition) or 'P:N' (partition P): (partition or None, offset)."""
    partition, _, offset = text.strip().rpartition(":")
    try:
        value = int(offset)
        where = int(partition) if partition else None
    except ValueError as error:
        raise BadArguments(f"{option} {text!r} must be an offset N or PARTITION:N") from error
    if value < 0 or (where is not None and where < 0):
        raise BadArguments(f"{option} {text!r}: offsets and partitions are never negative")
    return where, value


def parse_header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise BadArguments(f"--header {text!r} must be NAME=VALUE")
    return name.strip(), value


def parse_topic_partitions(text: str) -> tuple[str, tuple[int, ...] | None]:
    """'raw' (every partition) or 'raw:0,3' (partitions 0 and 3), as kafka-consumer-groups."""
    name, sep, partitions = text.strip().partition(":")
    if not name:
        raise BadArguments(f"--topic {text!r} must be TOPIC or TOPIC:PARTITION,PARTITION")
    if not sep:
        return name, None
    try:
        numbers = tuple(sorted({int(item) for item in partitions.split(",") if item.strip()}))
    except ValueError as error:
        raise BadArguments(f"--topic {text!r}: partitions must be numbers like 0,3") from error
    if not numbers or min(numbers) < 0:
        raise BadArguments(f"--topic {text!r}: name at least one partition, none negative")
    return name, numbers


def check_replay_id(replay_id: str) -> str:
    if not REPLAY_ID.match(replay_id):
        raise BadArguments(
            f"replay id {replay_id!r} must be 1-64 letters, digits, '-' or '_' "
            "(it names the checkpoint file)"
        )
    return replay_id


def check_rate(rate: float | None) -> float | None:
    if rate is not None and not 0 < rate <= MAX_RATE:
        raise BadArguments(f"--rate must be above 0 and at most {MAX_RATE:,.0f} records/s")
    return rate


def clean_keys(lines: Iterable[str]) -> frozenset[str]:
    """Keys from --key and --keys-file lines: blank lines and '#' comments are ignored."""
    keys: set[str] = set()
    for line in lines:
        key = line.strip()
        if not key or key.startswith("#"):
            continue
        if len(key) > MAX_KEY_CHARS:
            raise BadArguments(f"a key is longer than {MAX_KEY_CHARS} characters: {key[:40]}…")
        keys.add(key)
        if len(keys) > MAX_KEYS:
            raise BadArguments(f"more than {MAX_KEYS:,} keys: select by time or offset instead")
    return frozenset(keys)


def build_selection(
    *,
    now: datetime,
    partitions: Sequence[int] = (),
    from_offsets: Sequence[str] = (),
    until_offsets: Sequence[str] = (),
    since: str | None = None,
    until: str | None = None,
    keys: Iterable[str] = (),
    headers: Sequence[str] = (),
    limit: int | None = None,
    stages: Sequence[str] = (),
    reasons: Sequence[str] = (),
    error_text: str | None = None,
) -> Selection:
    """Check the options together and build the selection they describe."""
    if (from_offsets or until_offsets) and (since or until):
        raise BadArguments(
            "give offsets (--from-offset/--until-offset) or times (--since/--until), not both"
        )
    if any(partition < 0 for partition in partitions):
        raise BadArguments("--partition numbers are never negative")
    if limit is not None and limit < 1:
        raise BadArguments("--limit must be 1 or more")
    start = _offsets(from_offsets, "--from-offset")
    stop = _offsets(until_offsets, "--until-offset")
    for partition in sorted(set(start) | set(stop), key=lambda p: -1 if p is None else p):
        first = start.get(partition, start.get(None))
        last = stop.get(partition, stop.get(None))
        if first is not None and last is not None and first >= last:
            where = "" if partition is None else f" of partition {partition}"
            raise BadArguments(
                f"--from-offset {first} is not before --until-offset {last}{where} "
                "(--until-offset is exclusive)"
            )
    since_at = parse_time(since, now, "--since") if since else None
    until_at = parse_time(until, now, "--until") if until else None
    if since_at and until_at and since_at >= until_at:
        raise BadArguments(
            f"--since ({since_at.isoformat()}) is not before --until ({until_at.isoformat()})"
        )
    wanted: dict[str, set[str]] = {}
    for text in headers:
        name, value = parse_header(text)
        wanted.setdefault(name, set()).add(value)
    unknown = sorted(set(stages) - _STAGES)
    if unknown:
        raise BadArguments(f"--stage {', '.join(unknown)}: stages are {', '.join(sorted(_STAGES))}")
    if error_text is not None and not error_text.strip():
        raise BadArguments("--error needs some text to look for")
    try:
        return Selection(
            partitions=tuple(sorted(set(partitions))) or None,
            from_offset=start.pop(None, None),
            until_offset=stop.pop(None, None),
            from_offsets={p: n for p, n in start.items() if p is not None},
            until_offsets={p: n for p, n in stop.items() if p is not None},
            since=since_at,
            until=until_at,
            keys=clean_keys(keys),
            headers={name: frozenset(values) for name, values in wanted.items()},
            limit=limit,
            stages=frozenset(stages),
            reasons=frozenset(reasons),
            error_text=error_text,
        )
    except ValidationError as error:  # a bound the checks above missed: still a clear message
        raise BadArguments(str(error)) from error


def _offsets(texts: Sequence[str], option: str) -> dict[int | None, int]:
    offsets: dict[int | None, int] = {}
    for text in texts:
        partition, offset = parse_offset(text, option)
        if partition in offsets:
            what = "every partition" if partition is None else f"partition {partition}"
            raise BadArguments(f"{option} is given twice for {what}")
        offsets[partition] = offset
    return offsets


ResetKind = Literal["earliest", "latest", "datetime", "offset", "shift"]


def reset_target(
    *,
    now: datetime,
    to_earliest: bool = False,
    to_latest: bool = False,
    to_datetime: str | None = None,
    to_offset: int | None = None,
    shift_by: int | None = None,
) -> tuple[ResetKind, int | None]:
    """Exactly one reset target: (kind, value); a datetime's value is in epoch milliseconds."""
    given = [
        name
        for name, value in (
            ("--to-earliest", to_earliest),
            ("--to-latest", to_latest),
            ("--to-datetime", to_datetime is not None),
            ("--to-offset", to_offset is not None),
            ("--shift-by", shift_by is not None),
        )
        if value
    ]
    if len(given) != 1:
        raise BadArguments(
            "give exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset, "
            f"--shift-by (got {', '.join(given) if given else 'none'})"
        )
    if to_earliest:
        return "earliest", None
    if to_latest:
        return "latest", None
    if to_datetime is not None:
        moment = parse_time(to_datetime, now, "--to-datetime")
        return "datetime", int(moment.timestamp() * 1000)
    if to_offset is not None:
        if to_offset < 0:
            raise BadArguments("--to-offset is never negative")
        return "offset", to_offset
    if shift_by == 0:
        raise BadArguments("--shift-by 0 changes nothing")
    return "shift", shift_by
