"""The employer, when the posting names it.

In order, the first that gives a name:
1. a phrase that can only name it ("Upwork ($UPWK) is ...", "Acme is the world's leading
   ...") or a label ("Company: Acme", "Entreprise : SYNERGIE", "Empresa: DIAGONALGEST SL"),
2. the title's own line: the name before it ("FedRAMP: Director", "TTS - Sourcing
   Strategist", "Kyber (YC W23) Is Hiring a Head of Engineering") or after it ("Senior Product
   Designer at Hadrius | Y Combinator", "ML Engineer @ Acme"),
3. the first part of a forum head ("Coder | https://coder.com/ | Multiple roles"),
4. the lines around the title ("Android Developer" / "Snaptech Solutions" / "Lisboa,
   Portugal · Remoto"; "Upwork" above "Contract: Staff Backend Engineer"),
5. other phrases: "Bloom (YC P26) Is Hiring", "Acme is an equal opportunity employer",
   "Acme is hiring", "About Acme", "Join Acme's", "At Acme, we", an opening "Akkari is the
   ...", "bei Siemens zu arbeiten", and a civil-service bulletin's "City of Los Angeles".

A name loses what is not the name: a URL, a parenthesis ("A24 Films (Labs Division)",
"Ubicloud (YC W24)"). Descriptions and masks are no names ("Confidencial", "Empresa sector
socioeducativo", "<ORGANIZATION>").
"""

from __future__ import annotations

import itertools
import re
from typing import Final

from ahocorasick_rs import AhoCorasick, Implementation, MatchKind

from jobstream_parser import geo
from jobstream_parser.document import Document
from jobstream_parser.fields import (
    BAR_SEGMENTS,
    MAX_COMPANY_CHARS,
    MAX_COMPANY_WORDS,
    NOT_A_NAME,
    Found,
    HeadLine,
    HeadLines,
    is_body,
    names_a_role,
    segments,
    words_of,
)
from jobstream_parser.heads import finditer
from jobstream_parser.titles import (
    DOMAIN,
    FORUM_HEAD_LINES,
    TITLE_LABEL,
    introduces,
    named_after_members,
)

# Where "Acme is a leading ...", "Acme is hiring" are looked for.
COMPANY_CHARS: Final = 2_000
# A label ("Entreprise : SYNERGIE") may come after a long description: looked for this far.
LABEL_CHARS: Final = 20_000
# "Akkari is the customer context API": the opening of a post names its company.
OPENING_CHARS: Final = 300
MIN_OPENING_NAME_CHARS: Final = 3  # "AI is transforming ..." names no company
# A bulletin's employer ("City of Los Angeles") is looked for this far.
BULLETIN_CHARS: Final = 20_000
BULLETIN_HEAD_LINES: Final = 8

