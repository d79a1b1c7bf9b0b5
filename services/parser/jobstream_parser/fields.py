"""What the title and the company finders share: the head lines of a posting, their
segments, and the words that name a role.

Rules are conservative: a field is `None` rather than a guess. Only the head of the text is
read (`HEAD_CHARS`, `HEAD_LINES`), and every pattern is linear in what it reads, so any input
size or shape costs little.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Final, NamedTuple

from jobstream_parser.document import Document

HEAD_CHARS: Final = 5_000
HEAD_LINES: Final = 40
MAX_TITLE_CHARS: Final = 100
MAX_TITLE_WORDS: Final = 12
MAX_COMPANY_CHARS: Final = 60
MAX_COMPANY_WORDS: Final = 5

# Nouns that name a role, in the languages of the postings read (English, German, French,
# Spanish, Catalan, Portuguese), looked up word by word (a set lookup per word: a regex of
# these hundreds of words tries each of them wherever one may start). Plurals ("-s", "-es")
# are found by dropping the ending; feminine forms are listed.
_ROLE_WORDS: Final = frozenset(
    """
    engineer developer programmer manager analyst scientist designer architect director
    specialist lead leader administrator consultant officer technician clerk assistant coordinator
    intern researcher tester strategist recruiter supervisor operator executive accountant owner
    advisor representative associate writer editor head mechanic nurse driver inspector worker
    attendant electrician planner investigator examiner agent therapist teacher instructor
    counselor chemist pharmacist physician attorney paralegal cashier carpenter plumber welder
    guard firefighter chef cook receptionist secretary auditor controller buyer estimator
    surveyor librarian economist statistician superintendent foreman helper apprentice trainee
    laborer custodian dispatcher aide captain chief deputy president partner principal fellow
    marketer sre swe mle member devops bookkeeper mentor tutor coach trainer lawyer doctor dentist
    hygienist pilot barista bartender server housekeeper janitor cleaner courier vp cto ceo cfo
    coo cio ciso cpo founder producer artist animator photographer journalist reporter translator
    interpreter copywriter treasurer actuary underwriter adjuster appraiser broker banker teller
    salesperson merchandiser technologist psychologist caregiver machinist installer assembler
    painter landscaper gardener paramedic ranger storekeeper expert postdoc professor lecturer
    criminalist generalist handler packer biologist entwickler entwicklerin ingenieur ingenieurin
    berater
    beraterin leiter leiterin chauffeur monteur assistenz koch köchin kellner kellnerin fahrer
    fahrerin experte expertin desenvolvedor desenvolvedora engenheiro engenheira analista
    desarrollador desarrolladora ingeniero ingeniera développeur développeuse ingénieur
    ingénieure chargé chargée responsable gerente diretor diretora stagiaire technicien
    technicienne opérateur opératrice operateur operatrice conducteur conductrice monteuse
    plombier soudeur soudeuse électricien électricienne electricien electricienne cuisinier
    cuisinière vendeur vendeuse plongeur plongeuse frigoriste magasinier manutentionnaire
    préparateur préparatrice infirmier infirmière assistante comptable serveur serveuse caissier
    caissière ouvrier ouvrière menuisier maçon électromécanicien técnico técnica tecnico tecnica
    tècnic tècnica operario operaria enfermero enfermera administrativo administrativa
    recepcionista conductor conductora peón peon instalador instaladora monitor monitora
    delegado delegada manipulador manipuladora camarero camarera cocinero cocinera dependiente
    dependienta limpiador limpiadora educador educadora profesor profesora consultor consultora
    programador programadora vendedor vendedora electricista soldador soldadora carpintero
    carpintera fontanero fontanera repartidor repartidora ayudante aprendiz becario becaria
    auxiliar oficial cambrer cambrera cuiner cuinera dependent dependenta mecánico mecánica
    mecànic mecànica fuster fustera netejador netejadora ajudant infermer infermera operari
    operària comercial montador montadora ajustador ajustadora bioinformatician
    gestor gestora assistente porteiro porteira atendente motorista cozinheiro cozinheira
    mecânico mecânica eletricista estágio estagio estagiário estagiária operador operadora
    mediador mediadora albañil titulado titulada polier vorarbeiter advocate
    """.split()  # noqa: SIM905 - a list of words reads best as words
)
# Two-word roles whose words alone name none.
_ROLE_PAIRS: Final = frozenset(
    {("scrum", "master"), ("product", "owner"), ("technical", "staff"), ("founding", "gtm")}
)
# German compounds name a role with their last part: "Kapitalmarktmitarbeiter",
# "Pflegefachfrau", "Elektroinstallateur", "Verkaufsberaterin" (one `str.endswith` a word).
_GERMAN_ROLE_ENDINGS: Final = tuple(
    ending + gender
    for ending in """
    mitarbeiter berater leiter entwickler ingenieur techniker mechaniker mechatroniker
    monteur installateur elektriker verkäufer verkaeufer bäcker baecker konditor kellner
    fachmann fachfrau fachkraft pfleger assistent sachbearbeiter kaufmann kauffrau lackierer
    beschichter schreiner maurer gärtner lagerist logistiker disponent buchhalter
    informatiker fahrer praktikant grafiker spezialist diagnostiker registerhalter
    verantwortliche verantwortlicher chef sekretär sekretaer arzt ärztin lehrer erzieher
    betreuer koordinator planer zeichner konstrukteur fachperson lehrperson
    """.split()  # noqa: SIM905
    for gender in ("", "in", "innen", "en")  # "Fachpersonen"
)
_WORD: Final = re.compile(r"[^\W\d_]+")


def _is_role_word(word: str) -> bool:
    """`word` (lower case) names a role, in the singular or the plural."""
    return (
        word in _ROLE_WORDS
        or (word[-1:] == "s" and (word[:-1] in _ROLE_WORDS or word[:-2] in _ROLE_WORDS))
        or (len(word) > MIN_COMPOUND_CHARS and word.endswith(_GERMAN_ROLE_ENDINGS))
    )


# Shorter words are no German compound: "maler" names a painter, "chef" a chef.
MIN_COMPOUND_CHARS: Final = 5


def words_of(value: str) -> list[str]:
    """The words of `value` in lower case."""
    return _WORD.findall(value.lower())


def names_a_role(value: str, words: list[str] | None = None) -> bool:
    """Some word of `value` (`words`: its words, when the caller has them) names a role
    ("Senior Data Engineer", "Bäcker/in")."""
    if words is None:
        words = _WORD.findall(value.lower())
    if any(_is_role_word(word) for word in words):
        return True
    if ("dev" in words or "devs" in words) and _DEV.search(value):
        return True
    return any(pair in _ROLE_PAIRS for pair in itertools.pairwise(words))


def ends_with_role(value: str) -> bool:
    """The last word of `value` names a role ("Data Engineer", not "Head of Engineering";
    "Sr. AI SWE's" is a plural written with an apostrophe)."""
    if value.endswith(("'s", "\u2019s")):
        value = value[:-2]
    words = _WORD.findall(value.lower())
    if not words:
        return False
    if words[-1] in ("dev", "devs"):
        return _DEV.search(value) is not None
    return _is_role_word(words[-1]) or (len(words) > 1 and (words[-2], words[-1]) in _ROLE_PAIRS)


# "Full-Stack Product Dev", "Quant Devs": a developer after a capitalised word, not a domain
# ("exe.dev"), "Dev Tools" or "many roles in dev".
_DEV: Final = re.compile(r"(?:^|[ ])[A-Z][\w+#-]*[ ]Devs?(?:$|(?=[ ][(/]))")


# Separated one-line heads: "Acme | Senior Engineer | Berlin | REMOTE | $150k-$200k".
SEGMENTS: Final = re.compile(r"[ ]?[|•][ ]?|[ ]·[ ]?|·[ ]|[ ][\u2013\u2014-][ ]")
# A title may hold a dash ("Engineering Manager - Payments"), never a bar or a dot.
# A middle dot between letters is Catalan's ("metal·lúrgic"): no separator.
BAR_SEGMENTS: Final = re.compile(r"[ ]?[|•][ ]?|[ ]·[ ]?|·[ ]")
BULLET: Final = re.compile(r"[-*•·▪◦‣\u2013\u2014]|\d{1,3}[.)][ \t]|\[\d{1,3}\][ ]")
_URL: Final = re.compile(r"https?://|www\.", re.IGNORECASE)
# A capitalised word that starts sentences but never a company's name.
NOT_A_NAME: Final = frozenset(
    {
        "we", "our", "us", "you", "your", "this", "that", "it", "its", "they", "their", "there",
        "here", "the", "a", "an", "job", "role", "position", "team", "company", "who", "what",
        "my", "his", "her", "these", "those", "all", "each", "every",
    }
)  # fmt: skip


class Found(NamedTuple):
    """A field's value and, when it was read from the text, its span there."""

    value: str
    span: tuple[int, int] | None


