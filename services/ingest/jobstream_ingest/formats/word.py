"""Word .docx to text (python-docx): paragraphs in order, list items as "- ", table rows."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from jobstream_ingest.formats.errors import FormatError

# A .docx is a zip archive that python-docx unpacks in memory. Word's own style parts compress
# about 25-fold (a 40 KB document holds 800 KB of XML), so the bound on what an archive may
# expand to is generous, but it is a bound: past it the archive is treated as a zip bomb.
MAX_EXPANSION = 10
MIN_EXPANDED_BYTES = 32 * 1024 * 1024


def docx_to_text(data: bytes, max_bytes: int) -> str:
    _check_archive(data, max(max_bytes * MAX_EXPANSION, MIN_EXPANDED_BYTES))
    try:
        document = docx.Document(io.BytesIO(data))
        lines = [line for block in document.iter_inner_content() for line in _lines(block)]
    # python-docx parses the archive's XML with lxml (entities not resolved); broken parts
    # raise KeyError, ValueError, lxml errors ...: each means "not a usable .docx".
    except Exception as error:
        raise FormatError("bad_docx", f"not a readable Word .docx file: {error}") from error
    text = "\n".join(lines).strip()
    if not text:
        raise FormatError("empty", "the document has no text")
    return text + "\n"


def _check_archive(data: bytes, max_expanded: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise FormatError("bad_docx", "not a Word .docx file (not a zip archive)") from error
    if expanded > max_expanded:
        raise FormatError(
            "too_large", f"it expands to {expanded:,} bytes, over the limit of {max_expanded:,}"
        )


def _lines(block: Paragraph | Table) -> list[str]:
    if isinstance(block, Table):
        return [
            " | ".join(cell.text.strip() for cell in row.cells if cell.text.strip())
            for row in block.rows
        ]
    text = block.text.strip()
    style = block.style.name if block.style is not None else ""
    if text and style and style.startswith("List"):
        return ["- " + text]
    return [text]
