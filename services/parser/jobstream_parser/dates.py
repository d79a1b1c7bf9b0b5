"""The date a posting was published, when it says so.

Read after a label ("Date posted:", "Posted on", "Open Date:", "Veröffentlicht am",
"Publicado em") or, in the head, as a board's relative date ("2 weeks ago", "Reposted 3 days
ago"), which counts back from when the posting was received. Numeric dates are read month-first
in English ("06-22-18"), day-first in other languages, and by the value when only one order is
possible.

A small reader rather than dateparser: the formats are few, the label must be there anyway, and
dateparser costs milliseconds a call.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final, NamedTuple

from jobstream_parser.document import Document

MAX_MENTIONS: Final = 50

_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        (
            "january jan januar janeiro enero janvier jän",
            "february feb februar fevereiro febrero février fév",
            "march mar märz março marzo mars mär",
            "april apr abril avril",
            "may mai maio mayo",
            "june jun juni junho junio juin",
            "july jul juli julho julio juillet",
            "august aug agosto août",
            "september sep sept setembro septiembre septembre",
            "october oct oktober outubro octubre octobre okt",
            "november nov novembro noviembre novembre",
            "december dec dezember dezembro diciembre décembre dez",
        ),
        start=1,
    )
    for name in names.split()
}
_MONTH: Final = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE: Final = (
    r"(?P<iso>(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
    r"|(?P<numeric>(?P<n1>\d{1,2})[./-](?P<n2>\d{1,2})[./-](?P<ny>\d{4}|\d{2}))(?!\d)"
    rf"|(?P<mdy>(?P<mm>{_MONTH})\.? (?P<md>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<my>\d{{4}}))"
    rf"|(?P<dmy>(?P<dd>\d{{1,2}})(?:st|nd|rd|th|\.)?(?: de)? (?P<dm>{_MONTH})\.?(?: de)?,?"
    r" (?P<dy>\d{4}))"
    r"|(?P<ago>(?P<amount>\d{1,2}|an?|one) (?P<unit>minute|hour|day|week|month)s? ago)"
    r"|(?P<today>today|just now)|(?P<yesterday>yesterday)"
)
_LABELLED: Final = re.compile(
    r"(?:date posted|posted(?: on| date)?|publication date|published(?: on)?|open date"
    r"|opening date|posting date|veröffentlicht(?: am)?|publicado(?: em| el| en)?|publié le"
    r"|data de publicação|fecha de publicación|reposted)[ ]?:?[ ]?(?:on[ ])?"
    rf"(?:{_DATE})(?![\w])",
    re.IGNORECASE,
)
_RELATIVE: Final = re.compile(
    r"(?<![\w])(?:(?P<amount>\d{1,2}|an?|one) (?P<unit>minute|hour|day|week|month)s? ago)",
    re.IGNORECASE,
)
_UNIT_DAYS: Final = {"minute": 0, "hour": 0, "day": 1, "week": 7, "month": 30}


class FoundDate(NamedTuple):
    value: date
    span: tuple[int, int]


def find_date_posted(
    document: Document, head_end: int, received: date, day_first: bool
) -> FoundDate | None:
    text = document.text
    for count, match in enumerate(document.scan(_LABELLED, "dates", back=40, ahead=60)):
        if count >= MAX_MENTIONS:
            break
        value = _date_of(match, received, day_first)
        if value is not None:
            return FoundDate(value, match.span())
    # "ago" must be there (in any case): looking for it costs far less than the pattern.
    relative = _RELATIVE.search(text, 0, head_end) if "ago" in document.lower[:head_end] else None
    if relative is not None:
        value = _relative(relative.group("amount"), relative.group("unit"), received)
        return FoundDate(value, relative.span())
    return None


def _date_of(match: re.Match[str], received: date, day_first: bool) -> date | None:
    try:
        if match.group("iso"):
            return date(int(match.group("iy")), int(match.group("im")), int(match.group("id")))
        if match.group("numeric"):
            first, second = int(match.group("n1")), int(match.group("n2"))
            year = _year(match.group("ny"))
            if first > 12 or (day_first and second <= 12):
                return date(year, second, first)
            return date(year, first, second)
        if match.group("mdy"):
            month = _MONTHS[match.group("mm").lower()]
            return date(int(match.group("my")), month, int(match.group("md")))
        if match.group("dmy"):
            month = _MONTHS[match.group("dm").lower()]
            return date(int(match.group("dy")), month, int(match.group("dd")))
    except ValueError:  # 31 February and the like: not a date
        return None
    if match.group("ago"):
        return _relative(match.group("amount"), match.group("unit"), received)
    if match.group("today"):
        return received
    if match.group("yesterday"):
        return received - timedelta(days=1)
    return None


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def _relative(amount: str, unit: str, received: date) -> date:
    count = int(amount) if amount.isdigit() else 1
    return received - timedelta(days=count * _UNIT_DAYS[unit.lower()])
