"""Format readers: pure functions from the bytes (or text) of one format to posting text.

Each module reads one kind of input and raises `FormatError` with a reason a person can act
on; none does I/O. `jobstream_ingest.intake` picks the reader and applies the limits.
"""
