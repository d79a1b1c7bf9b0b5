"""The tagger's two builds (its hot modules compiled by mypyc, or pure Python) tag alike.

`make` compiles the modules of `tools/compile.py` (jobstream.compiled says which build runs);
without mypyc or a C compiler the tagger runs as pure Python. Each build tags the same postings
in a process of its own, and every tagged event and unknown term must be the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import jobstream_tagger
from bench.corpus import postings
from jobstream.settings import PROJECT_ROOT
from jobstream_tagger import PURE_ENV

pytestmark = pytest.mark.unit

# Tags the texts of a JSON file as the service does (decoded from its event, a fixed clock),
# the first line taken as the title; writes the build, then one line per posting, to a file (the
# service's log lines go to stdout).
_TAG_ALL = """
import json, sys
from datetime import UTC, datetime
import jobstream_tagger
from jobstream.contracts import ParsedPosting, Source, Span, encode, posting_id_for
from jobstream.stages import Record
from jobstream_tagger.bootstrap import tag_records_with
from jobstream_tagger.tag import analyse
from jobstream_tagger.taxonomy import load_taxonomy

class Clock:
    def now(self):
        return datetime(2026, 12, 7, tzinfo=UTC)

taxonomy = load_taxonomy()
tag_record = tag_records_with(taxonomy, Clock())
out = open(sys.argv[2], "w", encoding="utf-8")
print(jobstream_tagger.BUILD, file=out)
for number, text in enumerate(json.load(open(sys.argv[1], encoding="utf-8"))):
    title = text.split("\\n", 1)[0][:200]
    parsed = ParsedPosting(
        posting_id=posting_id_for(text), received_at=Clock().now(), source=Source(channel="cli"),
        parser_version="test", text=text, title=title or None,
        evidence={"title": Span(start=0, end=len(title))} if title else {},
    )
    tagged = encode(tag_record(Record("parsed", 0, number, None, encode(parsed))))
    terms = [list(term) for term in analyse(parsed, taxonomy).unknown_terms]
    print(json.dumps([tagged.decode("utf-8"), terms]), file=out)
out.close()
"""


def _texts() -> list[str]:
    """The seeds, the parser's labelled postings and some of the benchmark's postings."""
    texts = [path.read_text("utf-8") for path in sorted((PROJECT_ROOT / "seeds").glob("*.txt"))]
    labelled = PROJECT_ROOT / "tests" / "data" / "parser_labelled.jsonl"
    with labelled.open(encoding="utf-8") as lines:
        texts += [json.loads(line)["text"] for line in lines]
    return texts + list(postings(300))


def _tagged(texts: Path, pure: bool) -> list[str]:
    env = {key: value for key, value in os.environ.items() if key != PURE_ENV}
    if pure:
        env[PURE_ENV] = "1"
    output = texts.with_name(f"tagged-{'python' if pure else 'compiled'}.jsonl")
    subprocess.run(
        [sys.executable, "-c", _TAG_ALL, str(texts), str(output)],
        capture_output=True,
        check=True,
        env=env,
        cwd=PROJECT_ROOT,
    )
    return output.read_text("utf-8").splitlines()


@pytest.mark.skipif(
    jobstream_tagger.BUILD != "compiled",
    reason="no compiled build (make compiles it; without mypyc or a C compiler it runs as Python)",
)
def test_the_compiled_tagger_tags_as_the_pure_python_one(tmp_path: Path) -> None:
    texts = _texts()
    assert len(texts) > 300
    file = tmp_path / "texts.json"
    file.write_text(json.dumps(texts), encoding="utf-8")
    compiled, pure = _tagged(file, pure=False), _tagged(file, pure=True)
    assert (compiled[0], pure[0]) == ("compiled", "python")
    assert len(compiled) == len(pure) == len(texts) + 1
    for number, (one, other) in enumerate(zip(compiled[1:], pure[1:], strict=True)):
        assert one == other, texts[number][:200]
    skills = sum(len(json.loads(json.loads(line)[0])["skills"]) for line in compiled[1:])
    assert skills > 5 * len(texts)  # it found something to compare
