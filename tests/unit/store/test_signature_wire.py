"""Candidates' signatures are read in PostgreSQL's binary array form, straight into int32."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from jobstream_store.adapters.repository import _int4_values

pytestmark = pytest.mark.unit

# `SELECT array_send(ARRAY[1, 2, 65535]::integer[])` and `array_send('{}'::integer[])`, as
# PostgreSQL 15 returned them.
ONE_TWO_MAX = bytes.fromhex(
    "00000001 00000000 00000017 00000003 00000001"
    " 00000004 00000001 00000004 00000002 00000004 0000ffff"
)
EMPTY = bytes.fromhex("00000000 00000000 00000017")


def test_the_values_of_an_integer_array_come_back_as_int32() -> None:
    values = _int4_values(ONE_TWO_MAX)
    assert values is not None
    assert values.dtype == np.int32
    assert values.tolist() == [1, 2, 65535]
    empty = _int4_values(EMPTY)
    assert empty is not None and empty.tolist() == []
    assert _int4_values(None) is None


def test_a_long_signature_round_trips() -> None:
    values = list(range(0, 65536, 509))
    data = struct.pack(">5i", 1, 0, 23, len(values), 1) + b"".join(
        struct.pack(">ii", 4, value) for value in values
    )
    decoded = _int4_values(data)
    assert decoded is not None and decoded.tolist() == values


@pytest.mark.parametrize(
    "data",
    [
        struct.pack(">5i", 1, 1, 23, 1, 1) + struct.pack(">i", -1),  # a NULL element
        struct.pack(">5i", 1, 0, 20, 1, 1) + struct.pack(">iq", 8, 7),  # bigint[]
        struct.pack(">5i", 2, 0, 23, 1, 1) + struct.pack(">5i", 1, 1, 4, 7, 0),  # 2 dimensions
    ],
)
def test_anything_else_is_refused_rather_than_misread(data: bytes) -> None:
    with pytest.raises(ValueError, match="integer"):
        _int4_values(data)