# A name: one to four capitalised words ("Upwork", "Acme Labs", "Booking.com").
_NAME: Final = r"[A-Z0-9][\w&.-]*(?: [A-Z0-9][\w&.-]*){0,3}"
_SENTENCE_START: Final = r"(?:^|(?<=[.!?] ))"
_LABEL: Final = re.compile(
    r"(?:company|employer|organi[sz]ation|hiring (?:company|organi[sz]ation)|empresa"
    r"|unternehmen|arbeitgeber|entreprise|société|employeur|firma|empleador)[ ]?:[ ]?"
    r"(?P<name>.{2,80})$",
    re.IGNORECASE,
)
_COMPANY_PATTERNS: Final = (
    # "Upwork ($UPWK) is the world's work marketplace", "Acme (NASDAQ: ACME) is"
    re.compile(
        rf"{_SENTENCE_START}(?P<name>{_NAME}) \((?:[A-Z]{{2,8}}: ?)?\$?[A-Z]{{1,6}}\) is\b",
        re.MULTILINE,
    ),
    # "Acme is the world's largest ...", "J.P. Morgan is a global leader ..."
    re.compile(
        rf"{_SENTENCE_START}(?P<name>{_NAME}) is"
        r" (?:the world['\u2019]s|an? leading|the leading|a global leader|one of the world)\b",
        re.MULTILINE,
    ),
)
# Words each of `_COMPANY_PATTERNS` needs (lower case), to skip patterns that cannot match.
_COMPANY_WORDS: Final = (
    (") is",),
    ("is the world", "is a leading", "is an leading", "is the leading", "is a global leader",
     "is one of the world"),
)  # fmt: skip
_LATER_PATTERNS: Final = (
    # "Acme is hiring", "Acme is looking for", "Acme is seeking"
    re.compile(
        rf"{_SENTENCE_START}(?P<name>{_NAME}) is (?:hiring|looking for|seeking|searching for)\b",
        re.MULTILINE,
    ),
    re.compile(rf"^About (?P<name>{_NAME}):?$", re.MULTILINE),
    re.compile(rf"\bJoin (?P<name>{_NAME})['\u2019]s\b"),
    # "At Acme, we", "At Grey Rhino (www.greyrhino.ai), we are", "At CloudX (https://cloudx.io)
    # we're building" (0.3.30)
    re.compile(
        rf"{_SENTENCE_START}At (?P<name>{_NAME})(?: \([^()\n]{{1,60}}\))?,? we\b", re.MULTILINE
    ),
    # "We at Avride are hiring in Austin"
    re.compile(rf"{_SENTENCE_START}We at (?P<name>{_NAME}),? (?:are|have|build)\b", re.MULTILINE),
    # "Gute Gründe, bei Siemens zu arbeiten"
    re.compile(rf"\bbei (?P<name>{_NAME}) (?:zu )?arbeiten\b"),
    # "Ihr Alltag bei Porsche?", "Arbeiten bei Swiss Life", "Karriere bei Coop."
    re.compile(
        rf"\b(?:Alltag|Arbeiten|Karriere|Einstieg|Jobs) bei (?P<name>{_NAME})(?=[?!.,:]|$)",
        re.MULTILINE,
    ),
    # "Votre avenir chez GastroSocial", "Travailler chez Manor": the French phrases
    re.compile(
        rf"\b(?:[Aa]venir|[Cc]arrière|[Tt]ravailler|[Rr]ejoindre) chez (?P<name>{_NAME})"
        r"(?=[?!.,:]|$)",
        re.MULTILINE,
    ),
    # "Als Teil des Manor Teams", "Teil der Migros-Gruppe"
    re.compile(r"\bTeil (?:des|der|unseres) (?P<name>[A-Z][\w&.]*)[ -](?:Teams?|Gruppe|Familie)\b"),
    # "in der ASTRA-Filiale Estavayer-le-Lac", "in unserer Migros-Filiale": a branch's employer
    re.compile(r"\b(?P<name>[A-Z][\w&.]*)-(?:Filiale|Niederlassung|Geschäftsstelle)\b"),
    # "Rh Mais Talentos em parceria com empresa no segmento de ...": the recruiter, named
    re.compile(rf"^(?P<name>{_NAME}) em parceria com\b", re.MULTILINE),
    # "BR INQUIRY, S.L, EMPRESA ESPECIALITZADA EN ...", "Acme, a company that ..."
    re.compile(
        rf"^(?P<name>{_NAME})(?:, S\.?[LA]\.?U?)?, (?:una |an? )?(?i:empresa|compañía|company|firm"
        r"|entreprise|société|unternehmen)\b",
        re.MULTILINE,
    ),
)
_LATER_WORDS: Final = (
    (" is hiring", " is looking", " is seeking", " is searching"),
    ("about ",),
    ("join ",),
    ("at ",),
    ("we at ",),
    ("bei ",),
    (" bei ",),
    (" chez ",),
    ("teil des ", "teil der ", "teil unseres "),
    ("-filiale", "-niederlassung", "-geschäftsstelle"),
    (" em parceria com",),
    (", empresa", ", una empresa", ", compañía", ", company", ", a company", ", firm",
     ", a firm", ", entreprise", ", société", ", unternehmen"),
)  # fmt: skip
_WORD_LISTS: Final = (*_COMPANY_WORDS, *_LATER_WORDS)
_WORD_LIST: Final = [word for words in _WORD_LISTS for word in words]
_PATTERN_OF_WORD: Final = [index for index, words in enumerate(_WORD_LISTS) for _ in words]
_WORD_AUTOMATON: Final = AhoCorasick(
    _WORD_LIST, matchkind=MatchKind.Standard, implementation=Implementation.DFA
)
# "Acme is an equal opportunity employer", "Acme is proud to be an equal ..."
_EQUAL_OPPORTUNITY: Final = re.compile(
    rf"{_SENTENCE_START}(?P<name>{_NAME}) is (?:an?|proud to be an?|committed to being an?)"
    r" (?:proud )?equal (?:employment )?opportunity",
    re.MULTILINE,
)
# "Bloom (YC P26) Is Hiring", "Acme is hiring": a head line naming the employer.
_IS_HIRING_LINE: Final = re.compile(
    rf"(?P<name>{_NAME})(?: \([^()]{{1,30}}\))? (?:is|are) hiring\b", re.IGNORECASE
)
# The opening sentence "Akkari is the customer context API", "Atomic Machines is building".
_OPENING: Final = re.compile(
    rf"{_SENTENCE_START}(?P<name>{_NAME}) (?:is|are) (?:a|an|the|building|helping|on a mission"
    r"|creating|making|developing|transforming|revolutionizing|revolutionising)\b"
    # "PostHog equips developers to ...", "Acme builds ...": the opening's subject
    r"|^(?P<subject>[A-Z][\w.-]*) (?:equips|builds|helps|makes|powers|enables|provides"
    r"|develops|offers|automates|turns)\b",
    re.MULTILINE,
)
# A civil-service bulletin's employer: the government it names.
_GOVERNMENT: Final = re.compile(
    r"\b(?:City|County|State|Town|Village|Port|Commonwealth|Municipality) of"
    r"(?: (?!(?:Department|Departments|Employees?|Personnel|Civil|Charter|Council|Human)\b)"
    r"[A-Z][a-z]+){1,3}"
)
# The employer's name before the title on its line: "title: FedRAMP: ", "TTS - ",
# "Kyber (YC W23) Is Hiring a ", "MDalgorithms (AI Healthcare) - Hiring ".
_BEFORE_TITLE: Final = re.compile(
    r"(?:(?:^|[ ])title:[ ]\"?)?(?P<name>[^:|\"]{1,80}?)[ ]?"
    r"(?:(?:(?:is|are)[ ])?hiring:?(?:[ ]an?)?[ ]?|[:|][ ]?|[ ][-\u2013\u2014][ ])"
    r"(?:(?:now[ ])?hiring:?[ ])?$",
    re.IGNORECASE,
)
# "--- layout: raw title: TTS Director of ...": a page's title names its employer first.
_FRONT_MATTER_BEFORE: Final = re.compile(r"(?:^|[ ])title:[ ]\"?(?P<name>[^:|\"]{1,80}?)[ ]$")
# " at Hadrius | Y Combinator", " @ Acme": the name after the title.
_AFTER_TITLE: Final = re.compile(
    rf"[ ](?:at|@)[ ](?P<name>{_NAME})(?=[ ]?[|,]|[ ][-\u2013\u2014][ ]|$)"
)
# A parenthesis or URL after a name: "A24 Films (Labs Division)", "Kredit (https://...)".
_NAME_TAIL: Final = re.compile(r"[ ]?\([^()]{0,80}\)?$|[ ]?[-\u2013,]?[ ]?https?://\S*$")
# Not names: masks and descriptions in the employer's place (lower case, anywhere in it).
_NOT_A_COMPANY: Final = (
    "confiden", "anonym", "anónim", "vertraulich", "undisclosed", "<", "n/a", "empresa ",
    "company ", "entreprise ", "unternehmen ", "seeking work",
)  # fmt: skip
_NOT_A_COMPANY_FINDER: Final = AhoCorasick(
    list(_NOT_A_COMPANY), matchkind=MatchKind.Standard, implementation=Implementation.DFA
)
_DIGIT: Final = re.compile(r"\d")
_LEGAL_FORM_END: Final = re.compile(
    r"(?:\b[A-Z]\.(?:[ ]?[A-Z]\.)+|\b(?:Inc|Ltd|Corp|Co|S\.?L|S\.?A|GmbH|AG|LLC)\.)$"
)
_APOSTROPHE: Final = re.compile("['\u2019]")
_LEGAL_FORM_AFTER_COMMA: Final = re.compile(r", (?:Inc|LLC|Ltd|Corp|GmbH|AG|S\.?[AL])\.?$")
# Small words a name may hold in lower case ("Bank of America", "Moët et Chandon").
_NAME_CONNECTORS: Final = frozenset(
    "of and & de del des du la le les et y e und der die das von van for the a".split()  # noqa: SIM905
)
_NOT_A_COMPANY_START: Final = ("client", "cliente", "kunde", "kundin")
# Words of headings, work modes and employment types: no company's name holds them.
_NOT_A_COMPANY_WORDS: Final = frozenset(
    """
    job jobs description summary overview about responsibilities requirements qualifications
    remote hybrid onsite on-site site full-time fulltime part-time parttime contract internship
    apply posted hiring vacancy vacancies position role career careers multiple location
    locations remoto presencial only interviews exam notice urgent revised logo image stelle
    startup start-up
    """.split()  # noqa: SIM905 - a list of words reads best as words
)
_NOT_A_COMPANY_PAIRS: Final = frozenset(
    {("full", "time"), ("part", "time"), ("join", "us"), ("open", "positions"), ("on", "site")}
)
# "Vespasiano, Brasil · Presencial": a job board's place line under the employer's name.
_PLACE_LINE: Final = re.compile(r"[^·\n]{2,80}[ ]·[ ]\w+")
_COMMA: Final = re.compile(r",[ ]")
# "ADEQUAT 007", "A24 Films": a name holds few digits; a date more.
MAX_NAME_DIGITS: Final = 3
# Forum heads have at least this many parts ("Acme | Remote | Full-time"), one of them naming
# the terms, roles, a link or pay.
MIN_FORUM_PARTS: Final = 3
_FORUM_PART: Final = re.compile(
    r"\b(?:remote|hybrid|on-?site|full[- ]?time|part[- ]?time|contract|intern(?:ship)?|roles?"
    r"|positions?|locations?|visa|equity|https?)\b|\$",
    re.IGNORECASE,
)


