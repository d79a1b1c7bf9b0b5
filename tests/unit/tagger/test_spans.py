"""The span model: chunks, the decoder (Python and C alike), the model files, the linking
rules, the cross-validation's folds, and what the packaged model finds."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from jobstream_tagger.spans import decode as decode_module
from jobstream_tagger.spans.chunks import chunk, word
from jobstream_tagger.spans.decode import best_paths, decode, load_compiled, stretches
from jobstream_tagger.spans.linking import (
    is_department,
    is_team,
    normalised,
    unlinked_form,
)
from jobstream_tagger.spans.model import model_from_files
from jobstream_tagger.tag import span_model, taxonomy_mentions
from jobstream_tagger.taxonomy import load_taxonomy
from jobstream_tagger.tools import span_crossval as crossval
from jobstream_tagger.tools import span_training as training
from jobstream_tagger.tools.evaluate import read_sentences
from jobstream_tagger.tools.inspection import tag_text

pytestmark = pytest.mark.unit

SAMPLE = Path(__file__).parents[2] / "data" / "skillspan" / "sample.json"
DECODER_SOURCE = Path(decode_module.__file__).with_name("_decode.c")


# --- chunks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Experience with Kotlin Coroutines, (AWS) and C#/.NET.\n- Docker;  k8s\r\nGo",
        "ÉCOLE · KAFKA\u2028Über-Kafka\u00a0Kafka€ \U0001d50dava",
        "   \n\n  ",
        "one",
        "a\x1cb\x1fc\u3000d",
    ],
)
def test_chunks_are_split_and_their_offsets_point_at_them(text: str) -> None:
    chunks = chunk(text)

    assert chunks.texts == text.split()
    assert [text[start : start + len(piece)] for start, piece in zip(
        chunks.starts.tolist(), chunks.texts, strict=True
    )] == chunks.texts  # fmt: skip
    for index in chunks.line_starts.tolist()[1:]:
        start = int(chunks.starts[index])
        previous_end = int(chunks.starts[index - 1]) + len(chunks.texts[index - 1])
        assert any(char in "\n\r\u2028\x1c\x1d\x1e\x85\u2029" for char in text[previous_end:start])


def test_the_white_space_table_is_python_s() -> None:
    for code in range(0x3100):
        chunks = chunk(f"a{chr(code)}b")
        assert (len(chunks.texts) == 2) is chr(code).isspace(), hex(code)


def test_a_chunk_s_word_has_no_punctuation_around_it() -> None:
    assert [word(text) for text in ["(AWS)", "Kafka;", "e.g.", "C++", "C#,", ".NET", "-"]] == [
        "AWS",
        "Kafka",
        "e.g",
        "C++",
        "C#",
        ".NET",
        "-",
    ]
    assert word("API(s),") == "API(s)"


# --- decoding -----------------------------------------------------------------------------


def _random_case(rng: random.Random, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    emissions = np.array([[rng.uniform(-8, 8) for _ in range(3)] for _ in range(count)])
    transitions = np.array([[rng.uniform(-12, 3) for _ in range(3)] for _ in range(3)])
    starts_line = np.zeros(count + 1, dtype=bool)
    starts_line[[0, count, *rng.sample(range(count), min(count, 5))]] = True
    return emissions, transitions, starts_line


def test_stretches_leave_out_plain_outside_chunks_and_never_cross_a_line() -> None:
    emissions = np.array([[9.0, 0, 0], [0, 5, 0], [0, 0, 5], [0, 5, 0], [9, 0, 0]])
    one_line = np.array([True, False, False, False, False, True])
    assert stretches(emissions, one_line) == [(1, 4, True, True)]
    two_lines = np.array([True, False, True, False, False, True])
    assert stretches(emissions, two_lines) == [(1, 2, True, False), (2, 4, False, True)]


def test_the_decoder_finds_the_best_path() -> None:
    # B then I beats two B's when B -> I is cheap and I -> B is dear.
    emissions = [[0.0, 2.0, 1.9], [0.0, 1.9, 2.0]]
    transitions = [[0.0, 0.0, -9.0], [0.0, -1.0, 1.0], [0.0, -5.0, 0.0]]
    assert best_paths(emissions, transitions, [(0, 2, False, False)]) == [1, 2]


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_the_c_decoder_gives_the_python_decoder_s_labels(tmp_path: Path) -> None:
    library = tmp_path / "_decode.so"
    subprocess.run(
        ["cc", "-O2", "-shared", "-fPIC", "-o", str(library), str(DECODER_SOURCE)], check=True
    )
    compiled = load_compiled(library)
    assert compiled is not None
    rng = random.Random(5)
    for count in [1, 2, 3, 17, 200]:
        for _ in range(30):
            emissions, transitions, starts_line = _random_case(rng, count)
            runs = stretches(emissions, starts_line)
            python = decode(emissions, transitions, runs, compiled=None)
            assert np.array_equal(decode(emissions, transitions, runs, compiled=compiled), python)
            outside = np.ones(count, dtype=bool)
            for first, end, _, _ in runs:
                outside[first:end] = False
            assert not python[outside].any()  # O wherever no run is


# --- the model's files --------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny() -> tuple[bytes, bytes, dict[str, object]]:
    taxonomy = load_taxonomy()
    sentences = list(read_sentences(SAMPLE.read_text(encoding="utf-8").splitlines()))
    examples = [training.example(s, lambda t: taxonomy_mentions(t, taxonomy)) for s in sentences]
    _model, files = training.train_model(
        examples, training.Settings(max_iterations=30), {"name": "tiny"}
    )
    return files


def test_training_is_reproducible_and_the_files_load(
    tiny: tuple[bytes, bytes, dict[str, object]],
) -> None:
    taxonomy = load_taxonomy()
    sentences = list(read_sentences(SAMPLE.read_text(encoding="utf-8").splitlines()))
    examples = [training.example(s, lambda t: taxonomy_mentions(t, taxonomy)) for s in sentences]
    _model, again = training.train_model(
        examples, training.Settings(max_iterations=30), {"name": "tiny"}
    )

    assert again == tiny  # same data, same settings: the same bytes, the same version
    model = model_from_files(*tiny)
    assert model.version == f"tiny-{tiny[2]['version']}"
    text = "Experience with Kotlin and Apache Kafka ."
    chunks = chunk(text)
    reading = model.read(chunks)
    assert reading.margins.shape == (len(chunks.texts), 2)


def test_files_that_do_not_match_their_card_are_refused(
    tiny: tuple[bytes, bytes, dict[str, object]],
) -> None:
    weights, attributes, card = tiny
    tampered = bytearray(weights)
    tampered[-1] ^= 1
    with pytest.raises(ValueError, match="train it again"):
        model_from_files(bytes(tampered), attributes, card)


def test_the_chunk_table_grows_and_starts_afresh_when_full(
    tiny: tuple[bytes, bytes, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from jobstream_tagger.spans import model as model_module

    monkeypatch.setattr(model_module, "TABLE_CAPACITY", 9_000)
    model = model_from_files(*tiny)
    text = " ".join(f"Word{number} Kafka" for number in range(6_000))
    chunks = chunk(text)

    first = model.emissions(chunks)  # 6,001 distinct chunks: the table grows past 4,096
    again = model.emissions(chunks)  # 6,001 more would pass 9,000: it starts afresh
    huge = " ".join(f"Other{number}" for number in range(12_000))
    model.emissions(chunk(huge))  # one posting past the capacity: it grows for it

    assert first.shape == (6_000 * 2, 6)
    assert np.array_equal(again, first)  # the same weights either way
    assert np.array_equal(model.emissions(chunks), first)


def test_the_packaged_model_card_says_where_it_comes_from() -> None:
    card = span_model().card
    (data,) = card["data"]
    assert data["licence"] == "MIT" and "SkillSpan" in data["name"]
    assert data["sentences"] == 4800 and data["documents"] == 140
    assert card["version"] in span_model().version
    json.dumps(card)  # plain data


# --- cross-validation ---------------------------------------------------------------------


def test_cross_validation_never_scores_a_posting_it_trained_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sentences = [
        *read_sentences(SAMPLE.read_text(encoding="utf-8").splitlines()),
        *read_sentences(
            json.dumps({"idx": number, "tokens": ["Python", "and", "Go"], "source": "tech"})
            for number in range(3, 9)
        ),
    ]
    trained_on: list[set[str]] = []
    real_train = training.train_model

    def recording(examples, settings, card):  # type: ignore[no-untyped-def]
        trained_on.append({item.sentence.document for item in examples})
        return real_train(examples, training.Settings(max_iterations=5), card)

    scored: list[set[str]] = []
    real_score = crossval.score

    def score(held_out, taxonomy, model, into):  # type: ignore[no-untyped-def]
        scored.append({sentence.document for sentence in held_out})
        real_score(held_out, taxonomy, model, into)

    monkeypatch.setattr(crossval, "train_model", recording)
    monkeypatch.setattr(crossval, "score", score)

    scores = crossval.cross_validate(sentences, load_taxonomy(), fold_count=3)

    assert len(trained_on) == len(scored) == 3
    for training_documents, scored_documents in zip(trained_on, scored, strict=True):
        assert not training_documents & scored_documents
    assert set().union(*scored) == {sentence.document for sentence in sentences}
    assert scores.by_layer["knowledge"].sentences == len(sentences)


# --- linking ------------------------------------------------------------------------------


def test_unlinked_skills_are_named_by_their_normalised_form() -> None:
    form = unlinked_form(normalised("Kotlin   Coroutines"), "knowledge")
    assert (form.skill.id, form.skill.name, form.skill.category) == (
        "unlinked-kotlin-coroutines",
        "Kotlin coroutines",
        "knowledge",
    )
    # Names a slug would merge keep apart by a hash of the name.
    assert unlinked_form("c++", "knowledge").skill.id != unlinked_form("c#", "knowledge").skill.id
    assert unlinked_form("c++", "knowledge") is unlinked_form("c++", "knowledge")


@pytest.mark.parametrize(
    ("text", "words", "team"),
    [
        ("engineers from other teams (like Plazma, Integrations, and SRE) to", "SRE", True),
        ("work with the SRE team on call", "SRE", True),
        ("Platform and SRE teams", "Platform", True),
        ("participate in SRE practices", "SRE", False),
        ("AI/ML models", "ML", False),
    ],
)
def test_teams(text: str, words: str, team: bool) -> None:
    start = text.index(words)
    assert is_team(text, start, start + len(words)) is team


@pytest.mark.parametrize(
    ("text", "words", "department"),
    [
        ("Collaborate with Product Management and other teams", "Product Management", True),
        ("work closely with Security", "Security", True),
        ("Experience working with Snowflake", "Snowflake", False),
        ("experience with product management", "product management", False),
    ],
)  # fmt: skip
def test_departments(text: str, words: str, department: bool) -> None:
    start = text.index(words)
    assert is_department(text, start, start + len(words)) is department


def test_a_span_names_one_skill_and_wrong_senses_are_dropped() -> None:
    text = (
        "Senior Java Engineer\n"
        "Use collaborative tools such as Gmail, Slack and Jira. Work with other teams (like "
        "Payments and SRE). Experience with Kotlin Coroutines and Apache Kafka."
    )
    tagged = tag_text(text, load_taxonomy()).posting
    found = {skill.skill_id: skill for skill in tagged.skills}

    assert {"slack", "jira", "kafka"} <= set(found)
    assert not {"gmail", "sre"} & set(found)
    # Each span gives one skill: no two skills share a span.
    spans = [(span.start, span.end) for skill in tagged.skills for span in skill.spans]
    assert len(spans) == len(set(spans))
    for skill in tagged.skills:
        assert skill.linked == (not skill.skill_id.startswith("unlinked-"))
        assert skill.linked or (skill.source_ids == {} and skill.category in ("knowledge", "skill"))
