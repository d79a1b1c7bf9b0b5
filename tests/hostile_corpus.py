"""The hostile corpus: inputs built to break ingest, written into a folder at test time.

Nothing big is committed: every item is generated (seeded, so runs are repeatable). Each item
says what ingest must make of it: `REJECTED` (with a reason a person can act on), `STORED`
(every posting in it reaches PostgreSQL, or the dead-letter topic with a reason) or `EITHER`
(a file of many records, some good and some bad; or an input two honest readers may judge
differently). Whatever the expectation, no service may crash, hang or grow without bound.

`write_corpus(folder, outside)` writes the files (and symlinks leading to `outside`, a folder
that must never be read) and returns the items; `SQL` and `HTML` are the strings that must be
read back from PostgreSQL byte for byte.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import random
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Expect = Literal["rejected", "stored", "either"]
REJECTED: Expect = "rejected"
STORED: Expect = "stored"
EITHER: Expect = "either"

SQL = "'); DROP TABLE postings;-- \" OR 1=1; DELETE FROM posting_skills WHERE ''='"
HTML = '<script>alert("x")</script><img src=x onerror="alert(1)"> & </textarea>'
# Text of a posting that lives outside the inbox: it must never be read through a link.
OUTSIDE_MARKER = "OUTSIDE-THE-INBOX-7f3a"
BIG_FILE_BYTES = 50 * 1024 * 1024
BOMB_EXPANDED_BYTES = 2 * 1024 * 1024 * 1024
# A posting's text may be up to 200 KiB: the backtracking texts stay just under it, so they
# reach the parser and tagger rather than being refused for their size.
NEAR_LIMIT = 190 * 1024


@dataclass(frozen=True)
class Item:
    """One input: its file name, how to build its bytes, and what ingest must make of it."""

    name: str
    expect: Expect
    data: bytes = b""
    size: int | None = None  # for big files: written in chunks of `data`, not held whole
    link_to: str | None = None  # a symlink to this file of the outside folder
    why: str = ""

    @property
    def is_link(self) -> bool:
        return self.link_to is not None

    @property
    def is_big(self) -> bool:
        return self.size is not None

    def chunks(self) -> Iterator[bytes]:
        """The file's bytes, in chunks (a big file is its `data` repeated up to `size`)."""
        if self.size is None:
            yield self.data
            return
        left = self.size
        while left > 0:
            chunk = self.data[:left]
            yield chunk
            left -= len(chunk)


def posting(n: int, title: str = "Data Engineer", extra: str = "") -> str:
    """The text of a plain, good posting (distinct for each `n`)."""
    return (
        f"{title}\nHostile corpus posting {n}.\nRequirements\n- Python and PostgreSQL\n"
        f"- Kafka\n{extra}"
    )


