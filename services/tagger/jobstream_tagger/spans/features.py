"""What the span model looks at: the attributes of a chunk and of its neighbours.

The model is a linear-chain CRF whose attributes all come from one chunk at a time, seen
from a position `offset` of -2..2 relative to the chunk being labelled, or from the taxonomy
match a chunk is in. That decomposition is what makes it fast: the weights of a chunk's
attributes at each offset are summed once per distinct chunk (a posting repeats its words,
and postings share them) and kept in a table, so labelling a posting is five table look-ups
per chunk and a sum (model.py), not a feature dictionary per token.

- A chunk (offset 0): its word lower-cased, its shape ("Xx", "x.x", "X++"), prefixes and
  suffixes, whether it is capitalised, in capitals, has digits or an inner capital, and the
  punctuation around it ("(AWS", "Kafka;", "posted:").
- A neighbour (offsets -2, -1, 1, 2): its word and shape; the nearest also the punctuation
  between ("Skills: Java" -- a colon before).
- A word's clusters (learnt from openly licensed text, `word_clusters.tsv`), of the chunk and
  of its neighbours: a word seen once in training lends its weights to its cluster's others.
- The line's edge (offsets beyond it): a padding attribute.
- Two neighbouring words together ("machine learning", "Kotlin Coroutines"), for each of them,
  and their two clusters together.
- The taxonomy (tag.py's matches after its rules): whether a chunk begins or continues a
  match, with the skill's kind and category, at offsets -2..2 alike.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Final

from jobstream_tagger.spans.chunks import trimmed

OFFSETS: Final = (-2, -1, 0, 1, 2)
BIAS: Final = "bias"
PAD: Final = "pad"
_SHAPE: Final = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "X" * 26 + "x" * 26 + "d" * 10,
)


def shape(word: str) -> str:
    """ "Kotlin" -> "Xx", "CI/CD" -> "XX/XX", "C++" -> "X++", "2021-07" -> "dd-dd"."""
    mapped = word.translate(_SHAPE)
    out: list[str] = []
    for char in mapped:
        if len(out) >= 2 and out[-1] == char and out[-2] == char:
            continue
        out.append(char)
    return "".join(out)


# Word clusters (built by tools/word_clusters.py from openly licensed text): per word, its
# cluster at each grain, coarse to fine; which grains each offset sees.
CLUSTERS_FILE: Final = "word_clusters.tsv"
CLUSTERS_CARD: Final = "word_clusters.json"  # where they come from (inputs, licences)
_GRAINS: Final = {-2: (1,), -1: (1, 2), 0: (0, 1, 2), 1: (1, 2), 2: (1,)}


def clusters_text() -> str:
    """The packaged word clusters' file ("" when there is none)."""
    path = resources.files("jobstream_tagger.spans").joinpath(CLUSTERS_FILE)
    return path.read_text(encoding="utf-8") if path.is_file() else ""


@cache
def word_clusters() -> dict[str, tuple[str, ...]]:
    """The packaged word clusters: word (lower case) -> its cluster id at each grain."""
    table: dict[str, tuple[str, ...]] = {}
    for line in clusters_text().splitlines():
        word, _tab, ids = line.partition("\t")
        table[word] = tuple(ids.split(" "))
    return table


def cluster_attributes(lower: str, offset: int) -> list[str]:
    """The clusters of a word seen from `offset` ("1:c1=87"); a word the clusters lack has
    its own attribute."""
    ids = word_clusters().get(lower)
    prefix = f"{offset}:" if offset else ""
    if ids is None:
        return [f"{prefix}c=none"]
    return [f"{prefix}c{grain}={ids[grain]}" for grain in _GRAINS[offset]]


def chunk_attributes(text: str, offset: int) -> list[str]:
    """The attributes of the chunk `text` seen from `offset` (0: the chunk labelled)."""
    lead, trail = trimmed(text)
    word = text[lead : len(text) - trail]
    lower = word.lower()
    form = shape(word)
    if offset == 0:
        attributes = [BIAS, f"w={lower}", f"sh={form}", *cluster_attributes(lower, 0)]
        if len(lower) > 2:
            attributes += [f"p3={lower[:3]}", f"s3={lower[-3:]}", f"s2={lower[-2:]}"]
        if word[:1].isupper():
            attributes.append("title")
        if len(word) > 1 and word.isupper():
            attributes.append("upper")
        if any(char.isdigit() for char in word):
            attributes.append("digit")
        if any(char.isupper() for char in word[1:]) and not word.isupper():
            attributes.append("mixed")
        if lead:
            attributes.append(f"lead={text[lead - 1]}")
        if trail:
            attributes.append(f"trail={text[-1]}")
        return attributes
    attributes = [f"{offset}:w={lower}", f"{offset}:sh={form}", *cluster_attributes(lower, offset)]
    if offset == -1 and trail:
        attributes.append(f"-1:trail={text[-1]}")
    if offset == 1 and lead:
        attributes.append(f"1:lead={text[lead - 1]}")
    return attributes


# Pair channels: two neighbouring chunks' keys together. "bg": their words (lower-cased);
# "cp": their words' clusters (the middle grain), so that a phrase lends to phrases of words
# like its own. The Knowledge layer does not read "cp" (cross-validated on the training
# split, it gained the Skill layer's phrases 0.005 strict F1 on 5 folds, 0.013 on 3, and cost
# Knowledge's names 0.003 on 3).
PAIR_CHANNELS: Final = ("bg", "cp")
_UNREAD_PAIRS: Final = {"knowledge": ("cp",), "skill": ()}


def unread_pairs(layer: str) -> tuple[str, ...]:
    """The pair channels a layer's model does not read (their weights there stay 0)."""
    return _UNREAD_PAIRS[layer]


def pair_keys(lower: str) -> tuple[str | None, ...]:
    """A word's key in each pair channel (None: it has none in that channel)."""
    ids = word_clusters().get(lower)
    return lower, (ids[1] if ids is not None else None)


def pair_attributes(left: str, right: str, channel: str = "bg") -> tuple[str, str]:
    """The attributes of two neighbouring chunks' keys in a channel: seen from the right one
    ("bg=") and from the left one ("bg+="). A space joins them: no key has one."""
    return f"{channel}={left} {right}", f"{channel}+={left} {right}"


def pad_attributes(offset: int) -> list[str]:
    """The attributes of a position beyond the line's edge, seen from `offset` (never 0)."""
    return [f"{offset}:{PAD}"]


def match_attributes(code: str, offset: int) -> list[str]:
    """The attributes of a taxonomy match code ("B knowledge language": begins a match of a
    knowledge skill of category "language"), seen from `offset`."""
    position, kind, category = code.split(" ")
    if offset == 0:
        return [f"tx={position}", f"tx={position}:{kind}", f"tx={position}:{kind}:{category}"]
    return [f"{offset}:tx={position}", f"{offset}:tx={position}:{kind}"]


def match_code(position: str, kind: str, category: str) -> str:
    return f"{position} {kind} {category}"