def find_company(document: Document, title: Found | None = None) -> Found | None:
    """The employer, when the posting names it (see the module's docstring for the order)."""
    text = document.text
    head = text[:COMPANY_CHARS]
    # A cheap test for the words a pattern needs before running it.
    worth_trying = document.derived(_patterns_worth_trying)
    for index, pattern in enumerate(_COMPANY_PATTERNS):
        found = _first_name(pattern, head) if index in worth_trying else None
        if found is not None:
            return found
    lines = document.derived(HeadLines)
    at = lines.index_at(title.span[0]) if title is not None and title.span else None
    found = (
        _labelled(document)
        or _on_title_line(lines, title, at)
        or _forum_head(lines)
        or _beside_title(document, lines, title, at)
        or _line_above_title(lines, title)
        or _hiring_line(lines)
    )
    if found is not None:
        return found
    for match in document.scan(_EQUAL_OPPORTUNITY, "legal", back=100, ahead=60):
        if match.group("name").split(" ", 1)[0].lower() not in NOT_A_NAME:
            return Found(match.group("name"), match.span("name"))
    offset = len(_COMPANY_PATTERNS)
    for index, pattern in enumerate(_LATER_PATTERNS, start=offset):
        found = _first_name(pattern, head) if index in worth_trying else None
        if found is not None:
            return found
    return (
        _opening_name(lines)
        or _government(document, lines)
        or _dash_head(lines)
        or _after_repeated_title(lines)
        or _named_in_passing(document)
        or _named_by_domain(document, lines)
    )


def _patterns_worth_trying(document: Document) -> frozenset[int]:
    """The indexes (into the patterns, then the later ones) whose words are in the head."""
    found = _WORD_AUTOMATON.find_matches_as_indexes(
        document.lower[:COMPANY_CHARS], overlapping=True
    )
    return frozenset(_PATTERN_OF_WORD[word] for word, _, _ in found)


def _first_name(pattern: re.Pattern[str], head: str) -> Found | None:
    for match in finditer(pattern, head):  # tried where its heads are, when it has some
        name = match.group("name")
        if name.split(" ", 1)[0].lower() not in NOT_A_NAME:
            return Found(name, match.span("name"))
    return None


def _labelled(document: Document) -> Found | None:
    """ "Company: Acme", "Entreprise : SYNERGIE": the employer field of a page."""
    for line in document.lines_for("company_label"):
        if line.start >= LABEL_CHARS:
            break
        match = _LABEL.match(line.text)
        if match is not None:
            name = HeadLine(match.group("name").strip(), line.start + match.start("name"))
            return _name_of(name, strict=False)
    return None


