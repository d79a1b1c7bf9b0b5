"""The parser's pure core: cleaning, title and company, evidence spans, hostile input."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstream.contracts import ParsedPosting, ProvidedFields, RawPosting, Source
from jobstream_parser.cleaning import _INVISIBLE, clean, clean_text
from jobstream_parser.document import Document
from jobstream_parser.fields import Found
from jobstream_parser.parse import PARSER_VERSION, NotAPosting, parse
from jobstream_parser.titles import find_title

pytestmark = pytest.mark.unit

SEEDS = Path(__file__).parents[3] / "seeds"
# Appended to a fragment so that it reads as a posting (the parser refuses text that does not).
JOB_WORDS = "\n\nApply for this job if you have the skills."


def _raw(text: str, provided: ProvidedFields | None = None, name: str = "t.txt") -> RawPosting:
    return RawPosting.from_text(text, Source(channel="cli", name=name), provided)


def _parse(text: str, provided: ProvidedFields | None = None) -> ParsedPosting:
    return parse(_raw(text, provided))


def _seed(prefix: str) -> RawPosting:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return _raw(path.read_text(encoding="utf-8"), name=path.name)


def _assert_evidence_matches(parsed: ParsedPosting) -> None:
    for field in ("title", "company", "url"):
        span = parsed.evidence.get(field)
        if span is not None:
            assert parsed.text[span.start : span.end] == getattr(parsed, field), field


# --- seeds --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "title", "company"),
    [
        ("000", "Staff Backend Engineer", "Upwork"),
        ("001", "Senior/Lead Backend Engineer", "Upwork"),
        ("002", "Senior Backend Engineer, Search and Recommendations", "Upwork"),
        ("003", "Senior Software Engineer (Backend)", None),
        ("004", "Senior Software Engineer", None),
    ],
)
def test_seed_title_and_company(prefix: str, title: str, company: str | None) -> None:
    parsed = parse(_seed(prefix))

    assert parsed.title == title
    assert parsed.company == company
    assert ("company" in parsed.evidence) == (company is not None)
    _assert_evidence_matches(parsed)


def test_carries_identity_and_version() -> None:
    raw = _seed("000")

    parsed = parse(raw)

    assert parsed.posting_id == raw.posting_id
    assert parsed.received_at == raw.received_at
    assert parsed.source == raw.source
    assert parsed.parser_version == PARSER_VERSION == "0.3.30"


def test_seed_003_title_span_is_the_start_of_the_first_line() -> None:
    parsed = parse(_seed("003"))

    assert parsed.evidence["title"].start == 0
    assert parsed.text.startswith("Senior Software Engineer (Backend) \u2014 Job Description\n")


# --- cleaning -----------------------------------------------------------------------------


def test_clean_text_normalises_line_ends_and_white_space() -> None:
    assert clean_text("\ufeffa  \r\nb\t\rc \n") == "a\nb\nc"
    assert (
        clean_text("  Indented\tline  with   runs\u00a0of space ")
        == "Indented line with runs of space"
    )


def test_clean_text_collapses_blank_runs_to_one_paragraph_break() -> None:
    assert clean_text("a\n\n\n\n\n\nb") == "a\n\nb"
    assert clean_text("a\n \n\t\n  \n\nb") == "a\n\nb"


def test_clean_text_keeps_unicode_content() -> None:
    text = "Tabs inside \u2014 and unicode \u00e9\u4e2d"
    assert clean_text(text) == text


def test_invisible_characters_are_not_printable() -> None:
    # A printable line is taken to hold none (cleaning.py): check every printable character.
    printable = "".join(
        chr(code)
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF and chr(code).isprintable()
    )
    assert _INVISIBLE.search(printable) is None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "e",
                "\u0301",
                "\u0308",
                "\u200b",
                "\n",
                "ﬁ",
                "\u00a0",
                "A",
                "\u2460",
                "\u1100",
                "\u1161",
                "\u00ad",
                "\ufeff",
                " ",
                "İ",
                "\u0327",
                "K",
            ]
        )
        | st.text(max_size=3),
        max_size=40,
    ).map("".join)
)
def test_normalising_line_by_line_is_normalising_the_text(text: str) -> None:
    whole = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
    by_line = [unicodedata.normalize("NFKC", _INVISIBLE.sub("", line)) for line in text.split("\n")]

    assert "\n".join(by_line) == whole


def test_long_texts_are_normalised_whole_with_the_same_result() -> None:
    line = "Caf\u0065\u0301 \ufb01ne\u200b print\u00a0 \u2460"
    short = clean(line).text
    long = clean("\n".join([line] * 8_000)).text  # past what line by line is used for

    assert short == "Café fine print 1"
    assert long.split("\n")[0] == short


def test_clean_text_treats_every_kind_of_white_space_alike() -> None:
    spaces = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]
    for space in spaces:
        once = clean_text(f"x{space}y")
        assert once in {"x y", "x\ny"}, hex(ord(space))
        if once == "x y":  # not a line break: runs collapse and ends are stripped
            assert clean_text(f"{space}x{space}{space} y {space}") == "x y", hex(ord(space))


def test_clean_drops_job_board_lines_and_keeps_content_with_their_words() -> None:
    text = "\n".join(
        [
            "Senior Engineer",
            "Acme",
            "Show more",
            "We use cookies to improve your experience. Read our cookie policy.",
            "BY CLİCKİNG APPLY, YOU AGREE TO OUR TERMS \u2013 AND PRIVACY NOTICE",
            "Apply for this job if you have the skills.",
            "Save job",
            "Cookies and milk on Fridays, by applying our own recipes.",
        ]
    )

    cleaned = clean(text)

    assert cleaned.text.split("\n") == [
        "Senior Engineer",
        "Acme",
        "Apply for this job if you have the skills.",
        "Cookies and milk on Fridays, by applying our own recipes.",
    ]
    assert cleaned.boilerplate_lines == 4
    assert cleaned.boilerplate[0] == "Show more"


def test_clean_cuts_a_job_board_footer_after_the_posting() -> None:
    body = ["Data Engineer", "Acme", "Build pipelines.", "Python and SQL.", "Remote."]
    # An invisible character alone is a blank line: not counted in the footer.
    footer = ["Job search safety tips", "Never pay to apply.", "\u200b\u00ad", "See more jobs"]

    cleaned = clean("\n".join([*body, *footer]))

    assert cleaned.text.split("\n") == body
    assert cleaned.boilerplate == ["Job search safety tips"]
    assert cleaned.boilerplate_lines == 3
    # The same words as the first lines are the posting, not a footer.
    assert clean("\n".join([*footer, *body])).text.split("\n")[0] == footer[0]


def test_spans_point_into_the_cleaned_text() -> None:
    parsed = _parse("\ufeffAcme Corp  \r\n\r\n\r\n\r\n\r\nContract: Data Engineer   \r\nWe build.")

    assert parsed.text == "Acme Corp\n\nContract: Data Engineer\nWe build."
    assert (parsed.title, parsed.company) == ("Data Engineer", "Acme Corp")
    _assert_evidence_matches(parsed)


# --- title --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Full-time: Data Analyst\nWe analyse.", "Data Analyst"),
        ("Part-time: Store Clerk\n", "Store Clerk"),
        ("Internship: Software Engineering Intern\n", "Software Engineering Intern"),
        ("Job title: Product Manager\n", "Product Manager"),
        ("Frontend Developer - Job Description\nAbout the role", "Frontend Developer"),
        ("https://jobs.example.com/123\n\nQA Engineer\n", "QA Engineer"),
        ("Acme\nJob Description\nPrincipal Architect\n", "Principal Architect"),
        ("As an Data Scientist at Acme, you will model.", "Data Scientist"),
        ("We hire.\nAs a Site Reliability Engineer, you own uptime.", "Site Reliability Engineer"),
        ("We hire. " * 200 + "As a Site Reliability Engineer, you own uptime.", None),  # too late
        ("As a result, we grow. As a team we win. Apply for a job.", None),
        ("As a senior engineer on the team, you will code.", None),  # not title-cased: no guess
        ("Welcome to our careers page, see our open jobs\nWe make great things.", None),
        ("- Engineer wanted\n", None),  # a bullet is body text
    ],
)
def test_title_shapes(text: str, title: str | None) -> None:
    parsed = _parse(text + JOB_WORDS)

    assert parsed.title == title
    _assert_evidence_matches(parsed)


def test_title_stops_at_the_body() -> None:
    text = "Responsibilities\n- Build things.\nLead Engineer\n"

    assert _parse(text).title is None


def test_title_is_read_from_the_head_lines_only() -> None:
    # The first 40 lines, blank ones counted, within the first 5,000 characters.
    found = find_title(Document("\n" * 39 + "  Senior Engineer  "))
    assert found == Found("Senior Engineer", (41, 56))
    assert find_title(Document("\n" * 40 + "Senior Engineer")) is None
    assert find_title(Document(" " * 4_990 + "\nSenior Engineer")) is None
    cut = find_title(Document(" " * 4_980 + "Senior Engineer Manager"))
    assert cut == Found("Senior Engineer Mana", (4_980, 5_000))  # the line as far as it is read


def test_provided_title_wins_and_points_at_the_text_when_present() -> None:
    parsed = _parse(
        "Contract: Staff Backend Engineer\nWe hire a Platform Engineer.",
        ProvidedFields(title="Platform Engineer"),
    )

    assert parsed.title == "Platform Engineer"
    _assert_evidence_matches(parsed)
    assert parsed.evidence["title"].start == len("Contract: Staff Backend Engineer\nWe hire a ")


def test_provided_fields_absent_from_the_text_have_no_evidence() -> None:
    parsed = _parse(
        "Upwork\nContract: Staff Backend Engineer\n",
        ProvidedFields(title="Chief Wizard", company="Initech"),
    )

    assert (parsed.title, parsed.company) == ("Chief Wizard", "Initech")
    assert "title" not in parsed.evidence and "company" not in parsed.evidence


def test_blank_provided_fields_are_ignored() -> None:
    parsed = _parse(
        "Upwork\nContract: Staff Backend Engineer\n", ProvidedFields(title="  ", company="")
    )

    assert (parsed.title, parsed.company) == ("Staff Backend Engineer", "Upwork")


# --- company ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("Globex ($GBX) is a company.", "Globex"),
        ("Intro.\nAcme Labs (NASDAQ: ACME) is hiring.", "Acme Labs"),
        ("Data Engineer\nInitrode is the world's biggest widget maker.", "Initrode"),
        ("Data Engineer\nInitrode is a leading maker of widgets.", "Initrode"),
        ("Data Engineer\nAbout Umbrella Corp\nWe make umbrellas.", "Umbrella Corp"),
        ("Data Engineer\nJoin Hooli\u2019s search team.", "Hooli"),
        ("Data Engineer\nWe grow. At Vandelay Industries, we import.", "Vandelay Industries"),
        ("Data Engineer\nAbout us\nWe are great.", None),
        ("Data Engineer\nAbout the role\n", None),
        ("Data Engineer\nThis is the world's best job.", None),
        ("Data Engineer\nAt our company, we care.", None),
        ("Remote\nData Engineer\n", None),  # a work mode, not a company
        ("Job Description\nData Engineer\n", None),  # a heading, not a company
        ("Acme\nWe make widgets.\n", None),  # no title line follows
    ],
)
def test_company_shapes(text: str, company: str | None) -> None:
    parsed = _parse(text + JOB_WORDS)

    assert parsed.company == company
    _assert_evidence_matches(parsed)


def test_company_from_a_known_phrase_wins_over_a_first_line() -> None:
    parsed = _parse("Recruiting Partners\nData Engineer\nGlobex ($GBX) is a client.")

    assert parsed.company == "Globex"


# --- hostile input ------------------------------------------------------------------------

HOSTILE = {
    "one 1 MB line": "x" * 1_000_000,
    "1 MB of words": "As a Senior Engineer at " * 40_000,
    "only blank lines": " \n\t\n\r\n" * 100_000,
    "parens and colons": "((((:::: " * 100_000,
    "nested parens": "(" * 500_000 + ")" * 500_000,
    "long capitalised words": ("A" * 4_999 + " ") * 199,
    "repeated company phrases": "Join Acme Acme Acme Acme Acme's. " * 30_000,
    "odd unicode": "\u202e\u200b\u0000\ufeff\U0001f600 \u2028\u0085\u00a0\ufdd0" * 100_000,
    "a lone BOM": "\ufeff",
    "one newline": "\n",
}


# A hang (catastrophic regex backtracking) fails by timeout; speed itself is measured in
# `make bench`, never asserted in a unit test.
@pytest.mark.timeout(30)
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_finishes_and_is_parsed_or_refused(text: str) -> None:
    raw = _raw(text[:1_000_000])

    try:
        parsed = parse(raw)
    except NotAPosting as refused:
        assert refused.reason in {"empty", "not_text", "not_a_posting", "too_long"}
        return

    assert len(parsed.text) <= len(raw.text)
    assert parsed.title is None or len(parsed.title) <= 100
    assert parsed.company is None or len(parsed.company) <= 60
    _assert_evidence_matches(parsed)
