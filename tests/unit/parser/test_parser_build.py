"""The parser's mypyc build (`jobstream.compiled` decides when it runs; tests/unit/test_compiled.py
tests that): the pure-Python modules load when asked, and both builds parse alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import jobstream_parser
from jobstream import mypyc_build
from jobstream.contracts import RawPosting, Source
from jobstream_parser.parse import NotAPosting, parse
from jobstream_parser.tools import compile as compile_tool
from jobstream_parser.tools.real_postings import attach_texts, read_real_set, texts_dir_for

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
RECEIVED_AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_the_pure_build_loads_every_module_from_its_source() -> None:
    code = (
        "import jobstream_parser, jobstream_parser.parse as p; "
        "print(jobstream_parser.BUILD, p.__file__)"
    )
    env = {**os.environ, jobstream_parser.PURE_ENV: "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()

    assert out == ["python", str(jobstream_parser.PACKAGE_DIR / "parse.py")]


def test_make_goes_on_without_the_tools(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(mypyc_build, "up_to_date", lambda *_: False)
    monkeypatch.setattr(mypyc_build, "compile_modules", lambda *_: "no C compiler (cc not on PATH)")

    assert compile_tool.main([]) == 0  # the pure-Python modules are there
    assert "pure Python" in capsys.readouterr().out


def _texts() -> dict[str, str]:
    """The coverage set, the seeds, the real postings' TUNE part (never the check part; those
    whose texts are here), 300 benchmark postings and the benchmark's adversarial inputs."""
    from bench.bench_parser import ADVERSARIAL, ADVERSARIAL_CHARS
    from bench.corpus import postings

    texts = {f"bench/{number}": text for number, text in enumerate(postings(300))}
    labelled = ROOT / "tests" / "data" / "parser_labelled.jsonl"
    for line in labelled.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            texts[f"labelled/{item['id']}"] = item["text"]
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        texts[f"seeds/{seed.name}"] = seed.read_text(encoding="utf-8")
    real = ROOT / "tests" / "data" / "real_postings"
    found, _ = read_real_set(real)
    tune = attach_texts([p for p in found if p.part == "tune"], texts_dir_for(real))
    texts.update({f"tune/{key}": text for key, text in tune.texts.items()})
    texts.update({f"adversarial/{k}": v[:ADVERSARIAL_CHARS] for k, v in ADVERSARIAL.items()})
    return texts


def _outcome(text: str) -> object:
    raw = RawPosting.from_text(text, Source(channel="cli")).model_copy(
        update={"received_at": RECEIVED_AT}
    )
    try:
        return json.loads(parse(raw).model_dump_json())
    except NotAPosting as refusal:
        return {"refused": refusal.reason, "message": str(refusal)}


# The child reads the texts from a file and writes each outcome as this module's `_outcome` does.
_PURE_CHILD = """
import json, sys
import jobstream_parser
from tests.unit.parser.test_parser_build import _outcome
texts = json.load(open(sys.argv[1], encoding="utf-8"))
out = {key: _outcome(text) for key, text in texts.items()}
json.dump({"build": jobstream_parser.BUILD, "outcomes": out}, open(sys.argv[2], "w"))
"""


@pytest.mark.skipif(
    jobstream_parser.BUILD != "compiled",
    reason="pure Python here (no build of these sources, or JOBSTREAM_PARSER_PURE=1)",
)
def test_the_compiled_build_parses_as_the_pure_modules_do(tmp_path: Path) -> None:
    texts = _texts()
    assert sum(key.startswith("tune/") for key in texts) >= 45  # those kept in the repository
    (tmp_path / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-c", _PURE_CHILD, str(tmp_path / "texts.json"), str(tmp_path / "o")],
        env={**os.environ, jobstream_parser.PURE_ENV: "1"},
        cwd=ROOT,
        check=True,
    )
    pure = json.loads((tmp_path / "o").read_text())

    assert pure["build"] == "python"
    assert parse.__module__ == "jobstream_parser.parse"
    assert not (sys.modules["jobstream_parser.parse"].__file__ or "").endswith(".py")
    differing = [key for key, text in texts.items() if _outcome(text) != pure["outcomes"][key]]
    assert differing == []
