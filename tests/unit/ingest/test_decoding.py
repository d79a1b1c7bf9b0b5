"""Decoding never garbles: real files in the encodings people save, read back as written."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest

from jobstream.contracts import RawPosting
from jobstream_ingest.formats import text as text_module
from jobstream_ingest.formats.errors import FormatError
from jobstream_ingest.formats.text import StreamDecoder, decode_text, repair
from jobstream_ingest.intake import Limits, Outcome, read_postings

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).resolve().parents[2] / "data" / "encodings"
FILES = sorted(path for path in CORPUS.glob("*.txt") if not path.name.endswith(".expected.txt"))
# The encoding each file is in (as Python names it), and the bytes that are invalid in it.
ENCODINGS = {
    "de-latin1.txt": ("cp1252", 0),  # latin-1's printable characters are cp1252's
    "en-utf16be-nobom.txt": ("utf-16-be", 0),
    "en-utf8-stray.txt": ("utf-8", 4),  # a cp1252 quote, a latin-1 é, a cut-off €
    "es-utf16le-nobom.txt": ("utf-16-le", 0),
    "fr-cp1252.txt": ("cp1252", 0),
    "ja-shift-jis.txt": ("cp932", 0),  # Microsoft's superset of Shift-JIS
    "ru-cp1251.txt": ("cp1251", 0),
}


def expected(path: Path) -> str:
    return path.with_name(path.stem + ".expected.txt").read_text(encoding="utf-8")


def only_posting(outcomes: list[Outcome]) -> RawPosting:
    [posting] = outcomes
    assert isinstance(posting, RawPosting), posting
    return posting


def test_the_corpus_covers_every_kind_the_issue_names() -> None:
    assert sorted(path.name for path in FILES) == sorted(ENCODINGS)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_each_file_reads_back_as_written(path: Path) -> None:
    posting = only_posting(read_postings(path.name, path.read_bytes(), "cli", Limits()))
    assert posting.text == expected(path)
    encoding, replaced = ENCODINGS[path.name]
    assert (posting.source.encoding, posting.source.replaced_bytes) == (encoding, replaced)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_gzip_and_html_read_the_same(path: Path) -> None:
    data = path.read_bytes()
    posting = only_posting(read_postings(path.name + ".gz", gzip.compress(data), "cli", Limits()))
    assert posting.text == expected(path)


def test_stray_bytes_replace_only_themselves() -> None:
    posting = only_posting(
        read_postings("stray.txt", (CORPUS / "en-utf8-stray.txt").read_bytes(), "cli", Limits())
    )
    for readable in ("Data Engineer — Northwind", "€70,000–€85,000", "Müller", "Zürich"):  # noqa: RUF001
        assert readable in posting.text
    assert "Europe\ufffds" in posting.text and "â€" not in posting.text  # no mojibake


@pytest.mark.parametrize("chunk", [1, 3, 7, 4096, 10**9])
@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_decoding_chunk_by_chunk_gives_the_same_text(path: Path, chunk: int) -> None:
    prefix = b"Engineer wanted in the data team.\n" * 2_000 if "utf16" not in path.name else b""
    data = prefix + path.read_bytes()
    decoder = StreamDecoder()
    pieces = [decoder.decode(data[at : at + chunk]) for at in range(0, len(data), chunk)]
    text, _ = repair("".join(pieces) + decoder.decode(b"", final=True))
    assert text.endswith(expected(path))


def test_a_late_first_accent_is_decided_there_not_at_the_start() -> None:
    # 200 KB of ASCII, then cp1252: the decision waits for the first non-ASCII byte.
    data = b"Engineer\n" * 20_000 + "Développeur à Paris, très bon salaire.\n".encode("cp1252")
    decoded = decode_text(data)
    assert decoded.text.endswith("Développeur à Paris, très bon salaire.\n")
    assert (decoded.encoding, decoded.replaced_bytes) == ("cp1252", 0)


def test_an_undefined_cp1252_byte_is_replaced_not_the_whole_text() -> None:
    decoded = decode_text(b"Caf\xe9 au lait \x81 ")
    assert (decoded.text, decoded.encoding, decoded.replaced_bytes) == (
        "Café au lait \ufffd ",
        "cp1252",
        1,
    )


def test_each_record_of_a_file_counts_its_own_replaced_bytes() -> None:
    good = json.dumps({"title": "Café", "text": "Backend — Python"}, ensure_ascii=False)
    bad = good.encode().replace("—".encode(), b"\x97")  # a cp1252 dash in UTF-8
    data = good.encode() + b"\n" + bad + b"\n" + good.encode() + b"\n"
    first, second, third = read_postings("jobs.jsonl", data, "cli", Limits())
    assert isinstance(second, RawPosting) and isinstance(first, RawPosting)
    assert second.text == "Backend \ufffd Python" and second.source.replaced_bytes == 1
    assert first.source.replaced_bytes == 0 and first.provided.title == "Café"
    assert isinstance(third, RawPosting) and third.source.replaced_bytes == 0


def test_csv_in_cp1251_keeps_its_fields() -> None:
    out = io.StringIO()
    text = (CORPUS / "ru-cp1251.expected.txt").read_text(encoding="utf-8")
    csv.writer(out).writerows([["title", "company", "text"], ["Инженер", "Яндекс", text]])
    [posting] = read_postings("jobs.csv", out.getvalue().encode("cp1251"), "cli", Limits())
    assert isinstance(posting, RawPosting)
    assert (posting.provided.title, posting.provided.company) == ("Инженер", "Яндекс")
    assert posting.source.encoding == "cp1251"


@pytest.mark.parametrize(
    "data",
    [bytes(range(256)) * 8, b"\x00\x01\x02\x03" * 100, b"PK\x03\x04\x00\x00" + bytes(500)],
    ids=["every-byte", "controls", "zip-ish"],
)
def test_binary_data_is_still_refused(data: bytes) -> None:
    with pytest.raises(FormatError) as raised:
        decode_text(data)
    assert raised.value.reason in ("binary", "bad_encoding")


@pytest.mark.parametrize(
    "text",
    [
        "plain ASCII\tand\x01\x02 two controls\x7f",
        "accents é and — dashes\x1b (escape: allowed) \x1c\x0e\x08",
        "escaped \udc80\udcff bytes\x01 beside é \udc81",
        "only \udcfe",
        "",
    ],
)
def test_the_fast_counts_agree_with_the_patterns(text: str) -> None:
    # The counts in C (`_utf8`, bytes.translate) must say what the regular expressions say.
    escapes = sum(len(run) for run in text_module._ESCAPED.findall(text))
    assert text_module.escaped_bytes(text) == escapes
    assert repair(text) == (text_module._ESCAPED.sub("\ufffd", text), escapes)
    assert text_module._control_characters(text) == len(text_module._CONTROL.findall(text))
