"""Training the span model from SkillSpan-format sentences (python-crfsuite), and its folds.

One linear-chain CRF per layer (Knowledge, Skill), labels O/B/I/L/U (decode.LABELS), trained
with L-BFGS and elastic-net regularisation by CRFsuite on the attributes of features.py.
L-BFGS from zero weights on the same sentences in the same order gives the same model: training is
reproducible; the folds of the cross-validation are drawn by a seeded shuffle of the
documents (postings), never of sentences, so no posting is in two folds.

python-crfsuite is only needed here (`pip install -e '.[train]'`); the tagger runs on the
exported weights (model.py).
"""

from __future__ import annotations

import hashlib
import json
import random
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np

from jobstream_tagger.rules import Mention
from jobstream_tagger.spans.chunks import Chunks, chunk, word
from jobstream_tagger.spans.decode import LABELS
from jobstream_tagger.spans.features import (
    BIAS,
    CLUSTERS_CARD,
    CLUSTERS_FILE,
    OFFSETS,
    PAIR_CHANNELS,
    chunk_attributes,
    clusters_text,
    match_attributes,
    pad_attributes,
    pair_attributes,
    pair_keys,
    unread_pairs,
)
from jobstream_tagger.spans.model import (
    LAYERS,
    MODEL_ATTRIBUTES,
    MODEL_CARD,
    MODEL_SEEN,
    MODEL_WEIGHTS,
    Layer,
    SpanModel,
    clusters_digest,
    content_version,
    match_codes,
    model_from_files,
)
from jobstream_tagger.tools.evaluate import Sentence

SEED: Final = 17
FOLDS: Final = 5
# Whether a layer's training labels mark a span's last chunk (L) and one-chunk spans (U), or
# only O/B/I. Cross-validated on the training split (5 folds, docs/tagger.md): the Skill
# layer's phrases gain 0.036 strict F1 with L/U (0.315 -> 0.351); the Knowledge layer's
# names lose 0.005 in the whole tagger (although its CRF alone gains 0.014), so it keeps O/B/I.
MARKS_ENDS: Final[dict[Layer, bool]] = {"knowledge": False, "skill": True}
# The weight of the bias attribute for a label a layer never has: it is never chosen.
NEVER: Final = -1e4


@dataclass(frozen=True)
class Settings:
    """CRFsuite's L-BFGS settings (c1: L1, c2: L2 regularisation)."""

    c1: float = 0.05
    c2: float = 0.01
    max_iterations: int = 150

    def crfsuite(self) -> dict[str, object]:
        return {
            "c1": self.c1,
            "c2": self.c2,
            "max_iterations": self.max_iterations,
            "feature.possible_transitions": True,
        }


Matches = Callable[[str], Sequence[Mention]]


@dataclass(frozen=True)
class Example:
    """A sentence as the model sees it: its chunks, its taxonomy codes, the token of each
    chunk (SkillSpan's tokens have no white space, so it is usually one to one)."""

    sentence: Sentence
    chunks: Chunks
    codes: list[tuple[int, int, str]]
    token_of: list[int]

    def labels(self, layer: Layer) -> list[str]:
        """Each chunk's label: B, I ... over a span; where the layer marks ends (`MARKS_ENDS`),
        L on a span's last chunk and U on a span of one."""
        labels = ["O"] * len(self.chunks.texts)
        for first, end in self.sentence.gold(layer):
            inside = [index for index, token in enumerate(self.token_of) if first <= token < end]
            for position, index in enumerate(inside):
                labels[index] = "B" if position == 0 else "I"
            if not MARKS_ENDS[layer]:
                continue
            if len(inside) == 1:
                labels[inside[0]] = "U"
            elif inside:
                labels[inside[-1]] = "L"
        return labels

    def token_span(self, first_chunk: int, end_chunk: int) -> tuple[int, int]:
        return self.token_of[first_chunk], self.token_of[end_chunk - 1] + 1


def example(sentence: Sentence, matches: Matches) -> Example:
    text = " ".join(sentence.tokens)
    chunks = chunk(text)
    token_starts = np.cumsum([0] + [len(token) + 1 for token in sentence.tokens[:-1]])
    token_of = (np.searchsorted(token_starts, chunks.starts, side="right") - 1).tolist()
    codes = match_codes(chunks, matches(text))
    return Example(sentence, chunks, codes, token_of)


