"""jobstream_parser: raw postings in, structured postings out.

The hot modules load from the mypyc build `make` compiles when it is there and matches the
sources, else from their `.py` files (`compiled.py` says how); `BUILD` says which.
"""

from jobstream_parser.compiled import choose_build

BUILD = choose_build(__path__)