def _on_title_line(lines: HeadLines, title: Found | None, index: int | None) -> Found | None:
    """The name before the title on its line, or after it (" at Hadrius | Y Combinator").
    `index`: the head line holding the title."""
    if title is None or title.span is None or index is None:
        return None
    line = lines.get(index)
    if line is None:
        return None
    if len(segments(line, BAR_SEGMENTS)) >= 2:
        return None  # "Acme | Senior Engineer": the forum head's rules decide
    start, end = title.span[0] - line.start, title.span[1] - line.start
    after = _AFTER_TITLE.match(line.text, end)
    if after is not None:
        return _name_of(line.part(*after.span("name")), strict=True)
    before = _BEFORE_TITLE.search(line.text[:start]) or _FRONT_MATTER_BEFORE.search(
        line.text[:start]
    )
    if before is not None and start > 0:
        parts = segments(line.part(before.start("name"), before.end("name")), BAR_SEGMENTS)
        name = parts[-1] if parts else line.part(*before.span("name"))
        if name.text.startswith("---") or TITLE_LABEL.fullmatch(name.text + ": "):
            return None  # "Job title: Data Analyst" names no employer
        # "Presidential Innovation Fellows: Presidential Innovation Fellow": a programme named
        # after its members may hold a role's word
        return _name_of(name, strict=not named_after_members(name.text, title.value))
    return None


def _forum_head(lines: HeadLines) -> Found | None:
    """ "Coder | https://coder.com/ | Multiple roles | Full-time": its first part (the head
    may follow a line or two: "Edit: APPLICATIONS CLOSED ..."); "Knowlix — ONSITE (Munich,
    DE) — Full-time" with dashes; "Nova Credit | Remote (US, Canada)" in two parts; the second
    part after the role ("Senior Software Engineer | Ping Data Intelligence | ONSITE")."""
    for index, line in enumerate(lines):
        if index >= FORUM_HEAD_LINES:
            break
        if "|" not in line.text and " \u2014 " not in line.text:
            continue
        parts = segments(line, BAR_SEGMENTS if "|" in line.text else _DASH_SEGMENTS)
        if not _is_forum_head(parts):
            return None
        found = _name_of(parts[0], strict=True, lower_case=True)
        if found is None and len(parts) >= MIN_FORUM_PARTS and names_a_role(parts[0].text):
            second = parts[1].text
            if not (_FORUM_PART.search(second) or _is_place(second.split(",")[0])):
                found = _name_of(parts[1], strict=True)
        return found
    return None


# "Knowlix — ONSITE (Munich, DE) — Full-time": a head whose parts long dashes part.
_DASH_SEGMENTS: Final = re.compile(r"[ ]\u2014[ ]")


_STATE_TAIL: Final = re.compile(r"[ ][A-Z]{2}$")


def _is_forum_head(parts: list[HeadLine]) -> bool:
    """At least three parts, one naming the terms, roles, a link, pay, a place or a role
    ("HomeVision | Senior Frontend Engineering | San Francisco, CA"); or two, the second naming
    the terms or a link ("Layer Health | https://www.layerhealth.com/")."""
    if len(parts) == 2:  # not "Cleveland OH | Onsite": a place and its terms
        return _FORUM_PART.search(parts[1].text) is not None and not _is_place(
            _STATE_TAIL.sub("", parts[0].text.split(",")[0])
        )
    return len(parts) >= MIN_FORUM_PARTS and any(
        _FORUM_PART.search(part.text)
        or names_a_role(part.text)
        or _is_place(part.text.split(",")[0].strip())
        for part in parts[1:]
    )


def _beside_title(
    document: Document, lines: HeadLines, title: Found | None, index: int | None
) -> Found | None:
    """ "Acme | Senior Engineer | Berlin": the first segment when the title is another one;
    "Senior Engineer" then "Acme · Berlin, Germany": the first segment of the next line;
    "Android Developer" then "Snaptech Solutions" then "Lisboa, Portugal · Remoto"; or the
    next line alone when the posting names it again ("Acme is ...")."""
    if title is None or title.span is None or index is None:
        return None
    line = lines.get(index)
    assert line is not None  # index_at found it
    parts = segments(line)
    if len(parts) >= 2 and parts[0].start != title.span[0]:
        return _name_of(parts[0], strict=True)
    following = lines.get(index + 1)
    if following is None:
        return None
    parts = segments(following) or segments(following, _COMMA)
    if len(parts) >= 2:
        found = _name_of(parts[0], strict=True)
        if found is not None and (
            segments(following) or _named_again(document.text, found.value, following.start)
        ):
            return found
        return None
    after = lines.get(index + 2)
    if after is not None and _PLACE_LINE.fullmatch(after.text) and not is_body(following.text):
        return _name_of(following, strict=False)
    found = _name_of(following, strict=True)
    if found is not None and _named_again(document.text, found.value, following.start):
        return found
    return None


def _named_again(text: str, name: str, after: int) -> bool:
    """The name starts a sentence later on ("Acme is a ...", "Acme builds ...")."""
    start = after + len(name)
    while True:
        start = text.find(name + " ", start, start + COMPANY_CHARS * 2)
        if start < 0:
            return False
        if start == 0 or text[start - 1] == "\n" or text[start - 2 : start] in {". ", "! "}:
            return True
        start += len(name)


def _line_above_title(lines: HeadLines, title: Found | None) -> Found | None:
    """ "Upwork" on the first line, the title on the next: the first line names the company."""
    first, second = lines.get(0), lines.get(1)
    if first is None or second is None or title is None or title.span is None:
        return None
    if not second.start <= title.span[0] <= second.end or introduces(first.text):
        return None  # "Wir suchen einen" / "Rechtsanwalt (m/w)"
    return _name_of(first, strict=True)


