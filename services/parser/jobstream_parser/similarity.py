"""A near-duplicate signature of a posting: MinHash of the cleaned text's shingles.

The same job posted on two boards, or posted again with a new date, is one job for anyone
counting. The store groups postings whose texts are near-identical by comparing these
signatures: the share of positions where two signatures hold the same value estimates the
Jaccard similarity of the two texts' sets of shingles.

A shingle is the 24 bytes of the lower-cased text (UTF-8) that start where a word starts:
about three words, so it is word shingling in the usual sense (w = 3) without splitting the text
into Python strings. The signature is MinHash with one permutation (Li, Owen and Zhang, 2012):
each shingle's 64-bit hash falls into one of `BINS` bins by its top bits, and each bin keeps
16 bits of its smallest hash; an empty bin (short texts) takes the value of the next non-empty
bin to its right plus an offset for the distance, which keeps the estimate unbiased
(Shrivastava and Li, 2014, densification by rotation).

Why not datasketch: its MinHash hashes each shingle in Python and applies 128 permutations to
each, milliseconds a posting where the parser's whole budget is half of one. Here every step
is one vectorised numpy operation over the text's bytes, with no Python code per word.

`SCHEME` names this definition: signatures of different schemes never compare, and a change to
anything here must change it.
"""

from __future__ import annotations

from typing import Final

import numpy as np

SCHEME: Final = "minhash-oph128-b24"
BINS: Final = 128
MIN_WORDS: Final = 3
# The first bytes of a text that count: a posting's words are in far fewer, and the cost of a
# megabyte of text stays bounded.
MAX_BYTES: Final = 64 * 1024

_U64 = np.uint64
_PAD: Final = b" " * 24
# Odd constants (from splitmix64 and xxHash) that the three numbers of a shingle are
# multiplied by.
_K1: Final = _U64(0x9E3779B97F4A7C15)
_K2: Final = _U64(0xC2B2AE3D27D4EB4F)
_K3: Final = _U64(0x165667B19E3779F9)
_KEY_SHIFT: Final = _U64(64 - 7 - 16)  # 2**7 == BINS bins, values of 16 bits
_ROTATION: Final = 0x9E37  # the offset a borrowed value gets for each bin it moves
_BIN_EDGES: Final = np.arange(BINS + 1, dtype=np.uint32) << np.uint32(16)
_VALUE_MASK: Final = np.uint32(0xFFFF)
_SPACE: Final = np.uint8(32)


def signature(lowered: str) -> list[int] | None:
    """The signature of a cleaned text in lower case (`BINS` values of 16 bits each), or None
    when it has fewer than `MIN_WORDS` words."""
    core = lowered.encode("utf-8", "surrogatepass")[:MAX_BYTES]
    data = b" " + core + _PAD
    # A word starts after a space or a line break: cleaned text has single spaces and no other
    # white space (a blank line adds one shingle of its own, the same in every copy).
    starts = (np.frombuffer(data, np.uint8, len(core) + 1) <= _SPACE).nonzero()[0]
    count = len(starts)
    if count < MIN_WORDS:
        return None
    # Every eight bytes of the text as a little-endian number, one per offset: a shingle is the
    # 24 bytes from a word's start, three of them, each multiplied by an odd constant (which
    # carries every bit of it into the top bits) and added up by XOR. (Array methods and
    # in-place operations: numpy's function wrappers and temporary arrays cost more than the
    # arithmetic on a posting's few hundred words.) The numbers are copied once into an
    # aligned array: `take` copies an unaligned view (the bytes at every offset) whole on each
    # call, three times.
    windows = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,)).copy()
    starts += 1
    hashes = windows.take(starts)
    hashes *= _K1
    for constant in (_K2, _K3):
        starts += 8
        part = windows.take(starts)
        part *= constant
        hashes ^= part
    # The top 23 bits: 7 choose the bin, the 16 below are the value a bin keeps.
    hashes >>= _KEY_SHIFT
    keys = hashes.astype(np.uint32)
    keys.sort()
    edges = keys.searchsorted(_BIN_EDGES)  # where each bin's keys start: its smallest first
    firsts = edges[:-1]
    # Each bin's first key (an empty bin points at a later bin's key, or past the last one:
    # clipped; its value is replaced below).
    chosen = keys.take(firsts, mode="clip")
    chosen &= _VALUE_MASK
    values: list[int] = chosen.tolist()
    empty = (edges[1:] == firsts).nonzero()[0]
    if len(empty):
        _densify(values, empty.tolist())
    return values


def _densify(values: list[int], empty: list[int]) -> None:
    """Each empty bin takes the value of the next filled bin to its right (circularly), plus
    `_ROTATION` for each bin it moves, so that a borrowed value differs from the original."""
    is_empty = set(empty)
    for index in empty:
        distance = 1
        while (index + distance) % BINS in is_empty:
            distance += 1
        values[index] = (values[(index + distance) % BINS] + distance * _ROTATION) & 0xFFFF


def similarity(first: list[int], second: list[int]) -> float:
    """The estimated Jaccard similarity of two texts from their signatures."""
    if len(first) != len(second) or not first:
        return 0.0
    return sum(map(int.__eq__, first, second)) / len(first)
