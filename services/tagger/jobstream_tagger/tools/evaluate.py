"""Scoring the tagger against SkillSpan-format data (Zhang et al., NAACL 2022).

The format is JSON lines, one sentence each: `{"tokens": [...], "tags_skill": [...],
"tags_knowledge": [...], "source": "tech"}` with BIO tags per token. SkillSpan has two layers
of gold spans: Knowledge (tools, technologies, languages, fields: what a taxonomy names) and
Skill (skills and competences, often long phrases).

The tagger sees each sentence as its tokens joined by single spaces; each tagged mention is
mapped back to the tokens it covers. The skills of kind "knowledge" are scored against the
Knowledge layer, those of kind "skill" against the Skill layer, and all of them against both
layers together.

- exact: a predicted span counts when it has exactly the tokens of a gold span.
- overlap: a predicted span counts when it shares a token with a gold span; a gold span is
  found when some predicted span shares a token with it.

With `errors=True` the evaluation also counts the errors by surface form (lower-cased), to
show where the tagger loses: gold spans no prediction touches ("missed"), predictions that
touch no gold span ("spurious"), and predictions that overlap a gold span without matching
it exactly ("boundary": predicted and gold surface, e.g. "java" for "java programming").
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from jobstream.errors import JobstreamError
from jobstream_tagger.tag import find_mentions
from jobstream_tagger.taxonomy import Taxonomy

Layer = Literal["knowledge", "skill", "both"]
LAYERS: Final[tuple[Layer, ...]] = ("knowledge", "skill", "both")
MAX_LINE_CHARS: Final = 200_000
MAX_TOKENS: Final = 2_000
MAX_ERRORS_SHOWN: Final = 1_000


class SkillSpanError(JobstreamError, ValueError):
    """A line that is not a SkillSpan sentence; the message says which line and why."""


@dataclass(frozen=True)
class Sentence:
    tokens: tuple[str, ...]
    knowledge: frozenset[tuple[int, int]]  # gold spans as [first token, last token + 1)
    skill: frozenset[tuple[int, int]]
    source: str
    # The posting the sentence is from ("tech:12": SkillSpan's source and idx), so that
    # cross-validation folds never split a posting; a sentence without an idx is its own.
    document: str = ""

    def gold(self, layer: Layer) -> frozenset[tuple[int, int]]:
        if layer == "knowledge":
            return self.knowledge
        if layer == "skill":
            return self.skill
        return self.knowledge | self.skill


def read_sentences(lines: Iterable[str]) -> Iterator[Sentence]:
    """The sentences of SkillSpan JSON lines; blank lines are skipped, bad ones raise."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            raise SkillSpanError(f"line {number}: longer than {MAX_LINE_CHARS} characters")
        try:
            data = json.loads(line)
        except ValueError as error:
            raise SkillSpanError(f"line {number}: not JSON: {error}") from error
        yield _sentence(number, data)


def _sentence(number: int, data: object) -> Sentence:
    where = f"line {number}"
    if not isinstance(data, dict):
        raise SkillSpanError(f"{where}: not a JSON object")
    tokens = data.get("tokens")
    if not isinstance(tokens, list) or not all(isinstance(token, str) for token in tokens):
        raise SkillSpanError(f"{where}: tokens must be a list of strings")
    if len(tokens) > MAX_TOKENS:
        raise SkillSpanError(f"{where}: more than {MAX_TOKENS} tokens")
    layers = []
    for key in ("tags_knowledge", "tags_skill"):
        tags = data.get(key, ["O"] * len(tokens))
        if not isinstance(tags, list) or len(tags) != len(tokens):
            raise SkillSpanError(f"{where}: {key} must be a list with one tag per token")
        if not all(isinstance(tag, str) and tag[:1] in ("B", "I", "O") for tag in tags):
            raise SkillSpanError(f"{where}: {key} must hold BIO tags (B, I, O, B-..., I-...)")
        layers.append(bio_spans(tags))
    source = data.get("source", "")
    source = source if isinstance(source, str) and source else "unknown"
    idx = data.get("idx")
    document = f"{source}:{idx}" if isinstance(idx, int | str) else f"{source}:line {number}"
    return Sentence(
        tokens=tuple(tokens),
        knowledge=frozenset(layers[0]),
        skill=frozenset(layers[1]),
        source=source,
        document=document,
    )


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int]]:
    """Spans of BIO tags; an I without a B before it starts a span (a common slip)."""
    spans = []
    start: int | None = None
    for index, tag in enumerate([*tags, "O"]):
        kind = tag[:1]
        if start is not None and kind in ("B", "O"):
            spans.append((start, index))
            start = None
        if kind == "B" or (kind == "I" and start is None):
            start = index
    return spans


Mentions = Callable[[str], Iterable[tuple[int, int, Any, float]]]


def predicted_spans(
    sentence: Sentence, taxonomy: Taxonomy, layer: Layer, mentions: Mentions | None = None
) -> set[tuple[int, int]]:
    """The tagger's mentions in a sentence (or those `mentions` finds in its text), as token
    spans, for the skills of a layer."""
    text = " ".join(sentence.tokens)
    found = mentions(text) if mentions is not None else find_mentions(text, taxonomy)
    return token_spans(sentence, found)[layer]