def _hiring_line(lines: HeadLines) -> Found | None:
    """ "Bloom (YC P26) Is Hiring": a head line naming the employer."""
    for index, line in enumerate(lines):
        if index >= 3:
            break
        match = _IS_HIRING_LINE.match(line.text)
        if match is not None:
            return _name_of(line.part(*match.span("name")), strict=True)
    return None


def _opening_name(lines: HeadLines) -> Found | None:
    """ "Akkari is the customer context API for LLMs.": the first sentences name it."""
    first = lines.get(0)
    if first is None:
        return None
    opening = first.text[:OPENING_CHARS]
    for match in _OPENING.finditer(opening):
        group = "name" if match.group("name") is not None else "subject"
        found = _name_of(first.part(*match.span(group)), strict=True)
        if found is not None and len(found.value) >= MIN_OPENING_NAME_CHARS:
            return found
    return None


# "Tether - https://tether.io/ - we are hiring", "Wayward (wayward.com) - we're rebuilding",
# "PetsApp - The future of pet care": a forum post's first line, the name before a dash and a
# link, a sentence of "we" or a tagline.
_DASH_HEAD: Final = re.compile(
    r"(?P<name>[^|\-\u2013\u2014]{2,60}?)[ ][-\u2013\u2014][ ]{1,2}"
    r"(?:https?://|www\.|(?i:we\b|we['\u2019]re\b|our\b|the\b))"
)


def _dash_head(lines: HeadLines) -> Found | None:
    first = lines.get(0)
    if first is None:
        return None
    match = _DASH_HEAD.match(first.text)
    if match is None:
        return None
    return _name_of(first.part(*match.span("name")), strict=True)


def _government(document: Document, lines: HeadLines) -> Found | None:
    """The employer of a civil-service bulletin (a class code, "Exam Open to" in its head):
    the government it names most ("City of Los Angeles")."""
    head = lines.get(BULLETIN_HEAD_LINES)
    if not document.has_anchor("bulletin", 0, head.start if head else len(document.text)):
        return None
    named: dict[str, list[tuple[int, int]]] = {}
    for match in finditer(_GOVERNMENT, document.text[:BULLETIN_CHARS]):
        named.setdefault(match.group(), []).append(match.span())
    if not named:
        return None

    # The employer is named most ("City of Los Angeles"), others in passing ("State of ...");
    # "City of Los Angeles Fire Department" names it too; a city or county before a state
    # whose licences a bulletin asks for.
    def weight(name: str) -> tuple[bool, int, int]:
        count = sum(
            len(spans)
            for other, spans in named.items()
            if other == name or other.startswith(name + " ")
        )
        return (not name.startswith(("State", "Commonwealth")), count, -len(name))

    name = max(named, key=weight)
    return Found(name, named[name][0])


