"""The job title, read from how postings are laid out.

In order, the first that gives a title:
1. a page's front matter or a label line ("title: ...", "Job title: X", "Intitulé du poste"),
2. the head lines: the first that reads like a title, where what marks a title counts for
   more than its words: gender markers ("(m/w/d)", "(H/F)", "Bäcker/in"), a workload
   ("100%"), the line that introduces it ("... suchen wir Sie als"), the fact lines after it
   ("Class Code: 1835", "Localidad: Madrid", "64 - BAYONNE", "Lisboa, Portugal · Remoto"),
3. a sentence of the opening that names the role ("As a Data Engineer on ...", "We are
   hiring a Founding Engineer to ...", "A postdoc position is open ..."),
4. the first item of a list of roles ("We're hiring across the stack:" then "- AI Engineer").

A title is then trimmed of what is not its name (docs/parser-labelling.md): an employer before
it ("FedRAMP: Director"), gender markers and workloads with what follows them, grades and
class codes ("GS15"), references, status words ("REVISED"), placeholders ("<ORGANIZATION>"),
listing words ("Hiring ...", "... Roles"), a stated place, shift or contract tails. The value is
always the text at its span.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from jobstream_parser import geo
from jobstream_parser.document import Document
from jobstream_parser.fields import (
    BAR_SEGMENTS,
    BULLET,
    HEAD_CHARS,
    MAX_TITLE_CHARS,
    MAX_TITLE_WORDS,
    Found,
    HeadLine,
    HeadLines,
    ends_with_role,
    is_body,
    names_a_role,
    segments,
)
from jobstream_parser.heads import finditer
from jobstream_parser.sections import names_a_section

# "As a <Title> on the team" and its kin are looked for in the opening only.
OPENING_CHARS: Final = 1_500
# Marked titles ("(m/w/d)", "100%") may follow a few lines of running text (a cut ad).
MAX_MARKED_LINE: Final = 12
# Longer lines are no title, however marked.
MAX_MARKED_CHARS: Final = 120
# "Karrierestufe: Manager": a field's label is at most this long.
MAX_FIELD_LABEL_CHARS: Final = 44
# The end of a line that may introduce a title ("... suchen wir Sie als").
INTRODUCER_CHARS: Final = 30
# An employer's line between a title and its place ("Confidencial").
MAX_NAME_LINE_CHARS: Final = 60
# A head of parts: "Acme | Senior Engineer | Berlin | ..." (a bar in its first characters).
FORUM_HEAD_CHARS: Final = 120
FORUM_HEAD_LINES: Final = 3
# A list of roles is looked for in this many head lines.
MAX_LIST_LINES: Final = 30
MAX_TRIMS: Final = 6

# "Job title: Data Analyst", "Contract: Staff Backend Engineer": a label, then the title.
_LABEL_PREFIX: Final = re.compile(
    r"(?:contract|full[- ]?time|part[- ]?time|internship|temporary|freelance|permanent"
    r"|(?:job |position |official )?title|position|roles?|(?:now |we're |we are )?hiring"
    r"|stellenbezeichnung|stellentitel|intitulé du poste|intitulé|poste|puesto|cargo|vaga"
    r"|funktion|job)[ \t]*:[ \t]*",
    re.IGNORECASE,
)
_TITLE_LABELS: Final = ("job", "title", "position title", "stellen", "intitulé", "puesto")
# Also what the company finder must not take for an employer's name ("Job title: X").
TITLE_LABEL: Final = _LABEL_PREFIX
# A label alone on its line, the title on the next.
_LABEL_ALONE: Final = re.compile(
    r"(?:job title|stellenbezeichnung|intitulé du poste|título del puesto|nome da vaga"
    r"|denominación del puesto)[ ]?:?",
    re.IGNORECASE,
)
# "--- layout: raw title: TTS - Sourcing Strategist ---": front matter flattened onto a line.
_FRONT_MATTER_TITLE: Final = re.compile(
    r"(?:^|[ ])title:[ ]\"?(?P<title>[^\"\n]{2,200}?)\"?(?=[ ][a-z_]{2,20}:[ ]|[ ]---|$)"
)
# How a page names its employer: "About TTS", "Join the Technology Transformation Services".
_NAMED_EMPLOYER: Final = ("\nAbout {}\n", "Join the {}\n", "Join {}\n", "\n{} is ")
MAX_EMPLOYER_WORDS: Final = 4
# "Karrierestufe: Manager", "Location: Berlin": a field label, not a title's employer.
_FIELD_LABEL: Final = re.compile(r"(?P<label>[^:]{2,40}?)[ ]?:[ ]")
# "Acme (YC W23) Is Hiring a Head of Engineering", "Hiring Growth Marketer".
_HIRING: Final = re.compile(
    r"(?:^|[ ])(?:is |are |now |we're |we are )?hiring(?: an?| for| our)?(?:[ ]|[:-][ ]?|$)",
    re.IGNORECASE,
)

# Gender markers: "(m/w/d)", "(m//f/d)", "(H/F)", "F/H", "H-F", "(all genders)", "(w/m)",
# "(gn)", " (a)" (glued to the word, "ADVOGADO(A)" is the role in both genders, as
# "ENFERMERO/A" is), "(männlich oder weiblich)".
_GENDER_MARKER: Final = re.compile(
    r"[ ]?\((?:[mwfdhx*][ ]?//?[ ]?){1,3}[mwfdhx*]\)|[ ]?\((?:all genders|gn)\)|[ ]\((?:o/a|a)\)"
    r"|[ ]?\((?:männlich|weiblich)(?:[ ]oder[ ]|[ ]?/[ ]?)(?:männlich|weiblich)\)"
    r"|(?<=[ ])(?:[mwfhx]/){1,2}[mwfdhx](?=[ ]|$)"
    r"|(?<=[ ])(?-i:H-F|F-H)(?=[ ]|$)",  # "ELECTRICIEN H-F"
    re.IGNORECASE,
)
# A role written for both genders: "Bäcker/in", "Verkaufsberater/-in", "ENFERMERO/A",
# "GrafikerIn", "Stellvertretende/r", "cambrers/eres".
_BOTH_GENDERS: Final = re.compile(
    r"(?<=[^\W\d_]{3})/-?(?:in|innen|a|as|r|e|eres|ne|euse|rice|ice|IN|INNEN|A|AS)\b"
    r"|(?:er|eur|ent|ist|ant)In\b"
)
# A workload that marks a title: at its end or in parentheses ("Bäcker/in 100%", "(50%)").
# One role in both genders: "Monteurin/Monteur", "Assistenzärztin/Assistenzarzt",
# "Kauffrau/Kaufmann".
_GENDER_PAIR: Final = re.compile(
    r"(?P<stem>[^\W\d_]{4})[^\W\d_]*in[ ]?/[ ]?(?P=stem)|frau[ ]?/[ ]?\w*mann\b"
    r"|(?P<male>[^\W\d_]{4})[^\W\d_]*[ ]?/[ ]?(?P=male)[^\W\d_]*in(?:nen)?\b",
    re.IGNORECASE,
)
# Workloads are 10% or more ("401k Matching up to 4%" is no workload).
_WORKLOAD_MARK: Final = re.compile(
    r"\((?:[1-9]\d|100)(?:[ ]?[-\u2013][ ]?\d{1,3})?[ ]?%\)"
    # "50% / Temporär"
    r"|(?<!to )\b(?:[1-9]\d|100)(?:[ ]?[-\u2013][ ]?\d{1,3})?[ ]?%(?:$|[ ]?[/,|])"
)
_PLACEHOLDER: Final = re.compile(r"[ ]?<[A-Z_]{2,20}>")
# A workload: "100%", "80-100 %", "(50%)", "(10-20%)".
_WORKLOAD: Final = re.compile(
    r"[ ]?\(?\b\d{1,3}(?:[ ]?[-\u2013][ ]?\d{1,3}|[ ]bis[ ]\d{1,3})?[ ]?(?:%|Prozent\b)\)?"
)
_WORKLOAD_LINE: Final = re.compile(
    r"(?:(?:vollzeit|teilzeit|pensum|arbeitspensum)[ ,:]*)?\d{1,3}(?:[ ]?[-\u2013][ ]?\d{1,3})?"
    r"[ ]?%(?:[ ,]*(?:vollzeit|teilzeit))?",
    re.IGNORECASE,
)
# What follows a title line on a job board's page: its facts.
_FACT_LINE: Final = re.compile(
    r"(?:class code|localidad|empresa|company|location|locations|standort|arbeitsort"
    r"|arbeitsorte|lieu|ort|entreprise|employer|place|city|ubicación|local)[ ]?:"
    r"|\d{2,3}[ ]-[ ]\S"  # "64 - BAYONNE": a French département and a town
    r"|[^·\n]{2,60}[ ]·[ ](?:remoto|presencial|híbrido|hibrido|remote|hybrid|on-?site)$",
    re.IGNORECASE,
)
_PLACE_LINE: Final = re.compile(
    r"(?P<place>[^,·\n]{2,40})(?:,[^·\n]{2,40})?[ ]·[ ]\w+$"
    r"|(?:localidad|location|standort|arbeitsort|lieu)[ ]?:[ ]?(?P<labelled>[^(,\n]{2,40})"
    r"(?:\((?P<province>[^()\n]{2,40})\))?",
    re.IGNORECASE,
)
# The line before a title that introduces it: "... suchen wir Sie als", "... eine/n",
# "wird folgende Arbeitsstelle öffentlich ausgeschrieben:".
_INTRODUCES: Final = re.compile(
    r"(?:[ ](?:als|eine/n|eine/-n|eine/einen|einen/eine|eine/-en|eines/einer|einen|eine|einem"
    r"|einer|neue/n|neue/r|mehrere|un/une|un\(e\)|une|un)"
    r"|suchen wir(?: sie)?|ausgeschrieben|recherchons|recrute|buscamos|busca|procura"
    r"|procuramos):?$",
    re.IGNORECASE,
)

_INTRODUCING_WORDS: Final = frozenset(
    "als eine/n eine/-n eine/einen einen/eine eine/-en eines/einer einen eine einem einer neue/n"  # noqa: SIM905
    " neue/r mehrere un/une un(e) une un wir sie ausgeschrieben recherchons recrute buscamos busca"
    " procura procuramos".split()
)
# Trimmed from a title's start: listing words ("Hiring", "Vaga para", "Se busca", "3-jährige
# Lehre als") and an article.
_LEADING_WORDS: Final = re.compile(
    r"(?:(?:now |we're |we are )?hiring:?|vaga(?: para| de)?:?|se busca|se precisa|se necesita"
    r"|se requiere|buscamos|(?:\d-jährige[ ])?(?:lehre|ausbildung|lehrstelle)[ ](?:als|zum|zur)"
    r"|a|an|eine/-?n|einen|un\(e\)|un/une|un/a|\[[^\]\n]{1,30}\]"
    r"|(?:multiple|several|open)[ ]roles?:|\d{1,2}[ ]?x"  # "1x Infra Engineer"
    # "Looking for a CTO / Tech Lead", "3-year PhD scholarship": a listing's words, a duration
    r"|(?:looking[ ]for|seeking)(?:[ ]an?)?|(?:\d{1,2}|one|two|three|four|five)-year)[ ]+(?=\S)",
    re.IGNORECASE,
)
# What ends a title's name (all that follows goes too): a placeholder token, a stated URL, a
# reference in parentheses, a grade or class code, a status word.
_NAME_ENDS: Final = re.compile(
    r"[ ]?<[A-Z_]{2,20}>"  # "<ORGANIZATION>": a corpus's masked name
    r"|:?[ ]\(?https?://\S+"
    r"|[ ]\((?:[A-Z]{2,10}[_-]?)?\d{4,}\)"  # "(BAL_20113444)"
    r"|[,]?[ ](?:GS|GG|IC|WG)[- ]?\d{1,2}(?:[ ]?[/-][ ]?\d{1,2})?\b"  # "GS15", "GS-14/15"
    r"|[,]?[ ](?i:class code|job code|req(?:uisition)?(?: id)?)(?:[ #:]*\d+|$)"
    r"|[ ]\((?i:ref\.?[ ]?)?[A-Z]{0,10}\d{0,2}[_-]?\d{4,}\)"  # "(T7-33687)", "(REF. 5148)"
    r"|[ ](?i:referenznummer|réf\.|ref\.|stellenvakanz|vakanz-nr\.?)[ :#]*\S+"
    r"|[ ][A-Z]{2,5}-\d{3,}$"  # "... CONTABILIDAD ADM-1425"
    r"|[ ]?[(\[]?\b(?:REVISED|UPDATED|RE-?OPENED|CLOSED|CANCELL?ED)\b[)\]]?",
)
# Trimmed from a title's end, one at a time: "(Summer 2025)", " - Per Diem", " (Remote)",
# " @ Acme", " at Acme", " Roles", " - TURNOS ROTATIVOS", " - befristet 1 Jahr".
_TITLE_TAIL: Final = re.compile(
    r"[ ]?\((?:summer|fall|autumn|winter|spring)?[ ]?\d{4}\)$"
    r"|[ ](?:[-\u2013\u2014|][ ]?|\()(?:full[- ]?time|part[- ]?time|contract(?:[- ]to[- ]hire)?"
    r"|contractor|freelance|temporary|temp|temporal|per diem|prn|internship|permanent|remote"
    r"|hybrid|on-?site|befristet[^)]*|unbefristet|festanstellung|teilzeit|vollzeit|saisonstelle"
    r"|cdi|cdd|int[ée]rim)\)?$"
    r"|[ ]\((?:ab|per)[ ]sofort\)$"  # "Service Desk Agent (ab sofort)": the start
    # "AUXILIAR ADMINISTRATIU TARDA", "EDUCADORS/A SOCIAL (1/2 JORNADA)", "TELEOPERADORA 1/2
    # PARCIAL", "Auxiliar de Serveis PARCIAL MATINS", "CONSERJE - FIN DE SEMANA": the hours
    r"|[ ](?:[-\u2013][ ])?\(?(?:(?:para|per(?:[ ]a)?)[ ])?(?:tarda|tardes|matins?|matí|mañanas?"
    r"|noche|nit|fin(?:es)?[ ]de[ ]semana|cap[ ]de[ ]setmana|1/2[ ](?:jorn\w*|parcial)"
    r"|media[ ]jornada|(?:jornada[ ])?parcial(?:[ ]\w+)?)\)?$"
    # "MONITORS/ES ... (SUPLÈNCIES)", "(contrato de sustitución)", "COCINERA/O CONTRATO EN
    # PRÁCTICAS BONO DE EMPLEO JOVEN", "PEÓN - PROGRAMA EMPLEO JUVENIL": the contract or the
    # programme that pays for it
    r"|[ ](?:[-\u2013][ ])?\(?(?:per[ ])?(?:suplències|substitució\w*|sustitución"
    r"|(?:contrato|contracte)[ ](?:de|per|para)[ ].*|bono[ ]de[ ]empleo.*"
    r"|programa[ ]empleo[ ]juvenil|garantia[ ]juvenil)\)?$"
    r"|[ ]\((?=[^)]*\d[^)]*\d)[A-Z0-9][A-Z0-9-]{2,29}\)$"  # "(35PEJ)", "(64PEJ-79PEJ)": a code"
    r"|[ ](?:@|at)[ ][A-Z0-9][\w&.-]*(?:[ ][A-Z0-9][\w&.-]*){0,3}$"
    r"|[ ](?:multiple[ ])?(?:roles|positions|openings|vacancies|jobs)$"
    r"|[ ]\((?:remote|hybrid|on-?site)\b[^()]{0,40}\)$"  # "(Remote, EU timezone)"
    # "(Entry-level, Remote, Worldwide)": facts listed in parentheses, a work mode among them
    r"|[ ]\((?![^()]*level)[^()]{1,30},[ ](?:remote|hybrid|on-?site)\b[^()]{0,30}\)$"
    r"|[ ]?,[ ](?:remote|hybrid|on-?site)$"  # "Full-Stack Engineer (Python / React) , Remote"
    r"|[ ]\(\d[\d.,]*k?[ ]?[-\u2013][ ]?\d[\d.,]*k?[ ]?(?:EUR|USD|GBP|CHF|CAD)\)$"  # "(40-80k EUR)"
    r"|[ ]\([^()]{1,40}\b(?:remote|hybrid|on-?site)\)$"  # "(NYC, Onsite)"
    r"|-(?:remote|remoto|hybrid|híbrido|hibrido|presencial)$"  # "Assistente Financeiro-Híbrido"
    r"|,[ ][\w ]{1,40}[ ]team$"  # ", ArsenalOS Team"
    # "Senior Fullstack Engineer (Golang, AWS) 3 days in-office Chicago": the work mode
    r"|[ ](?:[1-4]|one|two|three|four)[ ]days?(?:[ ]a[ ]week)?[ ]in[- ]office\b.*$"
    # " - $95-$250K in Turkey": pay ("Caces 1 - 3" names categories)
    r"|[ ][-\u2013\u2014][ ]?(?:[$€£]|\d{2}|\d[kK]).*$"
    r"|[ ][-\u2013\u2014][ ](?:turnos?|shifts?|torn|horario|schicht)\b.{0,40}$"
    r"|[ ]?\([ ]?(?:torn|turno|shift)\b[^)]{0,30}\)$"
    r"|[ ][\u2014\u2013-][ ]*(?:job description|stellenausschreibung|stellenangebot"
    r"|stelleninserat|offre d'emploi|oferta de empleo|job posting)$"
    r"|[ ]\(\d{1,2}\+?[ ]?(?:yoe|yrs?|years?)[^()]{0,20}\)$"  # "(3+ YoE)": experience
    r"|[ ]\([$€£]\d[^()]{0,30}\)$"  # "($200-250K)": pay
    # "Promotor para ong en alicante, 800€ brutos fijos/mes + incen. 4'5h diarias": pay and
    # hours after a board's title
    r"|,?[ ]\d[\d.,]*[ ]?€.*$"
    r"|[ ]\d{1,2}(?:[ ]?[,.'\u00b4\u0301][ ]?\d)?[ ]?h(?:oras)?[ ](?:diarias|al[ ]día|día"
    r"|semanales)\b.*$"
    r"|[ ]\((?:all|any|multiple|various)[ ]levels?\)$"  # "(All levels)"
    # "AUXILIAR ADMINISTRATIU TARDA (ANGLÈS AVANÇAT)": a language the job requires
    r"|[ ]\((?:angl[eè]s|ingl[eé]s|franc[eè]s|alem[aà]n[y]?|catal[aà]n?|euskera|idiomas?)\b"
    r"[^()]{0,30}\)$"
    r"|[ ]en[ ](?:cdi|cdd|int[ée]rim|alternance)$"  # "... en CDI."
    r"|,?[ ]and[ ](?:many[ ])?more$"  # "..., and many more"
    r"|[ ]in[ ](?:der|unserer|unseren)[ ][^ ]*(?:filiale|niederlassung|geschäftsstelle)\b.*$"
    r"|[ ]?(?:[.]{1,3}|\u2026)$"  # a full stop, a title cut short ("Corporate & Investment...")
    r"|[ ]?[\u2192\u00bb]+$",  # a link's arrow: "Senior Engineer, Cloud →"
    re.IGNORECASE,
)
# "Software Engineer IV", "Analyst 2": a level after the role's noun.
_LEVEL_NUMERAL: Final = re.compile(r"[ ](?:I{1,3}|IV|V|VI{0,3}|[1-9])$")
_TRAILING_PARENS: Final = re.compile(r"[ ]?\([^()]*\)$")
# "Expertin / Experte", "Vendeur / Vendeuse": one role in two genders shares its start.
GENDER_PAIR_CHARS: Final = 4
_LEVEL_WORDS: Final = frozenset({"principal", "senior", "staff", "junior", "sr", "jr"})
_TAIL_WORDS: Final = frozenset(
    {"roles", "positions", "openings", "vacancies", "jobs", "team"}
    # the hours, a contract or a programme after a board's title
    | {"tarda", "tardes", "matins", "matí", "mañana", "mañanas", "noche", "nit", "semana"}
    | {"setmana", "parcial", "prácticas", "pràctiques", "joven", "juvenil", "substitució"}
    | {"suplències"}
    | {"remote", "hybrid", "onsite"}  # "..., Remote"
    | {"diarias", "día", "semanales"}  # "... 4'5h diarias"
)
# A second role after a spaced slash, an ampersand or "and": "Founding Engineer / Founding GTM",
# "Software Engineers (full-stack) and Strategic Project Lead".
_SECOND_ROLE: Final = re.compile(r"[ ](?:/|&|\+|and)[ ]|(?<=[a-z])/[ ](?=[A-Z])")
# "- AI Engineer: agentic systems", "[1] Senior Engineer, AI Tools - US/Canada".
_ITEM_DETAIL: Final = re.compile(r":[ ]")
_PLACE_TAIL: Final = re.compile(
    r"[ ][-\u2013\u2014][ ](?:remote\b.*|(?:US|USA|UK|EU|EMEA|APAC|LATAM|Canada|Europe|Ireland"
    r"|Poland|Germany|France|Spain|Portugal|Brazil|India|Worldwide|Global|Anywhere)\b[^()]*)$",
    re.IGNORECASE,
)
_LIST_INTRO: Final = re.compile(
    r"(?:roles?|positions?|openings?|hiring|looking for|seeking|jobs|vacancies|postes|stellen"
    r"|vagas|puestos)\b"
    r"[^:\n]{0,60}:$",
    re.IGNORECASE,
)

# Sentences of the opening that name the role.
_AS_A: Final = re.compile(r"\b(?:As|as)(?: an?)? (?=[A-Z])")
_HIRING_A: Final = re.compile(
    r"\b(?:[Hh]iring|[Ll]ooking for|[Ss]eeking|[Ww]e seek|[Rr]ecruiting|search of|searching for"
    r"|[Aa]re you|[Dd]o you want to be|and become|[Ww]e need)"
    r"(?: an?| one| \d| our| the)? (?=(?:[a-z][\w-]*,? (?:and )?){0,3}[A-Z])"
)
# "a committed and proactive Project Engineer", "a quality-minded Laboratory technician"
_ADJECTIVES: Final = re.compile(r"(?:[a-z][\w-]*,?[ ](?:and[ ])?){1,3}(?=[A-Z])")
_IN_THE_ROLE: Final = re.compile(r"\b(?:in the role of|position as|role as) (?:an? )?")
_POSITION_OPEN: Final = re.compile(
    r"^(?:An? )?(?:(?:\d{1,2}|one|two|three|four|five)-year )?"  # "A 3-year PhD scholarship"
    r"(?P<title>[\w-]+(?: [\w-]+){0,3}?) (?:(?P<post>scholarship|fellowship"
    r"|studentship)|position|post) (?:is|in|at|within|for)\b",
    re.IGNORECASE,
)
# Where a title named in a sentence ends: "... Engineer on the team", "... Engineer, you will".
_SENTENCE_TITLE_END: Final = re.compile(
    r"[,;.!?(\u2013\u2014]|[ \t](?:on|at|in|for|with|within|who|you|to|and|that|based|from|is"
    r"|will|as)\b|[ \t][a-z]{2,}ing\b|$"
)
_TITLE_CONNECTORS: Final = frozenset({"of", "and", "&", "/", "-", "\u2013", "for"})


# How sure the layout makes a line a title: not at all, by a marker in it ("(m/w/d)",
# "100%"), or by its place among the lines (introduced by "... Sie als", followed by facts).
UNMARKED: Final = 0
MARKED: Final = 1
PLACED: Final = 2


class _Candidate(NamedTuple):
    found: Found
    mark: int


def find_title(document: Document) -> Found | None:
    """The job title (see the module's docstring for the order of the rules)."""
    lines = document.derived(HeadLines)
    found = _labelled_title(document, lines) or _head_title(lines)
    if found is not None:
        return found
    # A sentence of the opening or a list of roles: whichever the posting names first.
    inline = _marked_in_text(lines)
    if inline is not None:
        return inline
    opening = _title_in_opening(document.text[:OPENING_CHARS])
    listed = _listed_title(lines)
    if opening is None and listed is None:
        return _lower_title_in_opening(document.text[:OPENING_CHARS])
    if opening is None or (listed is not None and _start(listed) < _start(opening)):
        return listed
    return opening


def _marked_in_text(lines: HeadLines) -> Found | None:
    """A cut ad's title run into its text: marked by its gender marker after the sentence
    before it ("... engagierte Persönlichkeiten. Software Engineer Realtime Embedded Systems
    (w/m) Was Sie tun: ..."), or a role in both genders after the article that introduces it
    ("ab sofort oder nach Vereinbarung eine/n Metallbauer/in EFZ zur Festanstellung.")."""
    for index, line in enumerate(lines):
        if index >= MAX_MARKED_LINE:
            break
        text = line.text
        if "/" not in text:
            continue
        role = _INTRODUCED_ROLE.search(text)
        if role is not None:
            found = _trimmed(line.part(*role.span("role")), strong=True)
            if found is not None:
                return found
        marker = _INLINE_MARKER.search(text) if "(" in text else None
        if marker is None:
            continue
        start = text.rfind(". ", 0, marker.start()) + 2 if ". " in text[: marker.start()] else 0
        part = line.part(start, marker.start())
        if _title_cased(part.text) and part.text[:1].isupper():
            found = _trimmed(part, strong=False)
            if found is not None:
                return found
    return None


_INLINE_MARKER: Final = re.compile(r"[ ]\((?:[mwfdx]/){1,2}[mwfdx]\)", re.IGNORECASE)
_INTRODUCED_ROLE: Final = re.compile(
    r"\b(?:eine/n|eine/-n|eine/einen|einen/eine|eine\(n\)|ein/e)[ ]"
    r"(?P<role>[A-ZÄÖÜ][\w-]*(?:/-?in|/-?innen)\b(?:[ ](?:EFZ|EBA|HF|FH|ETH))?)"
)


def _start(found: Found) -> int:
    return found.span[0] if found.span else 0


def _labelled_title(document: Document, lines: HeadLines) -> Found | None:
    first = lines.get(0)
    if first is not None and first.text.startswith("---"):
        match = _FRONT_MATTER_TITLE.search(first.text)
        if match is not None:
            value = _after_employer(first.part(*match.span("title")))
            found = _trimmed(_after_named_employer(value, document.text), strong=True)
            if found is not None:
                return found
    if not document.has_anchor("title_label", 0, HEAD_CHARS):
        return None
    previous: HeadLine | None = None
    for line in lines:
        label = _LABEL_PREFIX.match(line.text)
        if label is not None and label.group().lower().startswith(_TITLE_LABELS):
            found = _trimmed(_after_employer(line.part(label.end(), len(line.text))), strong=True)
            if found is not None:
                return found
        if previous is not None and _LABEL_ALONE.fullmatch(previous.text):
            found = _trimmed(line, strong=True)
            if found is not None:
                return found
        inner = _INNER_TITLE_LABEL.search(line.text) if "itle: " in line.text else None
        if inner is not None:
            # "Auto req ID: 1393BR Official Title: Product Manager - ERD Job Area: Sales": a
            # page's fields flattened onto one line; the title ends where the next label starts.
            found = _trimmed(line.part(*inner.span("title")), strong=True)
            if found is not None:
                return found
        previous = line
    return None


_INNER_TITLE_LABEL: Final = re.compile(
    r"[ ](?:Official|Job|Position) Title: (?P<title>[^:]{2,100}?)"
    r"(?=[ ][A-Z][\w/&]*(?:[ ][A-Z/&][\w/&]*)?:[ ]|$)"
)


def _head_title(lines: HeadLines) -> Found | None:
    """The first head line that reads like a title. Unmarked lines count only before the
    first line of running text; lines marked as titles within `MAX_MARKED_LINE` lines."""
    body_seen = False
    previous: HeadLine | None = None
    for index, whole in enumerate(lines):
        if index >= MAX_MARKED_LINE and body_seen:
            break
        line = _before_placeholder(whole)
        text = line.text
        # "Acme | Senior Engineer | Berlin", "Senior Designer at Acme | Y Combinator Open menu
        # About ...": a bar early on makes the line a head of parts, however long.
        forum = "|" in text[:FORUM_HEAD_CHARS]
        body = not forum and is_body(text)
        if (
            text
            and not BULLET.match(text)
            and (forum or len(text) <= MAX_MARKED_CHARS)
            and not introduces(text)  # "Umfeld? Dann sind Sie unser/e neue/r": the next line
        ):
            # "Edit: APPLICATIONS CLOSED - ... thank you." above "Acme | ONSITE | Backend
            # Engineer": a forum head a line or two down still heads the post.
            late = body or (body_seen and not (forum and index < FORUM_HEAD_LINES))
            candidate = None if late else _title_of_line(line, UNMARKED, lines, index)
            if candidate is None and not forum:
                # Marks only widen what is read as a title: looked for when needed.
                mark = _mark(text, previous, lines, index)
                if mark == PLACED or (mark == MARKED and not body):
                    candidate = _title_of_line(line, mark, lines, index)
            elif candidate is None and late:
                candidate = _title_of_line(line, UNMARKED, lines, index)  # marked parts only
            if candidate is not None and candidate.mark == PLACED:
                # "... Persönlichkeit als" / "[icon] KWO" / "GRIMSELSTROM" / "LEITER
                # BETRIEBSFUEHRUNG (männlich oder weiblich)": a logo's words, the role below.
                candidate = _marked_below(candidate, lines, index)
            if candidate is not None and (candidate.mark or not late):
                return candidate.found
        # A cut ad may start mid-sentence ("im Belegarztsystem."): no body yet.
        body_seen = body_seen or (body and not (index == 0 and _is_fragment(text)))
        previous = line
    return None


def _before_placeholder(line: HeadLine) -> HeadLine:
    """ "Senior Java Developer <ORGANIZATION> <LOCATION> ...": the line up to the first
    placeholder of a corpus that masked names."""
    match = _PLACEHOLDER.search(line.text)
    if match is None or match.start() == 0:
        return line
    # "Full Stack Engineer at <ORGANIZATION>", "Network Engineer - (<ORGANIZATION>)": what
    # led to the name goes with it.
    cut = _BEFORE_NAME.search(line.text, 0, match.start())
    part = line.part(0, cut.start() if cut is not None else match.start())
    return part if part.text else line.part(0, match.start())


# What leads to a masked name at the end of a cut line.
_BEFORE_NAME: Final = re.compile(r"(?:[ ](?:at|in|for|with|bei|chez|@))?[ ,:(\-\u2013]*$")


def _marked_below(candidate: _Candidate, lines: HeadLines, index: int) -> _Candidate:
    """An introduced line that names no role gives way to a line of the next two that a gender
    marker makes a title and that names one."""
    if names_a_role(candidate.found.value):
        return candidate
    for offset in (1, 2):
        line = lines.get(index + offset)
        if line is None or len(line.text) > MAX_MARKED_CHARS or not _has_gender_marker(line.text):
            continue
        below = _title_of_line(line, MARKED, lines, index + offset)
        if below is not None and names_a_role(below.found.value):
            return below
    return candidate


def _is_fragment(text: str) -> bool:
    return text[0].islower() or text[0] in ",.;:)]"


def _title_of_line(line: HeadLine, mark: int, lines: HeadLines, index: int) -> _Candidate | None:
    text = line.text
    parts = segments(line, BAR_SEGMENTS) if _BAR_CHAR.search(text) else []
    if not parts and _LONG_DASH.search(text) and len(_SPACED_DASH.findall(text)) >= 2:
        parts = segments(line, _SPACED_DASH)
    if parts:
        # "Acme | Senior Engineer | Berlin": the part naming a role; only its own gender
        # marker marks it ("100% REMOTE" marks no part).
        for part in parts:
            if len(part.text) > MAX_MARKED_CHARS or _TERMS_PART.match(part.text):
                continue
            if _is_list_of_roles(part.text):
                # "Tech Lead, AI Engineer, Senior/Lead Infra engineer": the first role named;
                # "AI, Fullstack, Frontend Engineers + GTM" names none on its own; "Full Stack
                # Web Developer - Python, JavaScript, SQL" is one role and its tools.
                first = part.part(0, part.text.find(", "))
                dash = first.text.find(" - ")
                if _ends_with_role(first.text):  # "Software Engineers (All levels), ..."
                    part = first
                elif dash < 0 or not _ends_with_role(first.text[:dash]):
                    continue

            part_mark = MARKED if _has_gender_marker(part.text) else UNMARKED
            found = _candidate(_after_employer(part), part_mark, lower_case=True)
            if found is not None:
                return found
        return None
    hiring = _HIRING.search(text) if "hiring" in text.lower() else None
    if hiring is not None:
        # "Acme (YC W23) Is Hiring a Head of Engineering": the title follows the words;
        # "Bloom (YC P26) Is Hiring" names none, "... Is Hiring Designers Who Code" no title.
        rest = line.part(hiring.end(), len(text))
        # "... Is Hiring- 200k for junior engineers": pay, no title.
        if not rest.text or rest.text[0] in _PAY_START or _SENTENCE_WORD.search(rest.text):
            return None
        return _candidate(rest, mark)
    label = _FIELD_LABEL.match(text) if ":" in text[:MAX_FIELD_LABEL_CHARS] else None
    if label is not None and _LABEL_PREFIX.match(text) is None:
        if names_a_role(label.group("label")):
            # "Senior DevOps Engineer: https://...", "AI Engineer: agentic systems"
            return _candidate(line.part(0, label.end("label")), mark)
        if index > 0:
            return None  # "Karrierestufe: Manager", "Location: Berlin": a field
        # "Ubicloud (YC W24): Software Engineer": an employer's name, then the title
    if "such" in text:
        # "... und suchen einen Filialleiter", "... suchen wir eine/einen Sekretärin/Sekretär,
        # 20-25%-Pensum": the role the line ends with.
        wanted = _WE_SEEK.search(text)
        if wanted is not None and (mark or names_a_role(wanted.group("role"))):
            return _candidate(line.part(wanted.start("role"), len(text)), PLACED)
    # "Junior Ingeniero, Madrid - Primer Empleo": the place stated below may end the title.
    place = _stated_place(lines, index)
    return _candidate(_after_employer(line), mark, place=place)


_SPACED_DASH: Final = re.compile(r"[ ][\u2013\u2014][ ]")
_WE_SEEK: Final = re.compile(
    r"\bsuch(?:en|t)(?: wir)?(?: (?:per|ab) sofort)?"
    r" (?:eine/einen|einen/eine|eine/-?n|eine\(n\)|ein/e|einen|eine|ein):? "
    r"(?P<role>[^ ,.;:]+(?: [^ ,.;:]+){0,4})(?:[,;][^.]*)?$"
)
_PAY_START: Final = frozenset("0123456789$€£")
# A part of a forum head that states the terms: "Full time, interns/co-ops", "Full-time + Intern".
_TERMS_PART: Final = re.compile(
    r"(?:full[- ]?time|part[- ]?time|contract|remote|hybrid|on-?site)(?:[ ]?[,+/(]|$)",
    re.IGNORECASE,
)
# Words of a sentence, not of a title: "Designers Who Code".
_SENTENCE_WORD: Final = re.compile(r"\b(?:who|that|which|we|you|our|to|with)\b", re.IGNORECASE)


def _candidate(
    part: HeadLine, mark: int, place: tuple[str, ...] = (), *, lower_case: bool = False
) -> _Candidate | None:
    found = _trimmed(part, strong=mark != UNMARKED, place=place, lower_case=lower_case)
    # A section heading ("ANNUAL SALARY", "Ihre Aufgaben") is no title, marked or not.
    if found is None or (mark and not names_a_role(found.value) and names_a_section(found.value)):
        return None
    return _Candidate(found, mark)


def _stated_place(lines: HeadLines, index: int) -> tuple[str, ...]:
    """The places stated on the fact lines after a title, the town and its province
    ("Localidad: Vigo (PONTEVEDRA)", "Cachoeirinha, Brasil · Presencial"), which the title may
    repeat."""
    for offset in (1, 2):
        line = lines.get(index + offset)
        if line is None:
            return ()
        if "·" not in line.text and ":" not in line.text[:MAX_FIELD_LABEL_CHARS]:
            continue
        match = _PLACE_LINE.match(line.text)
        if match is not None:
            town = (match.group("place") or match.group("labelled")).strip()
            province = match.group("province")
            return (town, province.strip()) if province else (town,)
    return ()


def _mark(text: str, previous: HeadLine | None, lines: HeadLines, index: int) -> int:
    """What says a short line is a title whatever its words: the line that introduces it or
    the fact lines after it (`PLACED`); a gender marker or a workload (`MARKED`)."""
    if len(text) > MAX_MARKED_CHARS:
        return UNMARKED
    if previous is not None and introduces(previous.text):
        return PLACED
    following = lines.get(index + 1)
    if following is not None:
        facts = following.text
        if (":" in facts[:MAX_FIELD_LABEL_CHARS] or " - " in facts[:8] or "·" in facts) and (
            _FACT_LINE.match(facts)
        ):
            return PLACED
        if "%" in facts and _WORKLOAD_LINE.fullmatch(facts):
            return PLACED
        after = lines.get(index + 2)
        # "Auxiliar de Operações" / "Confidencial" / "Vespasiano, Brasil · Presencial"
        if (
            after is not None
            and "·" in after.text
            and len(following.text) <= MAX_NAME_LINE_CHARS
            and not is_body(following.text)
            and _PLACE_LINE.fullmatch(after.text) is not None
        ):
            return PLACED
    if _has_gender_marker(text) or ("%" in text and _WORKLOAD_MARK.search(text)):
        return MARKED
    return UNMARKED


def introduces(text: str) -> bool:
    """ "... suchen wir per sofort Sie als", "... recrute un": the line introduces a title."""
    end = text[-INTRODUCER_CHARS:].rstrip(" ,")
    last = end.rsplit(" ", 1)[-1].lower().rstrip(":")
    return last in _INTRODUCING_WORDS and _INTRODUCES.search(end) is not None


def _has_gender_marker(text: str) -> bool:
    """ "(m/w/d)", "H/F", "Bäcker/in", "GrafikerIn" (cheap tests first: most lines have none)."""
    if "/" in text or "(" in text:
        return bool(
            _GENDER_MARKER.search(text)
            or _BOTH_GENDERS.search(text)
            or ("/" in text and _GENDER_PAIR.search(text))
        )
    return "In" in text and _BOTH_GENDERS.search(text) is not None


def _after_named_employer(part: HeadLine, text: str) -> HeadLine:
    """A page's title after the employer's name that the page names elsewhere ("TTS Director
    of Outreach" on a page with "About TTS"; "Technology Transformation Services Engineer" on
    one with "Join the Technology Transformation Services"). The name is an acronym or two
    capitalised words or more, and names no role."""
    words = part.text.split(" ")
    for count in range(min(MAX_EMPLOYER_WORDS, len(words) - 1), 0, -1):  # the longest first
        name = " ".join(words[:count])
        domain = count == 1 and _DOMAIN.fullmatch(name) is not None  # "Login.gov"
        if count == 1 and not domain and not (name.isupper() and name.isalpha() and len(name) > 1):
            continue
        capitalised = all(word[:1].isupper() for word in words[:count])
        if not (capitalised or domain) or names_a_role(name):
            continue
        if any(phrase.format(name) in text for phrase in _NAMED_EMPLOYER):
            return part.part(len(name) + 1, len(part.text))
        # "U.S. Digital Corps - Deputy Director GS15", "Presidential Innovation Fellows (PIF)
        # Deputy Director": the page sets the name apart from the role elsewhere.
        role = " ".join(words[count : count + 2])
        if f"{name} - {role}" in text or f"({name}) {role}" in text:
            return part.part(len(name) + 1, len(part.text))
    return part


# An organisation named by its web address: "Login.gov", "cloud.gov", "Booking.com".
DOMAIN: Final = re.compile(r"[A-Za-z0-9-]{2,30}\.(?:gov|com|io|ai|org|net|co|app|dev|sh)")
_DOMAIN: Final = DOMAIN


def _after_employer(part: HeadLine) -> HeadLine:
    """The title after an employer's name: "FedRAMP: Director", "TTS Operations - Portfolio
    Director", "Ubicloud (YC W24): Software Engineer". The name holds no word of a role."""
    text = part.text
    for separator in (": ", " - ", " \u2013 ", " \u2014 "):
        at = text.find(separator)
        if at <= 0:
            continue
        before, after = text[:at], text[at + len(separator) :]
        if (
            len(before.split()) <= 5
            and (not names_a_role(before) or named_after_members(before, after))
            and names_a_role(after)
            and _FIELD_LABEL.fullmatch(before + ": ") is not None
        ):
            return part.part(at + len(separator), len(text))
        break
    return part


def named_after_members(name: str, title: str) -> bool:
    """ "Presidential Innovation Fellows: Presidential Innovation Fellow", "Presidential
    Innovation Fellows - Director of Events": a programme named after its members (three
    capitalised words or more, the last its members), then the role."""
    if not name.endswith("s"):
        return False
    if title.lower().startswith(name[:-1].lower()):
        return True
    words = name.split()
    return (
        len(words) >= MIN_PROGRAMME_WORDS
        and all(word[:1].isupper() for word in words)
        and (not _LEVEL_WORDS.intersection(word.lower() for word in words))
    )


MIN_PROGRAMME_WORDS: Final = 3


def _trimmed(
    part: HeadLine, *, strong: bool, place: tuple[str, ...] = (), lower_case: bool = False
) -> Found | None:
    """The title's name within a part of a line, or None when it does not read like one.
    `strong`: the layout says it is a title, so no word of a role is needed. `place`: the
    places the posting states (town, province), cut from the title's end ("..., Madrid -
    Primer Empleo", "Técnico Electrónico Naval, Pontevedra", "Psicólogo/a (Salamanca)").
    `lower_case`: a part of a forum head may start in lower case ("mid/Sr/Staff Engineers")."""
    value, start = part.text, part.start
    for _ in range(MAX_TRIMS):  # "Hiring: Job title: ..." has two
        lead = _LEADING_WORDS.match(value) or _LABEL_PREFIX.match(value)
        if lead is None or lead.end() >= len(value):
            break
        value, start = value[lead.end() :], start + lead.end()
    pay = _PAY_FIRST.match(value) if "€" in value[:12] else None
    if pay is not None:
        value, start = value[pay.end() :], start + pay.end()
    value = _cut_name(value)
    for stated in place:
        value = _cut_place(value, stated)
    if place:
        value = _cut_region(_cut_town(value), place)
    elif value.endswith(")"):
        value = _cut_city_in_parentheses(value)
    sector = _SECTOR_TAIL.search(value) if "ECTOR" in value.upper() else None
    if sector is not None and sector.start() > 0 and not ends_with_role(value[sector.end() :]):
        value = value[: sector.start()]
        if value.count("(") > value.count(")"):  # "... (EXPERIENCIA SECTOR TRANSPORTE)"
            value = value[: value.rfind("(")].rstrip()
    for _ in range(MAX_TRIMS):  # "... (Remote) - Contract" has two
        tail = _TITLE_TAIL.search(value) if value and _may_have_tail(value) else None
        if tail is None or tail.start() == 0:
            break
        value = value[: tail.start()].rstrip(" ,;-\u2013\u2014")
        if place and "€" in tail.group():
            # "Promotor para ong en alicante, 800€ ...": the place now ends the title
            for stated in place:
                value = _cut_place(value, stated)
            value = _cut_town(value)
    if value.count("(") > value.count(")"):
        # "Mecànic per manteniment industrial (Varies Poblaci": a board's title cut short
        # inside its parenthesis ("Engineer (Lead | Staff)" split at its bar keeps its level).
        at = value.rfind("(")
        if value[at + 1 :].strip().lower() not in _LEVEL_WORDS | {"lead"}:
            value = value[:at].rstrip(" ,;-\u2013\u2014") or value
    if value[:1] == "[" and value[-1:] == "]":
        value, start = value[1:-1], start + 1  # "Roles: [Engineering Manager (Ruby), ...]"
    value = value.rstrip(" ,;-\u2013\u2014")
    later = _counted_role_after(value)
    if later > 0:
        value, start = value[later:], start + later
    value = _first_of_two(_first_role(value))
    while len(value.split()) > MAX_TITLE_WORDS and " - " in value:
        # "Tech Lead (CI & Test Data Platform) - San Francisco HQ and open to Relo"
        value = value[: value.rfind(" - ")]
    detail = value.find(": ")
    if detail > 0 and ends_with_role(value[:detail]) and not ends_with_role(value[detail:]):
        value = value[:detail]  # "Software Engineer: Build the World's Best AI Plan Checker"
    if " " in value:
        value = _without_description(value)
    if not _looks_like_title(value, strong=strong, lower_case=lower_case):
        return None
    return Found(value, (start, start + len(value)))


# "800 € fijo + comisión 4,5h día, como promotor ong orihuela": the pay first, then the role.
_PAY_FIRST: Final = re.compile(r"\d[\d.,]*[ ]?€.{0,40}?,?[ ]como[ ]")


def _without_description(value: str) -> str:
    """A board title without what describes the job rather than names it, once the part
    before names the role: a tagline or requirement ("DELEGADO/A COMERCIAL CON ALTAS
    COMISIONES", "COCINERO/A CON EXPERIENCIA EN PLANCHA", "Kranführer mit Suva Ausweis"), a
    sentence in lower case after a full stop ("Trabajador/a social. servicio acogida ..."),
    a second role after "i"/"y"/"et"/"e" ("cuiners/eres i ajudants de cuina per restaurant")."""
    for pattern in (_REQUIREMENT_TAIL, _LOWER_SENTENCE, _SECOND_ROLE_OTHER_LANGUAGES):
        match = pattern.search(value)
        if match is None or match.start() == 0:
            continue
        before = value[: match.start()]
        second = pattern is _SECOND_ROLE_OTHER_LANGUAGES
        if (names_a_role(before) or _has_gender_marker(before)) and (
            not second or _names_a_role_start(value[match.end() :])
        ):
            value = before
    return value


def _names_a_role_start(rest: str) -> bool:
    """ "ajudants de cuina per restaurant": the first word names a role."""
    first = rest.split(" ", 1)[0]
    return names_a_role(first) or _has_gender_marker(first)


# "CON ALTAS COMISIONES", "con experiencia", "amb discapacitat", "mit Suva Ausweis"
_REQUIREMENT_TAIL: Final = re.compile(
    r"[ ](?:con|amb|mit)[ ](?:experiencia|experiència|altas|alta|conocimientos?|coneixements"
    r"|carnet|carné|vehículo|vehicle|inglés|anglès|catalán|català|idiomas|titulación"
    r"|erfahrung|führerschein|suva)\b.*$",
    re.IGNORECASE,
)
_LOWER_SENTENCE: Final = re.compile(r"\.[ ](?=[a-zà-ÿ]).*$")
# (German "und" often joins two functions of one job: "Verantwortlicher Steueramt und
# Registerhalter".)
_SECOND_ROLE_OTHER_LANGUAGES: Final = re.compile(r"[ ](?:i|y|et|e)[ ](?=\S)")


def _may_have_tail(value: str) -> bool:
    """What every `_TITLE_TAIL` needs (a cheap test: most titles have no tail)."""
    return (
        value[-1] in ").\u2192\u00bb" or _TAIL_CHAR.search(value) is not None or " at " in value
        or value.rsplit(" ", 1)[-1].lower() in _TAIL_WORDS or "€" in value
    )  # fmt: skip


# The employer's sector after the role: "OPERARI/ÀRIA PRODUCCIÓ SECTOR QUÍMIC", "TÈCNIC/A DE
# QUALITAT -Sector metal·lúrgic- Gironès" (a title in capitals or the sector set apart; "Public
# Sector Consultant" names a role).
_SECTOR_TAIL: Final = re.compile(r"[ ]SECTOR[ ]|[ ]?[-(\u2013][ ]?[Ss]ector[ ]")


# Characters a pattern needs, looked for first (at C speed).
_BAR_CHAR: Final = re.compile("[|·•]")
_LONG_DASH: Final = re.compile("[\u2013\u2014]")
_TAIL_CHAR: Final = re.compile("[-\u2013\u2014|@]")
_ROLE_JOINER: Final = re.compile("[/&+]")


def _cut_city_in_parentheses(value: str) -> str:
    """ "Senior Product Analyst (Seattle)": a large city in parentheses ends a title."""
    at = value.rfind(" (")
    if at > 0 and geo.city_codes(value[at + 2 : -1]) is not None:
        return value[:at]
    return value


def _cut_town(value: str) -> str:
    """ "PROFESSOR/A ANGLèS (VALLIRANA)", "Mensajero repartidor ( Manresa )", "ELECTRICISTA EN
    ALHAURÍN EL GRANDE": a town of the gazetteer in parentheses or after "en"/"a" at the end of
    a board's title (which states its place below)."""
    if value.endswith(")"):
        at = value.rfind(" (")
        inside = value[at + 2 : -1].strip() if at > 0 else ""
        if inside and "(" not in inside and geo.town_codes(inside) is not None:
            return value[:at]
        return value
    lower = value.lower()
    for word in (" en ", " a ", " à ", " em "):
        at = lower.rfind(word)
        if at > 0 and geo.town_codes(value[at + len(word) :]) is not None:
            return value[:at]
    at = value.rfind(" ")
    last = value[at + 1 :]
    if value.count(" ") >= 2 and last.islower() and geo.town_codes(last) is not None:
        return value[:at]  # "promotor ong orihuela": a town typed in lower case at the end
    return value


def _cut_region(value: str, place: tuple[str, ...]) -> str:
    """ "Técnico de Comunicaciones, Bizkaia" over "Localidad: Derio (VIZCAYA)": the stated
    province, in another of its names, or a town of it after a comma ("Software Engineer,
    Mobile" keeps its Mobile, a town of Alabama, over a place in California)."""
    at = value.rfind(", ")
    if at <= 0:
        return value
    stated = {_subdivision(name) for name in place} - {None}
    return value[:at] if stated and _subdivision(value[at + 2 :]) in stated else value


def _subdivision(name: str) -> str | None:
    town = geo.town_codes(name)
    return town.subdivision if town is not None else geo.subdivision_code(name, None).subdivision


def _cut_place(value: str, place: str) -> str:
    """The title without the stated place and what follows it: "Junior Ingeniero, Madrid -
    Primer Empleo", "ESTÁGIO EM LOJA - CACHOEIRINHA/RS"."""
    lower = value.lower()
    if len(lower) != len(value):
        return value
    wanted = place.lower()
    for mark in (", ", " - ", " \u2013 ", " (", " ( ", " "):
        at = lower.find(mark + wanted)
        if at > 0:
            end = at + len(mark) + len(wanted)
            # After a bare space only at the end or before a dash: "LIMPIADORA EL PAPIOL",
            # "... diàleg directe barcelona - matí".
            rest = value[end:]
            if (
                mark == " "
                and rest
                and not rest.startswith((" - ", " \u2013 "))
                and not (rest.startswith(" (") and rest.endswith(")"))  # "Lleida (o voltants)"
            ):
                continue
            if end == len(value) or not value[end].isalnum():
                if mark != " ":
                    return value[:at]
                before = value[:at]
                named = _PLACE_NAME_START.search(before)  # "... en pola de" + "lena"
                return _PLACE_LEAD.sub("", before[: named.start()] if named else before)
    return value


# A place's name that ends with the stated place, after "en"/"a"/"in": "en pola de" + "lena".
_PLACE_NAME_START: Final = re.compile(
    r"[ ](?:en|a|à|in|em)[ ][\w'-]+(?:[ ][\w'-]+){0,2}[ ](?:de|del|de la|la|le|di|do|da)$",
    re.IGNORECASE,
)


# What leads to a place named after a bare space, cut with it: "... ONCE - ZONA ELDA".
_PLACE_LEAD: Final = re.compile(
    r"(?:[ ](?:zona|zone|en|a|à|in|at|em|bei|région|region|regi[oó]n))+[ ,-]*$|[ ,-]+$",
    re.IGNORECASE,
)


def _cut_name(value: str) -> str:
    """The value up to what ends a title's name: a gender marker or workload and all after it,
    a placeholder, URL, reference, grade or status word. (Each pattern needs a character the
    value rarely holds: tested first.)"""
    if "<" in value or "http" in value or "ED" in value or "ode" in value or _DIGIT.search(value):
        value = _cut_at(_NAME_ENDS, value)
    if "/" in value or "(" in value:
        value = _cut_at(_GENDER_MARKER, value)
    if "%" in value or "rozent" in value:  # "30 bis 50%", "(100 Prozent)"
        value = _cut_at(_WORKLOAD, value)
    return value


def _cut_at(pattern: re.Pattern[str], value: str) -> str:
    match = pattern.search(value)
    return value[: match.start()] if match is not None and match.start() > 0 else value


_DIGIT: Final = re.compile(r"\d")


def _first_role(value: str) -> str:
    """ "Founding Engineer / Founding GTM" names two roles: the first. "Senior / Staff
    Engineers", "Vendeur / Vendeuse en épicerie fine", "Expertin / Experte Notfallpflege" and
    "Engineer (Cloud & Infrastructure)" name one."""
    if not _ROLE_JOINER.search(value) and " and " not in value:
        return value
    for match in _SECOND_ROLE.finditer(value):
        first, second = value[: match.start()], value[match.end() :]
        if first.count("(") != first.count(")"):
            continue  # inside a parenthesis
        words = first.split()
        if (
            len(words) >= 2
            and words[-1].lower() not in _LEVEL_WORDS  # "Founding Principal / Staff Engineer"
            and _ends_with_role(first)
            and not _gender_pair(words[-1], second)
        ):
            return first
        return value
    return value


def _counted_role_after(value: str) -> int:
    """ "Product + 1x ML Staff Engineer" (after "1x Product"): where the first role counted
    starts when the part before names none, else 0."""
    if "x " not in value:
        return 0
    joiner = _COUNTED_SECOND.search(value)
    if joiner is None or names_a_role(value[: joiner.start()]):
        return 0
    return joiner.end() if _ends_with_role(value[joiner.end() :]) else 0


_COUNTED_SECOND: Final = re.compile(r"[ ](?:\+|&|and)[ ]\d{1,2}[ ]?x[ ]")


def _gender_pair(last: str, second: str) -> bool:
    """ "Expertin / Experte Notfallpflege": the second starts with the same role in another
    gender; "Video Engineer / Engineering Manager" names two roles."""
    following = second.split(" ", 1)[0]
    return following[:GENDER_PAIR_CHARS].lower() == last[:GENDER_PAIR_CHARS].lower() and (
        ends_with_role(following)
    )


def _first_of_two(value: str) -> str:
    """ "Senior Fullstack Engineer, Senior DevOps Engineer", "Platform Engineer (Security),
    DevSecOps Engineer", "Research Scientists, Research Engineers (HPC), ...": two or more
    roles, the first; "Manager, Software Development" and "Senior
    Engineer, AI Tools" name one with its specialisation."""
    at = _top_level_comma(value)
    if at <= 0:
        return value
    first, second = value[:at], value[at + 2 :]
    following = _top_level_comma(second)  # "Research Scientists, Research Engineers, ..."
    if following > 0:
        second = second[:following]
    if len(second.split()) >= 2 and _ends_with_role(second) and _ends_with_role(first):
        return first
    return value


def _ends_with_role(value: str) -> bool:
    """ "Senior Developer (TypeScript)", "Software Engineer V": a role's noun ends it."""
    core = _LEVEL_NUMERAL.sub("", _TRAILING_PARENS.sub("", value))
    return ends_with_role(core)


def _untrimmed_core(value: str) -> str:
    """The value without a parenthesis, specialisation or level numeral at its end:
    "Developer (TypeScript)" -> "Developer", "Senior Engineer, AI Tools" -> "Senior Engineer",
    "Software Engineer V" -> "Software Engineer"."""
    for mark in (" (", ", ", " - ", " \u2013 ", " \u2014 "):
        at = value.find(mark)
        if at > 0:
            value = value[:at]
    return _LEVEL_NUMERAL.sub("", value.rstrip())


def _is_list_of_roles(value: str) -> bool:
    """ "AI, Fullstack, Frontend, Platform, Data, Product Engineers + GTM, Design": a list;
    "Software Engineers (Product, System, SDK)" is one role (its commas are in parentheses)."""
    if value.count(", ") < 2:
        return False
    first = _top_level_comma(value)
    return first > 0 and _top_level_comma(value[first + 2 :]) > 0


def _looks_like_title(value: str, *, strong: bool, lower_case: bool = False) -> bool:
    if not (1 < len(value) <= MAX_TITLE_CHARS and len(value.split()) <= MAX_TITLE_WORDS):
        return False
    if value[-1] in ".!?:;," or value[0] in "&+" or not any(char.isalpha() for char in value):
        return False
    if "://" in value or value.startswith("www."):
        return False  # "https://wellfound.com/jobs/4037860-creative-director-at-a-po...": a link
    if " " in value and _SENTENCE_VERB.search(value):
        # "For SDE roles, you will need experience with TS/JS/Python" (above "Location: ..."),
        # "Full-Time Chauffeurs are wanted for engagement by an": a sentence
        return False
    first = value.split(" ", 1)[0]
    if first.lower() in _SENTENCE_STARTS:
        return False  # "Sie verfügen über eine Ausbildung als Metallbauer/in"
    if strong:
        return True
    # "iOS Developer", "eCommerce Manager": a word in lower case that holds a capital.
    lower_start = value[0].islower() and first.islower()
    return (lower_case or not lower_start) and names_a_role(value)


_SENTENCE_VERB: Final = re.compile(r"\b(?:you|your|we|is|are|will)\b")
# Words that start a sentence, never a title.
_SENTENCE_STARTS: Final = frozenset(
    {"as", "we", "you", "our", "sie", "wir", "du", "ihr", "unser", "vous", "nous", "if"}
)


def _title_in_opening(opening: str) -> Found | None:
    """A sentence of the opening that names the role: "As a Data Engineer on ...", "We are
    hiring a Founding Engineer to ...", "in the role of development engineer", "A postdoc
    position is open"."""
    position = _POSITION_OPEN.match(opening)
    if position is not None:
        end = position.end("post") if position.group("post") else position.end("title")
        value = opening[position.start("title") : end]
        if names_a_role(value) or position.group("post"):
            return Found(value, (position.start("title"), end))
    for pattern, capitals in ((_AS_A, True), (_HIRING_A, True), (_IN_THE_ROLE, False)):
        for match in finditer(pattern, opening):  # tried where its words are
            found = _sentence_title(opening, match.end(), capitals=capitals)
            if found is not None:
                return found
    return None


def _lower_title_in_opening(opening: str) -> Found | None:
    """ "We're looking for experienced software engineers for many roles", "hiring a software
    engineer and a genius designer": a role of two or three words in lower case, past its
    adjectives (only when nothing else names the role)."""
    for match in finditer(_HIRING_LOWER, opening):
        start = match.end()
        adjectives = _LOWER_ADJECTIVES.match(opening, start)
        found = _sentence_title(opening, adjectives.end() if adjectives else start, capitals=False)
        if (
            found is not None
            and found.value.islower()
            and 2 <= len(found.value.split()) <= 3
            and found.value.split(" ", 1)[0] not in _NOT_A_ROLE_START
        ):
            return found
    return None


_NOT_A_ROLE_START: Final = frozenset(
    {"for", "the", "our", "more", "some", "any", "other", "former", "early", "versatile"}
)


_HIRING_LOWER: Final = re.compile(
    r"\b(?:[Hh]iring|looking for|seeking|we seek|recruiting|to recruit)"
    r"(?: an?| our| several| multiple)?"
    r" (?=[a-z])"
)
_LOWER_ADJECTIVES: Final = re.compile(
    r"(?:(?:experienced|talented|passionate|motivated|skilled|great|exceptional|strong|driven"
    r"|curious|smart|additional|more|new|genius|brilliant|ambitious|dedicated|committed|first)"
    r",?[ ](?:and[ ])?)+"
)


def _sentence_title(opening: str, start: int, *, capitals: bool) -> Found | None:
    if capitals:
        # "looking for a dedicated Requirement Management Specialist": past the adjectives.
        adjectives = _ADJECTIVES.match(opening, start)
        if adjectives is not None:
            start = adjectives.end()
    window = opening[start : start + MAX_TITLE_CHARS]
    end = _SENTENCE_TITLE_END.search(window)
    if end is None:
        return None
    value = window[: end.start()].rstrip()
    words = value.split()
    if not words or len(words) > MAX_TITLE_WORDS:
        return None
    if capitals and (not _title_cased(value, last_lower=True) or words[0].endswith("-based")):
        return None  # ("NY-based engineers": a place's adjective and a plural, no title)
    value = _first_role(value)  # "a Senior Full-Stack Engineer/ Data Scientist"
    if not ends_with_role(value):
        return None
    if window[end.start() : end.start() + 1] == "(" and value == window[: end.start()].rstrip():
        # "a few Senior Backend Engineers (Go), a Senior Data Engineer": its specialisation
        close = window.find(")", end.start(), end.start() + MAX_SPECIALISATION_CHARS)
        if close > 0 and _SPECIALISATION.fullmatch(window, end.start() + 1, close):
            specialised = window[: close + 1]
            # "(Remote)", "(Contract)", "(NYC)": facts, no part of the name
            if _cut_city_in_parentheses(specialised) == specialised and not (
                _TITLE_TAIL.search(specialised)
            ):
                value = specialised
    return Found(value, (start, start + len(value)))


# "(Go)", "(TypeScript)", "(C++)", "(ML Infra)": a specialisation in parentheses, not a gender
# marker ("(m/w/d)") or a workload.
MAX_SPECIALISATION_CHARS: Final = 25
_SPECIALISATION: Final = re.compile(r"[A-Z][\w+#. -]*")


def _title_cased(value: str, *, last_lower: bool = False) -> bool:
    """Every word capitalised but connectors: "Head of Product Marketing"; `last_lower`: the
    role's noun may be in lower case ("Laboratory technician", "UI engineer")."""
    words = value.split()
    if last_lower and len(words) > 1 and words[-1].islower():
        words = words[:-1]
    return all(word[0].isupper() or word in _TITLE_CONNECTORS for word in words)


def _listed_title(lines: HeadLines) -> Found | None:
    """The first item of a list of roles: a line ending "...roles:" (or a bullet of "[1]"
    items), then "- AI Engineer: agentic systems" gives "AI Engineer". After such a line, or
    under a head that says "Multiple Roles", the items may be lines without a bullet ("Senior
    Android Engineer - $178,500 USD + equity"); a bullet item that names a role in capitals
    counts without either ("• Staff Software Engineer ($200-250K) — for those who ship")."""
    first = lines.get(0)
    introduced = first is not None and _MANY_ROLES.search(first.text) is not None
    for index, line in enumerate(lines):
        if index >= MAX_LIST_LINES:
            break
        text = line.text
        if text[-1] == ":" and _LIST_INTRO.search(text):
            introduced = True
            continue
        bullet = _ITEM.match(text) or _ITEM_LABEL.match(text)
        if bullet is None and not (
            (introduced and index > 0 and (len(text) <= MAX_ITEM_CHARS or _description(text)))
            or _ROLE_COLON.match(text)
        ):
            continue
        item = line.part(bullet.end() if bullet is not None else 0, len(text))
        label = _ITEM_LABEL.match(item.text) if bullet is not None else None
        if label is not None:  # "1. Hiring: OS / Device Lifecycle Engineer (Secure Boot)"
            item = item.part(label.end(), len(item.text))
        # "- Senior Backend Engineer | SF | Full-time", "- Lead Developer https://x.io/1 to ...":
        # the role before its facts or its link.
        facts = _ITEM_FACTS.search(item.text)
        if facts is not None:
            item = item.part(0, facts.start())
        detail = _ITEM_DETAIL.search(item.text) or _description(item.text)
        if detail is not None:
            item = item.part(0, detail.start())
        comma = _top_level_comma(item.text)
        if comma > 0 and _ends_with_role(item.text[:comma]):
            # "Research Scientists, Research Engineers (HPC), ...": two roles, the first;
            # "Senior Software Engineer, AI Tools (back-end Go)": one, with its specialisation
            second = item.text[comma + 2 :]
            following = _top_level_comma(second)
            if _ends_with_role(second[:following] if following > 0 else second):
                item = item.part(0, comma)
        place = _PLACE_TAIL.search(item.text)
        if place is not None:
            item = item.part(0, place.start())
        core = _untrimmed_core(item.text)
        if not ends_with_role(core) or not _title_cased(core):
            continue
        found = _trimmed(item, strong=False)
        if found is not None:
            return found
    return None


# "- AI Engineer", "[1] Staff Engineer", "2) Designer", "-Senior Engineer", "[Leadership]
# Engineering Manager" (a team in brackets).
_ITEM: Final = re.compile(
    r"(?:[-*•]|//|>>?|\[\d{1,2}\]|\d{1,2}[.)]|\[[A-Z][\w &/-]{1,30}\])[ ]+|-(?=[A-Z][a-z])"
)
# "Hiring: WebGPU SDK Developer", "Role: Staff Engineer": a line that names the role sought.
_ITEM_LABEL: Final = re.compile(
    r"(?:(?:now |we're |we are )?hiring|roles?|positions?|openings?):[ ]+", re.IGNORECASE
)
# "Technical Program Manager: https://jobs.example.com/...", "AI Engineer:", "Senior Software
# Engineer, Back-end: Design and implement ...": a role, then its link or description.
# ("Backend Engineer - https://...": a role and its link after a dash.)
_ROLE_COLON: Final = re.compile(
    r"[^:\n]{2,80}:(?:[ ]|$)|[^:\n]{2,80}?[ ][-\u2013\u2014][ ]https?://"
)
# "Roles: Staff Backend Engineer; Lead Software Engineer": items after a semicolon.
_ITEM_FACTS: Final = re.compile(r"[ ]\|[ ]|(?::|[ ][-\u2013\u2014])?[ ]https?://|:$|;[ ]")
# A head that announces a list of roles below it.
_MANY_ROLES: Final = re.compile(
    r"\b(?:multiple|many|several|various|open)[ ](?:roles|positions|openings)\b", re.IGNORECASE
)
# A list item without a bullet is a short line.
MAX_ITEM_CHARS: Final = 120
_ITEM_DASH: Final = re.compile(r"[ ][\u2013\u2014-][ ]")
_LOWER_WORD: Final = re.compile(r"(?:^|[ ,])(?!and\b|of\b|for\b|or\b)[a-z]")


def _description(item: str) -> re.Match[str] | None:
    """ "Staff Software Engineer ($200-250K) — for those who ship", "Senior AI Engineer — LLM
    engineering, AI agents": a description after a dash (a word in lower case); "Senior
    Systems Engineer — Capture & Materializations" names the role's specialisation."""
    dash = _ITEM_DASH.search(item)
    if dash is None or _LOWER_WORD.search(item, dash.end()) is None:
        return None
    return dash


def _top_level_comma(item: str) -> int:
    """Where the first ", " outside parentheses is, or -1."""
    at = item.find(", ")
    while at > 0 and item[:at].count("(") != item[:at].count(")"):
        at = item.find(", ", at + 2)
    return at
