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
import numpy.typing as npt

SCHEME: Final = "minhash-oph128-b24"
BINS: Final = 128
MIN_WORDS: Final = 3
# The first bytes of a text that count: a posting's words are in far fewer, and the cost of a
# megabyte of text stays bounded.
MAX_BYTES: Final = 64 * 1024

_U64 = np.uint64
_PAD: Final = b" " * 24
# Constants of the mixing (odd, from splitmix64, xxHash and murmur3's finaliser).
_K1: Final = _U64(0x9E3779B97F4A7C15)
_K2: Final = _U64(0xC2B2AE3D27D4EB4F)
_K3: Final = _U64(0x165667B19E3779F9)
_MIX: Final = _U64(0xFF51AFD7ED558CCD)
_SHIFT_MIX: Final = _U64(29)
_BIN_SHIFT: Final = _U64(64 - 7)  # 2**7 == BINS
_VALUE_SHIFT: Final = _U64(64 - 7 - 16)  # the 16 bits below the bin's
_VALUE_MASK: Final = _U64(0xFFFF)
_ROTATION: Final = 0x9E37  # the offset a borrowed value gets for each bin it moves
_BIN_NUMBERS: Final = np.arange(BINS, dtype=_U64)
_BIN_INDEXES: Final = np.arange(BINS)


def signature(lowered: str) -> list[int] | None:
    """The signature of a text already in lower case (`BINS` values of 16 bits each), or
    None when it has fewer than `MIN_WORDS` words."""
    data = b" " + lowered.encode("utf-8", "surrogatepass")[:MAX_BYTES] + _PAD
    text = np.frombuffer(data, np.uint8)
    # A word starts after a space or a line break (the cleaned text has no other white space).
    starts = np.flatnonzero((text[:-1] <= 32) & (text[1:] > 32))
    if len(starts) < MIN_WORDS:
        return None
    starts += 1
    # Every eight bytes of the text as a little-endian number, one per offset (a view, no copy):
    # a shingle is the 24 bytes from a word's start, three of them.
    windows: npt.NDArray[np.uint64] = np.ndarray(
        (len(data) - 7,), dtype="<u8", buffer=data, strides=(1,)
    )
    hashes = windows[starts] * _K1
    starts += 8
    hashes ^= windows[starts] * _K2
    starts += 8
    hashes ^= windows[starts] * _K3
    hashes ^= hashes >> _SHIFT_MIX
    hashes *= _MIX
    hashes ^= hashes >> _SHIFT_MIX
    hashes.sort()
    firsts = np.searchsorted(hashes >> _BIN_SHIFT, _BIN_NUMBERS)  # the smallest of each bin
    values = (hashes[np.minimum(firsts, len(hashes) - 1)] >> _VALUE_SHIFT) & _VALUE_MASK
    filled = np.append(firsts[1:], len(hashes)) > firsts
    if not filled.all():
        values = _densified(values, filled)
    result: list[int] = values.tolist()
    return result


def _densified(
    values: npt.NDArray[np.uint64], filled: npt.NDArray[np.bool_]
) -> npt.NDArray[np.uint64]:
    """Each empty bin takes the value of the next filled bin to its right (circularly), plus
    `_ROTATION` for each bin it moves, so that a borrowed value differs from the original."""
    filled_bins = np.flatnonzero(filled)
    following = filled_bins[np.searchsorted(filled_bins, _BIN_INDEXES) % len(filled_bins)]
    distance = (following - _BIN_INDEXES) % BINS
    borrowed = (values[following] + (distance * _ROTATION).astype(_U64)) & _VALUE_MASK
    return np.where(filled, values, borrowed)


def similarity(first: list[int], second: list[int]) -> float:
    """The estimated Jaccard similarity of two texts from their signatures."""
    if len(first) != len(second) or not first:
        return 0.0
    return sum(map(int.__eq__, first, second)) / len(first)
