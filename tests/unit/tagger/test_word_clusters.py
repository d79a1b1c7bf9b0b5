"""The span model's word clusters: how they are learnt, where they come from, and that a
model trained with other clusters is refused."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from jobstream_tagger.spans.features import (
    CLUSTERS_FILE,
    chunk_attributes,
    cluster_attributes,
    word_clusters,
)
from jobstream_tagger.spans.model import load_span_model
from jobstream_tagger.tag import span_model
from jobstream_tagger.tools import word_clusters as clusters

pytestmark = pytest.mark.unit

TOOLS = ["kafka", "docker", "terraform", "ansible", "jenkins", "redis"]
FOODS = ["apples", "pears", "plums", "cherries", "grapes", "melons"]


def _corpus(seed: int = 3) -> list[list[str]]:
    """Tools are used, fruit is eaten: words of one kind share their neighbours."""
    chooser = random.Random(seed)
    lines = []
    for _ in range(600):
        lines.append(["we", "deploy", "with", chooser.choice(TOOLS), "every", "day"])
        lines.append(["she", "eats", "fresh", chooser.choice(FOODS), "for", "lunch"])
        lines.append(["the", chooser.choice(["office", "team", "city"]), "is", "quiet"])
    return lines


def test_words_written_in_the_same_places_share_a_cluster() -> None:
    table = clusters.build(_corpus(), grains=(2, 4), dimensions=8, contexts=30, min_count=3)

    assert len({table[tool][0] for tool in TOOLS}) == 1
    assert len({table[food][0] for food in FOODS}) == 1
    assert table[TOOLS[0]][0] != table[FOODS[0]][0]
    assert all(len(ids) == 2 for ids in table.values())


def test_the_same_corpus_gives_the_same_table() -> None:
    settings = {"grains": (2, 4), "dimensions": 8, "contexts": 30, "min_count": 3}
    first = clusters.render(clusters.build(_corpus(), **settings))  # type: ignore[arg-type]
    again = clusters.render(clusters.build(_corpus(), **settings))  # type: ignore[arg-type]

    assert first == again
    assert first.splitlines()[0].split("\t")[0] == sorted(first.splitlines())[0].split("\t")[0]


def test_too_small_a_corpus_is_refused() -> None:
    with pytest.raises(ValueError, match="too few"):
        clusters.build([["one", "two"]] * 5, grains=(32,), min_count=1)


def test_corpus_lines_are_the_model_s_words(tmp_path: Path) -> None:
    postings = tmp_path / "postings.jsonl"
    postings.write_text(
        json.dumps({"text": "Skills: (Kafka), Docker;\nC++ and .NET"}) + "\n"
        + json.dumps({"tokens": ["Kotlin", "Coroutines"]}) + "\n",
        encoding="utf-8",
    )  # fmt: skip

    lines = list(clusters.corpus_lines(clusters.jsonl_texts(postings)))

    assert lines == [
        ["skills", "kafka", "docker"],
        ["c++", "and", ".net"],
        ["kotlin", "coroutines"],
    ]


def test_the_clusters_card_names_each_input_and_its_licence(tmp_path: Path) -> None:
    onet = tmp_path / clusters.ONET_OCCUPATIONS
    onet.write_text("O*NET-SOC Code\tTitle\tDescription\n", encoding="utf-8")

    card = clusters.card([onet], "kafka\t1 2 3\n")

    inputs = card["inputs"]
    assert isinstance(inputs, list)
    (described,) = inputs
    assert described["file"] == clusters.ONET_OCCUPATIONS
    assert "CC BY 4.0" in described["source"] and len(described["sha256"]) == 64
    assert card["words"] == 1


def test_the_packaged_clusters_are_what_the_model_was_trained_with() -> None:
    card = span_model().card["word_clusters"]
    sources = " ".join(item["source"] for item in card["inputs"])

    assert "European Union" in sources and "CC BY 4.0" in sources
    assert card["words"] == len(word_clusters()) > 10_000
    # A word the clusters know is seen through them; one they lack has its own attribute.
    assert any(name.startswith("c2=") for name in chunk_attributes("Hydraulics,", 0))
    assert cluster_attributes("zzqxv", -1) == ["-1:c=none"]


def test_a_model_trained_with_other_clusters_is_refused(tmp_path: Path) -> None:
    from importlib import resources

    package = Path(str(resources.files("jobstream_tagger.spans")))
    for name in ("span_model.npy", "span_model.attributes"):
        shutil.copy(package / name, tmp_path / name)
    card = json.loads((package / "span_model.json").read_text(encoding="utf-8"))
    card["word_clusters"]["sha256"] = "0" * 64
    (tmp_path / "span_model.json").write_text(json.dumps(card), encoding="utf-8")

    with pytest.raises(ValueError, match="other word clusters"):
        load_span_model(tmp_path)
    assert (package / CLUSTERS_FILE).is_file()
