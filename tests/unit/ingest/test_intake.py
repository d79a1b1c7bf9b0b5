import codecs
import gzip
import io
import json
import re
import sys
import unicodedata
import zipfile
from typing import get_args

import pytest

from jobstream.contracts import RawPosting, SourceFormat, normalise_for_identity, posting_id_for
from jobstream_ingest.formats.word import MIN_EXPANDED_BYTES
from jobstream_ingest.intake import Limits, Outcome, Rejection, detect_format, read_postings
from tests.ingest_samples import (
    Sample,
    assert_in_order,
    encrypt_pdf,
    make_docx,
    make_pdf,
    samples,
)

pytestmark = pytest.mark.unit

TEXT = "Senior Engineer — Café Ltd\nWe use Kafka and Python.\n"
LIMITS = Limits(max_file_bytes=1024 * 1024, max_text_bytes=64 * 1024, max_postings=50)


def read(name: str | None, data: bytes, limits: Limits = LIMITS) -> list[Outcome]:
    return read_postings(name, data, "cli", limits)


def read_one(name: str, data: bytes) -> Outcome:
    [outcome] = read(name, data)
    return outcome


@pytest.mark.parametrize("sample", samples(), ids=lambda sample: sample.name)
def test_every_format_gives_its_postings_text_and_fields(sample: Sample) -> None:
    outcomes = read(sample.name, sample.data)
    postings = [outcome for outcome in outcomes if isinstance(outcome, RawPosting)]
    assert postings == outcomes, outcomes
    assert len(postings) == sample.postings
    assert_in_order(postings[0].text, sample.fragments)
    for posting, fields in zip(postings, sample.fields, strict=True):
        assert posting.provided.model_dump(exclude_none=True) == fields
        assert posting.source.name == sample.name
        assert posting.source.format == detect_format(sample.name).format
        assert posting.source.compressed == sample.name.endswith(".gz")
        assert posting.posting_id == posting_id_for(posting.text, posting.provided)
    assert [posting.source.record for posting in postings] == sample.records


def test_the_samples_cover_every_format() -> None:
    covered = {detect_format(sample.name).format for sample in samples()}
    assert covered == set(get_args(SourceFormat))


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with BOM
        TEXT.encode("utf-16-be").join([codecs.BOM_UTF16_BE, b""]),
        TEXT.encode("utf-32"),  # with BOM
        TEXT.replace("—", "-").encode("cp1252"),
        TEXT.replace("—", "-").encode("latin-1"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-32-bom", "cp1252", "latin-1"],
)
def test_text_in_the_encodings_people_use_is_read_without_mangling(data: bytes) -> None:
    posting = read_one("job.txt", data)
    assert isinstance(posting, RawPosting)
    assert "Café Ltd" in posting.text
    assert not posting.text.startswith("\ufeff")
    assert posting.source.format == "txt" and posting.source.name == "job.txt"


def test_cp1252_punctuation_is_kept() -> None:
    text = "Engineer \u2013 \u201cCaf\u00e9\u201d \u20ac 70k"  # en dash, curly quotes, euro
    posting = read_one("job.md", text.encode("cp1252"))
    assert isinstance(posting, RawPosting)
    assert posting.text == text


def test_json_in_utf16_and_csv_in_cp1252_are_read_too() -> None:
    data = json.dumps({"text": "Café job"}, ensure_ascii=False).encode("utf-16")
    [posting] = read("a.json", data)
    assert isinstance(posting, RawPosting) and posting.text == "Café job"
    [row] = read("a.csv", "title;text\nCafé;Barista at Café\n".encode("cp1252"))
    assert isinstance(row, RawPosting) and row.provided.title == "Café"


ZIP_BOMB = gzip.compress(b"a" * (LIMITS.max_file_bytes + 1))