class HeadLine(NamedTuple):
    text: str  # stripped of white space at both ends
    start: int  # offset of `text` in the posting

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def part(self, start: int, end: int) -> HeadLine:
        """`text[start:end]` stripped, with its offset."""
        raw = self.text[start:end]
        stripped = raw.strip()
        return HeadLine(stripped, self.start + start + len(raw) - len(raw.lstrip()))


def segments(line: HeadLine, pattern: re.Pattern[str] = SEGMENTS) -> list[HeadLine]:
    """The non-empty parts of a line between separators; [] when it has none."""
    parts = []
    position = 0
    for match in pattern.finditer(line.text):
        parts.append(line.part(position, match.start()))
        position = match.end()
    if not parts:
        return []
    parts.append(line.part(position, len(line.text)))
    return [part for part in parts if part.text]


class HeadLines:
    """The head lines (`_head_lines`), read once per document (`Document.derived`) and only
    as far as a reader goes: the title and the company are nearly always on the first few."""

    def __init__(self, document: Document) -> None:
        self._rest = _head_lines(document)
        self._lines: list[HeadLine] = []

    def get(self, index: int) -> HeadLine | None:
        while len(self._lines) <= index:
            line = next(self._rest, None)
            if line is None:
                return None
            self._lines.append(line)
        return self._lines[index]

    def __iter__(self) -> Iterator[HeadLine]:
        index = 0
        while (line := self.get(index)) is not None:
            yield line
            index += 1

    def index_at(self, offset: int) -> int | None:
        """The index of the head line holding `offset`."""
        for index, line in enumerate(self):
            if line.start <= offset <= line.end:
                return index
            if line.start > offset:
                return None
        return None


