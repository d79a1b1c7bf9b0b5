"""Compile the parser's hot modules with mypyc (`make` runs this; see `jobstream.compiled`).

    python -m jobstream_parser.tools.compile           # when the build is missing or stale
    python -m jobstream_parser.tools.compile --force   # again, whatever is there

The modules `parse()` spends its time in; the CLI, the service's wiring and the tools stay
Python (they run once, or do I/O). A build takes about 90 s of CPU.
"""

from __future__ import annotations

import sys
from typing import Final

from jobstream import mypyc_build
from jobstream_parser import PACKAGE_DIR

COMPILED_MODULES: Final = (
    "anchors",
    "cleaning",
    "companies",
    "dates",
    "document",
    "experience",
    "fields",
    "geo",
    "heads",
    "language",
    "line_cache",
    "money",
    "parse",
    "people",
    "places",
    "sections",
    "similarity",
    "terms",
    "titles",
)


def main(argv: list[str] | None = None) -> int:
    return mypyc_build.main("parser", PACKAGE_DIR, COMPILED_MODULES, argv)


if __name__ == "__main__":
    sys.exit(main())
