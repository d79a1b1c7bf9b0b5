"""Bounds of the parser's per-line caches (cleaning, section headings, places), kept in one place.

Postings of one employer repeat most of their lines (headings, labels, boilerplate), so the parser
keeps what it read of each distinct short line; these bounds hold that memory to a few MB.
"""

from __future__ import annotations

from typing import Final

# Distinct lines (or label values) whose reading is kept, per cache.
LINE_CACHE_SIZE: Final = 4_096
# Longer lines are read afresh: they rarely repeat and would make the caches large.
MAX_CACHED_LINE_CHARS: Final = 500
