"""Scoring the occupation coder on titles a person labelled: `jobstream eval occupations FILE`.

The file is tab-separated with a header `title code source split [note]` (lines starting with
"#" are comments); `split` says whether a title was read while tuning ("tune") or only scored
("report"). Scores: exact O*NET-SOC code (15-1252.00), the same SOC detailed occupation
(15-1252, O*NET's subdivisions aside), the same major group (15), and how many titles got no
code at all. Titles are coded alone, with no posting text or skills: the hardest case.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from jobstream.errors import JobstreamError
from jobstream_tagger.occupation import OccupationCoder

COLUMNS: Final = ("title", "code", "source", "split")
MAX_ROWS: Final = 100_000


class LabelledTitlesError(JobstreamError, ValueError):
    """The labelled file is not usable; the message says which line and why."""


@dataclass(frozen=True)
class LabelledTitle:
    title: str
    code: str
    source: str
    split: str


@dataclass
class Score:
    titles: int = 0
    exact: int = 0
    detailed: int = 0
    major_group: int = 0
    uncoded: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        def share(count: int) -> float:
            return round(count / self.titles, 3) if self.titles else 0.0

        return {
            "titles": self.titles,
            "exact": share(self.exact),
            "detailed": share(self.detailed),
            "major_group": share(self.major_group),
            "uncoded": share(self.uncoded),
        }


def read_labelled(lines: Iterable[str]) -> list[LabelledTitle]:
    rows = csv.DictReader((line for line in lines if not line.startswith("#")), delimiter="\t")
    if not set(COLUMNS) <= set(rows.fieldnames or ()):
        raise LabelledTitlesError(f"the header must name the columns {', '.join(COLUMNS)}")
    labelled = []
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise LabelledTitlesError(f"more than {MAX_ROWS} rows")
        if not row["title"] or not row["code"] or row["split"] not in ("tune", "report"):
            raise LabelledTitlesError(f"row {number}: needs a title, a code and a split")
        labelled.append(LabelledTitle(row["title"], row["code"], row["source"], row["split"]))
    return labelled


def evaluate(labelled: Iterable[LabelledTitle], coder: OccupationCoder) -> dict[str, Score]:
    """Scores by split, and by split and source ("report/la-bulletins")."""
    scores: dict[str, Score] = defaultdict(Score)
    for item in labelled:
        result = coder.code(item.title)
        predicted = result.code if result is not None else ""
        for key in (item.split, f"{item.split}/{item.source}"):
            score = scores[key]
            score.titles += 1
            score.exact += predicted == item.code
            score.detailed += predicted[:7] == item.code[:7]
            score.major_group += predicted[:2] == item.code[:2]
            score.uncoded += result is None
            if predicted != item.code and key == item.split:
                score.misses.append((item.title, item.code, predicted or "-"))
    return dict(sorted(scores.items()))
