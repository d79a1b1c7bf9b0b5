"""Compile the tagger's hot modules with mypyc (`make` runs this; see `jobstream.compiled`).

    python -m jobstream_tagger.tools.compile           # when the build is missing or stale
    python -m jobstream_tagger.tools.compile --force   # again, whatever is there

The modules `tag()` spends its Python time in (the occupation coder's too: a title it has not
seen costs some 55 µs as Python, 40 compiled); the span model's reading is C already
(`spans/_reading.c`), and the CLI, the service's wiring and the tools stay Python (they run
once, or do I/O). A build takes about half a minute of CPU.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

from jobstream import mypyc_build

PACKAGE_DIR: Final = Path(__file__).resolve().parents[1]
COMPILED_MODULES: Final = (
    "heads",
    "matching",
    "occupation",
    "output",
    "phrases",
    "rules",
    "sections",
    "spans.codes",
    "spans.linking",
    "tag",
    "unknown",
)


def main(argv: list[str] | None = None) -> int:
    return mypyc_build.main("tagger", PACKAGE_DIR, COMPILED_MODULES, argv)


if __name__ == "__main__":
    sys.exit(main())
