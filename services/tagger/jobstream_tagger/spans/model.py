"""The trained span model at run time: chunks in, Knowledge and Skill spans out. Pure.

The model file (`span_model.npy` with `span_model.json`, written by `jobstream tagger train`,
shipped in the package) holds the weight of every attribute for the labels O, B, I, L, U of both
layers, and the transitions between labels. What a chunk contributes at each offset (-2..2)
is the sum of its attributes' weights, computed the first time the chunk's text is seen and
kept in a table (`_ChunkTable`): labelling a posting is then a table look-up per chunk and
offset, summed with numpy, and a Viterbi over the few stretches where a span can be
(decode.py).

That reading, in Python (`read_python`), is the reference. The same reading in C
(`_reading.c`, built by `make`) does it all in one call per posting: chunks, table look-ups,
sums, pruning, Viterbi, span boundaries; it knows no attribute names, only the tables this
module fills (a chunk text it has not met yet is handed back here, in one batch per posting,
for its attributes). `read` uses it when it is built; a unit test checks that both give the
same spans and margins on real and random postings.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any, Final, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from jobstream_tagger.rules import Mention
from jobstream_tagger.spans.chunks import Chunks, chunk, trimmed
from jobstream_tagger.spans.codes import flat_codes
from jobstream_tagger.spans.decode import (
    BEGIN,
    INSIDE,
    LABELS,
    OUTSIDE,
    PRUNE_MARGIN,
    UNIT,
    decode,
    stretches,
)
from jobstream_tagger.spans.features import (
    CLUSTERS_FILE,
    OFFSETS,
    PAIR_CHANNELS,
    chunk_attributes,
    clusters_text,
    match_attributes,
    pad_attributes,
    pair_keys,
)

Layer = Literal["knowledge", "skill"]
LAYERS: Final[tuple[Layer, ...]] = ("knowledge", "skill")
MODEL_WEIGHTS: Final = "span_model.npy"
MODEL_CARD: Final = "span_model.json"
MODEL_ATTRIBUTES: Final = "span_model.attributes"
# Hashes of the sentences the model was trained on: `jobstream eval tagger` will not score the
# packaged model on them (it cross-validates instead).
MODEL_SEEN: Final = "span_model.seen"
# Distinct chunk texts kept with their summed weights; past this the Python table starts
# afresh and the C one keeps only the texts met again since it last made room (a
# long-running tagger meets new words forever: memory stays bounded, about 300 bytes a row).
TABLE_CAPACITY: Final = 50_000
# A Knowledge span never runs over a list separator or a label's colon: "Java, Go" is two
# spans, "CI/CD & tooling: Integrate" ends at the colon (SkillSpan's sentences, from which
# the model learnt, have had their commas taken out).
_SEPARATORS: Final = frozenset(",;:")
_WIDTH: Final = len(LABELS) * len(LAYERS)  # O, B, I, L, U of each layer


class Span(NamedTuple):
    """A span the model found: characters [start, end) of the text, its layer, the chunks it
    covers, and its margin: over those chunks, the most by which the chunk's best span label
    scores above O (how sure the model is)."""

    start: int
    end: int
    layer: Layer
    first: int  # the chunks it covers: [first, end_chunk)
    end_chunk: int
    margin: float


class _Channel(NamedTuple):
    """A pair channel's weights (the C reader takes the first four)."""

    keys: npt.NDArray[np.int64]  # `left id * size + right id`, sorted
    size: int
    right: npt.NDArray[np.float64]  # (pairs, 6): added to the right chunk
    left: npt.NDArray[np.float64]  # added to the left chunk
    vocabulary: dict[str, int]


_log = logging.getLogger(__name__)


def _compiled() -> tuple[ModuleType | None, str]:
    """The C reader (`make` builds it) or None, and why not: then the model reads in Python."""
    try:
        from jobstream_tagger.spans import _reading  # type: ignore[attr-defined]
    except ImportError as error:  # not built (no C compiler), or built for another Python
        return None, str(error)
    return _reading, ""