def token_spans(
    sentence: Sentence, mentions: Iterable[tuple[int, int, Any, float]]
) -> dict[Layer, set[tuple[int, int]]]:
    """Mentions in the sentence's text (its tokens joined by spaces) as token spans, by
    layer: a skill's kind decides its layer; "both" holds all."""
    starts: list[int] = []
    position = 0
    for token in sentence.tokens:
        starts.append(position)
        position += len(token) + 1
    spans: dict[Layer, set[tuple[int, int]]] = {layer: set() for layer in LAYERS}
    for start, end, form, _confidence in mentions:
        first = _token_at(starts, start)
        last = _token_at(starts, end - 1)
        spans[form.skill.kind].add((first, last + 1))
        spans["both"].add((first, last + 1))
    return spans


def _token_at(starts: Sequence[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:  # the last token starting at or before the offset
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low


@dataclass
class Counts:
    """Counts for one scope (all sentences, or one source)."""

    gold: int = 0
    predicted: int = 0
    exact: int = 0
    predicted_overlapping: int = 0
    gold_overlapped: int = 0

    def add(self, gold: frozenset[tuple[int, int]], predicted: set[tuple[int, int]]) -> None:
        self.gold += len(gold)
        self.predicted += len(predicted)
        self.exact += len(gold & predicted)
        self.predicted_overlapping += sum(
            1 for span in predicted if any(_overlap(span, other) for other in gold)
        )
        self.gold_overlapped += sum(
            1 for span in gold if any(_overlap(span, other) for other in predicted)
        )

    def scores(self) -> dict[str, dict[str, float]]:
        return {
            "exact": _prf(self.exact, self.predicted, self.exact, self.gold),
            "overlap": _prf(
                self.predicted_overlapping, self.predicted, self.gold_overlapped, self.gold
            ),
        }


def _overlap(first: tuple[int, int], second: tuple[int, int]) -> bool:
    return first[0] < second[1] and second[0] < first[1]


def _prf(predicted_right: int, predicted: int, gold_found: int, gold: int) -> dict[str, float]:
    precision = predicted_right / predicted if predicted else 0.0
    recall = gold_found / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


@dataclass
class Errors:
    """The errors of an evaluation by surface form (lower-cased), for `--errors N`."""

    missed: Counter[str] = field(default_factory=Counter)
    spurious: Counter[str] = field(default_factory=Counter)
    boundary: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(
        self,
        tokens: Sequence[str],
        gold: frozenset[tuple[int, int]],
        predicted: set[tuple[int, int]],
    ) -> None:
        def surface(span: tuple[int, int]) -> str:
            return " ".join(tokens[span[0] : span[1]]).lower()

        for span in gold - predicted:
            touching = [other for other in predicted if _overlap(span, other)]
            if not touching:
                self.missed[surface(span)] += 1
            for other in touching:
                self.boundary[(surface(other), surface(span))] += 1
        for span in predicted - gold:
            if not any(_overlap(span, other) for other in gold):
                self.spurious[surface(span)] += 1

    def report(self, top: int) -> dict[str, list[list[Any]]]:
        """The `top` most frequent of each kind: `[[surface, count], ...]` and, for
        boundary errors, `[[predicted, gold, count], ...]`."""
        return {
            "missed": [[text, count] for text, count in self.missed.most_common(top)],
            "spurious": [[text, count] for text, count in self.spurious.most_common(top)],
            "boundary": [
                [predicted, gold, count]
                for (predicted, gold), count in self.boundary.most_common(top)
            ],
        }


@dataclass
class Evaluation:
    layer: Layer
    sentences: int = 0
    overall: Counts = field(default_factory=Counts)
    by_source: dict[str, Counts] = field(default_factory=dict)
    errors: Errors | None = None

    def add(self, sentence: Sentence, predicted: set[tuple[int, int]]) -> None:
        gold = sentence.gold(self.layer)
        self.sentences += 1
        self.overall.add(gold, predicted)
        self.by_source.setdefault(sentence.source, Counts()).add(gold, predicted)
        if self.errors is not None:
            self.errors.add(sentence.tokens, gold, predicted)

    def report(self, top_errors: int = 0) -> dict[str, Any]:
        """`{"exact": {...}, "overlap": {...}, "by_source": {...}, ...}` for --json, with
        `"errors"` (the `top_errors` most frequent of each kind) when errors were counted."""
        errors = {} if self.errors is None else {"errors": self.errors.report(top_errors)}
        return {
            **self.overall.scores(),
            "by_source": {
                source: counts.scores() for source, counts in sorted(self.by_source.items())
            },
            "layer": self.layer,
            "sentences": self.sentences,
            "gold_spans": self.overall.gold,
            "predicted_spans": self.overall.predicted,
            **errors,
        }


def evaluate(
    sentences: Iterable[Sentence],
    taxonomy: Taxonomy,
    layer: Layer,
    errors: bool = False,
    mentions: Mentions | None = None,
) -> Evaluation:
    """Score the tagger on `sentences` (or what `mentions` finds in each sentence's text)."""
    result = Evaluation(layer=layer, errors=Errors() if errors else None)
    for sentence in sentences:
        result.add(sentence, predicted_spans(sentence, taxonomy, layer, mentions))
    return result