def _docx_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * (MIN_EXPANDED_BYTES + 1))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "reason", "words"),
    [
        ("empty.txt", b"", "empty", "no text"),
        ("blank.md", b" \n\t\r\n  ", "empty", "no text"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", "binary"),
        ("controls.txt", bytes(range(1, 9)) * 20, "binary", "control characters"),
        ("big.txt", b"a" * (LIMITS.max_file_bytes + 1), "too_large", "over the limit"),
        ("long.txt", b"a " * LIMITS.max_text_bytes, "too_large", "posting text"),
        ("photo.png", b"\x89PNG", "unsupported_format", ".png"),
        ("old.doc", b"\xd0\xcf\x11\xe0", "unsupported_format", ".docx"),
        ("noext", b"Engineer", "unsupported_format", "known format"),
        ("broken16.txt", codecs.BOM_UTF16_LE + b"\x00\xd8", "bad_encoding", "utf-16"),
        ("bomb.txt.gz", ZIP_BOMB, "too_large", "decompresses"),
        ("cut.txt.gz", gzip.compress(b"Engineer" * 100)[:-12], "bad_gzip", "gzip"),
        ("fake.txt.gz", b"Engineer", "bad_gzip", "not gzip"),
        ("bad.json", b'{"text": "x",', "bad_json", "line 1, column"),
        ("deep.json", b"[" * 100_000, "bad_json", "nested"),
        ("markup.html", b"<b></b>" * (LIMITS.max_markup_chars // 7 + 1), "too_large", "HTML"),
        (
            "markup.json",
            json.dumps({"text": "<p>" + "<b>x</b>" * (LIMITS.max_markup_chars // 8)}).encode(),
            "too_large",
            "markup",
        ),
        ("trailing-comma.json", b'[{"text": "a"},]', "bad_json", "line 1, column 16"),
        ("no-comma.json", b'[{"text": "a"}\n {"text": "b"}]', "bad_json", "line 2, column 2"),
        ("extra.json", b'[{"text": "a"}] []', "bad_json", "extra data"),
        ("open.json", b'[{"text": "a"}', "bad_json", "delimiter"),
        ("tiny-objects.json", b"[" + b"{}," * 300_000 + b"{}]", "too_many_postings", "limit"),
        ("tiny-lines.jsonl", b"{}\n" * 300_000, "too_many_postings", "limit"),
        ("huge-int.json", b'{"text": "x", "title": ' + b"9" * 5_000 + b"}", "bad_json", "digits"),
        ("nan.json", b'{"text": "x", "title": NaN}', "bad_json", "NaN"),
        ("inf.json", b'{"text": "x", "title": -Infinity}', "bad_json", "Infinity"),
        ("big-float.json", b'{"text": "x", "title": 1e999}', "bad_json", "too large"),
        ("nul-title.json", b'{"text": "x", "title": "a\\u0000b"}', "bad_field", "NUL"),
        ("nul-company.csv", b"text,company\nx,a\x00b\n", "binary", "NUL"),
        ("number.json", b"42", "bad_json", "posting object"),
        ("empty.json", b"[]", "empty", "no postings"),
        ("notext.json", b'{"title": "Engineer"}', "no_text", "description"),
        ("nul.json", b'{"text": "a\\u0000b"}', "binary", "NUL"),
        ("surrogate.json", b'{"text": "a\\ud800b"}', "bad_encoding", "surrogate"),
        ("objtitle.json", b'{"text": "x", "title": {"a": 1}}', "bad_field", "title"),
        (
            "long.json",
            json.dumps({"text": "x", "title": "t" * 3000}).encode(),
            "bad_field",
            "title",
        ),
        ("nocol.csv", b"title,company\nEngineer,Acme\n", "no_text", "column"),
        ("header.csv", b"title,text\n", "empty", "no postings"),
        ("blank.csv", b"\n\n", "empty", "header"),
        ("bad.pdf", b"%PDF-1.4 garbage", "bad_pdf", "PDF"),
        ("scan.pdf", make_pdf([[]]), "empty", "OCR"),
        ("locked.pdf", encrypt_pdf(make_pdf([["Engineer"]]), "secret"), "encrypted", "password"),
        ("bad.docx", b"PK\x03\x04 not really", "bad_docx", "zip"),
        ("notzip.docx", b"Engineer", "bad_docx", "zip"),
        ("bomb.docx", _docx_bomb(), "too_large", "expands"),
    ],
)
def test_unusable_input_is_rejected_with_a_reason(
    name: str, data: bytes, reason: str, words: str
) -> None:
    outcome = read_one(name, data)
    assert isinstance(outcome, Rejection)
    assert (outcome.reason, outcome.record) == (reason, None), outcome
    assert words.lower() in outcome.message.lower()  # words for a person


def test_a_bad_line_is_rejected_alone_and_the_good_ones_go() -> None:
    data = b'{"text": "one"}\n{not json\n\n["a list"]\n{"title": "no text"}\n{"text": "two"}\n'
    outcomes = read("jobs.jsonl", data)
    kinds = [(type(o).__name__, getattr(o, "record", None)) for o in outcomes]
    assert len(outcomes) == 5, kinds
    good = [o for o in outcomes if isinstance(o, RawPosting)]
    bad = [o for o in outcomes if isinstance(o, Rejection)]
    assert [(p.text, p.source.record) for p in good] == [("one", 1), ("two", 6)]
    assert [(r.record, r.reason) for r in bad] == [(2, "bad_json"), (4, "bad_json"), (5, "no_text")]
    assert bad[0].describe().startswith("line 2: not valid JSON")


def test_csv_rows_with_too_many_values_are_rejected_alone() -> None:
    outcomes = read("jobs.csv", b"title,text\nA,first\nB,second,extra\n\nC,third\n")
    assert [getattr(o, "text", None) for o in outcomes] == ["first", None, "third"]
    rejection = outcomes[1]
    assert isinstance(rejection, Rejection) and rejection.describe().startswith("row 2:")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiters_are_recognised(delimiter: str) -> None:
    data = delimiter.join(["Job Title", "Description"]) + "\n" + delimiter.join(["Eng", "Go"])
    [posting] = read("jobs.csv", data.encode())
    assert isinstance(posting, RawPosting)
    assert (posting.provided.title, posting.text) == ("Eng", "Go")


@pytest.mark.parametrize("name", ["many.jsonl", "many.json", "many.csv"])
def test_postings_per_file_are_limited(name: str) -> None:
    texts = [f"posting {n}" for n in range(LIMITS.max_postings + 1)]
    data = {
        "many.jsonl": "\n".join(json.dumps({"text": text}) for text in texts),
        "many.json": json.dumps([{"text": text} for text in texts]),
        "many.csv": "text\n" + "\n".join(texts),
    }[name].encode()
    [outcome] = read(name, data)
    assert isinstance(outcome, Rejection) and outcome.reason == "too_many_postings"
    assert "split the file" in outcome.message
    enough = Limits(max_postings=LIMITS.max_postings + 1)
    assert len(read(name, data, enough)) == LIMITS.max_postings + 1


def test_schema_org_job_postings_give_their_fields() -> None:
    record = {
        "@type": "JobPosting",
        "title": "Backend Engineer",
        "description": "<p>We build <b>things</b>.</p><ul><li>Go</li><li>SQL</li></ul>",
        "hiringOrganization": {"@type": "Organization", "name": "Acme"},
        "jobLocation": [
            {"address": {"addressLocality": "Berlin", "addressCountry": "DE"}},
            {"address": {"addressLocality": "Remote"}},
        ],
        "identifier": {"@type": "PropertyValue", "value": 1234},
        "url": "https://acme.example/jobs/1234",
    }
    [posting] = read("job.json", json.dumps(record).encode())
    assert isinstance(posting, RawPosting)
    assert posting.text == "We build things.\n\n* Go\n* SQL\n"  # HTML descriptions become text
    assert posting.provided.model_dump(exclude_none=True) == {
        "title": "Backend Engineer",
        "company": "Acme",
        "location": "Berlin, DE; Remote",
        "url": "https://acme.example/jobs/1234",
        "external_id": "1234",
    }


def test_html_keeps_headings_and_list_items_as_lines() -> None:
    html = b"<h1>Engineer</h1><p>Acme</p><h2>Skills</h2><ol><li>Go</li><li>SQL</li></ol>"
    [posting] = read("job.html", html)
    assert isinstance(posting, RawPosting)
    lines = ["Engineer", "", "Acme", "", "Skills", "", "1. Go", "2. SQL"]
    assert posting.text.splitlines() == lines


def test_the_same_posting_gets_the_same_id_whatever_its_format() -> None:
    text = "Data Engineer\nAcme\nWe use Python."
    ids = {
        read_one(name, data).posting_id  # type: ignore[union-attr]
        for name, data in [
            ("a.txt", text.encode()),
            ("b.txt", text.replace("\n", "\r\n").encode("utf-16")),
            ("c.txt.gz", gzip.compress(text.encode())),
            ("d.json", json.dumps({"text": text}).encode()),
            ("e.pdf", make_pdf([text.splitlines()])),
        ]
    }
    assert len(ids) == 1


def test_structured_fields_are_part_of_the_identity() -> None:
    text = "Data Engineer\nWe use Python."

    def posting_id(record: dict[str, str]) -> str:
        outcome = read_one("job.json", json.dumps({"text": text, **record}).encode())
        assert isinstance(outcome, RawPosting)
        return outcome.posting_id

    plain = read_one("job.txt", text.encode())
    assert isinstance(plain, RawPosting) and plain.posting_id == posting_id_for(text)
    assert posting_id({}) == plain.posting_id  # no field given: today's id
    acme = posting_id({"title": "Data Engineer", "company": "Acme"})
    assert acme == posting_id({"title": "data  engineer", "company": "ACME"})  # same sender
    assert len({
        plain.posting_id,
        acme,
        posting_id({"title": "Data Engineer", "company": "Globex"}),
        posting_id({"title": "Analyst", "company": "Acme"}),
        posting_id({"title": "Data Engineer", "company": "Acme", "id": "R-1"}),
        posting_id({"url": "https://acme.example/jobs/1"}),
    }) == 6  # fmt: skip


def test_gzip_is_recognised_by_its_content_and_by_a_format_given_for_stdin() -> None:
    [posting] = read_postings("stdin", gzip.compress(b'{"text": "x"}\n'), "cli", LIMITS, "jsonl")
    assert isinstance(posting, RawPosting)
    assert (posting.source.format, posting.source.compressed) == ("jsonl", True)


def test_docx_lists_and_tables_become_lines() -> None:
    [posting] = read("cv.docx", make_docx("Engineer", ["Acme"], ["Go", "SQL"]))
    assert isinstance(posting, RawPosting)
    assert posting.text.splitlines() == ["Engineer", "Acme", "- Go", "- SQL", "Salary | €70k"]


def test_pdf_text_over_the_limit_is_rejected() -> None:
    pages = [["word " * 15] * 40] * 30  # about 90 KB of text
    [outcome] = read("long.pdf", make_pdf(pages), Limits(max_text_bytes=10_000))
    assert isinstance(outcome, Rejection) and outcome.reason == "too_large"


def test_source_name_never_carries_directories() -> None:
    posting = read_one("../../etc/job.md", b"Engineer")
    assert isinstance(posting, RawPosting)
    assert posting.source.name == "job.md" and posting.source.format == "md"


def test_source_name_drops_control_characters_postgresql_would_refuse() -> None:
    posting = read_one("jo\x00b\n\x1b[31m.md", b"Engineer")
    assert isinstance(posting, RawPosting)
    assert posting.source.name == "job[31m.md"


def test_a_huge_integer_on_one_line_rejects_that_line_alone() -> None:
    data = b'{"text": "one"}\n{"text": "two", "title": ' + b"7" * 5_000 + b"}\n"
    first, second = read("jobs.jsonl", data)
    assert isinstance(first, RawPosting)
    assert isinstance(second, Rejection) and (second.reason, second.record) == ("bad_json", 2)
    assert "4,300 digits" in second.describe()


def test_identity_folds_every_kind_of_white_space_as_before() -> None:
    spaces = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    for text in [f"a{spaces}b", f"{spaces}x y\r\n\tz{spaces}", "no-space", spaces, ""]:
        before = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
        assert normalise_for_identity(text) == before
