"""The CLI's conventions: --version, --json where a command prints a result, developers'
commands under `jobstream dev` (their old names still work, hidden), previews by default."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer

from jobstream import __version__
from jobstream_stack.services import jobstream_command

pytestmark = pytest.mark.unit

# Commands that print a result a script may want to read.
RESULT_COMMANDS = [
    ("status",),
    ("ingest",),
    ("topics", "list"),
    ("taxonomy", "show"),
    ("replay", "copy"),
    ("replay", "dead-letters"),
    ("replay", "list"),
]
DEV_COMMANDS = {"schemas", "dashboards", "manifests", "install-test-tools"}


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [jobstream_command(), *args], capture_output=True, text=True, timeout=120, env=env
    )


@pytest.fixture(scope="module")
def root() -> Any:
    from importlib.metadata import entry_points

    from jobstream.cli import CommandGroups, app, dev, evaluate, serve

    groups = CommandGroups(root=app, serve=serve, evaluate=evaluate, dev=dev)
    for entry in entry_points(group="jobstream.commands"):
        entry.load()(groups)
    return typer.main.get_command(app)


def find(root: Any, path: tuple[str, ...]) -> Any:
    command: Any = root
    for name in path:
        assert hasattr(command, "commands"), path
        found = command.commands.get(name)
        assert found is not None, f"no command {' '.join(path)}"
        command = found
    return command


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"jobstream {__version__}"


@pytest.mark.parametrize("path", RESULT_COMMANDS, ids=" ".join)
def test_commands_that_print_a_result_offer_json(root: Any, path: tuple[str, ...]) -> None:
    options = {opt for param in find(root, path).params for opt in getattr(param, "opts", [])}
    assert "--json" in options


def test_developer_commands_live_under_dev(root: Any) -> None:
    dev = find(root, ("dev",))
    assert set(dev.commands) == DEV_COMMANDS
    # The old names still work for scripts and habits, but are not shown.
    assert find(root, ("schemas", "write")) is not None
    assert find(root, ("stack", "dashboards")).hidden
    assert find(root, ("stack", "install-test-tools")).hidden
    visible = [name for name, command in root.commands.items() if not command.hidden]
    assert "schemas" not in visible


def test_replay_reset_previews_unless_told_to_execute(root: Any) -> None:
    reset = find(root, ("replay", "reset"))
    params = {param.name: param for param in reset.params}
    assert params["execute"].default is False
    assert params["dry_run"].hidden  # the old flag is accepted, the preview is the default


def test_taxonomy_show_json() -> None:
    result = run("taxonomy", "show", "--json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["skills"] == sum(shown["categories"].values()) > 1000
    assert shown["version"] and "O*NET" in shown["attribution"]


def test_replay_list_json(tmp_path: Path) -> None:
    import os

    checkpoints = tmp_path / "checkpoints"
    checkpoints.mkdir()
    (checkpoints / "broken.state.json").write_text("{not json")
    (checkpoints / "broken.request.json").write_text("{not json")
    env = {**os.environ, "JOBSTREAM_REPLAY_CHECKPOINT_DIR": str(checkpoints)}
    result = run("replay", "list", "--json", env=env)
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert listed["directory"] == str(checkpoints)
    [row] = listed["replays"]
    assert row["replay_id"] == "broken" and row["status"].startswith("unreadable")


def test_a_root_command_starts_with_its_own_package_only(root: Any) -> None:
    """`jobstream.root_commands` names commands its package really adds at the top level, and
    such a command loads that package alone; anything else loads every package."""
    from importlib.metadata import entry_points

    from jobstream.cli import command_packages

    every = list(entry_points(group="jobstream.commands"))
    named = list(entry_points(group="jobstream.root_commands"))
    assert {entry.name for entry in named} >= {"export", "search"}
    for entry in named:
        assert entry.name in root.commands, entry.name
        assert [e.value for e in command_packages([entry.name, "--help"])] == [entry.value]
    assert command_packages([]) == command_packages(["--help"]) == every
    assert command_packages(["stack", "up"]) == every
    done = run("export", "--help")
    assert done.returncode == 0 and "--format" in done.stdout
