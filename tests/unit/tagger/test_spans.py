"""The span model: chunks, the decoder, the reading (Python and C alike), the model files, the
linking rules, the cross-validation's folds, and what the packaged model finds."""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import math
import random
import shutil
import sysconfig
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from bench.corpus import postings
from jobstream_tagger.spans import build
from jobstream_tagger.spans import model as model_module
from jobstream_tagger.spans.chunks import chunk, word
from jobstream_tagger.spans.decode import LABELS, best_paths, decode, stretches
from jobstream_tagger.spans.features import PAIR_CHANNELS, unread_pairs
from jobstream_tagger.spans.linking import (
    hundredths,
    is_department,
    is_team,
    is_webmail,
    normalised,
    other_sense,
    team_words,
    unlinked_form,
)
from jobstream_tagger.spans.model import (
    MODEL_ATTRIBUTES,
    MODEL_CARD,
    MODEL_WEIGHTS,
    SpanModel,
    load_span_model,
    model_from_files,
)
from jobstream_tagger.tag import span_model, taxonomy_mentions
from jobstream_tagger.taxonomy import Taxonomy, load_taxonomy
from jobstream_tagger.tools import span_crossval as crossval
from jobstream_tagger.tools import span_training as training
from jobstream_tagger.tools.evaluate import read_sentences
from jobstream_tagger.tools.inspection import tag_text

pytestmark = pytest.mark.unit

DATA = Path(__file__).parents[2] / "data"
SAMPLE = DATA / "skillspan" / "sample.json"
SEEDS = Path(__file__).parents[3] / "seeds"


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


def test_the_decoder_reads_bilou_labels_back_as_o_b_i() -> None:
    # O, B, I, L, U: a one-chunk span (U), then a three-chunk one (B I L), read as B / B I I.
    never = -50.0
    transitions = np.zeros((5, 5))
    transitions[[0, 3, 4], 2] = transitions[[0, 3, 4], 3] = never  # I, L only after B or I
    transitions[[1, 2], 0] = transitions[[1, 2], 1] = transitions[[1, 2], 4] = never
    emissions = np.full((4, 5), -5.0)
    for index, label in enumerate((4, 1, 2, 3)):
        emissions[index, label] = 5.0
    runs = [(0, 4, False, False)]
    assert best_paths(emissions.tolist(), transitions.tolist(), runs) == [4, 1, 2, 3]
    assert decode(emissions, transitions, runs).tolist() == [1, 1, 2, 2]


def test_training_labels_mark_a_span_s_last_chunk_and_one_chunk_spans() -> None:
    taxonomy = load_taxonomy()
    seen: set[str] = set()
    for sentence in read_sentences(SAMPLE.read_text(encoding="utf-8").splitlines()):
        example = training.example(sentence, lambda text: taxonomy_mentions(text, taxonomy))
        for layer in model_module.LAYERS:
            labels = example.labels(layer)
            seen.update(labels)
            for first, end in sentence.gold(layer):
                inside = [
                    labels[index]
                    for index, token in enumerate(example.token_of)
                    if first <= token < end
                ]
                if not training.MARKS_ENDS[layer]:  # O/B/I only
                    assert inside == ["B", *["I"] * (len(inside) - 1)]
                elif len(inside) == 1:
                    assert inside == ["U"]
                else:
                    assert inside == ["B", *["I"] * (len(inside) - 2), "L"]
    assert {"O", "B", "L"} <= seen <= set(LABELS)


def test_a_layer_trained_on_o_b_i_never_reads_l_or_u(
    tiny: tuple[bytes, bytes, dict[str, object]],
) -> None:
    model = model_from_files(*tiny)
    assert tiny[2]["labels_trained"] == {
        layer: "OBILU" if training.MARKS_ENDS[layer] else "OBI" for layer in model_module.LAYERS
    }
    text = " ".join(
        " ".join(s.tokens) for s in read_sentences(SAMPLE.read_text("utf-8").splitlines())
    )
    scores = model.emissions(chunk(text))
    for number, layer in enumerate(model_module.LAYERS):
        end_labels = scores[:, len(LABELS) * number + 3 : len(LABELS) * (number + 1)]
        assert (end_labels < -1000).all() == (not training.MARKS_ENDS[layer])


