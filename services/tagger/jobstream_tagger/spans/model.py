"""The trained span model at run time: chunks in, Knowledge and Skill spans out. Pure.

The model file (`span_model.npy` with `span_model.json`, written by `jobstream tagger train`,
shipped in the package) holds the weight of every attribute for the labels O, B, I of both
layers, and the transitions between labels. What a chunk contributes at each offset (-2..2)
is the sum of its attributes' weights, computed the first time the chunk's text is seen and
kept in a table (`_ChunkTable`): labelling a posting is then a table look-up per chunk and
offset, summed with numpy, and a Viterbi over the few stretches where a span can be
(decode.py).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from jobstream_tagger.rules import Mention
from jobstream_tagger.spans.chunks import Chunks, trimmed
from jobstream_tagger.spans.decode import BEGIN, INSIDE, decode, stretches
from jobstream_tagger.spans.features import (
    OFFSETS,
    chunk_attributes,
    match_attributes,
    pad_attributes,
)

Layer = Literal["knowledge", "skill"]
LAYERS: Final[tuple[Layer, ...]] = ("knowledge", "skill")
MODEL_WEIGHTS: Final = "span_model.npy"
MODEL_CARD: Final = "span_model.json"
MODEL_ATTRIBUTES: Final = "span_model.attributes"
# Hashes of the sentences the model was trained on: `jobstream eval tagger` will not score the
# packaged model on them (it cross-validates instead).
MODEL_SEEN: Final = "span_model.seen"
# Distinct chunk texts kept with their summed weights; past this the table starts afresh
# (a long-running tagger meets new words forever: memory stays bounded).
TABLE_CAPACITY: Final = 200_000
# A Knowledge span never runs over a list separator: "Java, Go" is two spans, though
# SkillSpan's sentences (from which the model learnt) have had their commas taken out.
_SEPARATORS: Final = frozenset(",;")
_WIDTH: Final = 3 * len(LAYERS)  # O, B, I of each layer


@dataclass(frozen=True, slots=True)
class Span:
    """A span the model found: characters [start, end) of the text, and its layer."""

    start: int
    end: int
    layer: Layer
    first: int  # the chunks it covers: [first, end_chunk)
    end_chunk: int


@dataclass(frozen=True, slots=True)
class Reading:
    """What the model read in a text: its spans, and per chunk and layer the margin of its
    best span label over O (negative: it reads no span there)."""

    spans: list[Span]
    margins: npt.NDArray[np.float64]


class _Table:
    """Summed weights per key (a chunk text, or a taxonomy match code) and offset."""

    def __init__(self, model: SpanModel, capacity: int) -> None:
        self._model = model
        self._capacity = capacity
        self.rows: dict[str, int] = {}
        self.weights = np.zeros((min(capacity, 4096) + 1, len(OFFSETS), _WIDTH))
        self.leads = np.zeros(len(self.weights), dtype=np.int64)
        self.trails = np.zeros(len(self.weights), dtype=np.int64)
        self.words = np.full(len(self.weights), -1, dtype=np.int64)  # id in the pair vocabulary

    def add(
        self, key: str, attributes: Sequence[Sequence[str]], lead: int, trail: int, word: int
    ) -> int:
        if len(self.rows) >= self._capacity:
            self.rows.clear()
        row = len(self.rows) + 1  # row 0: nothing (no match; the padding's own row)
        if row >= len(self.weights):
            grown = min(2 * len(self.weights), self._capacity + 1)
            self.weights = np.resize(self.weights, (grown, len(OFFSETS), _WIDTH))
            self.leads = np.resize(self.leads, grown)
            self.trails = np.resize(self.trails, grown)
            self.words = np.resize(self.words, grown)
        for slot, names in enumerate(attributes):
            self.weights[row, slot] = self._model.summed(names)
        self.leads[row] = lead
        self.trails[row] = trail
        self.words[row] = word
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
    ) -> None:
        if weights.shape != (len(attributes), _WIDTH) or transitions.shape != (len(LAYERS), 3, 3):
            raise ValueError("the span model's weights do not match its attributes and layers")
        self._index = {name: index for index, name in enumerate(attributes)}
        self._weights = np.asarray(weights, dtype=np.float64)
        self.transitions = np.asarray(transitions, dtype=np.float64)
        self.card: Final = card
        # What tagged postings carry as `tagger_version`: the model's name and content hash.
        self.version: Final[str] = f"{card.get('name', 'spans')}-{card['version']}"
        self._pairs(attributes)
        self._chunks = _Table(self, TABLE_CAPACITY)
        self._codes = _Table(self, 4096)
        pad = self._chunks
        pad.weights[0] = [
            self.summed(pad_attributes(offset)) if offset else np.zeros(_WIDTH)
            for offset in OFFSETS
        ]

    def _pairs(self, attributes: Sequence[str]) -> None:
        """The weights of word pairs, by key `left id * words + right id`, sorted."""
        pairs: dict[tuple[str, str], list[int]] = {}
        for index, name in enumerate(attributes):
            side = 0 if name.startswith("bg=") else 1 if name.startswith("bg+=") else -1
            if side >= 0:
                left, right = name.split("=", 1)[1].split(" ")
                pairs.setdefault((left, right), [-1, -1])[side] = index
        words = sorted({word for pair in pairs for word in pair})
        self._vocabulary = {word: number for number, word in enumerate(words)}
        size = max(len(words), 1)
        keyed = sorted(
            (self._vocabulary[left] * size + self._vocabulary[right], rows)
            for (left, right), rows in pairs.items()
        )
        self._pair_keys = np.array([key for key, _ in keyed], dtype=np.int64)
        self._pair_size = size
        zero = np.zeros(_WIDTH)
        self._pair_right = np.array(  # added to the right word's chunk ("bg=")
            [self._weights[rows[0]] if rows[0] >= 0 else zero for _, rows in keyed]
        ).reshape(len(keyed), _WIDTH)
        self._pair_left = np.array(  # added to the left word's chunk ("bg+=")
            [self._weights[rows[1]] if rows[1] >= 0 else zero for _, rows in keyed]
        ).reshape(len(keyed), _WIDTH)

    def summed(self, names: Sequence[str]) -> npt.NDArray[np.float64]:
        """The weights of the attributes `names` the model knows, summed (O, B, I per layer)."""
        rows = [self._index[name] for name in names if name in self._index]
        if not rows:
            return np.zeros(_WIDTH)
        summed: npt.NDArray[np.float64] = self._weights[rows].sum(axis=0)
        return summed

    def _chunk_rows(self, texts: Sequence[str]) -> npt.NDArray[np.int64]:
        table = self._chunks
        get = table.rows.get
        rows = [get(text) for text in texts]
        if None in rows:
            for index, row in enumerate(rows):
                if row is None:
                    text = texts[index]
                    row = get(text)
                    if row is None:
                        lead, trail = trimmed(text)
                        slots = [chunk_attributes(text, offset) for offset in OFFSETS]
                        lower = text[lead : len(text) - trail].lower()
                        word_id = self._vocabulary.get(lower, -1)
                        row = table.add(text, slots, lead, trail, word_id)
                    rows[index] = row
        return np.array(rows, dtype=np.int64)

    def _code_rows(self, codes: Sequence[tuple[int, int, str]], size: int) -> npt.NDArray[np.int64]:
        """Per chunk, the row of the taxonomy match code it has (0: none)."""
        rows = np.zeros(size, dtype=np.int64)
        for first, end, code in codes:
            rows[first] = self._code_row(f"B {code}")
            if end > first + 1:
                rows[first + 1 : end] = self._code_row(f"I {code}")
        return rows

    def _code_row(self, key: str) -> int:
        row = self._codes.rows.get(key)
        if row is None:
            slots = [match_attributes(key, offset) for offset in OFFSETS]
            row = self._codes.add(key, slots, 0, 0, -1)
        return row

    def emissions(
        self, chunks: Chunks, codes: Sequence[tuple[int, int, str]] = ()
    ) -> npt.NDArray[np.float64]:
        """Per chunk, the scores of O, B, I of each layer: (n, 6)."""
        count = len(chunks.texts)
        rows = self._chunk_rows(chunks.texts)
        # Each line's chunks in one array with two padding rows between lines, so that the
        # neighbours at -2..2 are one shifted look-up each and never cross a line.
        line = np.searchsorted(chunks.line_starts, np.arange(count), side="right") - 1
        positions = np.arange(count) + 2 * line + 2
        size = count + 2 * len(chunks.line_starts) + 2
        padded = np.zeros(size, dtype=np.int64)
        padded[positions] = rows
        table = self._chunks.weights
        scores = np.zeros((count, _WIDTH))
        for slot, offset in enumerate(OFFSETS):
            scores += table[padded[positions + offset], slot]
        if len(self._pair_keys) and count > 1:
            words = self._chunks.words[rows]
            keys = words[:-1] * self._pair_size + words[1:]
            valid = (words[:-1] >= 0) & (words[1:] >= 0) & (line[:-1] == line[1:])
            found = np.searchsorted(self._pair_keys, keys)
            found[found >= len(self._pair_keys)] = 0
            valid &= self._pair_keys[found] == keys
            if valid.any():
                which = found[valid]
                scores[1:][valid] += self._pair_right[which]
                scores[:-1][valid] += self._pair_left[which]
        if codes:
            coded = np.zeros(size, dtype=np.int64)
            coded[positions] = self._code_rows(codes, count)
            code_table = self._codes.weights
            for slot, offset in enumerate(OFFSETS):
                scores += code_table[coded[positions + offset], slot]
        return scores

    def read(self, chunks: Chunks, codes: Sequence[tuple[int, int, str]] = ()) -> Reading:
        """The spans of both layers, in text order (a Knowledge span may lie in a Skill
        one), and per chunk and layer how far its best span label scores above O.

        `codes`: the taxonomy matches as (first chunk, end chunk, "kind category").
        """
        if not chunks.texts:
            return Reading([], np.zeros((0, len(LAYERS))))
        scores = self.emissions(chunks, codes)
        spans: list[Span] = []
        margins = np.empty((len(chunks.texts), len(LAYERS)))
        for number, layer in enumerate(LAYERS):
            layer_scores = scores[:, 3 * number : 3 * number + 3]
            margins[:, number] = self._margins(layer_scores, number)
            runs = _runs(stretches(layer_scores, chunks.line_starts), chunks.line_starts)
            labels = decode(layer_scores, self.transitions[number], runs)
            spans.extend(self._spans(chunks, runs, labels, layer))
        spans.sort(key=lambda span: (span.start, -span.end))
        return Reading(spans, margins)

    def _margins(self, scores: npt.NDArray[np.float64], layer: int) -> npt.NDArray[np.float64]:
        """Per chunk, how much better the chunk alone as a span (O, B, O) scores than as
        nothing (O, O, O), transitions included: what it takes to read a span there."""
        t = self.transitions[layer]
        as_span = t[0, 1] + scores[:, 1] + t[1, 0]
        as_nothing = 2 * t[0, 0] + scores[:, 0]
        return np.asarray(as_span - as_nothing)

    def _spans(
        self,
        chunks: Chunks,
        runs: Sequence[tuple[int, int, bool, bool]],
        labels: Sequence[int],
        layer: Layer,
    ) -> list[Span]:
        found: list[tuple[int, int]] = []
        position = 0
        for first, end, _after, _before in runs:
            open_at = -1
            for index in range(first, end):
                label = labels[position]
                position += 1
                if label == BEGIN or (label == INSIDE and open_at < 0):
                    if open_at >= 0:
                        found.append((open_at, index))
                    open_at = index
                elif label != INSIDE and open_at >= 0:
                    found.append((open_at, index))
                    open_at = -1
            if open_at >= 0:
                found.append((open_at, end))
        texts = chunks.texts
        spans = []
        split = layer == "knowledge"  # Skill spans are phrases: "design, build and run"
        for first, end in found:
            # Punctuation at a span's edge is no part of it ("KAFKA ·", "- Kotlin").
            while first < end and not any(char.isalnum() for char in texts[first]):
                first += 1
            while end > first and not any(char.isalnum() for char in texts[end - 1]):
                end -= 1
            start_at = first
            for index in range(first, end):
                text = texts[index]
                if index == end - 1 or (split and text[-1] in _SEPARATORS):
                    spans.append(self._span(chunks, start_at, index + 1, layer))
                    start_at = index + 1
        return [span for span in spans if span.end > span.start]

    def _span(self, chunks: Chunks, first: int, end: int, layer: Layer) -> Span:
        rows = self._chunks.rows
        lead = int(self._chunks.leads[rows[chunks.texts[first]]])
        last = chunks.texts[end - 1]
        trail = int(self._chunks.trails[rows[last]])
        start = int(chunks.starts[first]) + lead
        stop = int(chunks.starts[end - 1]) + len(last) - trail
        return Span(start, stop, layer, first, end)


def match_codes(chunks: Chunks, mentions: Iterable[Mention]) -> list[tuple[int, int, str]]:
    """The taxonomy's mentions as chunk ranges with their code ("knowledge language")."""
    starts = chunks.starts
    codes = []
    for start, end, form, _confidence in mentions:
        first = int(np.searchsorted(starts, start, side="right")) - 1
        last = int(np.searchsorted(starts, end - 1, side="right"))
        if 0 <= first < last:
            skill = form.skill
            codes.append((first, last, f"{skill.kind} {skill.category}"))
    return codes


