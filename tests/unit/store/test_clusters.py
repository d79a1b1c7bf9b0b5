"""Near-duplicate clusters chosen from the stored postings that share a band key."""

from __future__ import annotations

import hashlib
import random
import struct
from datetime import timedelta

import numpy as np
import pytest

from jobstream.contracts import TaggedPosting, TextSignature
from jobstream_parser.similarity import SCHEME, signature
from jobstream_store.clusters import (
    BANDS,
    THRESHOLD,
    Stored,
    assign_clusters,
    band_keys,
    same_job_title,
    similarity,
)
from tests.support import tagged_posting

pytestmark = pytest.mark.unit

VOCABULARY = (
    "the city offers competitive benefits candidates must pass a background check and "
    "a medical evaluation applications are accepted online during the filing period the "
    "examination consists of a written test and an interview weighted equally"
)
WORDS = VOCABULARY.split()


def _body(seed: int, words: int = 600) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _posting(n: int, title: str, text: str, minutes: int = 0) -> TaggedPosting:
    base = tagged_posting(n, title=title, body=text)
    values = signature(base.text.lower())
    assert values is not None
    return base.model_copy(
        update={
            "signature": TextSignature(scheme=SCHEME, values=values),
            "received_at": base.received_at + timedelta(minutes=minutes),
        }
    )


def _stored(posting: TaggedPosting, cluster_id: str | None) -> Stored:
    values = tuple(posting.signature.values) if posting.signature else None
    return Stored(
        posting.posting_id, cluster_id, posting.title, values, tuple(band_keys(posting.signature))
    )


def test_band_keys_are_stable_and_belong_to_their_scheme() -> None:
    text = _body(1)
    one = TextSignature(scheme=SCHEME, values=signature(text) or [])
    other = TextSignature(scheme="another-scheme", values=one.values)
    assert band_keys(one) == band_keys(TextSignature(scheme=SCHEME, values=list(one.values)))
    assert len(band_keys(one)) == BANDS
    assert all(-(2**63) <= key < 2**63 for key in band_keys(one))
    assert not set(band_keys(one)) & set(band_keys(other))
    assert band_keys(None) == []


def _keys_as_first_stored(scheme: str, values: list[int]) -> list[int]:
    """The band keys as the store computed them when it began storing them (a key written
    then must be found by the same key now)."""
    keys = []
    for band in range(min(BANDS, len(values) // 8)):
        rows = values[band * 8 : (band + 1) * 8]
        digest = hashlib.blake2b(
            struct.pack(">B8H", band, *rows), digest_size=8, key=scheme.encode()[:64]
        ).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


@pytest.mark.parametrize("length", [1, 7, 8, 9, 64, 127, 128, 129, 200, 1024])
def test_band_keys_are_the_keys_stored_before(length: int) -> None:
    rng = random.Random(length)
    for scheme in (SCHEME, "x" * 40):
        values = [
            rng.choice((0, 1, 255, 256, 65_535, rng.randrange(65_536))) for _ in range(length)
        ]
        signature = TextSignature(scheme=scheme, values=values)
        assert band_keys(signature) == _keys_as_first_stored(scheme, values)


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("Airport Police Officer", "Port Police Officer", False),
        ("Fireboat Mate", "Fireboat Pilot", False),
        ("Senior Software Engineer", "Sr. Software Engineer", True),
        # a level the longer title adds is another opening (TTS posted both from one text)
        ("Data Engineer", "Senior Data Engineer", False),
        ("Technical Account Manager", "Senior Technical Account Manager", False),
        ("Engineer II", "Engineer", False),
        ("Data Engineer", "Data Engineer (Remote)", True),
        ("WATER TREATMENT OPERATOR", "Water Treatment Operator", True),
        ("Data Engineer", None, True),
    ],
)
def test_titles_that_may_name_one_job(first: str, second: str | None, same: bool) -> None:
    assert same_job_title(first, second) is same
    assert same_job_title(second, first) is same


def test_a_repost_joins_the_cluster_of_the_stored_posting() -> None:
    body = _body(2)
    stored = _posting(1, "Water Treatment Operator", "Open date 12-21-18\n" + body)
    repost = _posting(1, "Water Treatment Operator", "Revised 01-03-19\n" + body, minutes=5)

    clusters = assign_clusters([repost], [_stored(stored, "cluster-of-the-first")])

    assert clusters == {repost.posting_id: "cluster-of-the-first"}


def test_another_job_with_the_same_text_is_another_cluster() -> None:
    body = _body(3)
    airport = _posting(1, "Airport Police Officer", "Airport Police Officer\n" + body)
    port = _posting(2, "Port Police Officer", "Port Police Officer\n" + body)

    clusters = assign_clusters([port], [_stored(airport, airport.posting_id)])

    assert clusters == {port.posting_id: port.posting_id}