_READING, _WHY_NOT_COMPILED = _compiled()


class _Rows(dict[str, int]):
    """Key -> row of its summed weights; a key met for the first time gets its row made."""

    def __init__(self, make: Callable[[str], int]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: str) -> int:
        return self._make(key)


class _Table:
    """Summed weights per key (a chunk text, or a taxonomy match code): a row of ten values
    (O, B, I, L, U of each layer) per offset the key is seen from, `weights[slot, row]`."""

    def __init__(
        self, capacity: int, make: Callable[[str], tuple[list[list[str]], tuple[int, ...]]]
    ):
        self._capacity = capacity
        self._make = make
        self.rows = _Rows(self._add)
        size = min(capacity, 4096) + 1
        self.weights = np.zeros((len(OFFSETS), size, _WIDTH))
        # ids in each pair channel's vocabulary (-1: none)
        self.words = np.full((size, len(PAIR_CHANNELS)), -1, dtype=np.int64)
        self.summed: Callable[[Sequence[str]], npt.NDArray[np.float64]] | None = None

    def make_room(self, keys: int) -> None:
        """Before a posting: start afresh if its `keys` might not fit under the capacity
        (never during one: the rows it looked up already must stay what they are)."""
        if len(self.rows) + keys > self._capacity:
            self.rows.clear()

    def _add(self, key: str) -> int:
        assert self.summed is not None
        row = len(self.rows) + 1  # row 0: nothing (no match; the padding's own row)
        if row >= self.weights.shape[1]:  # (one huge posting may take it past the capacity)
            grown = 2 * self.weights.shape[1]
            bigger = np.zeros((len(OFFSETS), grown, _WIDTH))
            bigger[:, : self.weights.shape[1]] = self.weights
            self.weights = bigger
            words = np.full((grown, len(PAIR_CHANNELS)), -1, dtype=np.int64)
            words[: len(self.words)] = self.words
            self.words = words
        slots, ids = self._make(key)
        for slot, names in enumerate(slots):
            self.weights[slot, row] = self.summed(names)
        self.words[row] = ids
        self.rows[key] = row
        return row


