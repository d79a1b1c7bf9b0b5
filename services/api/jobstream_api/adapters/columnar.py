"""The export's rows (as the export's query gives them, in Arrow: `export_cursor`) as Arrow
record batches of `export.EXPORT_SCHEMA`.

The query gives every column as a typed PostgreSQL value read into Arrow arrays by ADBC's
driver in C++ (PostgreSQL's binary rows): most as the schema has them; each posting's places
(its `locations`, jsonb: PostgreSQL reads them without parsing) as one array a field of
theirs (`LOCATION_COLUMNS`), the n-th items of a posting's arrays being its n-th place, made
lists of structs here without a copy; and its skills (`skills`, json: parsing it costs
PostgreSQL more than Arrow) as the stored text, read by Arrow's JSON reader, then named and
ordered with Arrow's and NumPy's kernels. No Python object a posting.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from jobstream_api.export import EXPORT_SCHEMA, LOCATION_TYPE, SKILL_TYPE

# A skill as the posting's row holds it (postings.skills): SKILL_TYPE but its name and category.
STORED_SKILL: Final = pa.struct(
    [SKILL_TYPE.field(name) for name in ("id", "required", "mentions", "confidence")]
)
# The query's arrays of the places (column: the field of LOCATION_TYPE its items are).
LOCATION_COLUMNS: Final = {f"location_{field.name}": field for field in LOCATION_TYPE}
# The query's column of each posting's skills as stored (a JSON array of STORED_SKILL).
SKILLS_COLUMN: Final = "stored_skills"
_SKILLS_DOCUMENT: Final = pa.schema([("s", pa.list_(STORED_SKILL))])
# The columns of the export's query, in order: EXPORT_SCHEMA's but the nested ones, then the
# arrays of the places' fields, then the skills.
QUERY_COLUMNS: Final = (
    *(name for name in EXPORT_SCHEMA.names if name not in ("locations", "skills")),
    *LOCATION_COLUMNS,
    SKILLS_COLUMN,
)


class SkillNames:
    """The skills table (skill_id, name, category), as Arrow arrays to look names up in, and
    each name's place in the order of names (`ranks`: equal names share one; a skill not in
    the table, named null, after every name)."""

    def __init__(self, table: pa.Table) -> None:
        self.ids = table.column("skill_id").combine_chunks().cast(pa.string())
        self.names = table.column("name").combine_chunks().cast(pa.string())
        self.categories = table.column("category").combine_chunks().cast(pa.string())
        self.ranks = pc.rank(self.names, sort_keys="ascending", tiebreaker="dense").to_numpy()
        self.unknown_rank = len(self.names) + 1  # a null name's (pc.rank ranks nulls last too)


def export_batch(batch: pa.RecordBatch, names: SkillNames) -> pa.RecordBatch:
    """A batch of the export's query (QUERY_COLUMNS) as a batch of EXPORT_SCHEMA."""
    columns = dict(zip(batch.schema.names, batch.columns, strict=True))
    columns["locations"] = _lists([columns.pop(name) for name in LOCATION_COLUMNS])
    columns["skills"] = skill_lists(_stored_skills(columns.pop(SKILLS_COLUMN)), names)
    return pa.RecordBatch.from_arrays(
        [_as(columns[field.name], field.type) for field in EXPORT_SCHEMA], schema=EXPORT_SCHEMA
    )


def _as(column: pa.Array, wanted: pa.DataType) -> pa.Array:
    """The column as the schema's type (the driver's list types name their PostgreSQL types in
    their fields' metadata; a column of NULLs only may come untyped)."""
    return column if column.type == wanted else column.cast(wanted)


def _lists(arrays: list[pa.ListArray], item: pa.StructType = LOCATION_TYPE) -> pa.ListArray:
    """Arrays of one length a posting (one a field of `item`) as one list of `item` structs a
    posting."""
    offsets = _offsets(arrays[0])
    for array in arrays[1:]:
        if not _offsets(array).equals(offsets):
            raise ValueError("the export's arrays of one place or skill differ in length")
    values = pa.StructArray.from_arrays(
        [_as(array.flatten(), field.type) for array, field in zip(arrays, item, strict=True)],
        fields=list(item),
    )
    return pa.ListArray.from_arrays(offsets, values)


