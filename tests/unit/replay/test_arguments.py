"""Replay arguments: every bad combination is refused with a message saying what to change."""

from datetime import UTC, datetime, timedelta

import pytest

from jobstream_replay.arguments import (
    BadArguments,
    build_selection,
    check_rate,
    check_replay_id,
    clean_keys,
    parse_duration,
    parse_header,
    parse_offset,
    parse_time,
    parse_topic_partitions,
    reset_target,
)

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("2h", 7200), ("90m", 5400), ("1h30m", 5400), ("2d", 172800), ("1w", 604800),
     ("45s", 45), ("1.5h", 5400), (" 2H ", 7200)],
)  # fmt: skip
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "2", "h", "2x", "two hours", "-2h", "2h-"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(BadArguments, match="not a duration"):
        parse_duration(text)


def test_times_are_iso_or_a_duration_ago() -> None:
    assert parse_time("2h", NOW) == NOW - timedelta(hours=2)
    assert parse_time("2024-05-01", NOW) == datetime(2024, 5, 1, tzinfo=UTC)
    assert parse_time("2024-05-01T10:00:00Z", NOW) == datetime(2024, 5, 1, 10, tzinfo=UTC)
    with_zone = parse_time("2024-05-01T10:00:00+02:00", NOW)
    assert with_zone == datetime(2024, 5, 1, 8, tzinfo=UTC)
    assert parse_time("2024-05-01T10:00", NOW).tzinfo is UTC  # no zone: UTC


@pytest.mark.parametrize("text", ["yesterday", "2024-13-01", "10:00 tomorrow", "\x00"])
def test_bad_times_say_what_is_expected(text: str) -> None:
    with pytest.raises(BadArguments, match="neither an ISO-8601 time"):
        parse_time(text, NOW, "--since")


def test_a_duration_reaching_before_year_one_is_refused() -> None:
    with pytest.raises(BadArguments):
        parse_time("99999999w", NOW)


def test_offsets_for_every_partition_or_one() -> None:
    assert parse_offset("100", "--from-offset") == (None, 100)
    assert parse_offset("3:100", "--from-offset") == (3, 100)
    for bad in ("x", "3:", "-1", "3:-5", "-2:5", "1.5"):
        with pytest.raises(BadArguments, match="--from-offset"):
            parse_offset(bad, "--from-offset")


def test_headers_and_topic_partitions() -> None:
    assert parse_header("jobstream-stage=parser") == ("jobstream-stage", "parser")
    assert parse_header("a=b=c") == ("a", "b=c")
    assert parse_header("empty=") == ("empty", "")
    for bad in ("novalue", "=x", " =x"):
        with pytest.raises(BadArguments, match="NAME=VALUE"):
            parse_header(bad)
    assert parse_topic_partitions("raw") == ("raw", None)
    assert parse_topic_partitions("raw:3,0,3") == ("raw", (0, 3))
    for bad in (":1", "raw:", "raw:a", "raw:-1"):
        with pytest.raises(BadArguments, match="--topic"):
            parse_topic_partitions(bad)


def test_replay_ids_cannot_leave_the_checkpoint_folder() -> None:
    assert check_replay_id("backfill-2025_03") == "backfill-2025_03"
    for bad in ("", "../x", "a/b", ".hidden", "x" * 65, "a b", "é"):
        with pytest.raises(BadArguments, match="replay id"):
            check_replay_id(bad)


def test_rates() -> None:
    assert check_rate(None) is None
    assert check_rate(0.5) == 0.5
    for bad in (0, -1, 10_000_000):
        with pytest.raises(BadArguments, match="--rate"):
            check_rate(bad)


def test_keys_ignore_blanks_and_comments_and_are_bounded() -> None:
    assert clean_keys(["a", " b ", "", "# note", "a"]) == {"a", "b"}
    with pytest.raises(BadArguments, match="longer than"):
        clean_keys(["k" * 1001])


def test_a_full_selection() -> None:
    selection = build_selection(
        now=NOW,
        partitions=[3, 1, 3],
        from_offsets=["10", "3:20"],
        until_offsets=["1:50"],
        keys=["abc"],
        headers=["h=1", "h=2", "g=x"],
        limit=5,
    )
    assert selection.partitions == (1, 3)
    assert (selection.from_for(1), selection.from_for(3)) == (10, 20)
    assert (selection.until_for(1), selection.until_for(3)) == (50, None)
    assert selection.headers == {"h": frozenset({"1", "2"}), "g": frozenset({"x"})}
    assert selection.limit == 5 and selection.filters_records


def test_nothing_selected_means_everything() -> None:
    selection = build_selection(now=NOW)
    assert selection.partitions is None and not selection.filters_records


def test_times_resolve_against_now() -> None:
    selection = build_selection(now=NOW, since="3h", until="1h")
    assert selection.since == NOW - timedelta(hours=3)
    assert selection.until == NOW - timedelta(hours=1)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"since": "1h", "until": "3h"}, "is not before --until"),
        ({"since": "2025-01-02", "until": "2025-01-02"}, "is not before --until"),
        ({"from_offsets": ["5"], "since": "1h"}, "not both"),
        ({"until_offsets": ["5"], "until": "1h"}, "not both"),
        ({"from_offsets": ["5"], "until_offsets": ["5"]}, "exclusive"),
        ({"from_offsets": ["2:9"], "until_offsets": ["2:3"]}, "of partition 2"),
        ({"from_offsets": ["9"], "until_offsets": ["2:3"]}, "of partition 2"),
        ({"from_offsets": ["1", "2"]}, "given twice for every partition"),
        ({"partitions": [-1]}, "never negative"),
        ({"limit": 0}, "--limit"),
        ({"headers": ["nope"]}, "NAME=VALUE"),
        ({"stages": ["parsr"]}, "--stage parsr"),
        ({"error_text": "  "}, "--error"),
    ],
)
def test_bad_combinations(options: dict[str, object], message: str) -> None:
    with pytest.raises(BadArguments, match=message):
        build_selection(now=NOW, **options)  # type: ignore[arg-type]


def test_reset_targets() -> None:
    assert reset_target(now=NOW, to_earliest=True) == ("earliest", None)
    assert reset_target(now=NOW, to_latest=True) == ("latest", None)
    assert reset_target(now=NOW, to_offset=7) == ("offset", 7)
    assert reset_target(now=NOW, shift_by=-3) == ("shift", -3)
    kind, value = reset_target(now=NOW, to_datetime="1h")
    assert kind == "datetime" and value == int((NOW - timedelta(hours=1)).timestamp() * 1000)
    with pytest.raises(BadArguments, match=r"exactly one .* \(got none\)"):
        reset_target(now=NOW)
    with pytest.raises(BadArguments, match="got --to-earliest, --to-offset"):
        reset_target(now=NOW, to_earliest=True, to_offset=3)
    with pytest.raises(BadArguments, match="changes nothing"):
        reset_target(now=NOW, shift_by=0)
    with pytest.raises(BadArguments, match="never negative"):
        reset_target(now=NOW, to_offset=-1)
