"""Looking at what the tagger finds: `jobstream tag FILE…` and `jobstream tag --jsonl PATH`.

Pure helpers (reading is the CLI's job): tagging a bare text, turning JSON lines
`{"id", "text"}` into result lines, and rendering a posting with its mentions highlighted.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import IO, Any, Final, NamedTuple

from rich.console import Group
from rich.table import Table
from rich.text import Text

from jobstream.contracts import (
    MAX_TEXT_CHARS,
    ParsedPosting,
    Source,
    TaggedPosting,
    posting_id_for,
    utc_now,
)
from jobstream.errors import JobstreamError
from jobstream_tagger.tag import Tagging, analyse
from jobstream_tagger.taxonomy import Taxonomy, load_taxonomy

MAX_FILE_BYTES: Final = 4 * MAX_TEXT_CHARS  # UTF-8 needs at most 4 bytes a character
MAX_LINE_CHARS: Final = MAX_TEXT_CHARS + 10_000  # the text, its id and the JSON around them
CONTEXT_CHARS: Final = 60


class InputError(JobstreamError, ValueError):
    """An input the tagger cannot read; the message says why."""


def decode_text(data: bytes, name: str) -> str:
    """A posting file's text: UTF-8 (a BOM is dropped), non-empty, not binary, not huge."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{name}: larger than {MAX_FILE_BYTES} bytes")
    if b"\x00" in data:
        raise InputError(f"{name}: binary data (NUL bytes), not a text posting")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from error
    if not text.strip():
        raise InputError(f"{name}: empty")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"{name}: longer than {MAX_TEXT_CHARS} characters")
    return text


def tag_text(text: str, taxonomy: Taxonomy, name: str | None = None) -> Tagging:
    """Tag a bare text, as the tagger service would tag a posting with that text."""
    parsed = ParsedPosting(
        posting_id=posting_id_for(text),
        received_at=utc_now(),
        source=Source(channel="cli", name=name),
        parser_version="none",
        text=text,
    )
    return analyse(parsed, taxonomy)


def skill_lines(tagged: TaggedPosting) -> list[dict[str, Any]]:
    """The skills as `jobstream tag --jsonl` writes them, offsets into the given text."""
    return [
        {
            "id": skill.skill_id,
            "name": skill.name,
            "category": skill.category,
            "required": skill.required,
            "confidence": skill.confidence,
            "linked": skill.linked,
            "spans": [[span.start, span.end] for span in skill.spans],
        }
        for skill in tagged.skills
    ]


def jsonl_results(lines: Iterable[str], taxonomy: Taxonomy) -> Iterator[dict[str, Any]]:
    """One result per non-blank input line: `{"id", "skills", "occupation"}` (occupation:
    `{"code", "title", "confidence"}` or null), or `{"id", "line", "error"}`."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        identifier: object = None
        try:
            if len(line) > MAX_LINE_CHARS:
                raise InputError(f"longer than {MAX_LINE_CHARS} characters")
            try:
                record = json.loads(line)
            except ValueError as error:
                raise InputError(f"not JSON: {error}") from error
            if not isinstance(record, dict):
                raise InputError('not a JSON object {"id", "text"}')
            identifier = record.get("id")
            text = record.get("text")
            if not isinstance(text, str):
                raise InputError('"text" must be a string')
            if len(text) > MAX_TEXT_CHARS:
                raise InputError(f'"text" is longer than {MAX_TEXT_CHARS} characters')
            tagging = tag_text(text, taxonomy)
        except InputError as error:
            yield {"id": _json_safe(identifier), "line": number, "error": str(error)}
            continue
        posting = tagging.posting
        occupation = posting.occupation.model_dump() if posting.occupation else None
        yield {
            "id": _json_safe(identifier),
            "skills": skill_lines(posting),
            "occupation": occupation,
        }


class UnlinkedRow(NamedTuple):
    skill_id: str
    name: str
    layer: str
    postings: int  # how many postings mention it
    example: str  # its first mention, with some context


def unlinked_report(texts: Iterable[str], top: int) -> list[UnlinkedRow]:
    """The unlinked skills of the postings, the most widespread first (then by name)."""
    taxonomy = load_taxonomy()
    counts: Counter[str] = Counter()
    first: dict[str, UnlinkedRow] = {}
    for text in texts:
        if not text.strip() or len(text) > MAX_TEXT_CHARS:
            continue
        posting = tag_text(text, taxonomy).posting
        for skill in posting.skills:
            if skill.linked:
                continue
            counts[skill.skill_id] += 1
            if skill.skill_id not in first:
                span = skill.spans[0]
                example = text[max(0, span.start - 30) : span.end + 30]
                first[skill.skill_id] = UnlinkedRow(
                    skill.skill_id, skill.name, skill.category, 0, " ".join(example.split())
                )
    ranked = sorted(counts, key=lambda skill_id: (-counts[skill_id], first[skill_id].name))
    return [first[skill_id]._replace(postings=counts[skill_id]) for skill_id in ranked[:top]]


def bounded_lines(stream: IO[str], limit: int) -> Iterator[str]:
    """The lines of a text stream without their line ends, each cut at `limit + 1` characters
    (the rest of a longer line is read and dropped), so one huge line cannot fill the memory;
    the reader of a cut line sees that it is longer than `limit`."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith("\n"):
            while (rest := stream.readline(limit)) and not rest.endswith("\n"):
                pass
        yield line.removesuffix("\n")


