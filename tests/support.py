"""Builders of realistic events for tests (no I/O)."""

from __future__ import annotations

from datetime import datetime

import pytest

import jobstream_parser
from jobstream.contracts import (
    ParsedPosting,
    Source,
    Span,
    TaggedPosting,
    TaggedSkill,
    posting_id_for,
    utc_now,
)

# A test that swaps one of the parser's functions for an oracle runs on the pure-Python build only:
# compiled modules call their own functions directly, past the swap (`make test` and `make unit`
# run the parser's unit tests on the pure-Python build as well).
pure_python_only = pytest.mark.skipif(
    jobstream_parser.BUILD == "compiled",
    reason="swaps a parser function: runs on the pure-Python build (JOBSTREAM_PARSER_PURE=1)",
)

SKILL_IDS = (
    "python", "java", "kotlin", "go", "kafka", "postgresql", "kubernetes", "docker", "aws",
    "terraform", "prometheus", "grafana", "redis", "graphql", "react", "spark", "airflow",
)  # fmt: skip


def parsed_posting(
    text: str, *, parser_version: str = "test", source_name: str | None = None, **fields: object
) -> ParsedPosting:
    """A parsed posting of `text` (a CLI source), with whatever parsed `fields` a test gives."""
    return ParsedPosting(
        posting_id=posting_id_for(text),
        received_at=utc_now(),
        source=Source(channel="cli", name=source_name),
        parser_version=parser_version,
        text=text,
        **fields,
    )


def tagged_posting(
    n: int,
    *,
    skills: int = 15,
    title: str | None = None,
    parser_version: str = "1.0.0",
    tagged_at: datetime | None = None,
    taxonomy_version: str = "tax-1",
    body: str = "",
) -> TaggedPosting:
    """Posting number `n` with `skills` skills, each mentioned once at a real span.

    `body` is appended to the text, to make postings as long as real ones.
    """
    names = SKILL_IDS[:skills]
    text = f"Engineer {n}\nWe use " + ", ".join(names) + ".\n" + body
    start = text.index(names[0]) if names else 0
    tagged = []
    for skill_id in names:
        start = text.index(skill_id, start)
        tagged.append(
            TaggedSkill(
                skill_id=skill_id,
                name=skill_id.title(),
                category="tool",
                required=True,
                mentions=1,
                spans=[Span(start=start, end=start + len(skill_id))],
            )
        )
    return TaggedPosting(
        posting_id=posting_id_for(text),
        received_at=utc_now(),
        source=Source(channel="cli", name=f"posting-{n}.txt"),
        parser_version=parser_version,
        text=text,
        title=title or f"Engineer {n}",
        company="Acme",
        taxonomy_version=taxonomy_version,
        skills=tagged,
        tagged_at=tagged_at or utc_now(),
    )
