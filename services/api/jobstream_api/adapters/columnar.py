"""The export's rows (as PostgreSQL's COPY writes them in CSV) as Arrow record batches of
`export.EXPORT_SCHEMA`.

Arrow's CSV reader parses a batch's COPY output into columns in C++ (no Python object a
posting). The columns CSV cannot hold come as text and are made Arrow's there
too: lists of codes split on a separator, and each posting's places and skills (the posting's
`locations` and `skills`) read as one JSON document a posting by Arrow's JSON reader. The
skills are then named, ordered and made into lists of structs with Arrow's compute functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json

from jobstream_api.export import EXPORT_SCHEMA, LOCATION_TYPE, SKILL_TYPE

# Within a posting: required first, then most mentioned, then by name.
_SKILL_ORDER: Final = [
    ("position", "ascending"),
    ("required", "descending"),
    ("mentions", "descending"),
    ("name", "ascending"),
]
# A skill as the posting's row holds it (postings.skills): SKILL_TYPE but its name and category.
_STORED_SKILL: Final = pa.struct(
    [SKILL_TYPE.field(name) for name in ("id", "required", "mentions", "confidence")]
)
# Lists of codes, written by the export's query joined by this (no code holds a control
# character), NULL for none.
LIST_SEPARATOR: Final = "\x1f"
LIST_COLUMNS: Final = tuple(
    field.name for field in EXPORT_SCHEMA if field.type == pa.list_(pa.string())
)
# The posting's places and skills, written by the query as one JSON document (`{"l": [...],
# "s": [...]}`) in this column.
NESTED_COLUMN: Final = "nested"
_NESTED: Final = pa.schema([("l", pa.list_(LOCATION_TYPE)), ("s", pa.list_(_STORED_SKILL))])
# The columns of COPY's CSV, in order: EXPORT_SCHEMA's but the nested ones, then NESTED_COLUMN.
COPY_COLUMNS: Final = (
    *(name for name in EXPORT_SCHEMA.names if name not in ("locations", "skills")),
    NESTED_COLUMN,
)
_COPY_TYPES: Final = {
    name: pa.string()
    if name in LIST_COLUMNS or name == NESTED_COLUMN
    else EXPORT_SCHEMA.field(name).type
    for name in COPY_COLUMNS
}


class SkillNames:
    """The skills table (id, name, category), as Arrow arrays to look names up in."""

    def __init__(self, rows: Sequence[Sequence[Any]]) -> None:
        ids, names, categories = zip(*rows, strict=True) if rows else ((), (), ())
        self.ids = pa.array(ids, pa.string())
        self.names = pa.array(names, pa.string())
        self.categories = pa.array(categories, pa.string())


def read_copy(data: bytes, names: SkillNames) -> pa.RecordBatch:
    """COPY's CSV of the export's query (COPY_COLUMNS, whole rows, at least one) as a batch of
    EXPORT_SCHEMA. An empty string is quoted in COPY's CSV and a NULL is not: the one is kept
    apart from the other. One block: no row may straddle two."""
    table = pa_csv.read_csv(
        pa.BufferReader(data),
        read_options=pa_csv.ReadOptions(
            column_names=list(COPY_COLUMNS), block_size=len(data) + 1, use_threads=False
        ),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types=_COPY_TYPES,
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    ).combine_chunks()
    (batch,) = table.to_batches()  # one, combined
    return export_batch(batch, names)


def export_batch(batch: pa.RecordBatch, names: SkillNames) -> pa.RecordBatch:
    """A batch of COPY_COLUMNS (as `read_copy` reads it) as a batch of EXPORT_SCHEMA."""
    columns = dict(zip(batch.schema.names, batch.columns, strict=True))
    nested = _nested(columns.pop(NESTED_COLUMN))
    columns["locations"] = nested.column("l").combine_chunks()
    columns["skills"] = skill_lists(nested.column("s").combine_chunks(), names)
    for name in LIST_COLUMNS:
        split = pc.split_pattern(columns[name], LIST_SEPARATOR)
        columns[name] = pa.ListArray.from_arrays(split.offsets, split.values)  # NULL: none
    return pa.RecordBatch.from_arrays(
        [columns[name] for name in EXPORT_SCHEMA.names], schema=EXPORT_SCHEMA
    )


def _nested(documents: pa.StringArray) -> pa.Table:
    """One JSON document a posting, read in one pass: the documents a line each, joined in
    Arrow's memory (no Python string a posting)."""
    lines = pc.binary_join_element_wise(documents, "", "\n")  # each document and a line end
    _, offsets, data = lines.buffers()
    start, end = np.frombuffer(offsets, np.int32)[[lines.offset, lines.offset + len(lines)]]
    data = data.slice(int(start), int(end - start))
    return pa_json.read_json(
        pa.BufferReader(data),
        read_options=pa_json.ReadOptions(block_size=data.size + 1),  # one: none straddles two
        parse_options=pa_json.ParseOptions(
            explicit_schema=_NESTED, unexpected_field_behavior="ignore"
        ),
    )


def skill_lists(stored: pa.ListArray, names: SkillNames) -> pa.ListArray:
    """Each posting's skills (a list of `_STORED_SKILL` a posting) as a list of SKILL_TYPE
    structs a posting, named, in `_SKILL_ORDER`."""
    offsets = stored.offsets
    if len(offsets) and offsets[0].as_py():
        offsets = pc.subtract(offsets, offsets[0])
    counts = np.diff(offsets.to_numpy())
    skill = dict(zip(_STORED_SKILL.names, stored.flatten().flatten(), strict=True))
    ids = skill["id"]
    known = pc.index_in(ids, value_set=names.ids)
    table = pa.table(
        {
            "position": np.repeat(np.arange(len(counts), dtype=np.int32), counts),
            "id": ids,
            "name": names.names.take(known),
            "category": names.categories.take(known),
            "required": skill["required"],
            "mentions": skill["mentions"],
            "confidence": skill["confidence"],
        }
    ).sort_by(_SKILL_ORDER)
    values = pa.StructArray.from_arrays(
        [table[field.name].combine_chunks() for field in SKILL_TYPE], fields=list(SKILL_TYPE)
    )
    return pa.ListArray.from_arrays(offsets, values)
