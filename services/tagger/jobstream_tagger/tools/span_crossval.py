"""Scoring the tagger honestly on SkillSpan-format data: k-fold cross-validation, or the
packaged model on sentences it was not trained on.

In cross-validation each fold's sentences are scored by a model trained on the other folds
only, folds split by posting (document), not by sentence: sentences of one posting share
words, lists and layout, and a model that saw some of them would be judged on what it
remembers. Every layer is scored from the same tagging: the tagger's skills of kind
"knowledge" against the Knowledge layer, of kind "skill" against the Skill layer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from jobstream_tagger.spans.model import SpanModel
from jobstream_tagger.tag import find_mentions, taxonomy_mentions
from jobstream_tagger.taxonomy import Taxonomy
from jobstream_tagger.tools.evaluate import LAYERS, Errors, Evaluation, Layer, Sentence, token_spans
from jobstream_tagger.tools.span_training import (
    FOLDS,
    SEED,
    Settings,
    example,
    folds,
    train_model,
)

Progress = Callable[[str], None]
MIN_FOLDS: Final = 2
MAX_FOLDS: Final = 20


@dataclass
class Scores:
    """The evaluations of every layer, from one tagging of each sentence."""

    by_layer: dict[Layer, Evaluation]
    mode: str
    folds: int = 0

    def report(self, top_errors: int = 0) -> dict[str, object]:
        return {
            "mode": self.mode,
            "folds": self.folds,
            "layers": {
                layer: evaluation.report(top_errors) for layer, evaluation in self.by_layer.items()
            },
        }


def _empty(errors: bool) -> dict[Layer, Evaluation]:
    return {layer: Evaluation(layer=layer, errors=Errors() if errors else None) for layer in LAYERS}


def score(
    sentences: Sequence[Sentence],
    taxonomy: Taxonomy,
    model: SpanModel,
    into: dict[Layer, Evaluation],
) -> None:
    """Tag each sentence once with `model`; add its spans to every layer's counts."""
    for sentence in sentences:
        text = " ".join(sentence.tokens)
        predicted = token_spans(sentence, find_mentions(text, taxonomy, model))
        for layer, evaluation in into.items():
            evaluation.add(sentence, predicted[layer])


def cross_validate(
    sentences: Sequence[Sentence],
    taxonomy: Taxonomy,
    fold_count: int = FOLDS,
    settings: Settings | None = None,
    errors: bool = False,
    progress: Progress | None = None,
    seed: int = SEED,
) -> Scores:
    """k-fold cross-validation by document: train on k-1 folds, score the k-th, add up."""
    settings = settings or Settings()
    examples = [example(item, lambda text: taxonomy_mentions(text, taxonomy)) for item in sentences]
    fold_of = folds(examples, fold_count, seed)
    results = _empty(errors)
    for fold in range(fold_count):
        training = [item for item, number in zip(examples, fold_of, strict=True) if number != fold]
        held_out = [item for item, number in zip(sentences, fold_of, strict=True) if number == fold]
        if not held_out or not training:
            continue
        model, _files = train_model(training, settings, {"name": f"fold-{fold}"})
        score(held_out, taxonomy, model, results)
        if progress is not None:
            progress(f"fold {fold + 1}/{fold_count}: {len(held_out)} sentences scored")
    return Scores(results, "cross-validation", fold_count)


def card_figures(scores: Scores, seed: int = SEED) -> dict[str, Any]:
    """What a model card records of a cross-validation: strict ("exact") and overlap
    precision, recall and F1 of each layer, and how the folds were drawn."""
    return {
        "folds": scores.folds,
        "split": f"by posting, seeded shuffle (seed {seed})",
        "data": "the training sentences only (SkillSpan's dev and test splits never used)",
        "layers": {
            layer: evaluation.overall.scores()
            for layer, evaluation in scores.by_layer.items()
            if layer != "both"
        },
    }


def held_out(
    sentences: Sequence[Sentence], taxonomy: Taxonomy, model: SpanModel, errors: bool = False
) -> Scores:
    """The packaged model on sentences it was not trained on."""
    results = _empty(errors)
    score(sentences, taxonomy, model, results)
    return Scores(results, "packaged model")