def items() -> list[Item]:
    """Every item of the corpus, small ones built in memory (the big ones are chunked)."""
    rng = random.Random(9)
    return [
        # Empty, blank and big.
        Item("empty.txt", REJECTED, b"", why="0 bytes"),
        Item("empty.json", REJECTED, b"", why="0 bytes, structured"),
        Item("blank.txt", REJECTED, " \n\t \r\n  \u3000".encode(), why="whitespace only"),
        Item("blank.csv", REJECTED, b"\n\n\n", why="no header row"),
        Item("big.txt", REJECTED, b"x" * (1024 * 1024), size=BIG_FILE_BYTES, why="50 MB"),
        Item("one-line.txt", REJECTED, b"Python " * (1024 * 1024 // 7), why="1 MB, one line"),
        # Binary.
        Item("pixel.png", REJECTED, minimal_png(), why="a real PNG"),
        Item("pixel-named.txt", REJECTED, minimal_png(), why="a PNG named .txt"),
        Item("elf.txt", REJECTED, elf_header(), why="an ELF header"),
        Item("random.txt", REJECTED, rng.randbytes(4096), why="random bytes"),
        Item("random.json", REJECTED, rng.randbytes(4096), why="random bytes as JSON"),
        Item("random.bin", REJECTED, rng.randbytes(512), why="no known format"),
        # Encodings.
        Item(
            "invalid-utf8.txt",
            STORED,
            b"Engineer \xc3\x28 \x81\x8d\x8f\x90 \xed\xa0\x80 bad bytes\n",
            # Text in the legacy encoding the detector finds readable (cp1251), not refused.
            why="invalid UTF-8 and undefined cp1252 bytes",
        ),
        Item(
            "utf16.txt",
            STORED,
            b"\xff\xfe" + posting(1, "Ingénieur données").encode("utf-16-le"),
            why="UTF-16 with BOM",
        ),
        Item(
            "utf16.json",
            STORED,
            "\ufeff".encode("utf-16-be")
            + json.dumps({"title": "Datenbank-Ingenieur", "text": posting(2)}).encode("utf-16-be"),
            why="UTF-16 BE JSON with BOM",
        ),
        Item("nul.txt", REJECTED, posting(3).encode().replace(b"Hostile", b"\x00\x00"), why="NUL"),
        Item(
            "nul-title.json",
            REJECTED,
            json.dumps({"title": "Data\u0000Engineer", "text": posting(4)}).encode(),
            why="NUL in a field (PostgreSQL text refuses it)",
        ),
        Item(
            "surrogate.json",
            REJECTED,
            b'{"text": "Engineer \\ud800 unpaired surrogate"}',
            why="a lone surrogate",
        ),
        # JSON built to break the reader.
        Item("nested-list.json", REJECTED, b"[" * 100_000 + b"]" * 100_000, why="100k levels"),
        Item(
            "nested-object.json",
            REJECTED,
            b'{"text":' * 100_000 + b'"x"' + b"}" * 100_000,
            why="100k levels of objects",
        ),
        Item(
            "nested.jsonl",
            EITHER,
            json.dumps({"text": posting(5)}).encode() + b"\n" + b"[" * 100_000 + b"]" * 100_000,
            why="one good line, one nested 100k levels",
        ),
        Item(
            "nested-title.json",
            STORED,
            b'{"text": "Engineer nested title", "title": '
            + b'{"name": ' * 900
            + b'"x"'
            + b"}" * 900
            + b"}",
            why="a title object nested 900 levels deep (within the JSON parser's reach)",
        ),
        Item(
            "huge-int.json",
            REJECTED,
            b'{"text": "Engineer", "title": ' + b"9" * 100_000 + b"}",
            why="an integer of 100,000 digits",
        ),
        Item("nan.json", REJECTED, b'{"text": "Engineer NaN", "title": NaN}', why="NaN"),
        Item("wrong-types.jsonl", EITHER, wrong_types(), why="fields of the wrong type"),
        Item("scalar.json", REJECTED, b"42", why="a number, not a posting"),
        Item(
            "tiny-objects.json",
            REJECTED,
            b"[" + b"{}," * 3_000_000 + b"{}]",
            why="9 MB of empty objects: millions of them if read whole",
        ),
        Item("tiny-lines.jsonl", REJECTED, b"{}\n" * 3_000_000, why="9 MB of one-object lines"),
        # HTML: its parsed tree costs many times its size.
        Item("tags.html", REJECTED, b"<b></b>" * 1_400_000, why="9.8 MB of empty elements"),
        Item(
            "dense.html",
            REJECTED,
            b"<div>x</div>" * (2_000_000 // 12),
            why="just under the markup limit, dense elements, too much text",
        ),
        Item(
            "html-field.json",
            REJECTED,
            json.dumps({"text": "<p>" + "<b>x</b>" * 1_000_000 + "</p>"}).encode(),
            why="8 MB of HTML in a JSON field",
        ),
        Item("ragged.csv", EITHER, ragged_csv(), why="rows of the wrong length, stray quotes"),
        Item("quote.csv", EITHER, b'text,title\n"never closed, Engineer\n', why="open quote"),
        # Compression.
        Item("bomb.txt.gz", REJECTED, gzip_bomb(BOMB_EXPANDED_BYTES), why="2 GiB of gzip"),
        Item("bomb.gz", REJECTED, gzip_bomb(BOMB_EXPANDED_BYTES), why="a bomb, no format"),
        Item("truncated.txt.gz", REJECTED, gzip.compress(posting(6).encode())[:-12], why="cut"),
        Item("fake.json.gz", REJECTED, b'{"text": "not gzip"}', why="named .gz, not gzip"),
        # Names.
        Item(
            "..%2F..%2Fetc%2Fpasswd.txt",
            STORED,
            posting(7).encode(),
            why="an encoded traversal in the name",
        ),
        Item("..\\..\\windows\\evil.txt", STORED, posting(8).encode(), why="backslashes"),
        Item("[bold red]rich[red] markup.txt", REJECTED, b"", why="console markup in a name"),
        Item("$(touch pwned); `id`.txt", STORED, posting(9).encode(), why="shell in a name"),
        Item("links-out.txt", REJECTED, link_to="secret.txt", why="a symlink out of the inbox"),
        Item("passwd.txt", REJECTED, link_to="/etc/passwd", why="a symlink to /etc/passwd"),
        # SQL and HTML in fields.
        Item("sql-html.json", STORED, sql_html_postings(), why="SQL and HTML in fields"),
        Item("sql-html.csv", STORED, sql_html_csv(), why="SQL and HTML in CSV fields"),
        # Work for the later stages.
        Item("many-skills.txt", STORED, many_skills(), why="a posting naming thousands of skills"),
        *backtracking(),
    ]


def write_corpus(folder: Path, outside: Path) -> list[Item]:
    """Write every item into `folder`; links point into `outside` (created, with a posting
    that must never be read through them). Returns the items."""
    folder.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.txt").write_text(posting(0, extra=OUTSIDE_MARKER + "\n"))
    corpus = items()
    for item in corpus:
        path = folder / item.name
        if item.link_to is not None:
            target = Path(item.link_to)
            path.symlink_to(target if target.is_absolute() else outside / target)
            continue
        with path.open("wb") as handle:
            for chunk in item.chunks():
                handle.write(chunk)
    return corpus


def minimal_png() -> bytes:
    """A valid 1x1 pixel PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def elf_header() -> bytes:
    """The 64-byte header of an x86-64 ELF executable, plus some code-like bytes."""
    ident = b"\x7fELF\x02\x01\x01" + b"\x00" * 9
    fields = struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 1, 0, 0, 0)
    return ident + fields + bytes(range(256)) * 4


@functools.cache
def gzip_bomb(expanded: int) -> bytes:
    """A valid gzip file expanding to `expanded` bytes of spaces, built in a fraction of a
    second: one MiB compressed once, its deflate blocks repeated (a full flush resets the
    compressor, so every MiB compresses to the same bytes)."""
    block = b" " * (1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    once = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeats = expanded // len(block)
    crc = 0
    for _ in range(repeats):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    end = compressor.flush(zlib.Z_FINISH)
    trailer = struct.pack("<II", crc, (repeats * len(block)) & 0xFFFFFFFF)
    return header + once * repeats + end + trailer


def wrong_types() -> bytes:
    lines: list[object] = [
        {"title": ["Data", "Engineer"], "text": posting(20)},
        {"title": 12345, "company": 3.5, "text": posting(21)},
        {"title": {"unexpected": "object"}, "text": posting(22)},
        {"title": True, "text": posting(23)},
        {"text": 42},
        {"text": None, "title": "no text"},
        {"text": ["a", "list"]},
        {"text": {"nested": "object"}},
        ["a", "list", "line"],
        "a string line",
    ]
    raw = [json.dumps(line) for line in lines]
    raw.append('{"title": ' + "7" * 5_000 + ', "text": "Engineer huge int line"}')
    raw.append('{"title": Infinity, "text": "Engineer infinity line"}')
    raw.append('{"title": NaN, "text": "Engineer NaN line"}')
    raw.append('{"text": "unterminated')
    return "\n".join(raw).encode()


def ragged_csv() -> bytes:
    return (
        "text,title,company\n"
        f'"{posting(30)}",Analyst,Acme\n'
        f'"{posting(31)}",Analyst,Acme,extra,columns\n'
        f'"{posting(32)}"\n'
        ",,\n"
        'stray "quote" in the middle,Analyst,Acme\n'
        f'"{posting(33)}",Analyst,"Acme ""Quoted"" Ltd"\n'
    ).encode()


def sql_html_postings() -> bytes:
    return json.dumps(
        [
            {"title": SQL, "company": HTML, "text": posting(40, extra=SQL + "\n")},
            {"title": HTML, "company": SQL, "text": posting(41, extra=HTML + "\n")},
        ]
    ).encode()


def sql_html_csv() -> bytes:
    def quoted(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    row = ",".join(quoted(value) for value in (posting(42), SQL, HTML))
    return ("text,title,company\n" + row + "\n").encode()


def many_skills() -> bytes:
    """A posting listing every skill name of the packaged taxonomy (thousands), and more."""
    from jobstream_tagger.taxonomy import load_taxonomy

    names = sorted({skill.name for skill in load_taxonomy().skills})
    body = ", ".join(names)
    while len(body) < 60_000:  # a small taxonomy still makes a long list
        body += ", " + body
    text = posting(50, "Full Stack Everything Engineer") + "Skills: " + body[:150_000] + "\n"
    return text.encode()


def backtracking() -> list[Item]:
    """Texts built to make regular expressions backtrack: long runs of what salary, date,
    experience and list patterns look for, without the ending they hope for."""
    runs = {
        "money.txt": "$1," + "1," * (NEAR_LIMIT // 2),
        "digits.txt": "9" * NEAR_LIMIT,
        "dots.txt": "1." * (NEAR_LIMIT // 2),
        "dashes.txt": "- " * (NEAR_LIMIT // 2),
        "commas.txt": ", " * (NEAR_LIMIT // 2),
        "spaces.txt": "a" + " " * NEAR_LIMIT + "!",
        "years.txt": "5+ years " * (NEAR_LIMIT // 9),
        "salary-range.txt": "$100k - " * (NEAR_LIMIT // 8),
        "parens.txt": "(" * (NEAR_LIMIT // 2) + "x",
        "bullets.txt": "\n•" * (NEAR_LIMIT // 4),
        "aaa.txt": "a" * NEAR_LIMIT + "!",
    }
    # Ordinary prose first, so a check that a text "looks like a posting" (letters, words)
    # lets the run through to the extractors; and a variant without it.
    prose = PROSE * (6_000 // len(PROSE) + 1)
    built = [
        Item(
            f"backtrack-{name}",
            STORED,
            (posting(60 + n) + prose + text[: NEAR_LIMIT - len(prose)]).encode(),
            why="backtracking, after prose",
        )
        for n, (name, text) in enumerate(runs.items())
    ]
    built += [
        Item(f"backtrack-bare-{name}", EITHER, (posting(80 + n) + text).encode(), why="bare run")
        for n, (name, text) in enumerate(runs.items())
    ]
    return built


PROSE = (
    "We are a small team building data pipelines for logistics companies. You will design "
    "services, review code with colleagues and talk to customers about what they need. "
)


def secret_text() -> str:
    """The posting behind the links: it must not be published."""
    return posting(0, extra=OUTSIDE_MARKER + "\n")


if __name__ == "__main__":  # write the corpus somewhere to look at it
    import sys

    where = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for item in write_corpus(where / "inbox", where / "outside"):
        print(f"{item.expect:9} {item.name}  ({item.why})", file=sys.stderr)
    print(os.fspath(where))
