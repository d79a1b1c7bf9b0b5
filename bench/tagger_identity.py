"""The tagger's identity guard: a speed change must tag every posting exactly as before.

    python -m bench.tagger_identity write DIR   # parse a fixed corpus, tag it, keep both
    python -m bench.tagger_identity check DIR   # tag DIR's parsed events again, compare

`write` parses a fixed corpus once (the seeds, the parser's coverage set, the city job
bulletins of ../shared/data, postings rebuilt from the SkillSpan TRAINING split — never its
dev or test splits — and the benchmark's 2,000 postings) and keeps the parsed events in
DIR/parsed.jsonl, so that later parser changes do not change the guard's input. For each it
keeps what the tagger service publishes (the tagged event, `tagged_at` from a fixed clock)
and the unknown terms it reports, in DIR/tagged.jsonl. `check` tags DIR's parsed events
with the code checked out now and reports every line that differs (exit 1 if any does).

The files stay outside the repository (the bulletins are test input only, never copied in):
use a temporary folder. When a change is meant to change tags (a retrained span model), run
`write` again from main's code before comparing a speed change against it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bench.corpus import postings
from jobstream.contracts import ParsedPosting, RawPosting, Source, decode, encode
from jobstream.logs import configure_logging
from jobstream.stages import Record
from jobstream_tagger.bootstrap import tag_records_with
from jobstream_tagger.tag import analyse, span_model
from jobstream_tagger.taxonomy import load_taxonomy

REPOSITORY = Path(__file__).resolve().parent.parent
SHARED = REPOSITORY.parent / "shared" / "data"
RECEIVED = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return RECEIVED


def corpus() -> Iterator[tuple[str, str]]:
    """(name, text) of every posting of the guard's corpus, in a fixed order."""
    for path in sorted((REPOSITORY / "seeds").glob("*.txt")):
        yield f"seed/{path.name}", path.read_text("utf-8")
    with (REPOSITORY / "tests" / "data" / "parser_labelled.jsonl").open() as lines:
        for line in lines:
            item = json.loads(line)
            yield f"coverage/{item['id']}", item["text"]
    for path in sorted((SHARED / "la-bulletins").glob("*.txt")):
        yield f"bulletin/{path.name}", path.read_text("utf-8", errors="replace")
    sentences: dict[int, list[str]] = {}
    with (SHARED / "skillspan-train" / "train.json").open() as lines:  # the TRAINING split
        for line in lines:
            item = json.loads(line)
            sentences.setdefault(item["idx"], []).append(" ".join(item["tokens"]))
    for idx, lines_of in sorted(sentences.items()):
        yield f"skillspan-train/{idx}", "\n".join(lines_of)
    for number, text in enumerate(postings(2_000)):
        yield f"bench/{number}", text


def parsed_events() -> Iterator[tuple[str, bytes]]:
    from jobstream_parser.parse import parse  # only `write` parses

    for name, text in corpus():
        raw = RawPosting.from_text(text, Source(channel="cli")).model_copy(
            update={"received_at": RECEIVED}
        )
        try:
            yield name, encode(parse(raw))
        except Exception as error:  # a refused posting is no tagger input
            print(f"{name}: not parsed ({type(error).__name__})", file=sys.stderr)


def tagged_lines(parsed: list[tuple[str, bytes]]) -> Iterator[str]:
    taxonomy = load_taxonomy()
    model = span_model()
    tag_record = tag_records_with(taxonomy, FixedClock(), model)
    for offset, (name, event) in enumerate(parsed):
        published = encode(tag_record(Record("parsed", 0, offset, None, event)))
        tagging = analyse(decode(ParsedPosting, event), taxonomy, model)
        terms = [[term.term, term.cue] for term in tagging.unknown_terms]
        yield json.dumps({"name": name, "event": published.decode(), "unknown": terms})


def write(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    parsed = list(parsed_events())
    with (folder / "parsed.jsonl").open("w") as file:
        for name, event in parsed:
            file.write(json.dumps({"name": name, "event": event.decode()}) + "\n")
    with (folder / "tagged.jsonl").open("w") as file:
        for line in tagged_lines(parsed):
            file.write(line + "\n")
    print(f"{len(parsed)} postings: {folder / 'tagged.jsonl'} ({_digest(folder)})")


def check(folder: Path) -> int:
    with (folder / "parsed.jsonl").open() as file:
        parsed = [(item["name"], item["event"].encode()) for item in map(json.loads, file)]
    expected = (folder / "tagged.jsonl").read_text().splitlines()
    differ = 0
    for before, after in zip(expected, tagged_lines(parsed), strict=True):
        if before != after:
            differ += 1
            if differ <= 5:
                print(f"DIFFERS: {json.loads(before)['name']}\n  was {before}\n  now {after}")
    print(f"{len(expected)} postings, {differ} differ")
    return 1 if differ else 0


def _digest(folder: Path) -> str:
    return hashlib.sha256((folder / "tagged.jsonl").read_bytes()).hexdigest()[:16]


def main(arguments: list[str]) -> int:
    configure_logging("tagger", "WARNING")  # the service logs each posting's unknown terms
    if len(arguments) != 2 or arguments[0] not in {"write", "check"}:
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(arguments[1])
    if arguments[0] == "write":
        write(folder)
        return 0
    return check(folder)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
