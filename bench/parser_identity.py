"""The parser's output, recorded and compared: a speed-up must not change a single field.

    python -m bench.parser_identity record          # this checkout's output -> the record
    python -m bench.parser_identity check           # compare this checkout with the record
    python -m bench.parser_identity record --ref main   # the record from another commit

The corpus: the 1,000 benchmark postings (`bench/corpus.py`), the coverage set
(`tests/data/parser_labelled.jsonl`), `seeds/`, the TUNE part of the real postings (texts in
the repository or rebuilt beside it; the CHECK part is never read), the LA city bulletins in
`../shared/data/la-bulletins` (test input only, read where they are, never copied) and the
benchmark's adversarial texts. Each outcome (the whole event as JSON, or the refusal's reason
and message) is recorded per input; `check` names each input and field that differs.

`--ref REF` parses with the parser and contracts of another commit (`git archive` of
`services/parser` and `libs` into a temporary folder put first on the path), so that after a
rule change lands on main the record is regenerated from main's output in one command. The
record is a git-ignored file (`bench/results/parser_identity.json.gz`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "bench" / "results" / "parser_identity.json.gz"
# Beside the checkout (`/work/main`), or beside the folder of worktrees (`/work/wt/<name>`).
BULLETINS = next(
    (
        folder / "shared" / "data" / "la-bulletins"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared" / "data" / "la-bulletins").is_dir()
    ),
    ROOT.parent / "shared" / "data" / "la-bulletins",
)
# Dates in the text are read relative to the day the posting was received: fix that day.
RECEIVED_AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def corpus() -> Iterator[tuple[str, str]]:
    """(key, text) of every input, in a fixed order."""
    from bench.bench_parser import ADVERSARIAL, ADVERSARIAL_CHARS
    from bench.corpus import postings, read_corpus
    from jobstream_parser.tools.real_postings import (
        attach_texts,
        read_real_set,
        texts_dir_for,
    )

    for number, text in enumerate(postings(1_000)):
        yield f"bench/{number}", text
    labelled = ROOT / "tests" / "data" / "parser_labelled.jsonl"
    for line in labelled.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            yield f"labelled/{item['id']}", item["text"]
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        yield f"seeds/{seed.name}", seed.read_text(encoding="utf-8")
    real = ROOT / "tests" / "data" / "real_postings"
    found, _ = read_real_set(real)
    tune = attach_texts([p for p in found if p.part == "tune"], texts_dir_for(real))
    for key, text in sorted(tune.texts.items()):
        yield f"tune/{key}", text
    if BULLETINS.is_dir():
        for bulletin in sorted(BULLETINS.iterdir()):
            for number, text in enumerate(read_corpus(bulletin)):
                yield f"bulletins/{bulletin.name}/{number}", text
    for name, text in ADVERSARIAL.items():
        yield f"adversarial/{name}", text[:ADVERSARIAL_CHARS]


def outcomes() -> dict[str, object]:
    """Every input's outcome with this interpreter's parser: the event, or the refusal."""
    from jobstream.contracts import RawPosting, Source
    from jobstream_parser.parse import NotAPosting, parse

    results: dict[str, object] = {}
    for key, text in corpus():
        raw = RawPosting.from_text(text, Source(channel="cli")).model_copy(
            update={"received_at": RECEIVED_AT}
        )
        try:
            parsed = parse(raw)
        except NotAPosting as refusal:
            results[key] = {"refused": refusal.reason, "message": str(refusal)}
            continue
        results[key] = json.loads(parsed.model_dump_json())
    return results


def _from_ref(ref: str) -> dict[str, object]:
    """The outcomes of commit `ref`'s parser and contracts, run in a child interpreter."""
    with tempfile.TemporaryDirectory(prefix="parser-identity-") as folder:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "services/parser", "libs"],
            check=True,
            capture_output=True,
        ).stdout
        tar_path = Path(folder) / "ref.tar"
        tar_path.write_bytes(archive)
        with tarfile.open(tar_path) as tar:
            tar.extractall(folder, filter="data")
        out = Path(folder) / "out.json"
        path = os.pathsep.join(
            [str(Path(folder) / "services" / "parser"), str(Path(folder) / "libs"), str(ROOT)]
        )
        code = (
            "import json; from bench.parser_identity import outcomes; "
            f"json.dump(outcomes(), open({str(out)!r}, 'w'))"
        )
        subprocess.run(
            [sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": path}
        )
        return json.loads(out.read_text())  # type: ignore[no-any-return]


def _differences(old: dict[str, object], new: dict[str, object]) -> list[str]:
    found = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            fields = sorted(
                name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
            )
            found.append(f"{key}: {', '.join(fields)}")
        else:
            found.append(
                f"{key}: {'missing' if before is None else 'added' if after is None else 'outcome'}"
            )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["record", "check"])
    parser.add_argument("--ref", help="record another commit's output (e.g. main)")
    parser.add_argument("--record", type=Path, default=RECORD)
    args = parser.parse_args(argv)
    results = _from_ref(args.ref) if args.ref else outcomes()
    if args.action == "record":
        args.record.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(args.record, "wt", encoding="utf-8") as file:
            json.dump(results, file, sort_keys=True)
        print(f"recorded {len(results)} outcomes to {args.record}")
        return 0
    with gzip.open(args.record, "rt", encoding="utf-8") as file:
        recorded = json.load(file)
    differences = _differences(recorded, results)
    for line in differences[:50]:
        print(line)
    print(f"{len(results)} outcomes, {len(differences)} differ from {args.record}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
