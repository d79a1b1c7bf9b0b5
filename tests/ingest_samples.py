"""Small inputs of every format ingest reads, made on the fly (no binary fixtures in git).

`SAMPLES` holds one input per format with the text and fields a reader must find in it; unit
tests read them with the pure core, integration tests send them through the real inbox, CLI
and HTTP API to Kafka.
"""

from __future__ import annotations

import gzip
import io
import json
from dataclasses import dataclass, field

import docx
from pypdf import PdfReader, PdfWriter

TITLE = "Senior Data Engineer"
COMPANY = "Café Nordlicht GmbH"
LINES = [TITLE, COMPANY, "Requirements", "Python and Kafka", "Nice to have: Terraform"]


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF: one Helvetica text line per string, pages in order."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below, once the page tree's number is known
    tree = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for lines in pages:
        commands = [b"BT /F1 12 Tf 72 720 Td 16 TL"]
        for line in lines:
            escaped = line.encode("cp1252").replace(b"\\", b"\\\\")
            escaped = escaped.replace(b"(", b"\\(").replace(b")", b"\\)")
            commands.append(b"(" + escaped + b") Tj T*")
        commands.append(b"ET")
        stream = b"\n".join(commands)
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
                b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (tree, font, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    refs = b" ".join(b"%d 0 R" % kid for kid in kids)
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, catalog, xref)
    )
    return out.getvalue()


def encrypt_pdf(data: bytes, password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(title: str, paragraphs: list[str], bullets: list[str]) -> bytes:
    document = docx.Document()
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    for bullet in bullets:
        document.add_paragraph(bullet, style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Salary"
    table.rows[0].cells[1].text = "€70k"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Sample:
    """An input and what must come out of it: text fragments (in order) and provided fields."""

    name: str
    data: bytes
    fragments: list[str]
    fields: list[dict[str, str]] = field(default_factory=lambda: [{}])

    @property
    def postings(self) -> int:
        return len(self.fields)

    @property
    def records(self) -> list[int | None]:
        """Record numbers its postings carry: none for a file that is one posting."""
        suffix = self.name.removesuffix(".gz").rsplit(".", 1)[-1]
        many = self.postings > 1 or suffix in ("jsonl", "ndjson", "csv")
        return list(range(1, self.postings + 1)) if many else [None]


# Each sample says how it was sent, so no two have the same text (and so the same id).
HTML = (
    "<!doctype html><html><head><title>ignored</title><style>h1{}</style>"
    "<script>alert(1)</script></head><body>"
    f"<h1>{TITLE}</h1><p>{COMPANY} &amp; friends</p><h2>Requirements</h2>"
    "<ul><li>Python and Kafka</li><li>Nice to have: Terraform</li></ul><p>Sent as SENT</p>"
    "</body></html>"
)
JSON_ONE = {
    "title": TITLE,
    "company": COMPANY,
    "location": "Berlin",
    "url": "https://jobs.example/1",
    "id": "job-1",
    "description": "\n".join([*LINES, "Sent as JSON"]),
}
JSON_LIST = [
    {"title": f"Engineer {n}", "company": "Acme", "text": f"Engineer {n}\nWe use Go."}
    for n in range(3)
]
JSONL = "\n".join(
    json.dumps({"job_title": f"Analyst {n}", "employer": "Globex", "body": f"Analyst {n}\nSQL"})
    for n in range(4)
)
CSV = (
    "title,company,location,description\n"
    f'"{TITLE}","{COMPANY}",Berlin,"{LINES[2]}\n{LINES[3]}, ""quoted"" too"\n'
    "Data Analyst,Globex,Paris,Data Analyst at Globex\n"
)


def samples() -> list[Sample]:
    text = "\n".join(LINES) + "\n"
    return [
        Sample("job.txt", text.encode("utf-8"), LINES),
        Sample(
            "job.md", f"# {TITLE}\n\n{COMPANY}\n\n## {LINES[2]}\n- Python\n".encode(), LINES[:3]
        ),
        Sample("job.html", HTML.replace("SENT", "HTML").encode("utf-8"), [*LINES, "Sent as HTML"]),
        Sample("job.htm", HTML.replace("SENT", "HTM").encode("cp1252"), [*LINES, "Sent as HTM"]),
        Sample(
            "job.json",
            json.dumps(JSON_ONE).encode(),
            LINES,
            [
                {
                    "title": TITLE,
                    "company": COMPANY,
                    "location": "Berlin",
                    "url": "https://jobs.example/1",
                    "external_id": "job-1",
                }
            ],
        ),
        Sample(
            "jobs.json",
            json.dumps(JSON_LIST).encode(),
            ["Engineer 0", "We use Go."],
            [{"title": f"Engineer {n}", "company": "Acme"} for n in range(3)],
        ),
        Sample(
            "jobs.jsonl",
            JSONL.encode(),
            ["Analyst 0", "SQL"],
            [{"title": f"Analyst {n}", "company": "Globex"} for n in range(4)],
        ),
        Sample(
            "jobs.ndjson",
            JSONL.replace("Analyst", "Tester").encode(),
            ["Tester 0"],
            [{"title": f"Tester {n}", "company": "Globex"} for n in range(4)],
        ),
        Sample(
            "jobs.csv",
            CSV.encode("utf-8-sig"),
            [LINES[2], LINES[3], '"quoted" too'],
            [
                {"title": TITLE, "company": COMPANY, "location": "Berlin"},
                {"title": "Data Analyst", "company": "Globex", "location": "Paris"},
            ],
        ),
        Sample("job.pdf", make_pdf([LINES[:2], [*LINES[2:], "Sent as PDF"]]), LINES),
        Sample(
            "job.docx",
            make_docx(TITLE, [COMPANY, "Requirements"], LINES[3:]),
            [TITLE, COMPANY, "Requirements", "- Python and Kafka", "Salary | €70k"],
        ),
        Sample("job.txt.gz", gzip.compress(("Gzipped " + text).encode()), ["Gzipped", *LINES]),
        Sample(
            "jobs.jsonl.gz",
            gzip.compress(JSONL.replace("Analyst", "Zipped").encode()),
            ["Zipped 0"],
            [{"title": f"Zipped {n}", "company": "Globex"} for n in range(4)],
        ),
    ]


def assert_in_order(text: str, fragments: list[str]) -> None:
    position = 0
    for fragment in fragments:
        found = text.find(fragment, position)
        assert found >= 0, f"{fragment!r} not found (in order) in {text!r}"
        position = found + len(fragment)