def _json_safe(value: object) -> object:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def render(name: str, tagging: Tagging) -> Group:
    """A posting's skills as a table, then each line that mentions one, highlighted."""
    tagged = tagging.posting
    text = tagged.text
    table = Table(title=f"{name}: {len(tagged.skills)} skills", title_justify="left")
    for column in ("skill", "id", "category", "", "mentions", "confidence"):
        table.add_column(column)
    for skill in tagged.skills:
        table.add_row(
            skill.name,
            skill.skill_id,
            skill.category,
            "required" if skill.required else "preferred",
            str(skill.mentions),
            f"{skill.confidence:.2f}",
        )
    parts: list[Table | Text] = [table]
    spans = sorted(
        (span.start, span.end, skill.required) for skill in tagged.skills for span in skill.spans
    )
    parts.extend(_highlighted_lines(text, spans))
    if tagging.unknown_terms:
        terms = ", ".join(sorted({term.term for term in tagging.unknown_terms}))
        parts.append(Text(f"not in the taxonomy (near a cue): {terms}", style="yellow"))
    if tagged.occupation is not None:
        occupation = tagged.occupation
        parts.append(
            Text(
                f"occupation: {occupation.code} {occupation.title} "
                f"(confidence {occupation.confidence:.2f})"
            )
        )
    parts.append(Text(f"taxonomy {tagged.taxonomy_version}", style="dim"))
    return Group(*parts)


def _highlighted_lines(text: str, spans: list[tuple[int, int, bool]]) -> Iterator[Text]:
    """Each line with a mention, cut to the mentions and some context, mentions in colour."""
    line_start = -1
    for start, _end, _required in spans:
        if start < line_start:
            continue
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        line_end = len(text) if line_end == -1 else line_end
        on_line = [(s, e, r) for s, e, r in spans if line_start <= s and e <= line_end]
        first, last = on_line[0][0], on_line[-1][1]
        cut_start = max(line_start, first - CONTEXT_CHARS)
        cut_end = min(line_end, last + CONTEXT_CHARS)
        number = text.count("\n", 0, line_start) + 1
        line = Text(f"{number:>5} ", style="dim")
        line.append("…" if cut_start > line_start else "")
        position = cut_start
        for span_start, span_end, span_required in on_line:
            if span_start < position:
                continue
            line.append(text[position:span_start])
            style = "bold green" if span_required else "bold cyan"
            line.append(text[span_start:span_end], style=style)
            position = span_end
        line.append(text[position:cut_end])
        line.append("…" if cut_end < line_end else "")
        line_start = line_end + 1
        yield line
