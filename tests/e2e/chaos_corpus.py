"""The chaos run's input: thousands of postings in varied styles, the seeds, and bad inputs.

Deterministic (same count and seed, same files). The postings come from the benchmark corpus
(`bench.corpus`), written out the ways people drop them in: single .txt / .md / .html files,
JSON Lines and CSV files of many postings (some giving title and company as fields), and JSON
lists. The bad inputs each have one known outcome: the whole file rejected into `rejected/`
with a reason, one record of a file rejected, or a posting the parser refuses (dead letter).
What the pipeline should store for the good ones is not written here: `reconcile` derives it
from the pure parser and tagger, so the corpus cannot drift from them.
"""

from __future__ import annotations

import csv
import html
import io
import json
import random
from dataclasses import dataclass, field
from typing import Literal

from bench.corpus import postings
from tests.conftest import SEEDS

Outcome = Literal["rejected", "record_rejected", "dead_letter"]


@dataclass(frozen=True)
class InputFile:
    name: str
    data: bytes


@dataclass(frozen=True)
class BadInput:
    """An input the pipeline must not store, with where it must end up and the reason code."""

    file: InputFile
    outcome: Outcome
    reason: str


@dataclass
class Corpus:
    files: list[InputFile] = field(default_factory=list)
    bad: list[BadInput] = field(default_factory=list)

    @property
    def all_files(self) -> list[InputFile]:
        return self.files + [bad.file for bad in self.bad]


def build_corpus(count: int, seed: int = 9) -> Corpus:
    """`count` generated postings plus the five seeds, in varied files, and the bad inputs."""
    rng = random.Random(seed)  # reproducible test data
    texts = list(postings(count, seed=seed))
    corpus = Corpus()
    for seed_file in sorted(SEEDS.glob("*.txt")):
        corpus.files.append(InputFile(seed_file.name, seed_file.read_bytes()))
    position = 0
    number = 0
    while position < len(texts):
        style = rng.choices(["txt", "md", "html", "jsonl", "csv", "json"], [3, 1, 1, 4, 2, 1])[0]
        size = 1 if style in ("txt", "md", "html") else rng.randint(20, 120)
        chunk = texts[position : position + size]
        position += size
        number += 1
        corpus.files.append(_render(style, f"chaos-{number:05d}", chunk, rng))
    corpus.bad = bad_inputs()
    return corpus


def _render(style: str, stem: str, chunk: list[str], rng: random.Random) -> InputFile:
    name = f"{stem}.{style}"
    if style == "txt":
        return InputFile(name, chunk[0].encode())
    if style == "md":
        title, *rest = chunk[0].splitlines()
        return InputFile(name, ("# " + title + "\n\n" + "\n".join(rest) + "\n").encode())
    if style == "html":
        lines = chunk[0].splitlines()
        body = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines[1:])
        page = f"<html><body><h1>{html.escape(lines[0])}</h1>\n{body}</body></html>\n"
        return InputFile(name, page.encode())
    records = [_record(text, rng) for text in chunk]
    if style == "jsonl":
        return InputFile(name, "".join(json.dumps(r) + "\n" for r in records).encode())
    if style == "json":
        return InputFile(name, json.dumps(records, indent=1).encode())
    out = io.StringIO()
    writer = csv.DictWriter(out, ["title", "company", "description"], extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow({"title": "", "company": "", **record})
    return InputFile(name, out.getvalue().encode())


def _record(text: str, rng: random.Random) -> dict[str, str]:
    """A structured record; half of them name title and company as fields too."""
    lines = text.splitlines()
    record = {"description": text}
    if rng.random() < 0.5:
        record.update(title=lines[0], company=lines[1])
    return record


NOT_A_POSTING = (
    "Shopping list for the weekend\n"
    "Apples, pears and a loaf of bread. Remember to water the plants and call grandma on "
    "Sunday afternoon; the weather should be fine for a walk by the river.\n"
)


def bad_inputs() -> list[BadInput]:
    """About ten inputs with one known outcome each (reason codes as ingest and the parser
    name them)."""
    good_line = json.dumps({"description": next(postings(1, seed=4242))})
    return [
        BadInput(InputFile("bad-empty.txt", b""), "rejected", "empty"),
        BadInput(InputFile("bad-blank.txt", b" \n\t \r\n  \n"), "rejected", "empty"),
        BadInput(
            InputFile("bad-photo.png", b"\x89PNG\r\n\x1a\n" + bytes(64)),
            "rejected",
            "unsupported_format",
        ),
        BadInput(
            InputFile("bad-random.bin", random.Random(1).randbytes(2048)),
            "rejected",
            "unsupported_format",
        ),
        BadInput(
            InputFile("bad-nul.txt", b"Data Engineer\x00\x00\x01\x02 Python"), "rejected", "binary"
        ),
        BadInput(InputFile("bad-fake.txt.gz", b"not gzip at all"), "rejected", "bad_gzip"),
        BadInput(
            InputFile("bad-broken.json", b'{"description": "Data Engineer, Pyth'),
            "rejected",
            "bad_json",
        ),
        BadInput(
            InputFile("bad-line.jsonl", f"{good_line}\n{{not json\n".encode()),
            "record_rejected",
            "bad_json",
        ),
        BadInput(
            InputFile("bad-notext.csv", b"title,company\nData Engineer,Acme\n"),
            "rejected",
            "no_text",
        ),
        BadInput(
            InputFile("bad-shopping.txt", NOT_A_POSTING.encode()), "dead_letter", "not_a_posting"
        ),
    ]