def _head_lines(document: Document) -> Iterator[HeadLine]:
    """The non-blank, non-URL lines of the head (the first `HEAD_LINES` lines, blank ones
    counted, within the first `HEAD_CHARS` characters), stripped, with their offsets, read
    from the document's lines."""
    text = document.text
    number = 0  # of the line in the text, blank lines counted
    previous_start = 0
    for line in document.lines:
        if line.start >= HEAD_CHARS:
            break
        number += text.count("\n", previous_start, line.start)
        if number >= HEAD_LINES:
            break
        previous_start = line.start
        raw = line.text if line.end <= HEAD_CHARS else line.text[: HEAD_CHARS - line.start]
        stripped = raw.strip()
        if stripped and not is_url(stripped):
            yield HeadLine(stripped, line.start + len(raw) - len(raw.lstrip()))


def is_url(line: str) -> bool:
    """A line that is one link, like "https://..." or "link-https://..."."""
    return " " not in line and _URL.search(line) is not None


def is_body(line: str) -> bool:
    """A line of running text: long, a sentence, or a bullet ("... Corporate & Investment...",
    a title cut short, is none)."""
    return (
        len(line) > 2 * MAX_TITLE_CHARS
        or (line[-1] in ".!?" and not line.endswith("..."))
        or BULLET.match(line) is not None
    )
