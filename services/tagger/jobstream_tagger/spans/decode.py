"""Best label paths of the span model (Viterbi), on the stretches where a span can be.

Labels per layer (BILOU): 0 = O (outside), 1 = B (begins a span of two chunks or more), 2 = I
(inside), 3 = L (the last chunk of such a span), 4 = U (a span of one chunk). Telling a span's
last chunk and a one-chunk span apart lets the model learn where spans end, not only where
they start: cross-validated on the training split, the CRF alone gains 0.02 strict F1 on
Knowledge spans over O/B/I (docs/tagger.md). The labels are read back as O/B/I (`COLLAPSED`:
L is an I, U a B), so the spans are those of O/B/I labels. Most chunks of a
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

OUTSIDE, BEGIN, INSIDE, LAST, UNIT = 0, 1, 2, 3, 4  # the labels, as numbers
LABELS: Final = ("O", "B", "I", "L", "U")
# Each label read back as O/B/I: the last chunk of a span is inside it, a one-chunk span
# begins one.
COLLAPSED: Final = (OUTSIDE, BEGIN, INSIDE, INSIDE, BEGIN)
# A chunk is fixed to O when its best span label scores this much (in the model's log-space
# units) below O. Measured on the cross-validation: no span of the training split changes
# between this and the full Viterbi.
PRUNE_MARGIN: Final = 6.0

Stretch = tuple[int, int]  # chunks [first, last + 1) decoded together


def stretches(
    emissions: npt.NDArray[np.float64], starts_line: npt.NDArray[np.bool_]
) -> list[tuple[int, int, bool, bool]]:
    """The runs of chunks not fixed to O, cut at line starts, as decode() takes them:
    (first, end, after_o, before_o). `emissions`: (n, 5) O, B, I, L, U; `starts_line`: per chunk
    and one past the last, whether a line starts there."""
    outside = emissions[:, 0] - PRUNE_MARGIN
    candidate: npt.NDArray[np.bool_] = np.any(emissions[:, 1:] > outside[:, None], axis=1)
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
    count = len(t)
    for first, end, after_o, before_o in runs:
        row = emissions[first]
        score = [row[label] for label in range(count)]
        if after_o:
            score = [score[label] + t[0][label] for label in range(count)]
        back: list[list[int]] = []
        for index in range(first + 1, end):
            row = emissions[index]
            new = []
            pointers: list[int] = []
            for label in range(count):
                best = 0
                best_score = score[0] + t[0][label]
                for previous in range(1, count):
                    value = score[previous] + t[previous][label]
                    if value > best_score:
                        best, best_score = previous, value
                new.append(best_score + row[label])
                pointers.append(best)
            back.append(pointers)
            score = new
        if before_o:
            score = [score[label] + t[label][0] for label in range(count)]
        last = 0
        for label in range(1, count):
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
    """Per chunk, its label read as O/B/I (O outside the runs), by `best_paths`."""
    labels = np.zeros(len(emissions), dtype=np.int8)
    if not runs:
        return labels
    rows = np.concatenate([np.arange(first, end) for first, end, _, _ in runs])
    local = []
    position = 0
    for first, end, after_o, before_o in runs:
        local.append((position, position + end - first, after_o, before_o))
        position += end - first
    path = best_paths(emissions[rows].tolist(), transitions.tolist(), local)
    labels[rows] = np.array(COLLAPSED, dtype=np.int8)[path]
    return labels
