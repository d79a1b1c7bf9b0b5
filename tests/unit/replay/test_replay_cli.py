"""`jobstream replay` refusing bad arguments before it contacts Kafka, and what it prints."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from jobstream.cli import CommandGroups, app, evaluate, serve
from jobstream_replay import cli as replay_cli
from jobstream_replay.arguments import build_selection
from jobstream_replay.checkpoint import BatchOutcome, ReplayRequest, apply_batch, start_state
from jobstream_replay.plan import PartitionRange, ReplayPlan
from jobstream_replay.reporting import describe_request, progress_bar, summary_table

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 10, tzinfo=UTC)
# Nothing listens here: a command that reached Kafka would fail differently (and slowly).
NO_KAFKA = {"JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "COLUMNS": "200"}


@pytest.fixture(scope="module")
def jobstream() -> typer.Typer:
    if not any(group.name == "replay" for group in app.registered_groups):
        replay_cli.register(CommandGroups(root=app, serve=serve, evaluate=evaluate))
    return app


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["copy"], "name the topic to copy"),
        (["copy", "raw", "--since", "1h", "--until", "2h"], "is not before --until"),
        (["copy", "raw", "--since", "last tuesday"], "neither an ISO-8601 time"),
        (["copy", "raw", "--until-offset", "5", "--since", "1h"], "not both"),
        (["copy", "raw", "--from-offset", "x"], "must be an offset N or PARTITION:N"),
        (["copy", "raw", "--header", "novalue"], "NAME=VALUE"),
        (["copy", "raw", "--rate", "0"], "--rate must be above 0"),
        (["copy", "raw", "--replay-id", "../../etc"], "replay id"),
        (["copy", "raw", "--resume", "r1"], "leave out the topic"),
        (["dead-letters", "--stage", "parsr"], "--stage parsr"),
        (["dead-letters", "--resume", "r1", "--error", "x"], "leave out --error"),
        (["reset", "parser"], "give exactly one of"),
        (["reset", "parser", "--to-offset", "-1"], "never negative"),
        (["reset", "parser", "--to-latest", "--topic", "raw:x"], "partitions must be numbers"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    jobstream: typer.Typer, args: list[str], message: str, tmp_path: Path
) -> None:
    env = {**NO_KAFKA, "JOBSTREAM_REPLAY_CHECKPOINT_DIR": str(tmp_path)}
    result = CliRunner().invoke(jobstream, ["replay", *args], env=env)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())


def test_keys_files_are_bounded_and_must_be_text(jobstream: typer.Typer, tmp_path: Path) -> None:
    binary = tmp_path / "keys.bin"
    binary.write_bytes(b"\xff\xfe\x00bad")
    env = {**NO_KAFKA, "JOBSTREAM_REPLAY_CHECKPOINT_DIR": str(tmp_path)}
    for path, message in ((binary, "is not UTF-8 text"), (tmp_path / "none", "No such file")):
        result = CliRunner().invoke(
            jobstream, ["replay", "copy", "raw", "--keys-file", str(path)], env=env
        )
        assert result.exit_code == 2 and message in result.stderr, result.output


def test_the_summary_says_what_was_sent_where_and_what_was_skipped_why() -> None:
    request = ReplayRequest(
        replay_id="r1",
        mode="dead-letters",
        source="ns.dead",
        target=None,
        selection=build_selection(now=NOW, stages=["parser"], error_text="KeyError", limit=9),
        created_at=NOW,
    )
    state = start_state(request, ReplayPlan("ns.dead", (PartitionRange(0, 0, 10),)), NOW)
    state = apply_batch(
        state,
        BatchOutcome(
            next_offsets={0: 10},
            sent_to=Counter({"ns.raw": 4}),
            skipped=Counter({"stage": 5, "unknown_target": 1}),
        ),
        NOW,
    )
    console = Console(width=120, record=True)
    console.print(summary_table(request, state, 2.0, Path("/x/r1.state.json")))
    text = " ".join(console.export_text().split())
    for expected in (
        "read │ 10 of 10 offsets planned",
        "sent │ 4",
        "to ns.raw │ 4",
        "stage │ 5",
        "unknown_target │ 1",
        "2.0 s (5 records/s read)",
    ):
        assert expected in text
    described = describe_request(request)
    assert "the topic each dead letter failed from" in described
    assert "stage parser" in described and "'KeyError'" in described and "at most 9" in described


@pytest.mark.parametrize(("dry_run", "says"), [(True, "would send 3"), (False, "sent 3")])
def test_the_progress_bar_of_a_dry_run_says_would_send(dry_run: bool, says: str) -> None:
    out = io.StringIO()
    bar = progress_bar(Console(file=out, width=200, force_terminal=False), dry_run=dry_run)
    with bar:
        bar.add_task("copy", total=10, completed=4, sent=3, skipped=1)
    text = out.getvalue()
    assert f"{says} skipped 1" in text
    if dry_run:
        assert " sent 3" not in text.replace("would send 3", "")