# --- the reading, in C and in Python -------------------------------------------------------


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The C reader built from the repository's source, whatever `make` left in the package."""
    if shutil.which((sysconfig.get_config_var("CC") or "cc").split()[0]) is None:
        pytest.skip("no C compiler: the tagger reads in Python")
    target = tmp_path_factory.mktemp("reader") / build.TARGET.name
    assert build.compile_reader(target) is None
    spec = importlib.util.spec_from_file_location("jobstream_tagger.spans._reading", target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _packaged(reading: ModuleType | None) -> SpanModel:
    package = Path(model_module.__file__).parent
    return model_from_files(
        (package / MODEL_WEIGHTS).read_bytes(),
        (package / MODEL_ATTRIBUTES).read_bytes(),
        json.loads((package / MODEL_CARD).read_text(encoding="utf-8")),
        reading,
    )


def _real_texts() -> list[str]:
    """Every posting text in the repository (the seeds, the parser's labelled postings, the
    SkillSpan sample's sentences), and the benchmark's corpus, built from real postings'
    shapes."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    with (DATA / "parser_labelled.jsonl").open(encoding="utf-8") as lines:
        texts += [json.loads(line)["text"] for line in lines]
    texts += [" ".join(s.tokens) for s in read_sentences(SAMPLE.read_text("utf-8").splitlines())]
    return texts + list(postings(300))


def _random_texts(model_words: list[str], rng: random.Random, count: int) -> list[str]:
    """Texts of the model's own words (so its word pairs and taxonomy matches fire), with
    punctuation around them, every kind of white space and line end, and other scripts."""
    spaces = [" ", " ", " ", "  ", "\t", "\n", "\r\n", "\u2028", "\x1c", "\u3000", "\xa0", "\x85"]
    extras = [
        "Kafka",
        "C++",
        "C#/.NET",
        "(AWS)",
        "Java,",
        "SQL;",
        "-",
        "·",
        "ÉCOLE",
        "日本語",
        "\U0001d50d",
    ]
    texts = []
    for _ in range(count):
        pieces = []
        for _ in range(rng.randint(0, 400)):
            token = rng.choice(model_words) if rng.random() < 0.8 else rng.choice(extras)
            if rng.random() < 0.2:
                token = rng.choice("([\"'*•-") + token
            if rng.random() < 0.2:
                token += rng.choice(",;:.)!?*")
            pieces.append(token)
            pieces.append(rng.choice(spaces))
        texts.append("".join(pieces))
    return texts


def _same_reading(c: SpanModel, python: SpanModel, texts: list[str], taxonomy: Taxonomy) -> None:
    for text in texts:
        matches = taxonomy_mentions(text, taxonomy)
        # Equal tuples: the same characters, layer, chunks and margin to the last bit.
        assert c.read(text, matches) == python.read_python(text, matches), text[:200]


def test_the_c_reader_reads_real_postings_as_the_python_one(compiled: ModuleType) -> None:
    c, python = _packaged(compiled), _packaged(None)
    assert c.compiled and not python.compiled
    texts = _real_texts()
    assert len(texts) > 340
    _same_reading(c, python, texts, load_taxonomy())
    spans = sum(len(c.read(text, taxonomy_mentions(text, load_taxonomy()))) for text in texts)
    assert spans > 10 * len(texts)  # it found something to compare


def test_the_c_reader_reads_random_texts_as_the_python_one(
    compiled: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small table: the C reader makes room (keeping the texts met again) many times.
    monkeypatch.setattr(model_module, "TABLE_CAPACITY", 2_000)
    c, python = _packaged(compiled), _packaged(None)
    taxonomy = load_taxonomy()
    words = [text for text in _real_texts()[0].split() if text.isalpha()]
    words += ["Kotlin", "Coroutines", "Apache", "Spark", "machine", "learning", "agile", "and"]
    _same_reading(c, python, _random_texts(words, random.Random(17), 300), taxonomy)
    _same_reading(c, python, ["", " \n ", "\n\n\n", "one", "Kafka\n"], taxonomy)


def test_the_c_reader_reads_with_any_trained_model(
    compiled: ModuleType, tiny: tuple[bytes, bytes, dict[str, object]]
) -> None:
    c, python = model_from_files(*tiny, compiled), model_from_files(*tiny, None)
    _same_reading(c, python, _real_texts()[:60], load_taxonomy())


def test_without_a_compiler_nothing_is_built_and_the_tagger_says_so(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    target = tmp_path / build.TARGET.name
    problem = build.compile_reader(target, compiler="no-such-cc -O2")
    assert problem is not None and "no C compiler (no-such-cc" in problem
    assert not target.exists()

    monkeypatch.setattr(build, "up_to_date", lambda: False)
    monkeypatch.setattr(build, "compile_reader", lambda: "no C compiler (cc is not on PATH)")
    assert build.main() == 0  # `make` goes on: the Python reading is there
    assert "the tagger reads in Python" in capsys.readouterr().out

    monkeypatch.setattr(model_module, "_READING", None)
    monkeypatch.setattr(model_module, "_WHY_NOT_COMPILED", "No module named '_reading'")
    with caplog.at_level(logging.WARNING, logger=model_module.__name__):
        model = load_span_model()
    assert "C reader is not built (No module named '_reading'); reading in Python" in caplog.text
    text = (SEEDS / "000_bcb04a4a30d54f7e.txt").read_text(encoding="utf-8")
    assert model.read(text) == model.read_python(text)


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
    spans = model.read_python("Experience with Kotlin and Apache Kafka .")
    assert all(span.layer in ("knowledge", "skill") for span in spans)


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
    monkeypatch.setattr(model_module, "TABLE_CAPACITY", 9_000)
    model = model_from_files(*tiny)
    text = " ".join(f"Word{number} Kafka" for number in range(6_000))
    chunks = chunk(text)

    first = model.emissions(chunks)  # 6,001 distinct chunks: the table grows past 4,096
    again = model.emissions(chunks)  # 6,001 more would pass 9,000: it starts afresh
    huge = " ".join(f"Other{number}" for number in range(12_000))
    model.emissions(chunk(huge))  # one posting past the capacity: it grows for it

    assert first.shape == (6_000 * 2, 2 * len(LABELS))
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
    # the same when the caller found the word "team" once for the whole text
    assert is_team(text, start, start + len(words), team_words(text)) is team
    assert team_words("Teams like A; TEAM (e.g. B) and steamed teams") == ([0, 14], [40])


def test_the_team_rule_is_the_same_with_the_words_found_once() -> None:
    rng = random.Random(3)
    words = [
        "team",
        "Teams",
        "TEAM",
        "steam",
        "teams (like",
        "team e.g.",
        "such as",
        "SRE",
        "Payments",
        "and",
        ",",
        "/",
        "&",
        "other",
        "the",
        "\n",
        "\u00a0",
        "including",
    ]
    for _ in range(300):
        text = "".join(rng.choice(words) + rng.choice([" ", "", "  ", "\t"]) for _ in range(40))
        teams = team_words(text)
        for _ in range(20):
            start = rng.randrange(len(text))
            end = rng.randrange(start, len(text)) + 1
            assert is_team(text, start, end, teams) is is_team(text, start, end), (text, start)


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


def test_hundredths_is_round_to_two_decimals() -> None:
    rng = random.Random(17)
    values = [rng.random() for _ in range(200_000)]
    values += [k / 100 for k in range(101)] + [(k + 0.5) / 100 for k in range(100)]
    values += [0.0, 1.0, 0.125, 0.995, 5e-324, 1 - 1e-16, 0.004999999999999999]
    values += [1.0 / (1.0 + math.exp(-rng.uniform(-30, 30))) for _ in range(100_000)]

    assert [hundredths(value) for value in values] == [round(value, 2) for value in values]
    assert math.isnan(hundredths(math.nan))


@pytest.mark.parametrize(
    ("words", "webmail"),
    [
        ("Gmail", True), ("gmail", True), ("Google  Mail", True), ("HOTMAIL", True),
        ("Yahoo Mail", True), ("Outlook.com", True), ("\uff27\uff4d\uff41\uff49\uff4c", True),
        (" gmail", True), ("Outlook", False), ("Slack", False), ("Mail", False),
    ],
)  # fmt: skip
def test_webmail_services_are_another_sense(words: str, webmail: bool) -> None:
    # other_sense looks at the first character before it normalises: a full-width "Gmail"
    # or a leading space must still reach the full test.
    text = f"Tools: {words}; more."
    start = text.index(words)

    assert other_sense(text, start, start + len(words), None) is webmail
    assert is_webmail(words) is webmail


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


# --- pair channels -----------------------------------------------------------------------


def test_the_model_reads_word_pairs_and_cluster_pairs(
    tiny: tuple[bytes, bytes, dict[str, object]],
) -> None:
    names = tiny[1].decode("utf-8").split("\n")
    weights = np.load(io.BytesIO(tiny[0]))[: -len(LABELS)]  # the last rows: transitions
    for channel in PAIR_CHANNELS:
        rows = [
            row
            for row, name in enumerate(names)
            if name.startswith((f"{channel}=", f"{channel}+="))
        ]
        assert rows
        for number, layer in enumerate(("knowledge", "skill")):
            read = weights[rows, len(LABELS) * number : len(LABELS) * (number + 1)].any()
            assert read == (channel not in unread_pairs(layer)), (channel, layer)
