"""Finding surface forms in text with one compiled regular expression.

The forms are compiled into a trie-shaped pattern (`java(?:script)?`), so a match costs time in
proportion to the length of the longest form, not to the number of forms, and the longest form
wins at each position ("Spring Boot" over "Spring"). Aho-Corasick can replace this later behind
the same function.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeAlias

_Node: TypeAlias = dict[str, "_Node"]
_END = ""  # marks a node where a form ends


def compile_forms(forms: Iterable[str]) -> re.Pattern[str]:
    """A case-insensitive pattern that matches any of `forms` as a whole token.

    A token boundary is a character that is not a letter, digit or underscore (or either end of
    the text): "Java" does not match in "JavaScript", while "C#" matches in "C#/.NET".
    """
    trie: _Node = {}
    for form in forms:
        node = trie
        for char in form.lower():
            node = node.setdefault(char, {})
        node[_END] = {}
    if not trie:
        return re.compile("(?!)")  # no forms: a pattern that never matches
    # The leading look-ahead lets the regex engine skip, fast, every position where no form
    # can start; the look-behind alone would defeat that optimisation.
    first_chars = "".join(re.escape(char) for char in sorted(trie))
    return re.compile(rf"(?=[{first_chars}])(?<!\w)(?:{_render(trie)})(?!\w)", re.IGNORECASE)


def _render(node: _Node) -> str:
    branches = [re.escape(char) + _render(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    group = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END in node:
        # A form ends here and a longer one goes on: try the longer one first.
        return f"(?:{group})?"
    return group
