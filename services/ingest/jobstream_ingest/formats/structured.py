"""JSON, JSON Lines and CSV: text to records, one per posting, each numbered for reports.

A record that cannot be read is returned as a `FormatError` in its place, so the good records
of a file still go; a file that cannot be read at all raises `FormatError`.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from jobstream_ingest.formats.errors import FormatError
from jobstream_ingest.formats.fields import TEXT_KEYS, has_text_key

# The csv module refuses fields over 128 KiB by default, but a posting's text may be longer.
# The input is already bounded by the file size limit, so the field limit can be lifted.
csv.field_size_limit(2**31 - 1)


@dataclass(frozen=True)
class Item:
    """One record of a structured file: its number (None when the file is one posting)."""

    number: int | None
    record: Mapping[str, object] | FormatError


def json_items(text: str, max_items: int) -> list[Item]:
    """A posting object, or a list of them (numbered from 1)."""
    try:
        value = _json_value(text, max_items)
    except FormatError:
        raise
    except json.JSONDecodeError as error:
        raise FormatError("bad_json", _json_problem(error)) from error
    except (RecursionError, ValueError) as error:
        raise FormatError("bad_json", _value_problem(error)) from error
    if isinstance(value, dict):
        return [Item(None, value)]
    if isinstance(value, list):
        return [Item(number, _object(item)) for number, item in enumerate(value, start=1)]
    raise FormatError("bad_json", "expected a posting object or a list of them")


def jsonl_items(text: str, max_items: int) -> list[Item]:
    """One posting object a line (numbered by line); blank lines are skipped."""
    if text.count("\n") >= max_items:  # perhaps too many: count, stopping past the limit
        _check_count(sum(1 for _ in itertools.islice(_lines(text), max_items + 1)), max_items)
    return list(jsonl_records(_lines(text)))


def jsonl_records(lines: Iterable[tuple[int, str]]) -> Iterator[Item]:
    """The record of each numbered non-blank line, one at a time (a stream of any length)."""
    for number, line in lines:
        yield jsonl_record(number, line)


def jsonl_record(number: int, line: str) -> Item:
    """One line of JSON Lines as a record, or the FormatError that says why not."""
    try:
        value: object = _loads(line)
    except json.JSONDecodeError as error:
        return Item(number, FormatError("bad_json", _json_problem(error, line=False)))
    except (RecursionError, ValueError) as error:
        return Item(number, FormatError("bad_json", _value_problem(error)))
    return Item(number, _object(value))


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """The non-blank lines of `text`, numbered, one at a time: 10 MB of short lines split at
    once would be millions of strings (some 300 MB) before the count refuses them. Split on
    newlines only: JSON strings may hold U+2028 and other characters that
    str.splitlines() would also break on."""
    start, number = 0, 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        number += 1
        line = text[start:end]
        if line.strip():
            yield number, line
        start = end + 1


def _json_value(text: str, max_items: int) -> object:
    """The JSON value of `text`; a top-level list is read one item at a time and refused once
    over `max_items`, before the rest is built (10 MB of `{},` is 3 million objects)."""
    start = _JSON_SPACE.match(text).end()  # type: ignore[union-attr]
    if not text.startswith("[", start):
        return _loads(text)
    values: list[object] = []
    index = _skip_space(text, start + 1)
    if text.startswith("]", index):
        index += 1
    else:
        while True:
            value, index = _DECODER.raw_decode(text, index)
            values.append(value)
            _check_count(len(values), max_items)
            index = _skip_space(text, index)
            if text.startswith(",", index):
                index = _skip_space(text, index + 1)
            elif text.startswith("]", index):
                index += 1
                break
            else:
                raise json.JSONDecodeError("Expecting ',' delimiter", text, index)
    if _skip_space(text, index) != len(text):
        raise json.JSONDecodeError("Extra data", text, index)
    return values


def _skip_space(text: str, index: int) -> int:
    return _JSON_SPACE.match(text, index).end()  # type: ignore[union-attr]


def csv_items(text: str, max_items: int) -> list[Item]:
    """A header row naming the columns, then one posting a row (numbered from 1)."""
    items: list[Item] = []
    for item in csv_records(io.StringIO(text, newline=""), _delimiter(text)):
        _check_count(len(items) + 1, max_items)
        items.append(item)
    return items


def csv_records(lines: Iterator[str], delimiter: str) -> Iterator[Item]:
    """The rows of CSV `lines` (with their line ends) after the header, one at a time;
    blank rows are skipped (their numbers too). FormatError when the file is unusable."""
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None or not any(name.strip() for name in header):
            raise FormatError("empty", "the CSV file has no header row")
        if not has_text_key(header):
            raise FormatError(
                "no_text", f"no column holds the posting text; name one of {', '.join(TEXT_KEYS)}"
            )
        for number, row in enumerate(reader, start=1):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                problem = f"{len(row)} values but the header names {len(header)} columns"
                yield Item(number, FormatError("bad_csv", problem))
                continue
            yield Item(number, dict(zip(header, row, strict=False)))
    except csv.Error as error:
        raise FormatError("bad_csv", f"not valid CSV (line {reader.line_num}): {error}") from error


def _delimiter(text: str) -> str:
    """Comma by default; semicolon, tab or pipe when the header row is separated by those."""
    return csv_delimiter(text.split("\n", 1)[0])


def csv_delimiter(header: str) -> str:
    """The delimiter a CSV header line uses (see `_delimiter`)."""
    counts = {delimiter: header.count(delimiter) for delimiter in ",;\t|"}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > counts[","] else ","


def _check_count(count: int, max_items: int) -> None:
    """Refuse a file over the limit before building its records (bounds memory)."""
    if count > max_items:
        raise FormatError(
            "too_many_postings",
            f"more postings than the limit of {max_items:,}; split the file",
        )


def _object(value: object) -> Mapping[str, object] | FormatError:
    if isinstance(value, dict):
        return value
    return FormatError("bad_json", "expected a posting object ({...})")


def _loads(text: str) -> object:
    """Strict JSON: NaN and Infinity (which Python's json accepts, and which are no numbers a
    posting's field can hold) are refused, as are floats too large to be finite."""
    return _DECODER.decode(text)


def _refuse_constant(name: str) -> object:
    raise FormatError("bad_json", f"{name} is not a JSON value; send numbers or text")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise FormatError("bad_json", f"the number {literal[:20]} is too large")
    return value


def _value_problem(error: RecursionError | ValueError) -> str:
    """Words for what json.loads raises besides a syntax error: too deep a nesting, an integer
    of more digits than Python converts (4,300), or a refused NaN / Infinity."""
    if isinstance(error, RecursionError):
        return "the JSON is nested too deeply"
    if isinstance(error, FormatError):
        return error.message
    if "digits" in str(error):
        return "the JSON holds an integer of over 4,300 digits"
    return f"not valid JSON: {error}"


def _json_problem(error: json.JSONDecodeError, line: bool = True) -> str:
    where = f"line {error.lineno}, column {error.colno}" if line else f"column {error.colno}"
    return f"not valid JSON at {where}: {error.msg}"


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