def test_a_different_text_founds_its_own_cluster() -> None:
    first = _posting(1, "Data Engineer", _body(4))
    second = _posting(2, "Data Engineer", _body(5))
    assert assign_clusters([second], [_stored(first, first.posting_id)]) == {
        second.posting_id: second.posting_id
    }


def test_near_duplicates_within_one_batch_share_the_first_ones_cluster() -> None:
    body = _body(6)
    first = _posting(1, "Data Engineer", "Posted 2 days ago\n" + body)
    second = _posting(1, "Data Engineer", "Posted 5 days ago\n" + body, minutes=1)
    other = _posting(2, "Data Engineer", _body(7), minutes=2)

    forwards = assign_clusters([first, second, other], [])
    backwards = assign_clusters([other, second, first], [])

    assert (
        forwards
        == backwards
        == {
            first.posting_id: first.posting_id,
            second.posting_id: first.posting_id,
            other.posting_id: other.posting_id,
        }
    )


def test_a_posting_keeps_its_cluster_while_its_text_is_unchanged() -> None:
    posting = _posting(1, "Data Engineer", _body(8))
    as_stored = _stored(posting, "an-older-cluster")
    assert assign_clusters([posting], [as_stored]) == {posting.posting_id: "an-older-cluster"}


def test_a_posting_without_signature_is_its_own_cluster() -> None:
    posting = tagged_posting(1)
    assert posting.signature is None
    assert assign_clusters([posting], []) == {posting.posting_id: posting.posting_id}


def _reference_clusters(postings: list[TaggedPosting]) -> dict[str, str]:
    """The rule, written plainly: in order of arrival, join the cluster of the most similar
    earlier posting that shares a band key, is similar enough and may name the same job
    (ties: the smallest cluster id); else found one."""
    clusters: dict[str, str] = {}
    earlier: list[TaggedPosting] = []
    for posting in sorted(postings, key=lambda item: (item.received_at, item.posting_id)):
        assert posting.signature is not None
        best: tuple[float, str] | None = None
        for other in earlier:
            assert other.signature is not None
            if not set(band_keys(posting.signature)) & set(band_keys(other.signature)):
                continue
            score = similarity(posting.signature.values, other.signature.values)
            if score < THRESHOLD or not same_job_title(posting.title, other.title):
                continue
            cluster = clusters[other.posting_id]
            if best is None or score > best[0] or (score == best[0] and cluster < best[1]):
                best = (score, cluster)
        clusters[posting.posting_id] = best[1] if best else posting.posting_id
        earlier.append(posting)
    return clusters


@pytest.mark.parametrize("seed", range(3))
def test_the_clusters_are_those_of_the_plain_rule(seed: int) -> None:
    """assign_clusters compares a posting with its candidates all at once (numpy): the same
    choices as comparing them one by one, on bodies that are near-copies of a few others."""
    rng = random.Random(seed)
    bases = [_body(seed * 100 + n) for n in range(4)]
    titles = ("Police Officer", "Airport Police Officer", "Accountant", "Senior Accountant")
    postings = []
    for n in range(40):
        words = rng.choice(bases).split()
        for _ in range(rng.choice((1, 5, 40, 120))):  # from near-identical to different
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        postings.append(_posting(n, rng.choice(titles), " ".join(words), minutes=n))
    expected = _reference_clusters(postings)
    assert len(set(expected.values())) < len(postings)  # some postings did join a cluster
    half = len(postings) // 2
    first = assign_clusters(postings[:half], [])
    stored = [_stored(posting, first[posting.posting_id]) for posting in postings[:half]]
    assert {**first, **assign_clusters(postings[half:], stored)} == expected
    # The repository reads stored signatures as int32 arrays: the same clusters.
    as_arrays = [
        Stored(
            row.posting_id,
            row.cluster_id,
            row.title,
            np.array(row.signature, np.int32) if row.signature is not None else None,
            row.band_keys,
        )
        for row in stored
    ]
    assert {**first, **assign_clusters(postings[half:], as_arrays)} == expected


def test_a_posting_stored_with_the_same_signature_as_an_array_keeps_its_cluster() -> None:
    posting = _posting(1, "Data Engineer", _body(3))
    assert posting.signature is not None
    as_stored = Stored(
        posting.posting_id,
        "an-older-cluster",
        posting.title,
        np.array(posting.signature.values, np.int32),
        tuple(band_keys(posting.signature)),
    )
    assert assign_clusters([posting], [as_stored]) == {posting.posting_id: "an-older-cluster"}
