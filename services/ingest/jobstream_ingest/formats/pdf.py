"""PDF to text (pypdf, pure Python, with its own limits on decompressed stream sizes)."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from jobstream_ingest.formats.errors import FormatError

# pypdf warns about every repairable flaw of a file; the outcome is what matters here.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def pdf_to_text(data: bytes, max_chars: int) -> str:
    """The text of every page, a page a block; stops once it holds more than `max_chars`."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise FormatError("encrypted", "the PDF is protected by a password")
        pages: list[str] = []
        size = 0
        for page in reader.pages:
            text = page.extract_text().strip()
            pages.append(text)
            size += len(text)
            if size > max_chars:
                break  # over the limit already; the caller rejects it
    except FormatError:
        raise
    except FileNotDecryptedError as error:
        raise FormatError("encrypted", "the PDF is protected by a password") from error
    # A parser of hostile bytes can fail in many ways (pypdf raises its own errors, but also
    # ValueError, KeyError, RecursionError ... on broken files); each means "not a usable PDF".
    except Exception as error:
        raise FormatError("bad_pdf", f"not a readable PDF: {error}") from error
    text = "\n\n".join(page for page in pages if page)
    if not text:
        raise FormatError("empty", "the PDF has no text (a scanned PDF needs OCR first)")
    return text + "\n"
