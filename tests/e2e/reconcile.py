"""What went in against what came out, after a chaos run.

The expectation is derived from the pure code, never written by hand: each input file goes
through ingest's `read_postings`, the parser's `parse` and the tagger's `tag` in this process.
The outcome is read from the real servers: rows in PostgreSQL, sidecars in the inbox's
`rejected/` folder, and the dead-letter topic.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import asyncpg

from jobstream.contracts import DeadLetter, TaggedPosting, decode
from jobstream.settings import KafkaSettings, PostgresSettings
from jobstream.stages import PermanentError
from jobstream.topology import DEAD_LETTERS
from jobstream_ingest.intake import Limits, Rejection, read_postings
from jobstream_parser.parse import parse
from jobstream_tagger.tag import tag
from jobstream_tagger.taxonomy import load_taxonomy
from tests.e2e.chaos_corpus import Corpus
from tests.kafka_records import read_all

SIDECAR = ".rejected.json"
Skill = tuple[str, bool, int]  # skill id, required, mentions


@dataclass
class Expected:
    stored: dict[str, TaggedPosting] = field(default_factory=dict)
    rejected_files: dict[str, str] = field(default_factory=dict)  # file -> reason
    rejected_records: dict[str, list[str]] = field(default_factory=dict)  # file -> reasons
    dead_letters: dict[str, str] = field(default_factory=dict)  # posting id -> reason


def expected_outcomes(corpus: Corpus) -> Expected:
    """What the pipeline must do with the corpus, computed by the pure functions."""
    taxonomy = load_taxonomy()
    expected = Expected()
    for item in corpus.all_files:
        outcomes = read_postings(item.name, item.data, "inbox", Limits())
        rejections: list[str] = [o.reason for o in outcomes if isinstance(o, Rejection)]
        if rejections and len(rejections) == len(outcomes):
            expected.rejected_files[item.name] = Counter(rejections).most_common(1)[0][0]
        elif rejections:
            expected.rejected_records[item.name] = rejections
        for raw in outcomes:
            if isinstance(raw, Rejection):
                continue
            try:
                expected.stored[raw.posting_id] = tag(parse(raw), taxonomy)
            except PermanentError as refused:
                expected.dead_letters[raw.posting_id] = refused.reason
    return expected


def declared_mismatches(corpus: Corpus, expected: Expected) -> list[str]:
    """Bad inputs whose declared outcome the pure code does not confirm (a stale corpus)."""
    found: dict[str, tuple[str, str]] = {}
    for name, reason in expected.rejected_files.items():
        found[name] = ("rejected", reason)
    for name, reasons in expected.rejected_records.items():
        found[name] = ("record_rejected", reasons[0])
    refused = set(expected.dead_letters)
    mismatches = []
    for bad in corpus.bad:
        if bad.outcome == "dead_letter":
            outcomes = read_postings(bad.file.name, bad.file.data, "inbox", Limits())
            ids = {o.posting_id for o in outcomes if not isinstance(o, Rejection)}
            got = [expected.dead_letters[i] for i in ids if i in refused]
            if got != [bad.reason]:
                mismatches.append(f"{bad.file.name}: declared dead letter {bad.reason}, got {got}")
        elif found.get(bad.file.name) != (bad.outcome, bad.reason):
            mismatches.append(
                f"{bad.file.name}: declared {bad.outcome} {bad.reason}, "
                f"got {found.get(bad.file.name)}"
            )
    return mismatches


@dataclass
class Outcome:
    rows: dict[str, dict[str, object]]
    skills: dict[str, set[Skill]]
    duplicate_rows: int
    sidecars: dict[str, dict[str, object]]
    dead_letters: dict[str, str]


async def actual_outcome(
    postgres: PostgresSettings, kafka: KafkaSettings, inbox: Path, fields: list[str]
) -> Outcome:
    conn = await asyncpg.connect(**postgres.connect_kwargs())
    try:
        columns = ", ".join(fields)  # flat field names, which are the store's column names
        rows = {
            row["posting_id"]: dict(row)
            for row in await conn.fetch(f"SELECT posting_id, {columns} FROM postings")
        }
        # The primary key forbids two rows with one id; a duplicate would be the same text
        # stored under two ids, or a skill stored twice for one posting.
        duplicate_rows = await conn.fetchval(
            "SELECT (SELECT count(*) - count(DISTINCT md5(text)) FROM postings)"
            " + (SELECT count(*) - count(DISTINCT (posting_id, skill_id)) FROM posting_skills)"
        )
        skills: dict[str, set[Skill]] = {}
        for row in await conn.fetch(
            "SELECT posting_id, skill_id, required, mentions FROM posting_skills"
        ):
            skills.setdefault(row["posting_id"], set()).add(
                (row["skill_id"], row["required"], row["mentions"])
            )
    finally:
        await conn.close()
    sidecars = {
        path.name.removesuffix(SIDECAR): json.loads(path.read_text())
        for path in (inbox / "rejected").glob(f"*{SIDECAR}")
    }
    letters = [
        decode(DeadLetter, record.value)
        for record in await read_all(kafka, kafka.topic(DEAD_LETTERS))
    ]
    dead = {letter.posting_id or "": letter.reason for letter in letters}
    return Outcome(rows, skills, int(duplicate_rows), sidecars, dead)


@dataclass
class Report:
    expected_good: int
    stored: int
    lost: list[str]
    duplicated: int
    unexpected: list[str]
    wrong: dict[str, str]
    rejected: int
    dead_lettered: int
    missing_rejections: list[str]

    def summary(self) -> str:
        return (
            f"reconciled: {self.expected_good} good postings in, {self.stored} stored; "
            f"lost={len(self.lost)} duplicated={self.duplicated} "
            f"unexpected={len(self.unexpected)} wrong={len(self.wrong)}; "
            f"rejected={self.rejected} dead_lettered={self.dead_lettered} "
            f"missing_rejections={len(self.missing_rejections)}"
        )


def reconcile(expected: Expected, outcome: Outcome) -> Report:
    lost = sorted(set(expected.stored) - set(outcome.rows))
    unexpected = sorted(set(outcome.rows) - set(expected.stored))
    wrong: dict[str, str] = {}
    for posting_id, posting in expected.stored.items():
        row = outcome.rows.get(posting_id)
        if row is None:
            continue
        for name, value in posting.flat_fields().items():
            if _normal(row[name]) != _normal(value):
                wrong[posting_id] = f"{name}: stored {row[name]!r}, expected {value!r}"
                break
        else:
            skills = {(s.skill_id, s.required, s.mentions) for s in posting.skills}
            if outcome.skills.get(posting_id, set()) != skills:
                wrong[posting_id] = (
                    f"skills: stored {sorted(outcome.skills.get(posting_id, set()))}, "
                    f"expected {sorted(skills)}"
                )
    missing = []
    for name, reason in expected.rejected_files.items():
        if outcome.sidecars.get(name, {}).get("reason") != reason:
            missing.append(f"{name}: expected rejected/ with reason {reason}")
    for name, reasons in expected.rejected_records.items():
        records = outcome.sidecars.get(name, {}).get("records", [])
        got = sorted(str(r["reason"]) for r in records) if isinstance(records, list) else []
        if got != sorted(reasons):
            missing.append(f"{name}: expected records rejected for {reasons}, sidecar has {got}")
    for posting_id, reason in expected.dead_letters.items():
        if outcome.dead_letters.get(posting_id) != reason:
            missing.append(f"{posting_id}: expected a dead letter with reason {reason}")
    return Report(
        expected_good=len(expected.stored),
        stored=len(outcome.rows),
        lost=lost,
        duplicated=outcome.duplicate_rows,
        unexpected=unexpected,
        wrong=wrong,
        rejected=len(outcome.sidecars),
        dead_lettered=len(set(outcome.dead_letters) & set(expected.dead_letters)),
        missing_rejections=missing,
    )


def _normal(value: object) -> object:
    """Database numerics come back as Decimal; the events carry floats."""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return round(float(value), 2)
    return value