# Where the body names its employer in passing, the last resort (docs/parser.md, 0.3.18), read
# from unlabelled postings of the set's sources. Each is tried over the whole text.
_CAPITAL: Final = "A-Z\u00c0-\u00d6\u00d8-\u00de"  # Latin capitals, accented ones too
_PASSING_WORD: Final = rf"[{_CAPITAL}0-9][\w&.'-]*"
_PASSING_NAME: Final = rf"{_PASSING_WORD}(?: (?:de |del |y )?{_PASSING_WORD}){{0,3}}"
_IN_PASSING: Final = (
    # "I'm the founder of Stardrift", "Hi! I'm Nicole (ex-Google AI), cofounder of Gambit
    # Robotics", "Hey HN, this is Louis, co-founder at SightlineOS": the writer's own company
    re.compile(
        rf"\b(?:I(?:'m|\u2019m| am)|[Tt]his is)[ ][^.!?\n]{{0,40}}?"
        r"\b(?:co-?founder|founder|CEO|CTO)"
        rf"(?:[ ]&[ ]\w+)?[ ](?:of|at)[ ](?P<name>{_NAME})"
    ),
    # "J.P Morgan is a global leader in financial services" (glued to the sentence before it
    # in a cut text: "would be beneficialJ.P Morgan is a global leader")
    re.compile(
        rf"(?:^|(?<=[.!?] )|(?<=[a-z]))(?P<name>{_NAME}) is (?:a global leader|the world['\u2019]s"
        r"|a leading|the leading|one of the world)\b",
        re.MULTILINE,
    ),
    # "Accem es una organización sin ánimo de lucro", "Grupo NS, es una empresa donde ..."
    re.compile(
        rf"(?:^|(?<=[.!?] ))(?P<name>{_PASSING_NAME}),? (?:es|somos) (?:una?|la|el)"
        r" (?:\w+ )?(?:empresa|compañía|organización|entidad|ONG|fundación|asociación"
        r"|consultora|multinacional)\b",
        re.MULTILINE,
    ),
    # "en EACNUR buscamos gente", "En Novanotio estamos buscando", "contratación directa por X"
    # "Desde el departamento de selección de ALTEN buscamos"
    re.compile(
        rf"\b(?i:en|desde)(?i: el departamento de (?:selección|rrhh|recursos humanos) de)?"
        rf" (?P<name>{_PASSING_NAME}),? (?:buscamos|estamos buscando|seleccionamos|precisamos"
        r"|necesitamos|queremos incorporar)\b"
    ),
    # "Grupo Faster selecciona para empresa del sector metal", "El Grup Asproseat cerca un/a
    # educador/a" (Catalan), "ALTEN te ofrece": a sentence whose subject is the employer
    re.compile(
        rf"(?:^|(?<=[.!?] ))(?:(?:El|La|Los|Las) )?(?P<name>{_PASSING_NAME}),?"
        r" (?:selecciona|busca|precisa|necesita|cerca|requiere|incorpora|contrata|te ofrece)\b",
        re.MULTILINE,
    ),
    re.compile(rf"\bcontratación directa (?:por|de|con) (?P<name>{_PASSING_NAME})"),
    # "Die Firma CarePers AG", "Swissport International AG": a name with its legal form
    re.compile(
        rf"(?<![\w&.-])(?P<name>(?:[{_CAPITAL}][\w&.-]*[ ]){{1,3}}"
        r"(?:AG|GmbH|S\.?A\.?|S\.?L\.?(?:U\.?)?|Sàrl|Ltd\.?|Ltda\.?|LTDA|Inc\.?))"
        r"(?=[ ,.;:)]|$)",
        re.MULTILINE,
    ),
    # "bei der AXA", "bei EUROBUS", "Bei SV Group", "bei Swiss Life": a name in capitals or
    # of two words (a German noun after "bei" is one word: "bei Projekten")
    re.compile(
        rf"\b[Bb]ei (?:der |dem )?(?P<name>[{_CAPITAL}]{{2,}}\b(?: [{_CAPITAL}][\w&.-]*)?"
        rf"|[{_CAPITAL}][\w&.-]* [{_CAPITAL}][\w&.-]*)(?=[ ,.;:!?]|$)",
        re.MULTILINE,
    ),
    # "We are Interledger Foundation and are looking", "Hi! We're Ontix.", "Alex and Jeremy here
    # from UMH.", "We're hiring for a Founding GTM Lead at Skyfall AI." (forum posts, 0.3.30)
    re.compile(
        rf"(?:^|(?<=[.!?] ))(?:Hi[!,.]? |Hey[!,.]? )?We(?:'re|\u2019re| are) (?P<name>{_NAME})"
        r"(?=[.!,]| and\b| -)",
        re.MULTILINE,
    ),
    re.compile(rf"\bhere from (?P<name>{_NAME})(?=[.!,]|$)", re.MULTILINE),
    re.compile(
        r"(?:^|(?<=[.!?] ))(?:Hi[!,.]? |Hey[!,.]? )?"
        r"(?:We(?:'re|\u2019re| are)|I(?:'m|\u2019m| am))"
        rf" hiring (?:for )?an? [^.!?\n]{{2,60}}? at (?P<name>{_NAME})(?=[.!,]|$)",
        re.MULTILINE,
    ),
    # A corpus that masks the employer ("<ORGANIZATION>") leaks it in possessives: "all of
    # Omio's frontends", "At the heart of Zattoo's organisation" (not "The Programme's",
    # "<ORGANIZATION> Group's": a word of a longer name)
    re.compile(rf"(?<![\w<])(?P<name>[{_CAPITAL}][\w&.-]*)['\u2019][sS](?=[ ])"),
    # ... and in its own idioms: "our Novo Nordisk Way", "#LifeAtSky", "Celonis disrupted"
    re.compile(rf"\bour (?P<name>{_NAME}) (?:Way|family|values|culture)\b"),
    re.compile(r"#LifeAt(?P<name>[A-Z]\w+)"),
    re.compile(
        rf"(?:^|(?<=[.!?] ))(?P<name>[{_CAPITAL}][\w&.-]*) (?:disrupted|was founded|has grown)\b",
        re.MULTILINE,
    ),
)
# Words each of `_IN_PASSING` needs (lower case), to skip patterns that cannot match (a
# pattern tried over the whole text of a long posting costs more than a look-up).
_IN_PASSING_WORDS: Final = (
    ("founder", "ceo", "cto"),
    ("is a global leader", "is the world", "is a leading", "is the leading", "is one of the world"),
    (" es ", " somos "),
    ("buscamos", "estamos buscando", "seleccionamos", "precisamos", "necesitamos",
     "queremos incorporar"),
    ("selecciona", "busca", "precisa", "necesita", "cerca", "requiere", "incorpora", "contrata",
     "te ofrece"),
    ("contratación directa",),
    ("ag", "gmbh", "s.a", "sa", "s.l", "sl", "sàrl", "ltd", "inc"),
    ("bei ",),
    ("we're ", "we\u2019re ", "we are "),
    ("here from ",),
    (" hiring ",),
    ("'s ", "\u2019s "),
    ("our ",),
    ("#lifeat",),
    (" disrupted", " was founded", " has grown"),
)  # fmt: skip
# The pattern of names with their legal form ("Swissport International AG").
_LEGAL_FORM: Final = next(
    index for index, pattern in enumerate(_IN_PASSING) if "AG|GmbH" in pattern.pattern
)
_CUT_INITIALS: Final = re.compile(r"\b[A-Z]\.\n$")
_POSSESSIVE: Final = len(_IN_PASSING) - 4  # this one and those after it: masked corpora only
# The word before a possessive that makes it no employer's name: "The Programme's", or a word
# of a longer name ("<ORGANIZATION> Group's", "America First Policy Institute's").
_BEFORE_POSSESSIVE: Final = re.compile(r"(?:\b[Tt]he|[>\w]*[A-Z>][\w>]*)[ ]$")
# "in Laufenburg AG suchen wir", "Standort: Buchs AG": a town and its canton (Aargau)
_BEFORE_PLACE: Final = ("in ", ": ")
_MASK: Final = "<ORGANIZATION>"
# "Die Firma CarePers AG" (glued to the word before it in a cut ad: "SurseeDie Firma ...")
_FIRMA: Final = "Firma "
# First words of what those phrases catch that names no employer.
_NOT_PASSING: Final = frozenset(
    """
    nuestra nuestro nuestros esta este somos la el los las una un die der das sie wir es ihre
    ihr unsere unser frau herr master bachelor what it that there here let he she one who
    api kpi rfc ceo cto cfo hr it ai eu uk us un employer women home sede delegación
    """.split()  # noqa: SIM905 - a list of words reads best as words
)