def attributes(example: Example) -> list[list[str]]:
    """Each chunk's attributes, as model.py sums them: the chunks at offsets -2..2 on its
    line (the padding beyond it), the taxonomy codes there, the words either side."""
    chunks = example.chunks
    texts = chunks.texts
    count = len(texts)
    line = (np.searchsorted(chunks.line_starts, np.arange(count), side="right") - 1).tolist()
    coded: list[str | None] = [None] * count
    for first, end, code in example.codes:
        coded[first] = f"B {code}"
        for index in range(first + 1, end):
            coded[index] = f"I {code}"
    keys = [pair_keys(word(text).lower()) for text in texts]
    result = []
    for index in range(count):
        names: list[str] = []
        for offset in OFFSETS:
            other = index + offset
            if 0 <= other < count and line[other] == line[index]:
                names += chunk_attributes(texts[other], offset)
                coded_here = coded[other]
                if coded_here is not None:
                    names += match_attributes(coded_here, offset)
            else:
                names += pad_attributes(offset)
        for number, channel in enumerate(PAIR_CHANNELS):
            here = keys[index][number]
            if here is None:
                continue
            if index > 0 and line[index - 1] == line[index]:
                left = keys[index - 1][number]
                if left is not None:
                    names.append(pair_attributes(left, here, channel)[0])
            if index + 1 < count and line[index + 1] == line[index]:
                right = keys[index + 1][number]
                if right is not None:
                    names.append(pair_attributes(here, right, channel)[1])
        result.append(names)
    return result


def train_layers(
    examples: Sequence[Example], settings: Settings
) -> tuple[dict[str, list[float]], list[list[list[float]]]]:
    """Attribute -> weights (each label of each layer), and each layer's transitions."""
    import pycrfsuite  # training only: not a dependency of the tagger at run time

    features = [attributes(item) for item in examples]
    weights: dict[str, list[float]] = {}
    transitions = []
    for number, layer in enumerate(LAYERS):
        trainer = pycrfsuite.Trainer(verbose=False)
        unread = tuple(f"{channel}{mark}=" for channel in unread_pairs(layer) for mark in ("", "+"))
        for names, item in zip(features, examples, strict=True):
            if unread:
                names = [[name for name in at if not name.startswith(unread)] for at in names]
            trainer.append(names, item.labels(layer))
        trainer.set_params(settings.crfsuite())
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "layer.crfsuite")
            trainer.train(path)
            tagger = pycrfsuite.Tagger()
            tagger.open(path)
            info = tagger.info()
            tagger.close()
        for (name, label), weight in info.state_features.items():
            row = weights.setdefault(name, [0.0] * (len(LABELS) * len(LAYERS)))
            row[len(LABELS) * number + LABELS.index(label)] = weight
        bias = weights.setdefault(BIAS, [0.0] * (len(LABELS) * len(LAYERS)))
        for label in set(LABELS) - set(info.labels.keys()):  # a label this layer never has
            bias[len(LABELS) * number + LABELS.index(label)] = NEVER
        transitions.append([[info.transitions.get((a, b), 0.0) for b in LABELS] for a in LABELS])
    return weights, transitions


def model_files(
    weights: dict[str, list[float]],
    transitions: Sequence[Sequence[Sequence[float]]],
    card: dict[str, Any],
) -> tuple[bytes, bytes, dict[str, Any]]:
    """The weights (.npy), the attributes (one a line) and the card with its version."""
    names = sorted(weights)
    labels, width = len(LABELS), len(LABELS) * len(LAYERS)
    matrix = np.array([weights[name] for name in names] or np.zeros((0, width)), dtype=np.float64)
    matrix = matrix.reshape(len(names), width)
    tail = np.zeros((labels, width))  # the last rows: each layer's transitions
    for number, table in enumerate(transitions):
        tail[:, labels * number : labels * (number + 1)] = np.array(table)
    buffer = _npy(np.vstack([matrix, tail]))
    attributes = "\n".join(names).encode("utf-8")
    card = {
        **card,
        "attributes": len(names),
        "labels": "".join(LABELS),
        "labels_trained": {
            layer: "".join(LABELS) if MARKS_ENDS[layer] else "OBI" for layer in LAYERS
        },
    }
    card["version"] = content_version(buffer, attributes, card)
    return buffer, attributes, card