def _offsets(array: pa.ListArray) -> pa.Int32Array:
    """Where each posting's items start in `array.flatten()` (a slice's offsets start beyond
    0)."""
    offsets = array.offsets
    if len(offsets) and offsets[0].as_py():
        offsets = pc.subtract(offsets, offsets[0])
    return offsets


def _stored_skills(documents: pa.StringArray) -> pa.ListArray:
    """Each posting's skills JSON (an array) as a list of STORED_SKILL, read in one pass: the
    documents a line each (`{"s": ...}`: the reader reads objects), joined in Arrow's memory
    (no Python string a posting), in one block (none straddles two, however large)."""
    lines = pc.binary_join_element_wise('{"s":', documents, "}\n", "")
    _, offsets, data = lines.buffers()
    start, end = np.frombuffer(offsets, np.int32)[[lines.offset, lines.offset + len(lines)]]
    data = data.slice(int(start), int(end - start))
    table = pa_json.read_json(
        pa.BufferReader(data),
        read_options=pa_json.ReadOptions(block_size=data.size + 1, use_threads=False),
        parse_options=pa_json.ParseOptions(
            explicit_schema=_SKILLS_DOCUMENT, unexpected_field_behavior="ignore"
        ),
    )
    return table.column("s").combine_chunks()


def skill_lists(stored: pa.ListArray, names: SkillNames) -> pa.ListArray:
    """Each posting's skills (a list of `STORED_SKILL` a posting) as a list of SKILL_TYPE
    structs a posting, named, in order: required first, then the most mentioned, then by name
    (equal names as stored)."""
    offsets = _offsets(stored)
    counts = np.diff(offsets.to_numpy())
    skill = dict(zip(STORED_SKILL.names, stored.flatten().flatten(), strict=True))
    known = pc.index_in(skill["id"], value_set=names.ids)
    # Rows of the skills table (or null), a rank of the name each: the sort needs no string.
    where = known.to_numpy(zero_copy_only=False)
    rank = np.full(len(where), names.unknown_rank, np.int64)
    found = ~np.isnan(where) if where.dtype.kind == "f" else np.ones(len(where), bool)
    rank[found] = names.ranks[where[found].astype(np.int64)]
    # Unknown values last, as Arrow sorts nulls: required, not, null; mentions, null.
    required = pc.if_else(skill["required"], 0, 1).fill_null(2).to_numpy().astype(np.uint64)
    mentions = skill["mentions"].cast(pa.int64()).fill_null(-1).to_numpy()
    fewer = (mentions.max(initial=0) - mentions).astype(np.uint64)  # most mentioned first
    posting = np.repeat(np.arange(len(counts), dtype=np.uint64), counts)
    order = pa.array(_stable_order([posting, required, fewer, rank.astype(np.uint64)]))
    fields = {
        **skill,
        "name": names.names.take(known),
        "category": names.categories.take(known),
    }
    values = pa.StructArray.from_arrays(
        [fields[field.name].take(order) for field in SKILL_TYPE], fields=list(SKILL_TYPE)
    )
    return pa.ListArray.from_arrays(offsets, values)


def _stable_order(keys: list[np.ndarray]) -> np.ndarray:
    """The indices that sort by `keys` (unsigned, the first the most significant), equal rows
    in their order: one stable sort of the keys packed in one uint64 when they fit (a tenth of
    `np.lexsort`'s time), else `np.lexsort`."""
    widths = [int(key.max(initial=0)).bit_length() for key in keys]
    if sum(widths) > 64:
        return np.lexsort(keys[::-1])
    packed = np.zeros(len(keys[0]), np.uint64)
    for key, width in zip(keys, widths, strict=True):
        packed = (packed << np.uint64(width)) | key
    return np.argsort(packed, kind="stable")
