"""Rows of the export's query as Arrow record batches of `export.EXPORT_SCHEMA`.

Column by column, in C++ wherever Arrow can: a batch's rows are transposed once (`zip`), each
column becomes an Arrow array, and the skills (parallel arrays a posting) are named, ordered
and made into lists of structs with Arrow's compute functions instead of a Python loop over
millions of skill rows.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any, Final

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
# The query's skill columns: parallel arrays, one element a skill of the posting.
_SKILL_ARRAYS: Final = {
    "skill_ids": pa.string(),
    "required": pa.bool_(),
    "mentions": pa.int32(),
    "confidence": pa.float32(),
}


class SkillNames:
    """The skills table (id, name, category), as Arrow arrays to look names up in."""

    def __init__(self, rows: Sequence[Sequence[Any]]) -> None:
        ids, names, categories = zip(*rows, strict=True) if rows else ((), (), ())
        self.ids = pa.array(ids, pa.string())
        self.names = pa.array(names, pa.string())
        self.categories = pa.array(categories, pa.string())


def export_batch(rows: Sequence[Mapping[str, Any]], names: SkillNames) -> pa.RecordBatch:
    """Postings as the export's query selects them (the columns of EXPORT_SCHEMA but
    `skills`; the text as UTF-8 bytes, locations as JSON text, skills as `_SKILL_ARRAYS`) as
    one record batch."""
    columns = dict(zip(rows[0].keys(), zip(*rows, strict=True), strict=True))
    arrays = {
        field.name: pa.array(columns[field.name], field.type)
        for field in EXPORT_SCHEMA
        if field.name not in ("skills", "text", "locations")
    }
    arrays["locations"] = places(columns["locations"])
    arrays["text"] = pa.array(columns["text"], pa.binary()).cast(pa.string())  # checks UTF-8
    arrays["skills"] = skill_lists(
        {name: pa.array(columns[name], pa.list_(kind)) for name, kind in _SKILL_ARRAYS.items()},
        names,
    )
    return pa.RecordBatch.from_arrays(
        [arrays[name] for name in EXPORT_SCHEMA.names], schema=EXPORT_SCHEMA
    )


def places(documents: Sequence[str]) -> pa.ListArray:
    """Each posting's locations (a JSON array of objects) as a list of LOCATION_TYPE structs,
    parsed by Arrow's JSON reader in one pass over the batch."""
    lines = "\n".join(f'{{"l":{document}}}' for document in documents).encode()
    table = pa_json.read_json(
        io.BytesIO(lines),
        read_options=pa_json.ReadOptions(block_size=len(lines) + 1),  # one block
        parse_options=pa_json.ParseOptions(
            explicit_schema=pa.schema([("l", pa.list_(LOCATION_TYPE))]),
            unexpected_field_behavior="ignore",
        ),
    )
    return table.column("l").combine_chunks()


def skill_lists(parallel: Mapping[str, pa.ListArray], names: SkillNames) -> pa.ListArray:
    """Each posting's skills (`_SKILL_ARRAYS`, one list a posting) as a list of SKILL_TYPE
    structs a posting, in `_SKILL_ORDER`."""
    offsets = parallel["skill_ids"].offsets
    counts = np.diff(offsets.to_numpy())
    ids = parallel["skill_ids"].flatten()
    known = pc.index_in(ids, value_set=names.ids)
    table = pa.table(
        {
            "position": np.repeat(np.arange(len(counts), dtype=np.int32), counts),
            "id": ids,
            "name": names.names.take(known),
            "category": names.categories.take(known),
            "required": parallel["required"].flatten(),
            "mentions": parallel["mentions"].flatten(),
            "confidence": parallel["confidence"].flatten(),
        }
    ).sort_by(_SKILL_ORDER)
    values = pa.StructArray.from_arrays(
        [table[field.name].combine_chunks() for field in SKILL_TYPE], fields=list(SKILL_TYPE)
    )
    return pa.ListArray.from_arrays(offsets, values)