def _runs(
    stretches_found: Sequence[tuple[int, int]], line_starts: npt.NDArray[np.int64]
) -> list[tuple[int, int, bool, bool]]:
    """Each stretch with whether an O chunk of its line precedes and follows it."""
    starts = set(line_starts.tolist())
    runs = []
    for first, end in stretches_found:
        runs.append((first, end, first not in starts, end not in starts))
    return runs


def content_version(weights: bytes, attributes: bytes, card: dict[str, Any]) -> str:
    """The model's version: a hash of its weights, its attributes and its card (data,
    licence, settings), the card's own "version" left out."""
    digest = hashlib.sha256(weights)
    digest.update(attributes)
    rest = {key: value for key, value in card.items() if key != "version"}
    digest.update(json.dumps(rest, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()[:16]


def load_span_model() -> SpanModel:
    """The model packaged with the tagger (checked against its card's version)."""
    package = resources.files("jobstream_tagger.spans")
    card = json.loads(package.joinpath(MODEL_CARD).read_text(encoding="utf-8"))
    raw = package.joinpath(MODEL_WEIGHTS).read_bytes()
    names = package.joinpath(MODEL_ATTRIBUTES).read_bytes()
    return model_from_files(raw, names, card)


def trained_on() -> frozenset[str]:
    """The keys (training.sentence_key) of the sentences the packaged model was trained on."""
    package = resources.files("jobstream_tagger.spans")
    return frozenset(package.joinpath(MODEL_SEEN).read_text(encoding="ascii").split())


def model_from_files(raw: bytes, names: bytes, card: dict[str, Any]) -> SpanModel:
    expected = content_version(raw, names, card)
    if expected != card.get("version"):
        raise ValueError(
            f"span model: its files do not match its card (version {card.get('version')}, "
            f"content {expected}); train it again with `jobstream tagger train`"
        )
    data = np.load(io.BytesIO(raw), allow_pickle=False)
    attributes = names.decode("utf-8").split("\n") if names else []
    weights = data[:-3]
    transitions = np.stack([data[-3:, 3 * layer : 3 * layer + 3] for layer in range(len(LAYERS))])
    return SpanModel(attributes, weights, transitions, card)
