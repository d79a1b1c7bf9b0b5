"""Salary: amounts, ranges and ladders of ranges with their currency and period, as stated.

"$11,670.34 - $14,174.54 per month", "$49,903 to $72,996 and $55,019 to $80,472",
"€60k-80k", "100-120k USD", "£45,000 per annum", "R$ 8.000 a 10.000 por mês".

A currency is only what a symbol or code states ("$" is USD, "C$" CAD, "R$" BRL), and a code
beats a bare dollar sign ("$142k - $165k CAD" is Canadian; "Pasadena, CA$ 28.00" is a state
before a dollar sign). A period is what the words say (after the amounts, or before them as in
"Annual salary", "Hourly rate"); without one, amounts in thousands ("$150k", "55-72k") and
large ones ("$120,000") are a year's pay. An amount counts as pay only with a reason to
believe it: a range, a period, a pay word just before it ("Pay:", "Salary", "Compensation"),
"up to" or "from", or a currency with thousands. Amounts in millions or billions never do.
Of several ranges in one statement (one for each grade or step of a bulletin) the first is the
posting's range.

Beside the pay as stated, the pay for a year of work (`annual`): an hour's pay times the hours
of a year (those the posting states, "37.5 hours per week", or 2,080), a day's times 260, a
week's times 52, a month's times 12.

Every pattern is anchored on a digit or a currency sign and has bounded repetition, so the scan
is linear in the text.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from jobstream.contracts import SalaryPeriod
from jobstream_parser.document import Document
from jobstream_parser.heads import finditer

_CODES: Final = (
    "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF",
    "RON", "BGN", "INR", "JPY", "CNY", "RMB", "BRL", "MXN", "ZAR", "SGD", "HKD", "ILS", "TRY",
    "KRW", "PHP", "AED", "ARS", "CLP", "COP", "PEN", "NGN", "KES", "EGP", "IDR", "MYR", "THB",
    "VND", "TWD", "SAR", "QAR", "UAH", "RUB"
)  # fmt: skip
_SYMBOLS: Final = {
    "$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "CN¥": "CNY", "₹": "INR",
    "₩": "KRW", "₽": "RUB", "₺": "TRY", "₪": "ILS", "₫": "VND", "₱": "PHP", "C$": "CAD",
    "CA$": "CAD", "CAN$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD", "HK$": "HKD",
    "S$": "SGD", "R$": "BRL", "MX$": "MXN", "zł": "PLN", "euro": "EUR", "euros": "EUR",
    "RMB": "CNY",
}  # fmt: skip
_CODE_ALT: Final = "|".join(_CODES)
# Three capitals, then checked against the codes: far cheaper than trying every code at every
# position of the text.
_CODE: Final = rf"(?<![A-Za-z])[A-Z]{{3}}(?<={_CODE_ALT})(?![A-Za-z])"
_PREFIX: Final = rf"(?P<prefix>(?:US|CA|CAN|AU|NZ|HK|MX|[CARS])\$|CN¥|[$€£¥₹₩₽₺₪₫₱]|{_CODE})"
_SUFFIX: Final = rf"(?P<suffix>[$€£¥₹₩₽₺₪₫₱]|zł|(?i:euros?)\b|{_CODE})"
# "11,670.34", "60.000", "45 000", "120000", "3.8": thousands groups, then decimals.
_NUMBER: Final = (
    r"(?P<number>\d{1,2}(?:,\d{2}){1,2},\d{3}(?:\.\d{1,2})?"  # lakh: 25,00,000
    r"|\d{1,3}(?:[,.' ]\d{3}){1,3}(?:[.,]\d{1,2})?|\d{1,7}(?:[.,]\d{1,2})?)"
    r"(?![\d])"
)
_MULTIPLIER: Final = r"(?:[ ]?(?P<mult>[kK]|thousand|mil|[mM]|million|mio\.?|[bB]n?|billion)\b)?"
# Amounts are found from where their numbers start (a digit after no digit, dot or comma): a
# pattern starting with a plain character class is what `re` scans for fastest.
_NUMBER_START: Final = re.compile(r"\d(?<![\d.,]\d)")
_AMOUNT_AT: Final = re.compile(rf"{_NUMBER}{_MULTIPLIER}(?:[ ]?{_SUFFIX})?")
_PREFIX_BEFORE: Final = re.compile(rf"{_PREFIX}[ ]?$")
MAX_PREFIX_CHARS: Final = 5
# What may stand between the amounts of one statement: a range dash, "to", a ladder's "and".
_JOINER: Final = re.compile(
    r"[ ]?(?:[-\u2013\u2014~]|to|bis|à|a|até|hasta|and|or|y|e|und|et|[,;/])[ ]?(?:and[ ]|or[ ])?",
    re.IGNORECASE,
)
_LARGE: Final = frozenset({"m", "M", "million", "mio", "mio.", "b", "B", "bn", "billion"})
_THOUSANDS: Final = frozenset({"k", "K", "thousand", "mil"})

_PERIOD_WORDS: Final[tuple[tuple[SalaryPeriod, str], ...]] = (
    ("hour", r"hour|hr|h|hourly|stunde|hora|heure"),
    ("day", r"day|daily|diem|tag|dia|día|jour"),
    ("week", r"week|wk|weekly|woche|semana|semaine"),
    ("month", r"month|mo|monthly|monat|monatlich|mês|mes|mensal|mensual|mois|mensuel"),
    ("year", r"year|yr|y|annum|annually|annual|yearly|jahr|jährlich|ano|año|anual|an|annuel"),
)
_PERIOD_AFTER: Final = re.compile(
    r"[ ]?(?:\(?(?:gross|brutto|brutos?|brut|base|net|before tax|ote)\)?[ ]?)?"
    r"(?:(?:/|per|an?|each|pro|por|par|al|im|la|de l')[ ]?(?P<unit>"
    + "|".join(rf"(?P<{period}>{words})" for period, words in _PERIOD_WORDS)
    + r")\b|(?P<pa>p\.a\.|pa\b|p/a\b)|(?P<adverb>hourly|daily|weekly|monthly|annually|yearly"
    r"|jährlich|monatlich|mensal|mensual|anual|annuel)\b)",
    re.IGNORECASE,
)
_ADVERB: Final[dict[str, SalaryPeriod]] = {
    "hourly": "hour", "daily": "day", "weekly": "week", "monthly": "month", "annually": "year",
    "yearly": "year", "jährlich": "year", "monatlich": "month", "mensal": "month",
    "mensual": "month", "anual": "year", "annuel": "year",
}  # fmt: skip
# Words just before the amounts that say they are pay, and those that also say the period.
_CUE: Final = re.compile(
    r"salar|\bpay\b|paid|compensation|\bwages?\b|\brate\b|remunerat|\bbase\b|\bote\b|earn"
    r"|gehalt|vergütung|salário|remuneração|sueldo|rémunération|salaire|retribuci[óo]n?|brutto"
    r"|\bgross\b|stipend|budget|\bctc\b|package",
    re.IGNORECASE,
)
# Where what follows the figures stops saying what they are.
_CLAUSE_END: Final = re.compile(r"[,;.()\n]")
_NOT_PAY: Final = re.compile(r"stipend|budget|bonus|allowance|reimburse", re.IGNORECASE)
_PERIOD_BEFORE: Final = re.compile(
    r"(?P<year>annual|yearly|per annum|jahresgehalt|anual|annuel(?= de))"
    r"|(?P<hour>hourly|stundenlohn|horaire(?= de))"
    r"|(?P<month>monthly|monatlich|mensal|mensual|mensuel(?= de))|(?P<day>daily rate|day rate)"
    r"|(?P<week>weekly)",
    re.IGNORECASE,
)
# What a dollar sign's amount is in when a code says nothing else.
_BARE_DOLLAR: Final = "$"
# ", CA$ 28.00": California and a dollar sign, not Canadian dollars.
_STATE_BEFORE_DOLLAR: Final = re.compile(r"(?:, |[a-z] )CA\$")
# "$142k - $165k (CAD)": a code in parentheses after the figures.
_CODE_AFTER: Final = re.compile(rf"[ ]?\((?P<code>{_CODE})\)")
# "$92,143 to GS-13 Step 10 $146,120": a federal ladder's range names the grade and step of
# its top; and the grade or step numbers are no amounts.
_GRADED_JOINER: Final = re.compile(
    r"[ ]?(?:[-\u2013]|to)[ ]?(?:GS-(?:GS )?\d{1,2},?[ ]?)?(?:step \d{1,2}[ ]?)?(?:-[ ])?",
    re.IGNORECASE,
)
MAX_GRADED_GAP: Final = 30
_GRADE_BEFORE: Final = re.compile(r"(?:\b[Ss]tep |\bGS-(?:GS )?|\b[Gg]rade )$")
# Joiners of a range; the others ("and", ",", "or") join the ranges or amounts of a ladder.
_RANGE_JOINER: Final = re.compile(r"[ ]?(?:[-\u2013\u2014~]|to|bis|à|a|até|hasta)[ ]?", re.I)
# Without a period, amounts at least this large are a year's pay in these currencies (in
# others, such as JPY, INR or BRL, a month's pay may be as large).
MIN_YEARLY_AMOUNT: Final = 10_000  # five figures (the labelling guide)
_YEARLY_BY_SIZE: Final = frozenset(
    {None, "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "SGD", "HKD", "ILS"}
)
HOURS_A_YEAR: Final = 2_080
WEEKS_A_YEAR: Final = 52
_TIMES_A_YEAR: Final[dict[SalaryPeriod, float]] = {
    "day": 260, "week": WEEKS_A_YEAR, "month": 12, "year": 1,
}  # fmt: skip
# "40 hours per week", "37.5 hrs/week", "a 35-hour week": the hours of a working week.
_WEEKLY_HOURS: Final = re.compile(
    r"(?<![\d.,])(?P<hours>[1-6]\d(?:[.,]\d{1,2})?)[ -]?(?:hours?|hrs?)[ ]?"
    r"(?:(?:per|a|/|each|every)[ ]?(?:work(?:ing)?[ ]?)?week|(?:work(?:ing)?[ ]?)?week)\b",
    re.IGNORECASE,
)
# France Travail's "Durée du travail : 35H Horaires normaux".
_WEEKLY_HOURS_LABEL: Final = re.compile(
    r"(?i:durée du travail)[ ]?:[ ]?(?P<hours>[1-6]\d(?:[.,]\d{1,2})?)[ ]?H\b"
)
_UP_TO: Final = re.compile(r"(?:up to|max(?:imum)?|bis zu|até|hasta|jusqu'à)[ ]?:?$", re.I)
_FROM: Final = re.compile(
    r"(?:from|starting (?:at|from)|min(?:imum)?|at least|ab|a partir de|desde|à partir de)"
    r"[ ]?:?$",
    re.IGNORECASE,
)
# A posting states its pay among a few dozen numbers; input with thousands of numbers is not
# read past this many, which bounds the work on hostile input.
MAX_AMOUNTS: Final = 400
CUE_WINDOW: Final = 120
ADJACENT_WINDOW: Final = 40
PERIOD_WINDOW: Final = 40


class Amount(NamedTuple):
    start: int
    end: int
    number: str  # as written: "11,670.34", "60.000"
    multiplier: str | None  # "k", "thousand", "m", ...
    currency: str | None
    symbol: str | None  # as written: "$", "CAD", "€"

    @property
    def thousands(self) -> bool:  # written with k / thousand
        return self.multiplier in _THOUSANDS

    @property
    def large(self) -> bool:  # millions, billions: not pay
        return self.multiplier in _LARGE

    @property
    def value(self) -> float:
        # Read only for the few amounts that may be pay: most numbers are counts and years.
        value = _number(self.number)
        return value * 1000 if self.thousands else value


class FoundSalary(NamedTuple):
    minimum: float | None
    maximum: float | None
    currency: str | None
    period: SalaryPeriod | None
    span: tuple[int, int]
    annual_minimum: float | None = None
    annual_maximum: float | None = None


def find_salary(document: Document) -> FoundSalary | None:
    """The first statement of pay in the text; ranges and periods beat a lone amount. With
    its figures for a year of work."""
    lone: FoundSalary | None = None
    for statement in _statements(document):
        found = _judge(document, statement)
        if found is None:
            continue
        if len(statement) > 1 or found.period is not None:
            return _annualised(document, found)
        if lone is None:
            lone = found
    return _annualised(document, lone) if lone is not None else None


def _annualised(document: Document, found: FoundSalary) -> FoundSalary:
    period = found.period
    if period is None:
        return found
    times = _hours_a_year(document) if period == "hour" else _TIMES_A_YEAR[period]
    return found._replace(
        annual_minimum=annual(found.minimum, times), annual_maximum=annual(found.maximum, times)
    )


def annual(amount: float | None, times: float) -> float | None:
    """An amount `times` a year, to the cent."""
    return None if amount is None else round(amount * times, 2)


def _hours_a_year(document: Document) -> float:
    """The hours of a year of work: those of the working week the posting states, else 2,080."""
    lower = document.lower
    weekly: set[float] = set()
    if "week" in lower:
        # Every match says "hour" or "hr" within a few characters of its start: it is looked
        # for only around those (anchors.py), not at every digit of the text.
        weekly.update(
            _weekly(match) for match in document.scan(_WEEKLY_HOURS, "weekly_hours", 8, 40)
        )
    if "durée du travail" in lower:
        weekly.update(_weekly(match) for match in finditer(_WEEKLY_HOURS_LABEL, document.text))
    if len(weekly) == 1:  # one week stated; two ("20 or 40 hours a week") say nothing
        return weekly.pop() * WEEKS_A_YEAR
    return HOURS_A_YEAR


def _weekly(match: re.Match[str]) -> float:
    return float(match.group("hours").replace(",", "."))


def _amounts(document: Document) -> list[Amount]:
    text = document.text
    found: list[Amount] = []
    starts = (
        number.start()
        for start, end in document.windows("salary", back=40, ahead=120)
        for number in _NUMBER_START.finditer(text, start, end)
    )
    for start in starts:
        if len(found) >= MAX_AMOUNTS:
            break
        if found and start < found[-1].end:  # "45 000": "000" is inside the amount before
            continue
        match = _AMOUNT_AT.match(text, start)
        if match is None or _GRADE_BEFORE.search(text, max(0, start - 9), start):
            continue
        prefix = _PREFIX_BEFORE.search(text, max(0, start - MAX_PREFIX_CHARS), start)
        symbol = (prefix.group("prefix") if prefix else None) or match.group("suffix")
        begin = prefix.start() if prefix else start
        if symbol == "CA$" and _STATE_BEFORE_DOLLAR.match(text, max(0, begin - 2)):
            symbol, begin = _BARE_DOLLAR, begin + 2
        if match.group("suffix") and symbol == _BARE_DOLLAR:
            symbol = match.group("suffix")  # "$165k CAD": the code says which dollars
        found.append(
            Amount(
                begin,
                match.end(),
                match.group("number"),
                match.group("mult"),
                _currency(symbol),
                symbol,
            )
        )
    return found


def _statements(document: Document) -> list[list[Amount]]:
    """Amounts joined by dashes, "to", "and", commas: one statement of pay each."""
    text = document.text
    statements: list[list[Amount]] = []
    for amount in _amounts(document):
        if statements:
            last = statements[-1][-1]
            gap = text[last.end : amount.start]
            if (len(gap) <= 8 and _JOINER.fullmatch(gap)) or (
                len(gap) <= MAX_GRADED_GAP and _GRADED_JOINER.fullmatch(gap)
            ):
                statements[-1].append(amount)
                continue
        statements.append([amount])
    return statements


def _judge(document: Document, amounts: list[Amount]) -> FoundSalary | None:
    if any(amount.large for amount in amounts):
        return None
    text = document.text
    start, end = amounts[0].start, amounts[-1].end
    if len(amounts) > 2 and _RANGE_JOINER.fullmatch(text[amounts[0].end : amounts[1].start]):
        # "$49,903 to $72,996 and $55,019 to $80,472": a range for each grade; the first is
        # the posting's (the statement's end still says the period of them all)
        figures = amounts[:2]
    else:
        figures = amounts
    # Where the words before the amounts are looked for (`document.find` reads them from the
    # text, trying each pattern only where its words start): the `CUE_WINDOW` characters
    # before, the same line of them, the last `ADJACENT_WINDOW` characters of that line.
    before = max(0, start - CUE_WINDOW)
    line_before = text.rfind("\n", before, start) + 1 or before
    adjacent = max(line_before, start - ADJACENT_WINDOW)
    currency = _currency_of(text, amounts, end)
    # A pay word is read where it is a word of the text ("repay" cut to "pay" by the window is
    # not one), and every pay word is a salary anchor: with none before the amounts, no cue.
    adjacent_cue = (
        document.has_anchor("salary", adjacent, start)
        and document.search(_CUE, adjacent, start) is not None
    )
    if currency is None and not adjacent_cue:  # most numbers: counts, years, percentages
        return None
    period: SalaryPeriod | None = None
    after = _PERIOD_AFTER.match(text, end, min(len(text), end + PERIOD_WINDOW))
    if after is not None:
        period = _period_of(after)
        end = after.end()
    else:
        before_period = document.find(_PERIOD_BEFORE, before, start)
        if before_period is not None and before_period.lastgroup is not None:
            period = before_period.lastgroup  # type: ignore[assignment]
    cue = adjacent_cue or document.search(_CUE, before, start) is not None
    # "$2,000 yearly learning budget": what follows the amount, up to a comma, says what it is.
    clause_end = _CLAUSE_END.search(text, end, end + ADJACENT_WINDOW)
    following_end = clause_end.start() if clause_end else min(len(text), end + ADJACENT_WINDOW)
    if document.find(_NOT_PAY, adjacent, start) or document.find(_NOT_PAY, end, following_end):
        return None
    is_range = len(amounts) > 1
    bound = None
    if not is_range:
        if document.find(_UP_TO, line_before, start):
            bound = "up to"
        elif document.find(_FROM, line_before, start):
            bound = "from"
    thousands = any(amount.thousands for amount in figures)
    if currency is not None:
        if not (is_range or period is not None or cue or bound or thousands):
            return None
    elif not (adjacent_cue and (is_range or period is not None)) or _looks_like_years(amounts):
        return None
    values = _scaled([amount.value for amount in figures], figures)
    if min(values) <= 0:
        return None
    minimum: float | None = min(values)
    maximum: float | None = max(values)
    if bound == "up to":
        minimum = None
    elif bound == "from":
        maximum = None
    if period is None and (
        thousands or (min(values) >= MIN_YEARLY_AMOUNT and currency in _YEARLY_BY_SIZE)
    ):
        period = "year"  # "$150k", "€ 55-72k", "$120,000": no other period pays so much
    return FoundSalary(minimum, maximum, currency, period, (start, end))


def _currency_of(text: str, amounts: list[Amount], end: int) -> str | None:
    """A code or a symbol of its own ("C$", "€") beats a bare dollar sign; a code in
    parentheses after the figures counts too."""
    bare = None
    for amount in amounts:
        if amount.currency is None:
            continue
        if amount.symbol != _BARE_DOLLAR:
            return amount.currency
        bare = amount.currency
    after = _CODE_AFTER.match(text, end, end + 8)
    if after is not None:
        return _currency(after.group("code")) or bare
    return bare


def _scaled(values: list[float], amounts: list[Amount]) -> list[float]:
    """ "100-120k": the k of the last amount also applies to the bare amounts before it."""
    if amounts[-1].thousands:
        return [
            value * 1000 if not amount.thousands and value < 1000 else value
            for value, amount in zip(values, amounts, strict=True)
        ]
    return values


def _looks_like_years(amounts: list[Amount]) -> bool:
    return all(1900 <= amount.value <= 2100 and amount.value.is_integer() for amount in amounts)


def _period_of(match: re.Match[str]) -> SalaryPeriod | None:
    if match.group("pa"):
        return "year"
    adverb = match.group("adverb")
    if adverb:
        return _ADVERB.get(adverb.lower())
    for period, _ in _PERIOD_WORDS:
        if match.group(period):
            return period
    return None


def _currency(symbol: str | None) -> str | None:
    if symbol is None:
        return None
    symbol = symbol.strip()
    if symbol in _SYMBOLS:
        return _SYMBOLS[symbol]
    lowered = symbol.lower()
    if lowered in _SYMBOLS:
        return _SYMBOLS[lowered]
    upper = symbol.upper()
    return _SYMBOLS.get(upper, upper if upper in _CODES else None)


def _number(text: str) -> float:
    """ "11,670.34" and "11.670,34" are 11670.34; "60.000" is 60000; "3.8" is 3.8."""
    separators = [index for index, char in enumerate(text) if char in ",.' "]
    if not separators:
        return float(text)
    last = separators[-1]
    decimals = len(text) - last - 1
    if decimals == 3:
        return float("".join(char for char in text if char.isdigit()))
    whole = "".join(char for char in text[:last] if char.isdigit())
    return float(f"{whole or '0'}.{text[last + 1 :]}")