def _named_in_passing(document: Document) -> Found | None:
    """The employer a phrase of the body names ("Accem es una organización", "en EACNUR
    buscamos", "Die Firma CarePers AG", "bei der AXA", "Omio's frontends"): no place, no word
    the text also writes in lower case ("Work's", "Group's" are headings' words)."""
    text = document.text
    masked = _MASK in text
    lower = document.lower
    for index, pattern in enumerate(_IN_PASSING):
        if index == _POSSESSIVE and not masked:
            break
        if not any(word in lower for word in _IN_PASSING_WORDS[index]):
            continue
        for match in pattern.finditer(text):
            name = match.group("name")
            start = match.start("name")
            before = text[max(0, start - 40) : start]
            if (
                (index == _POSSESSIVE and _BEFORE_POSSESSIVE.search(before))
                or (index == _LEGAL_FORM and before.endswith(_BEFORE_PLACE))
                or _CUT_INITIALS.search(before)  # "J.P.\nMorgan is": the name cut in two
            ):
                continue
            for joint in (_FIRMA, ". "):  # "Formación. Grupo NS, es una empresa"
                if joint in name:
                    cut = name.rindex(joint) + len(joint)
                    start, name = start + cut, name[cut:]
            if name.endswith(".") and _LEGAL_FORM_END.search(name) is None:
                name = name[:-1]  # "co-founder at SightlineOS.": the sentence's full stop
            words = name.lower().split(" ")
            if (
                words[0] in _NOT_PASSING
                or _is_place(name)
                or geo.area(name) is not None  # "Europe's leading brand"
                or geo.town_codes(name.split(" ")[0]) is not None  # "in Laufenburg AG"
            ):
                continue
            if " " not in name and not name.isupper() and _written_in_lower_case(name, text):
                continue
            if index != _LEGAL_FORM and name.isupper() and match.group().isupper():
                continue  # "PERRUQUERIA DE BANYOLES BUSCA": a shouted description, no name
            found = _name_of(HeadLine(name, start), strict=True)
            if found is not None:
                return found
    return None


def _written_in_lower_case(name: str, text: str) -> bool:
    """The name also stands in lower case as a word of the text ("Work's" and "work"); not
    in a link or address ("Krea" and "https://www.krea.ai/", "jobs@krea.ai")."""
    lower = name.lower()
    start = text.find(lower)
    while start >= 0:
        end = start + len(lower)
        if (
            not (start > 0 and text[start - 1].isalnum())
            and not text[end : end + 1].isalnum()
            and not _IN_ADDRESS.match(text, end)
            and text[start - 1 : start] not in _ADDRESS_BEFORE
        ):
            return True
        start = text.find(lower, end)
    return False


# "krea.ai", "krea.com/jobs": a name followed by a domain's dot; "/krea", "@krea": a link's
_IN_ADDRESS: Final = re.compile(r"\.[a-z]{2,}\b")
_ADDRESS_BEFORE: Final = frozenset("/@.")


def _has_lower_word(value: str, *, lower_case: bool) -> bool:
    """ "Stelle einem Freund mitteilen": a word in lower case that joins no name's words (a
    forum head's one-word "yeet" may be all lower case)."""
    if lower_case and " " not in value:
        return False
    return any(word[0].islower() and word not in _NAME_CONNECTORS for word in value.split(" ")[1:])


# "Hey HN — ", "Hi! ", "Hello, ": a greeting before the name (not "Hi Marley", a name).
_GREETING: Final = re.compile(
    r"(?i:hey|hi|hello)(?: (?:HN|all|everyone|folks))?(?:[!,]|[ ][-\u2013\u2014:])[ ]"
)
# "VALENCIA- LUIS OLIAG": a town glued to a dash before the employer's name.
_PLACE_PREFIX: Final = re.compile(r"(?P<place>[^\W\d_][^\W\d_ ]{2,30})-[ ]")


def _is_place(name: str) -> bool:
    return geo.city_codes(name) is not None or _is_region(name)


def _is_region(name: str) -> bool:
    """A country or a subdivision (state, province, region) named: no employer's name."""
    return (
        geo.country_code(name) is not None
        or geo.subdivision_code(name, None).subdivision is not None
    )


def _name_of(part: HeadLine, *, strict: bool, lower_case: bool = False) -> Found | None:
    """The name a part of a line gives, without a parenthesis or URL after it; None for what
    is no name. `strict` also refuses what holds a role's or a heading's words."""
    value = part.text
    while value[-1:] in ")/" or "http" in value:  # "BetterDB (https://betterdb.com) (https://...)"
        tail = _NAME_TAIL.search(value)
        if tail is None or tail.start() == 0:
            break
        value = value[: tail.start()]
    value = value.strip(" -\u2013,;:|")
    greeting = _GREETING.match(value)
    if greeting is not None:
        value = value[greeting.end() :]  # "Hey HN — Adobe is hiring": the greeting names no one
    place = _PLACE_PREFIX.match(value)
    if place is not None and _is_place(place.group("place")):
        value = value[place.end() :]  # "VALENCIA- LUIS OLIAG": the branch's town, then the name
    # "Hitachi Vantara, S.A.U.", "Acme Inc.": a legal form's full stop ends no sentence.
    stop = value[-1:] == "." and _LEGAL_FORM_END.search(value) is None
    if (
        not (1 < len(value) <= MAX_COMPANY_CHARS)
        or stop
        or value[-1] in "!?:;,"
        or value[0] in "(["
    ):
        return None
    first = value[0]
    if not (
        first.isupper()
        or first.isdigit()
        or (lower_case and " " not in value)
        or DOMAIN.fullmatch(value) is not None  # "cloud.gov"
    ):
        return None
    lower = value.lower()
    if _NOT_A_COMPANY_FINDER.find_matches_as_indexes(lower) or lower.startswith(
        _NOT_A_COMPANY_START
    ):
        return None
    words = words_of(value)
    if _APOSTROPHE.split(lower, 1)[0].split(" ", 1)[0] in NOT_A_NAME:
        return None  # "We're", "Our"
    if (
        strict
        and (
            len(value.split()) > MAX_COMPANY_WORDS
            or "," in _LEGAL_FORM_AFTER_COMMA.sub("", value)  # not "Acme Technologies, Inc."
            or ": " in value  # "Arbeitsort: Bern", a field
            or (first.isdigit() and not any(char.isalpha() for char in value[:3]))
            or len(_DIGIT.findall(value)) > MAX_NAME_DIGITS  # "Eingestellt am 25.02.2017"
            or "://" in value
            or lower.startswith("www.")
            or not _NOT_A_COMPANY_WORDS.isdisjoint(words)
            or any(pair in _NOT_A_COMPANY_PAIRS for pair in itertools.pairwise(words))
            or names_a_role(value, words)
            or _has_lower_word(value, lower_case=lower_case)
            or _is_region(value)  # "Asturias - técnico/a ...": a region before the title
        )
    ):
        return None
    start = part.start + part.text.find(value)
    return Found(value, (start, start + len(value)))


