"""The export's rows (as the export's query gives them, in Arrow: `export_cursor`) as Arrow
record batches of `export.EXPORT_SCHEMA`.

The query gives most columns as the schema has them (PostgreSQL's binary rows read into Arrow
arrays by ADBC's driver in C++). Each posting's places and skills (the posting's `locations`
and `skills`) come as one JSON document a posting, read by Arrow's JSON reader; the skills are
then named, ordered and made into lists of structs with Arrow's compute functions. No Python
object a posting.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
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
# The posting's places and skills, written by the query as one JSON document (`{"l": [...],
# "s": [...]}`) in this column.
NESTED_COLUMN: Final = "nested"
_NESTED: Final = pa.schema([("l", pa.list_(LOCATION_TYPE)), ("s", pa.list_(_STORED_SKILL))])
# The columns of the export's query, in order: EXPORT_SCHEMA's but the nested ones, then
# NESTED_COLUMN.
QUERY_COLUMNS: Final = (
    *(name for name in EXPORT_SCHEMA.names if name not in ("locations", "skills")),
    NESTED_COLUMN,
)


class SkillNames:
    """The skills table (skill_id, name, category), as Arrow arrays to look names up in."""

    def __init__(self, table: pa.Table) -> None:
        self.ids = table.column("skill_id").combine_chunks().cast(pa.string())
        self.names = table.column("name").combine_chunks().cast(pa.string())
        self.categories = table.column("category").combine_chunks().cast(pa.string())


def export_batch(batch: pa.RecordBatch, names: SkillNames) -> pa.RecordBatch:
    """A batch of the export's query (QUERY_COLUMNS) as a batch of EXPORT_SCHEMA."""
    columns = dict(zip(batch.schema.names, batch.columns, strict=True))
    nested = _nested(columns.pop(NESTED_COLUMN))
    columns["locations"] = nested.column("l").combine_chunks()
    columns["skills"] = skill_lists(nested.column("s").combine_chunks(), names)
    return pa.RecordBatch.from_arrays(
        [_as(columns[field.name], field.type) for field in EXPORT_SCHEMA], schema=EXPORT_SCHEMA
    )


def _as(column: pa.Array, wanted: pa.DataType) -> pa.Array:
    """The column as the schema's type (the driver's list types name their PostgreSQL types in
    their fields' metadata; a column of NULLs only may come untyped)."""
    return column if column.type == wanted else column.cast(wanted)


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
