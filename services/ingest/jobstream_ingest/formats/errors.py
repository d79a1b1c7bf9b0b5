"""Why an input cannot be used: a short reason code (a metric label) and words for a person."""

from __future__ import annotations

from typing import Literal

from jobstream.errors import JobstreamError

Reason = Literal[
    "unsupported_format",
    "too_large",
    "too_many_postings",
    "empty",
    "binary",
    "bad_encoding",
    "bad_gzip",
    "bad_json",
    "bad_csv",
    "bad_pdf",
    "bad_docx",
    "encrypted",
    "no_text",
    "bad_field",
    "unreadable",
    "symlink",
    "not_a_file",
    "no_match",
    "no_usable_records",
]


class FormatError(JobstreamError, ValueError):
    """The input (or one record of it) cannot be read as the format it claims to be."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason: Reason = reason
        self.message = message
