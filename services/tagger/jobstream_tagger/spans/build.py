"""Building the span model's C reader (`_reading.c`) with the ordinary toolchain.

`make` (every target that runs the tagger: run, test, unit, bench) runs
`python -m jobstream_tagger.spans.build`: the system's C compiler and this Python's headers
make `_reading<EXT_SUFFIX>` beside the source (`_reading.cpython-311-x86_64-linux-gnu.so`), a
Python extension module (`jobstream_tagger.spans._reading`) that only this Python version
imports. Where the compiler or the headers are missing, nothing is built, a line says so, and
the tagger reads in Python (model.py: the same spans, slower; it logs a warning at start-up).
Nothing is downloaded.

`-ffp-contract=off`: no fused multiply-adds, so every sum is rounded as numpy rounds it and
both readings agree to the bit.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Final

SOURCE: Final = Path(__file__).with_name("_reading.c")
TARGET: Final = SOURCE.with_name(f"_reading{sysconfig.get_config_var('EXT_SUFFIX') or '.so'}")
FLAGS: Final = ("-O2", "-shared", "-fPIC", "-ffp-contract=off", "-fno-strict-aliasing")


def compile_reader(target: Path = TARGET, compiler: str | None = None) -> str | None:
    """Build the reader at `target`; None when done, else why it could not be built."""
    words = shlex.split(compiler or sysconfig.get_config_var("CC") or "cc") or ["cc"]
    if shutil.which(words[0]) is None:
        return f"no C compiler ({words[0]} is not on PATH)"
    include = Path(sysconfig.get_paths()["include"])
    if not (include / "Python.h").exists():
        return f"no Python headers in {include}"
    command = [*words, *FLAGS, f"-I{include}", "-o", str(target), str(SOURCE)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return f"{shlex.join(command)} failed:\n{result.stderr}"
    return None


def up_to_date(target: Path = TARGET) -> bool:
    return target.exists() and target.stat().st_mtime >= SOURCE.stat().st_mtime


def main() -> int:
    if up_to_date():
        return 0
    problem = compile_reader()
    if problem is not None:
        print(f"span model: C reader not built: {problem}")
        print("span model: the tagger reads in Python (the same spans, slower)")
    else:
        print(f"span model: C reader built: {TARGET.name}")
    return 0  # never fails the build: the Python reading is there


if __name__ == "__main__":
    sys.exit(main())