# "Founding Engineer | NYC | https://www.l2labs.ai/" and "L2 Labs is a brand new applied AI
# lab": the head's link names the site, the text the name that spells it (docs/parser.md,
# 0.3.26). Hosts of job boards, code and social sites name no employer.
# The link is a part of the head of its own: it ends the line, a bar or dash part or a
# parenthesis ("| https://www.thundercompute.com |", "(fathom.ai)"); not a link inside a
# sentence ("now building https://nono.sh agent tooling"), not "ASP.NET" or "Polygon.io".
_HEAD_URL: Final = re.compile(
    r"(?:^|(?<=[ (\[]))(?:https?://)?(?:www\.)?(?:[a-z0-9-]+\.)*?(?P<label>[a-z0-9][a-z0-9-]{1,40})"
    r"\.(?:com|io|ai|org|net|co|app|dev|sh|tech|so|xyz|inc|us|eu|de|fr|uk|ch|es|ca|health)"
    r"(?:/[^\s|)\]]*)?(?=$|[ ]?[|)\]]|[ ][-\u2013\u2014][ ])"
)
_PLATFORMS: Final = frozenset(
    """
    github gitlab linkedin ycombinator workatastartup greenhouse lever ashbyhq workable notion
    google forms docs calendly twitter medium substack wellfound angel youtube dover bamboohr
    rippling gem breezy recruitee personio teamtailor jobvite smartrecruiters myworkdayjobs
    """.split()  # noqa: SIM905 - a list of words reads best as words
)
_CAPITALISED_WORDS: Final = re.compile(r"(?<![\w.@/-])[A-Z0-9][\w&-]*(?: [A-Z0-9][\w&-]*){0,2}")
MIN_DOMAIN_LABEL: Final = 3
DOMAIN_HEAD_LINES: Final = 3


def _named_by_domain(document: Document, lines: HeadLines) -> Found | None:
    """The name whose letters spell the site a head line links to ("L2 Labs", l2labs.ai)."""
    labels: list[str] = []
    for index, line in enumerate(lines):
        if index >= DOMAIN_HEAD_LINES:
            break
        for match in _HEAD_URL.finditer(line.text):
            label = match.group("label").replace("-", "")
            if len(label) >= MIN_DOMAIN_LABEL and label not in _PLATFORMS:
                labels.append(label)
    if not labels:
        return None
    head = document.text[:COMPANY_CHARS]
    for match in _CAPITALISED_WORDS.finditer(head):
        words = match.group().split(" ")
        for count in range(len(words), 0, -1):
            name = " ".join(words[:count])
            if "".join(char for char in name.lower() if char.isalnum()) in labels:
                found = _name_of(HeadLine(name, match.start()), strict=True)
                if found is not None and not _is_place(name):  # "AYUNTAMIENTO DE ALLER"
                    return found
    return None


# An empleate offer "Programador Java, Madrid" whose description opens with "Programador Java
# en Madrid" and then its first sentence, glued: "... en Madrid IT Partner España busca para
# incorporación", "... en Madrid Grupo SADE es una boutique tecnológica" (0.3.30).
_TITLE_AND_PLACE: Final = re.compile(r"(?P<role>.{3,80}), (?P<place>[^,]{2,40}?)(?: - .{1,40})?")
_REPEATED_OPENING: Final = re.compile(
    rf"(?:(?:En|Desde) )?(?P<name>{_PASSING_NAME}),? (?:es (?:una?|la|el)|somos|busca|selecciona"
    r"|precisa|necesita|deseamos|estamos buscando|compañía|empresa)\b"
)
REPEATED_TITLE_LINES: Final = 6


def _after_repeated_title(lines: HeadLines) -> Found | None:
    first = lines.get(0)
    head = _TITLE_AND_PLACE.fullmatch(first.text) if first is not None else None
    if head is None:
        return None
    opening = f"{head.group('role')} en {head.group('place')} "
    for index, line in enumerate(lines):
        if index >= REPEATED_TITLE_LINES:
            break
        if not line.text.startswith(opening):
            continue
        match = _REPEATED_OPENING.match(line.text, len(opening))
        if match is None:
            return None
        words = match.group("name").split(" ")
        if words[0].lower() in _NOT_PASSING and not words[0].isupper():
            return None  # "IT Partner España busca" names one
        found = _name_of(line.part(*match.span("name")), strict=True)
        return None if found is None or _is_place(found.value) else found
    return None
