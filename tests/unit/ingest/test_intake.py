import codecs

import pytest

from jobstream.contracts import RawPosting
from jobstream_ingest.intake import Rejection, read_posting

pytestmark = pytest.mark.unit

TEXT = "Senior Engineer — Café Ltd\nWe use Kafka and Python.\n"
LIMIT = 1024 * 1024


def read(name: str, data: bytes) -> RawPosting | Rejection:
    return read_posting(name, data, "cli", LIMIT)


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with BOM
        TEXT.replace("—", "-").encode("cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "cp1252"],
)
def test_text_in_the_encodings_people_use_is_read_without_mangling(data: bytes) -> None:
    posting = read("job.txt", data)
    assert isinstance(posting, RawPosting)
    assert "Café Ltd" in posting.text
    assert not posting.text.startswith("\ufeff")
    assert posting.source.format == "txt" and posting.source.name == "job.txt"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b" \n\t\r\n  ", "empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("big.txt", b"a" * (LIMIT + 1), "too_large"),
        ("photo.png", b"\x89PNG", "unsupported_format"),
        ("noext", b"Engineer", "unsupported_format"),
        ("broken16.txt", codecs.BOM_UTF16_LE + b"\x00\xd8", "bad_encoding"),
    ],
)
def test_unusable_input_is_rejected_with_a_reason(name: str, data: bytes, reason: str) -> None:
    outcome = read(name, data)
    assert isinstance(outcome, Rejection)
    assert outcome.reason == reason
    assert outcome.message  # words for a person


def test_source_name_never_carries_directories() -> None:
    posting = read("../../etc/job.md", b"Engineer")
    assert isinstance(posting, RawPosting)
    assert posting.source.name == "job.md" and posting.source.format == "md"