def _npy(array: np.ndarray) -> bytes:
    import io

    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


def train_model(
    examples: Sequence[Example], settings: Settings, card: dict[str, Any] | None = None
) -> tuple[SpanModel, tuple[bytes, bytes, dict[str, Any]]]:
    weights, transitions = train_layers(examples, settings)
    files = model_files(weights, transitions, {**(card or {}), "settings": settings.__dict__})
    return model_from_files(*files), files


def write_model(files: tuple[bytes, bytes, dict[str, Any]], folder: Path) -> None:
    weights, attributes, card = files
    (folder / MODEL_WEIGHTS).write_bytes(weights)
    (folder / MODEL_ATTRIBUTES).write_bytes(attributes)
    (folder / MODEL_CARD).write_text(
        json.dumps(card, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def folds(examples: Sequence[Example], count: int, seed: int = SEED) -> list[int]:
    """The fold of each example: its document's, documents dealt round-robin after a
    seeded shuffle."""
    documents = sorted({item.sentence.document for item in examples})
    random.Random(seed).shuffle(documents)  # noqa: S311 - reproducible folds, not secrets
    fold_of = {document: index % count for index, document in enumerate(documents)}
    return [fold_of[item.sentence.document] for item in examples]


def sentence_key(sentence: Sentence) -> str:
    """A sentence's identity for "was the model trained on it": a hash of its tokens."""
    return hashlib.sha256("\x1f".join(sentence.tokens).encode("utf-8")).hexdigest()[:16]


SKILLSPAN: Final = {
    "name": "SkillSpan, training split",
    "source": "Zhang, Jensen, Sonniks, Plank: SkillSpan: Hard and Soft Skill Extraction from "
    "English Job Postings, NAACL 2022",
    "licence": "MIT",
}


def card_for(
    files: Sequence[Path], sentences: Sequence[Sentence], taxonomy_version: str, seed: int
) -> dict[str, Any]:
    """What the model is and where it comes from: written beside it, hashed into its version."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return {
        "name": "skillspan-crf",
        "method": "linear-chain CRF per layer (Knowledge, Skill), labels O/B/I (Knowledge) and "
        "O/B/I/L/U (Skill), CRFsuite "
        "L-BFGS with elastic-net regularisation; attributes of jobstream_tagger/spans/"
        "features.py over white-space chunks, with the taxonomy's matches",
        "licence": "MIT, as the data it was trained on",
        "data": [
            {
                **SKILLSPAN,
                "files": [path.name for path in files],
                "sha256": digest.hexdigest(),
                "sentences": len(sentences),
                "documents": len({sentence.document for sentence in sentences}),
            }
        ],
        "taxonomy_version": taxonomy_version,
        "word_clusters": clusters_card(),
        "seed": seed,
        "command": "jobstream tagger train (make model)",
    }


def clusters_card() -> dict[str, Any]:
    """The word clusters the model's attributes use: their card (sources, licences) and the
    digest of the packaged table, which loading checks."""
    package = resources.files("jobstream_tagger.spans")
    card_path = package.joinpath(CLUSTERS_CARD)
    card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.is_file() else {}
    return {**card, "file": CLUSTERS_FILE, "sha256": clusters_digest(clusters_text())}


def train_and_write(
    files: Sequence[Path],
    sentences: Sequence[Sentence],
    matches: Matches,
    taxonomy_version: str,
    folder: Path,
    settings: Settings | None = None,
    cross_validation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Train on every sentence and write the model's files into `folder`; its card (with
    `cross_validation`: the figures of the same training by k-fold cross-validation)."""
    settings = settings or Settings()
    examples = [example(sentence, matches) for sentence in sentences]
    card = card_for(files, sentences, taxonomy_version, SEED)
    if cross_validation is not None:
        card["cross_validation"] = cross_validation
    _model, model_files_ = train_model(examples, settings, card)
    write_model(model_files_, folder)
    seen = sorted({sentence_key(sentence) for sentence in sentences})
    (folder / MODEL_SEEN).write_text("\n".join(seen) + "\n", encoding="ascii")
    return model_files_[2]
