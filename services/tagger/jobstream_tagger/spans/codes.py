"""The taxonomy's matches as the C reader takes them (a compiled module: see tools/compile.py).

One loop per posting over some forty matches: as Python it was most of what the span model
still ran in the interpreter around the C reading.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from jobstream_tagger.rules import Mention

CodeKey = tuple[str, str]  # a skill's (kind, category)
CodeRows = tuple[int, int]  # the C reader's rows of its B and I codes


def flat_codes(
    matches: Sequence[Mention],
    rows: dict[CodeKey, CodeRows],
    add: Callable[[CodeKey], CodeRows],
) -> list[int]:
    """Start, end and the B and I code rows of each match, one flat list; `rows` caches the
    rows by (kind, category), `add` makes them for a key not met before."""
    flat: list[int] = []
    for start, end, form, _confidence in matches:
        skill = form.skill
        key = (skill.kind, skill.category)
        pair = rows.get(key)
        if pair is None:
            pair = rows[key] = add(key)
        flat.append(start)
        flat.append(end)
        flat.append(pair[0])
        flat.append(pair[1])
    return flat
