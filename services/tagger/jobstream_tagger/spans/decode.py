"""Best label paths of the span model (Viterbi), on the stretches where a span can be.

Labels per layer: 0 = O (outside), 1 = B (begins a span), 2 = I (inside). Most chunks of a
posting are plainly outside any span: a chunk whose best span label scores more than
`PRUNE_MARGIN` below O is fixed to O, and the exact Viterbi runs only over the stretches of
the other chunks (a few in a hundred), each with the transition from the O before it and to
the O after it. The cross-validation in `jobstream eval tagger` decodes this way too, so the
figures it reports are those of this decoder.

`best_paths` is pure Python, the reference; the C reader (`_reading.c`, built by `make`) does
the same arithmetic in the same order, in doubles, and a unit test checks that both give the
same labels (and spans).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

OUTSIDE, BEGIN, INSIDE = 0, 1, 2  # the labels, as numbers
LABELS: Final = ("O", "B", "I")
# A chunk is fixed to O when its best span label scores this much (in the model's log-space
# units) below O. Measured on the cross-validation: no span of the training split changes
# between this and the full Viterbi.
PRUNE_MARGIN: Final = 6.0

Stretch = tuple[int, int]  # chunks [first, last + 1) decoded together


def stretches(
    emissions: npt.NDArray[np.float64], starts_line: npt.NDArray[np.bool_]
) -> list[tuple[int, int, bool, bool]]:
    """The runs of chunks not fixed to O, cut at line starts, as decode() takes them:
    (first, end, after_o, before_o). `emissions`: (n, 3) O, B, I; `starts_line`: per chunk
    and one past the last, whether a line starts there."""
    outside = emissions[:, 0] - PRUNE_MARGIN
    candidate = (emissions[:, 1] > outside) | (emissions[:, 2] > outside)
    if not candidate.any():
        return []
    inner = starts_line[1:-1]
    opens = candidate.copy()
    opens[1:] &= ~candidate[:-1] | inner
    closes = candidate.copy()
    closes[:-1] &= ~candidate[1:] | inner
    firsts = np.flatnonzero(opens)
    ends = np.flatnonzero(closes) + 1
    after_o = ~starts_line[firsts]  # an O chunk of the line comes before
    before_o = ~starts_line[ends]  # and after
    return list(
        zip(firsts.tolist(), ends.tolist(), after_o.tolist(), before_o.tolist(), strict=True)
    )


def best_paths(
    emissions: Sequence[Sequence[float]],
    transitions: Sequence[Sequence[float]],
    runs: Sequence[tuple[int, int, bool, bool]],
) -> list[int]:
    """The best labels of each run, concatenated. A run is (first, end, after_o, before_o):
    rows [first, end) of `emissions`; `after_o` when an O chunk precedes it on its line,
    `before_o` when one follows it."""
    labels: list[int] = []
    t = transitions
    for first, end, after_o, before_o in runs:
        row = emissions[first]
        score = [row[0], row[1], row[2]]
        if after_o:
            score = [score[0] + t[0][0], score[1] + t[0][1], score[2] + t[0][2]]
        back: list[tuple[int, int, int]] = []
        for index in range(first + 1, end):
            row = emissions[index]
            new = []
            pointers: list[int] = []
            for label in (0, 1, 2):
                best = 0
                best_score = score[0] + t[0][label]
                for previous in (1, 2):
                    value = score[previous] + t[previous][label]
                    if value > best_score:
                        best, best_score = previous, value
                new.append(best_score + row[label])
                pointers.append(best)
            back.append((pointers[0], pointers[1], pointers[2]))
            score = new
        if before_o:
            score = [score[0] + t[0][0], score[1] + t[1][0], score[2] + t[2][0]]
        last = 0
        for label in (1, 2):
            if score[label] > score[last]:
                last = label
        path = [last]
        for pointer in reversed(back):
            last = pointer[last]
            path.append(last)
        path.reverse()
        labels.extend(path)
    return labels


def decode(
    emissions: npt.NDArray[np.float64],
    transitions: npt.NDArray[np.float64],
    runs: list[tuple[int, int, bool, bool]],
) -> npt.NDArray[np.int8]:
    """Per chunk, its label (O outside the runs), by `best_paths`."""
    labels = np.zeros(len(emissions), dtype=np.int8)
    if not runs:
        return labels
    rows = np.concatenate([np.arange(first, end) for first, end, _, _ in runs])
    local = []
    position = 0
    for first, end, after_o, before_o in runs:
        local.append((position, position + end - first, after_o, before_o))
        position += end - first
    labels[rows] = best_paths(emissions[rows].tolist(), transitions.tolist(), local)
    return labels
