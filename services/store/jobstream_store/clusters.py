"""Near-duplicate clusters: which stored posting a new one is the same job as. Pure: the
repository reads the candidates from PostgreSQL and writes the chosen `cluster_id`.

The same job posted on two boards, or posted again with a new date, is one job for anyone
counting: such postings share a `cluster_id` (the id of the first posting of the cluster).
Two postings are the same job when their texts are near-identical (the Jaccard similarity of
their shingles, estimated from the parser's MinHash signatures, is `THRESHOLD` or more) and
their titles do not say otherwise: two jobs of one employer can share nearly all their text
(a city's bulletins for "Airport Police Officer" and "Port Police Officer" do), and a title
that is not contained in the other, word for word, makes them two jobs.

Candidates are found by locality-sensitive hashing: the signature is cut into `BANDS` bands
of `ROWS` values, each band hashed to one 64-bit key; postings sharing a key are compared.
Postings with a similarity `s` share at least one key with probability 1 - (1 - s**ROWS)**BANDS:
0.95 at s = 0.8, 0.9996 at s = 0.9, and 0.06 at s = 0.5, so nearly every near-duplicate is
found while few others are compared. The keys are stored in an array column with a GIN index,
so every store instance finds the postings every other one wrote, across restarts.
"""

from __future__ import annotations

import hashlib
import re
import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, TypeAlias

import numpy as np
import numpy.typing as npt

from jobstream.contracts import TaggedPosting, TextSignature

BANDS: Final = 16
ROWS: Final = 8
THRESHOLD: Final = 0.8
_WORD: Final = re.compile(r"[^\W_]+")
# Forms of one word in titles ("Sr. Engineer" is "Senior Engineer").
_SAME_WORD: Final = {
    "sr": "senior", "snr": "senior", "jr": "junior", "mgr": "manager", "eng": "engineer",
    "engr": "engineer", "dev": "developer", "swe": "software engineer", "asst": "assistant",
    "assoc": "associate", "admin": "administrator", "dir": "director", "vp": "vice president",
}  # fmt: skip


def band_keys(signature: TextSignature | None) -> list[int]:
    """The LSH keys of a signature: one signed 64-bit key per band (none without one). The
    scheme is part of each key, so signatures of different schemes never meet."""
    if signature is None:
        return []
    # The store needs a posting's keys three times (its lookup, its row, its cluster): the
    # hashing is computed once. The cache is keyed by the values' bytes, not a tuple of them:
    # a tuple of them held ~130 Python ints alive an entry, most of the store's growth in
    # memory while it ran (docs/benchmarks.md).
    values = array("H", signature.values)  # 0-65535: the contract's bounds
    if sys.byteorder == "little":
        values.byteswap()  # big-endian, as the keys were always hashed
    return list(_band_keys(signature.scheme, values.tobytes()))


