"""gzip, decompressed while streaming so a small bomb cannot expand past the size limit."""

from __future__ import annotations

import gzip
import io
import zlib

from jobstream_ingest.formats.errors import FormatError

GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(data: bytes) -> bool:
    return data.startswith(GZIP_MAGIC)


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """The decompressed bytes; FormatError when they would exceed `max_bytes` or are corrupt."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            # read(n) decompresses only as far as it needs: at most n bytes are ever held.
            content = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise FormatError("bad_gzip", f"not a complete gzip file: {error}") from error
    if len(content) > max_bytes:
        raise FormatError("too_large", f"it decompresses to over the limit of {max_bytes:,} bytes")
    return content
