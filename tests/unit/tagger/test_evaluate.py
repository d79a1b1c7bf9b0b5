"""Scoring against SkillSpan-format data, on a tiny fixture scored by hand.

The scores are those of the taxonomy's matches alone (`taxonomy_mentions`), which do not
change when the span model is trained again; the span model's own figures come from
`jobstream eval tagger` (cross-validated: test_crossval.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobstream_tagger.tag import taxonomy_mentions
from jobstream_tagger.taxonomy import load_taxonomy
from jobstream_tagger.tools.evaluate import (
    Sentence,
    SkillSpanError,
    bio_spans,
    evaluate,
    predicted_spans,
    read_sentences,
)

pytestmark = pytest.mark.unit

SAMPLE = Path(__file__).parents[2] / "data" / "skillspan" / "sample.json"


def _matches(text: str) -> list[tuple[int, int, object, float]]:
    return list(taxonomy_mentions(text, load_taxonomy()))


def _sentences() -> list[Sentence]:
    return list(read_sentences(SAMPLE.read_text(encoding="utf-8").splitlines()))


def test_reading_skips_blank_lines_and_reads_both_layers() -> None:
    sentences = _sentences()

    assert len(sentences) == 6
    assert sentences[0].knowledge == {(2, 3), (4, 6)}
    assert sentences[1].skill == {(1, 3)}
    assert sentences[5].knowledge == {(0, 2)}  # "I I" without a "B": one span
    assert [sentence.source for sentence in sentences[:3]] == ["tech", "tech", "house"]


@pytest.mark.parametrize(
    ("tags", "spans"),
    [
        (["O", "B", "I", "O", "B"], [(1, 3), (4, 5)]),
        (["B", "B", "I"], [(0, 1), (1, 3)]),
        (["I", "O", "I", "I"], [(0, 1), (2, 4)]),
        (["B-KNOWLEDGE", "I-KNOWLEDGE"], [(0, 2)]),
        ([], []),
    ],
)
def test_bio_spans(tags: list[str], spans: list[tuple[int, int]]) -> None:
    assert bio_spans(tags) == spans


def test_predictions_are_token_spans_of_the_layer_kind() -> None:
    taxonomy = load_taxonomy()
    first, second = _sentences()[:2]

    assert predicted_spans(first, taxonomy, "knowledge", _matches) == {
        (2, 3),
        (4, 6),
    }  # "Apache Kafka"
    assert predicted_spans(second, taxonomy, "knowledge", _matches) == {(4, 6)}  # "Java 8"
    assert predicted_spans(second, taxonomy, "skill", _matches) == {
        (1, 3)
    }  # "communication skills"
    assert predicted_spans(second, taxonomy, "both", _matches) == {(1, 3), (4, 6)}


def test_knowledge_scores_exact_and_overlap_overall_and_by_source() -> None:
    report = evaluate(_sentences(), load_taxonomy(), "knowledge", mentions=_matches).report()

    # 7 gold spans, 7 predicted: 6 exact ("Docker environments" takes its head noun);
    # "Haskell" is not gold; "tidal hydrodynamics" is in no taxonomy, so it is not found.
    assert report["exact"] == {"precision": 0.8571, "recall": 0.8571, "f1": 0.8571}
    assert report["overlap"] == {"precision": 0.8571, "recall": 0.8571, "f1": 0.8571}
    assert report["by_source"]["tech"]["exact"]["f1"] == 1.0
    assert report["by_source"]["house"]["exact"] == {
        "precision": 0.6667,
        "recall": 0.6667,
        "f1": 0.6667,
    }
    assert report["by_source"]["house"]["overlap"]["f1"] == 0.6667
    assert (report["sentences"], report["gold_spans"], report["predicted_spans"]) == (6, 7, 7)


def test_skill_and_both_layers() -> None:
    skill = evaluate(_sentences(), load_taxonomy(), "skill", mentions=_matches).report()
    both = evaluate(_sentences(), load_taxonomy(), "both", mentions=_matches).report()

    assert skill["exact"]["f1"] == 1.0 and skill["gold_spans"] == 1
    assert both["exact"] == {"precision": 0.875, "recall": 0.875, "f1": 0.875}


def test_errors_by_surface_form() -> None:
    boundary = (
        '{"tokens": ["Kubernetes", "clusters", "at", "scale"], '
        '"tags_knowledge": ["B", "I", "O", "O"], "source": "tech"}'
    )
    sentences = [*_sentences(), *read_sentences([boundary])]
    result = evaluate(sentences, load_taxonomy(), "knowledge", errors=True, mentions=_matches)

    assert result.report(top_errors=10)["errors"] == {
        "missed": [["tidal hydrodynamics", 1]],
        "spurious": [["haskell", 1]],
        "boundary": [["kubernetes", "kubernetes clusters", 1]],
    }
    assert result.report(top_errors=0)["errors"] == {"missed": [], "spurious": [], "boundary": []}
    assert (
        "errors"
        not in evaluate(sentences, load_taxonomy(), "knowledge", mentions=_matches).report()
    )


def test_no_predictions_score_zero_not_an_error() -> None:
    line = '{"tokens": ["Nothing", "here"], "tags_knowledge": ["B", "O"], "tags_skill": ["O", "O"]}'
    report = evaluate(
        read_sentences([line]), load_taxonomy(), "knowledge", mentions=_matches
    ).report()

    assert report["exact"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert report["by_source"] == {"unknown": report["by_source"]["unknown"]}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1: not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"tokens": "a b"}', "tokens must be a list of strings"),
        ('{"tokens": ["a"], "tags_knowledge": ["O", "O"]}', "one tag per token"),
        ('{"tokens": ["a"], "tags_knowledge": ["X"]}', "BIO tags"),
        ('{"tokens": ["a"], "tags_skill": [1]}', "BIO tags"),
        ('{"tokens": [' + ", ".join(['"a"'] * 2_001) + "]}", "more than 2000 tokens"),
        ("x" * 200_001, "longer than"),
    ],
)
def test_malformed_lines_are_clear_errors(line: str, message: str) -> None:
    with pytest.raises(SkillSpanError, match=message):
        list(read_sentences([line]))
