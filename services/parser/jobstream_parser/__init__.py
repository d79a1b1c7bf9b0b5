"""jobstream_parser: raw postings in, structured postings out.

The hot modules load from the mypyc build `make` compiles when it is there and matches the
sources, else from their `.py` files (`jobstream.compiled` says how; the modules are listed in
`tools/compile.py`); `BUILD` says which. `JOBSTREAM_PARSER_PURE=1` runs pure Python anyway.
"""

from pathlib import Path
from typing import Final

from jobstream.compiled import choose_build

PURE_ENV: Final = "JOBSTREAM_PARSER_PURE"
PACKAGE_DIR: Final = Path(__file__).resolve().parent
BUILD = choose_build(__path__, PACKAGE_DIR, PURE_ENV)