@lru_cache(maxsize=8192)
def _band_keys(scheme: str, values: bytes) -> tuple[int, ...]:
    """The keys of big-endian 16-bit `values`: each band is hashed as its number (one byte)
    and its `ROWS` values (`struct.pack(">B8H", band, *rows)`)."""
    prefix = scheme.encode()[:64]
    width = ROWS * 2
    keys = []
    for band in range(min(BANDS, len(values) // width)):
        digest = hashlib.blake2b(
            bytes((band,)) + values[band * width : (band + 1) * width], digest_size=8, key=prefix
        ).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return tuple(keys)


def similarity(first: Sequence[int], second: Sequence[int]) -> float:
    """The estimated Jaccard similarity of two texts from their signatures."""
    if len(first) != len(second) or not first:
        return 0.0
    return sum(map(int.__eq__, first, second)) / len(first)


def title_words(title: str | None) -> frozenset[str]:
    words: list[str] = []
    for word in _WORD.findall((title or "").casefold()):
        words.extend(_SAME_WORD.get(word, word).split())
    return frozenset(words)


# A level the longer title adds makes another job: "Technical Account Manager" and "Senior
# Technical Account Manager" are two openings (TTS posted both from one text).
_LEVEL_WORDS: Final = frozenset({
    "senior", "junior", "lead", "staff", "principal", "head", "chief", "intern", "trainee",
    "apprentice", "deputy", "assistant", "associate", "executive", "i", "ii", "iii", "iv", "v",
    "1", "2", "3", "4", "5",
})  # fmt: skip


def same_job_title(first: str | None, second: str | None) -> bool:
    """Titles that may name one job: either unknown, or one's words all in the other's, the
    other adding no level."""
    if not first or not second:
        return True
    words, others = title_words(first), title_words(second)
    if not (words <= others or others <= words):
        return False
    return not (words ^ others) & _LEVEL_WORDS


# A signature's values: a tuple, or an int32 array as the repository reads them from
# PostgreSQL (no Python int a value: turning ~130 of them into a matrix row was most of the
# cost of indexing a candidate).
SignatureValues: TypeAlias = tuple[int, ...] | npt.NDArray[np.int32]


@dataclass(frozen=True, eq=False)
class Stored:
    """A posting as stored, with what cluster assignment reads of it."""

    posting_id: str
    cluster_id: str | None
    title: str | None
    signature: SignatureValues | None
    band_keys: tuple[int, ...]


class _Index:
    """Postings by band key, with the cluster each belongs to, and every signature as a row of
    one matrix: a posting is compared with all its candidates in one numpy operation, and only
    the few near enough are looked at in Python (on the bench corpus, whose postings share a
    template, each posting has ~90 candidates: a Python loop over them, or an array built for
    each, cost most of the store's clustering)."""

    def __init__(self, capacity: int, width: int) -> None:
        self.postings: list[Stored] = []
        self.by_key: dict[int, list[int]] = {}
        # Padded with -1, which no signature value (0-65535) equals.
        self._matrix = np.full((capacity, width), -1, np.int32)
        self._lengths = np.zeros(capacity, np.intp)

    def add(self, posting: Stored) -> None:
        """Index a posting with a cluster and a signature (others are never candidates)."""
        if posting.cluster_id is None or posting.signature is None or not len(posting.signature):
            return
        row = len(self.postings)
        self.postings.append(posting)
        self._matrix[row, : len(posting.signature)] = posting.signature
        self._lengths[row] = len(posting.signature)
        for key in posting.band_keys:
            self.by_key.setdefault(key, []).append(row)

    def near(
        self, signature: npt.NDArray[np.int32], keys: Iterable[int]
    ) -> list[tuple[float, Stored]]:
        """The indexed postings sharing a band key with `signature` whose estimated similarity
        to it is `THRESHOLD` or more, with that similarity (as `similarity` computes it:
        equal values ÷ values; a signature of another length estimates nothing)."""
        found: set[int] = set()
        for key in keys:
            found.update(self.by_key.get(key, ()))
        if not found:
            return []
        rows = np.fromiter(found, np.intp, len(found))
        rows = rows[self._lengths[rows] == len(signature)]
        if not len(rows):
            return []
        equal = np.count_nonzero(self._matrix[rows, : len(signature)] == signature, axis=1)
        scores = equal / len(signature)
        close = scores >= THRESHOLD
        return [
            (score, self.postings[row])
            for row, score in zip(rows[close].tolist(), scores[close].tolist(), strict=True)
        ]


def assign_clusters(postings: Sequence[TaggedPosting], stored: Iterable[Stored]) -> dict[str, str]:
    """The cluster of each posting of a batch, given the stored postings that share a band
    key with one of them (and the batch's own postings as stored, if they were).

    A posting keeps its cluster while its signature is unchanged; otherwise it joins the
    cluster of the most similar near-duplicate (stored, or earlier in the batch), and founds
    its own cluster, named by its id, when it has none. Postings are taken in the order they
    were received, so the result does not depend on the order of the batch.
    """
    batch_ids = {posting.posting_id for posting in postings}
    before: dict[str, Stored] = {}
    others: list[Stored] = []
    for row in stored:
        if row.posting_id in batch_ids:
            before[row.posting_id] = row
        else:
            others.append(row)
    lengths = [len(posting.signature.values) for posting in postings if posting.signature]
    lengths += [len(row.signature) for row in others if row.signature is not None]
    index = _Index(capacity=len(others) + len(postings), width=max(lengths, default=0))
    for row in others:
        index.add(row)
    clusters: dict[str, str] = {}
    for posting in sorted(postings, key=lambda item: (item.received_at, item.posting_id)):
        signature = np.array(posting.signature.values, np.int32) if posting.signature else None
        keys = tuple(band_keys(posting.signature))
        previous = before.get(posting.posting_id)
        if previous is not None and previous.cluster_id and _same(previous.signature, signature):
            cluster = previous.cluster_id
        else:
            cluster = _nearest_cluster(posting, signature, keys, index) or posting.posting_id
        clusters[posting.posting_id] = cluster
        index.add(Stored(posting.posting_id, cluster, posting.title, signature, keys))
    return clusters


def _same(first: SignatureValues | None, second: SignatureValues | None) -> bool:
    """Whether two signatures hold the same values (or neither exists)."""
    if first is None or second is None:
        return first is None and second is None
    return len(first) == len(second) and bool(np.array_equal(first, second))


def _nearest_cluster(
    posting: TaggedPosting,
    signature: npt.NDArray[np.int32] | None,
    keys: tuple[int, ...],
    index: _Index,
) -> str | None:
    if signature is None or not len(signature):
        return None
    best: tuple[float, str] | None = None
    for score, other in index.near(signature, keys):
        assert other.cluster_id is not None  # only postings with a cluster are indexed
        if other.posting_id == posting.posting_id or not same_job_title(posting.title, other.title):
            continue
        # the most similar; of equally similar ones, the smallest cluster id (deterministic)
        if best is None or score > best[0] or (score == best[0] and other.cluster_id < best[1]):
            best = (score, other.cluster_id)
    return best[1] if best else None