class SpanModel:
    """A trained span model; build once per process (`load_span_model()`), use from one
    thread (its tables grow as it meets new chunks)."""

    def __init__(
        self,
        attributes: Sequence[str],
        weights: npt.NDArray[np.float64],
        transitions: npt.NDArray[np.float64],
        card: dict[str, Any],
        reading: ModuleType | None = _READING,
    ) -> None:
        """`reading`: the compiled reader's module (None: read in Python)."""
        if weights.shape != (len(attributes), _WIDTH) or transitions.shape != (
            len(LAYERS),
            len(LABELS),
            len(LABELS),
        ):
            raise ValueError("the span model's weights do not match its attributes and layers")
        self._index = {name: index for index, name in enumerate(attributes)}
        self._weights = np.asarray(weights, dtype=np.float64)
        self.transitions = np.asarray(transitions, dtype=np.float64)
        self.card: Final = card
        # What tagged postings carry as `tagger_version`: the model's name and content hash.
        self.version: Final[str] = f"{card.get('name', 'spans')}-{card['version']}"
        self._pairs(attributes)
        self._chunks = _Table(TABLE_CAPACITY, self._chunk_entry)
        self._codes = _Table(4096, self._code_entry)
        self._chunks.summed = self._codes.summed = self.summed
        for slot, offset in enumerate(OFFSETS):  # row 0: the padding beyond a line's ends
            if offset:
                self._chunks.weights[slot, 0] = self.summed(pad_attributes(offset))
        self._reader = self._compiled_reader(reading) if reading is not None else None
        self._c_codes: dict[tuple[str, str], tuple[int, int]] = {}  # the C reader's

    @property
    def compiled(self) -> bool:
        """Whether `read` reads in C (`make` builds the reader), else in Python."""
        return self._reader is not None

    def _compiled_reader(self, reading: ModuleType) -> Any:
        reader = reading.Reader(
            attributes=self._weights,
            transitions=self.transitions,
            offsets=len(OFFSETS),
            center=OFFSETS.index(0),
            prune=PRUNE_MARGIN,
            capacity=TABLE_CAPACITY,
            pairs=[tuple(channel[:4]) for channel in self._channels],
            make_chunks=self._chunk_entries,
            span_type=Span,
            layer_names=LAYERS,
            split=[layer == "knowledge" for layer in LAYERS],
        )
        reader.set_padding(
            [self._indices(pad_attributes(offset)) if offset else [] for offset in OFFSETS]
        )
        return reader

    def _indices(self, names: Sequence[str]) -> list[int]:
        """The rows of the attributes `names` the model knows, in order (as `summed` sums)."""
        index = self._index
        return [row for row in map(index.get, names) if row is not None]

    def _chunk_entries(self, texts: list[str]) -> list[tuple[Any, ...]]:
        """For the C reader, per chunk text it has not met: its attributes' rows at each
        offset, its ids in the pair channels, and the punctuation around its word."""
        entries = []
        for text in texts:
            slots, ids = self._chunk_entry(text)
            lead, trail = trimmed(text)
            entries.append(
                (
                    [self._indices(names) for names in slots],
                    ids,
                    lead,
                    trail,
                    _has_word(text),
                    _ends_clause(text),
                )
            )
        return entries

    def _compiled_codes(self, matches: Sequence[Mention]) -> list[int]:
        """The taxonomy's matches for the C reader: start, end and the rows of the B and I
        codes of each (the C reader maps them to chunks as `match_codes` does)."""
        return flat_codes(matches, self._c_codes, self._add_codes)

    def _add_codes(self, key: tuple[str, str]) -> tuple[int, int]:
        """The C reader's rows of the B and I codes of a skill's (kind, category)."""
        assert self._reader is not None
        code = f"{key[0]} {key[1]}"
        return (
            self._reader.add_code(
                [self._indices(names) for names in self._code_entry(f"B {code}")[0]]
            ),
            self._reader.add_code(
                [self._indices(names) for names in self._code_entry(f"I {code}")[0]]
            ),
        )

    def _pairs(self, attributes: Sequence[str]) -> None:
        """Per pair channel (features.PAIR_CHANNELS), the weights of its pairs by key
        `left id * size + right id`, sorted, and its vocabulary (key -> id)."""
        pairs: list[dict[tuple[str, str], list[int]]] = [{} for _ in PAIR_CHANNELS]
        sides = {
            f"{channel}{mark}=": (number, side)
            for number, channel in enumerate(PAIR_CHANNELS)
            for side, mark in enumerate(("", "+"))
        }
        for index, name in enumerate(attributes):
            prefix, equals, rest = name.partition("=")
            found = sides.get(prefix + equals) if equals else None
            if found is not None:
                left, right = rest.split(" ")
                pairs[found[0]].setdefault((left, right), [-1, -1])[found[1]] = index
        self._channels = [self._channel(channel) for channel in pairs]

    def _channel(self, pairs: dict[tuple[str, str], list[int]]) -> _Channel:
        keys = sorted({key for pair in pairs for key in pair})
        vocabulary = {key: number for number, key in enumerate(keys)}
        size = max(len(keys), 1)
        keyed = sorted(
            (vocabulary[left] * size + vocabulary[right], rows)
            for (left, right), rows in pairs.items()
        )
        zero = np.zeros(_WIDTH)
        return _Channel(
            np.array([key for key, _ in keyed], dtype=np.int64),
            size,
            np.array(  # added to the right chunk ("bg=")
                [self._weights[rows[0]] if rows[0] >= 0 else zero for _, rows in keyed]
            ).reshape(len(keyed), _WIDTH),
            np.array(  # added to the left chunk ("bg+=")
                [self._weights[rows[1]] if rows[1] >= 0 else zero for _, rows in keyed]
            ).reshape(len(keyed), _WIDTH),
            vocabulary,
        )

    def summed(self, names: Sequence[str]) -> npt.NDArray[np.float64]:
        """The weights of the attributes `names` the model knows, summed (per label and layer)."""
        rows = [self._index[name] for name in names if name in self._index]
        if not rows:
            return np.zeros(_WIDTH)
        summed: npt.NDArray[np.float64] = self._weights[rows].sum(axis=0)
        return summed

    def _chunk_entry(self, text: str) -> tuple[list[list[str]], tuple[int, ...]]:
        """A chunk's attributes at each offset, and its ids in the pair channels."""
        lead, trail = trimmed(text)
        slots = [chunk_attributes(text, offset) for offset in OFFSETS]
        keys = pair_keys(text[lead : len(text) - trail].lower())
        ids = tuple(
            channel.vocabulary.get(key, -1) if key is not None else -1
            for key, channel in zip(keys, self._channels, strict=True)
        )
        return slots, ids

    def _code_entry(self, key: str) -> tuple[list[list[str]], tuple[int, ...]]:
        return [match_attributes(key, offset) for offset in OFFSETS], (-1,) * len(PAIR_CHANNELS)

    def _code_rows(self, codes: Sequence[tuple[int, int, str]], size: int) -> npt.NDArray[np.int64]:
        """Per chunk, the row of the taxonomy match code it has (0: none)."""
        rows = np.zeros(size, dtype=np.int64)
        table = self._codes.rows
        for first, end, code in codes:
            rows[first] = table[f"B {code}"]
            if end > first + 1:
                rows[first + 1 : end] = table[f"I {code}"]
        return rows

    def emissions(
        self, chunks: Chunks, codes: Sequence[tuple[int, int, str]] = ()
    ) -> npt.NDArray[np.float64]:
        """Per chunk, the scores of O, B, I, L, U of each layer: (n, 10)."""
        texts = chunks.texts
        count = len(texts)
        self._chunks.make_room(count)
        self._codes.make_room(2 * len(codes))
        rows = np.fromiter(map(self._chunks.rows.__getitem__, texts), np.int64, count)
        # Each line's chunks in one array with two padding rows between lines, so that the
        # neighbours at -2..2 are one shifted look-up each and never cross a line.
        line = chunks.lines
        positions = np.arange(count) + 2 * line + 2
        padded = np.zeros(count + 2 * len(chunks.line_starts) + 2, dtype=np.int64)
        padded[positions] = rows
        table = self._chunks.weights
        scores: npt.NDArray[np.float64] = table[OFFSETS.index(0)].take(rows, axis=0)  # itself
        for slot, offset in enumerate(OFFSETS):
            if offset:
                scores += table[slot].take(padded[positions + offset], axis=0)
        for number, channel in enumerate(self._channels):
            if not len(channel.keys) or count < 2:
                continue
            words = self._chunks.words[rows, number]
            keys = words[:-1] * channel.size + words[1:]
            valid = (words[:-1] >= 0) & (words[1:] >= 0) & (line[:-1] == line[1:])
            found = np.searchsorted(channel.keys, keys)
            found[found >= len(channel.keys)] = 0
            valid &= channel.keys[found] == keys
            if valid.any():
                which = found[valid]
                scores[1:][valid] += channel.right[which]
                scores[:-1][valid] += channel.left[which]
        if codes:
            coded = self._code_rows(codes, count)
            where = np.flatnonzero(coded)
            code_rows = coded[where]
            for slot, offset in enumerate(OFFSETS):
                # The chunk `offset` before a coded one sees its code at `offset`.
                seen_from = where - offset
                keep = (seen_from >= 0) & (seen_from < count)
                keep[keep] &= line[seen_from[keep]] == line[where[keep]]
                scores[seen_from[keep]] += self._codes.weights[slot].take(code_rows[keep], axis=0)
        return scores

    def read(self, text: str, matches: Sequence[Mention] = ()) -> list[Span]:
        """The spans of both layers in `text`, by start, the longer first at one start (a
        Knowledge span may lie in a Skill one); in C when it is built, else in Python.

        `matches`: the taxonomy's matches after its rules (tag.apply_rules), in text order.
        """
        if self._reader is not None:
            spans: list[Span] = self._reader.read(text, self._compiled_codes(matches))
            return spans
        return self.read_python(text, matches)

    def read_python(self, text: str, matches: Sequence[Mention] = ()) -> list[Span]:
        """`read` in Python and numpy: the reference the C reader is tested against."""
        chunks = chunk(text)
        if not chunks.texts:
            return []
        scores = self.emissions(chunks, match_codes(chunks, matches))
        starts_line = chunks.starts_line
        spans: list[Span] = []
        for number, layer in enumerate(LAYERS):
            layer_scores = scores[:, len(LABELS) * number : len(LABELS) * (number + 1)]
            margins = self._margins(layer_scores, number)
            runs = stretches(layer_scores, starts_line)
            labels = decode(layer_scores, self.transitions[number], runs)
            spans.extend(self._spans(chunks, labels, starts_line, layer, margins))
        spans.sort(key=lambda span: (span.start, -span.end))
        return spans

    def _margins(self, scores: npt.NDArray[np.float64], layer: int) -> npt.NDArray[np.float64]:
        """Per chunk, how much better the chunk alone as a span (O, B, O or O, U, O: the
        better) scores than as nothing (O, O, O), transitions included: what it takes to read
        a span there."""
        t = self.transitions[layer]
        as_begin = t[OUTSIDE, BEGIN] + scores[:, BEGIN] + t[BEGIN, OUTSIDE]
        as_span = np.maximum(as_begin, t[OUTSIDE, UNIT] + scores[:, UNIT] + t[UNIT, OUTSIDE])
        as_nothing = 2 * t[0, 0] + scores[:, 0]
        return np.asarray(as_span - as_nothing)

    def _spans(
        self,
        chunks: Chunks,
        labels: npt.NDArray[np.int8],
        starts_line: npt.NDArray[np.bool_],
        layer: Layer,
        margins: npt.NDArray[np.float64],
    ) -> list[Span]:
        """The spans of a layer's labels: a B, or an I after O or at a line's start, opens
        one; the I's after it continue it."""
        count = len(labels)
        inside = labels == INSIDE
        continues = inside.copy()
        continues[0] = False
        continues[1:] &= (labels[:-1] != OUTSIDE) & ~starts_line[1:count]
        opens = np.flatnonzero((labels != OUTSIDE) & ~continues)
        if not len(opens):
            return []
        boundaries = np.flatnonzero(~continues)
        after = np.searchsorted(boundaries, opens, side="right")
        ends = np.where(
            after < len(boundaries), boundaries[np.minimum(after, len(boundaries) - 1)], count
        )
        texts = chunks.texts
        spans = []
        split = layer == "knowledge"  # Skill spans are phrases: "design, build and run"
        for first, end in zip(opens.tolist(), ends.tolist(), strict=True):
            # Punctuation at a span's edge is no part of it ("KAFKA ·", "- Kotlin").
            while first < end and not _has_word(texts[first]):
                first += 1
            while end > first and not _has_word(texts[end - 1]):
                end -= 1
            start_at = first
            for index in range(first, end):
                if index == end - 1 or (split and _ends_clause(texts[index])):
                    spans.append(self._span(chunks, start_at, index + 1, layer, margins))
                    start_at = index + 1
        return [span for span in spans if span.end > span.start]

    def _span(
        self,
        chunks: Chunks,
        first: int,
        end: int,
        layer: Layer,
        margins: npt.NDArray[np.float64],
    ) -> Span:
        texts = chunks.texts
        last = texts[end - 1]
        start = int(chunks.starts[first]) + trimmed(texts[first])[0]
        stop = int(chunks.starts[end - 1]) + len(last) - trimmed(last)[1]
        return Span(start, stop, layer, first, end, float(margins[first:end].max()))


def match_codes(chunks: Chunks, mentions: Sequence[Mention]) -> list[tuple[int, int, str]]:
    """The taxonomy's mentions as chunk ranges with their code ("knowledge language")."""
    if not mentions or not chunks.texts:
        return []
    edges = np.array([(mention[0], mention[1] - 1) for mention in mentions], dtype=np.int64)
    firsts = np.searchsorted(chunks.starts, edges[:, 0], side="right") - 1
    ends = np.searchsorted(chunks.starts, edges[:, 1], side="right")
    codes = []
    for first, end, mention in zip(firsts.tolist(), ends.tolist(), mentions, strict=True):
        if 0 <= first < end:
            skill = mention[2].skill
            codes.append((first, end, f"{skill.kind} {skill.category}"))
    return codes


def _ends_clause(text: str) -> bool:
    """Whether the punctuation after a chunk's word separates ("Java,", "tooling:*")."""
    trail = trimmed(text)[1]
    return trail > 0 and not _SEPARATORS.isdisjoint(text[len(text) - trail :])


def _has_word(text: str) -> bool:
    return any(char.isalnum() for char in text)


def content_version(weights: bytes, attributes: bytes, card: dict[str, Any]) -> str:
    """The model's version: a hash of its weights, its attributes and its card (data,
    licence, settings), the card's own "version" left out."""
    digest = hashlib.sha256(weights)
    digest.update(attributes)
    rest = {key: value for key, value in card.items() if key != "version"}
    digest.update(json.dumps(rest, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()[:16]


def load_span_model(folder: Path | None = None) -> SpanModel:
    """The model in `folder`, or the one packaged with the tagger (checked against its
    card's version)."""
    package = folder if folder is not None else resources.files("jobstream_tagger.spans")
    card = json.loads(package.joinpath(MODEL_CARD).read_text(encoding="utf-8"))
    raw = package.joinpath(MODEL_WEIGHTS).read_bytes()
    names = package.joinpath(MODEL_ATTRIBUTES).read_bytes()
    clusters = card.get("word_clusters")
    if clusters is not None and clusters.get("sha256") != clusters_digest(clusters_text()):
        raise ValueError(
            "span model: it was trained with other word clusters than the packaged "
            f"{CLUSTERS_FILE}; train it again with `jobstream tagger train`"
        )
    if _READING is None:
        _log.warning(
            "span model: the C reader is not built (%s); reading in Python: the same spans, "
            "slower (`make` builds it with the system's C compiler)",
            _WHY_NOT_COMPILED,
        )
    return model_from_files(raw, names, card, _READING)


def clusters_digest(text: str) -> str:
    """The sha256 of a word clusters' file, as the model card records it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def trained_on() -> frozenset[str]:
    """The keys (training.sentence_key) of the sentences the packaged model was trained on."""
    package = resources.files("jobstream_tagger.spans")
    return frozenset(package.joinpath(MODEL_SEEN).read_text(encoding="ascii").split())


def model_from_files(
    raw: bytes, names: bytes, card: dict[str, Any], reading: ModuleType | None = _READING
) -> SpanModel:
    """The model of these files (`reading`: the compiled reader's module, None: Python)."""
    expected = content_version(raw, names, card)
    if expected != card.get("version"):
        raise ValueError(
            f"span model: its files do not match its card (version {card.get('version')}, "
            f"content {expected}); train it again with `jobstream tagger train`"
        )
    data = np.load(io.BytesIO(raw), allow_pickle=False)
    attributes = names.decode("utf-8").split("\n") if names else []
    labels = len(LABELS)
    if data.ndim != 2 or data.shape[1] != _WIDTH or card.get("labels", "OBI") != "".join(LABELS):
        raise ValueError(
            f"span model: not a model of the labels {''.join(LABELS)}; train it again with "
            "`jobstream tagger train`"
        )
    weights = data[:-labels]
    transitions = np.stack(
        [data[-labels:, labels * layer : labels * (layer + 1)] for layer in range(len(LAYERS))]
    )
    return SpanModel(attributes, weights, transitions, card, reading)
