"""The language of a posting (ISO 639-1), from its function words.

Why not a language-identification library: the parser's budget is half a millisecond a posting,
and general identifiers (py3langid, langdetect) cost a millisecond or more for a 3 KB text and
always name some language, even for "Acme | Senior Engineer | Berlin". Postings in the
languages below are told apart reliably by how often their function words occur, and a text
with too few of them gets no language rather than a guess.
"""

from __future__ import annotations

import math
from typing import Final, NamedTuple

SAMPLE_CHARS: Final = 1_500
MIN_HITS: Final = 3
MIN_MARGIN: Final = 1.5

_FUNCTION_WORDS: Final = {
    "en": "the and of to in with for you we our is are will be on as your this that have an at"
    " by from who or",
    "de": "und der die das mit für wir sie ist ein eine zu den von auf im des dem nicht sich auch"
    " du bei oder unser unsere deine ihre über",
    "fr": "le la les et des du de un une pour nous vous est dans avec sur au votre notre qui que"
    " ou par vos nos en",
    "es": "el la los las y de del con para un una que por es nuestro nuestra tu se al como más"
    " sus en",
    "pt": "o os e de do da dos das em com para um uma que por você nosso nossa na no ou seu sua"
    " não são",
    "it": "il lo la gli e di del della con per un una che sono nostro nel al nella dei",
    "nl": "de het een en van met voor wij je jouw ons zijn op te bij aan",
}
_LANGUAGES_OF: Final[dict[str, tuple[str, ...]]] = {}
for _language, _words in _FUNCTION_WORDS.items():
    for _word in _words.split():
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _language)
# What a function word adds to each of its languages' scores: "de", "la", "e" are shared by
# several languages and count less, 1/n each. Scores are whole numbers of 1/UNIT (every n
# divides UNIT), so they add up exactly, in any order.
UNIT: Final = math.lcm(*range(1, len(_FUNCTION_WORDS) + 1))
_SHARES_OF: Final[dict[str, tuple[tuple[str, int], ...]]] = {
    word: tuple((language, UNIT // len(languages)) for language in languages)
    for word, languages in _LANGUAGES_OF.items()
}

MAX_WORD_CHARS: Final = max(map(len, _SHARES_OF))


class FoundLanguage(NamedTuple):
    code: str
    span: tuple[int, int]


def find_language(text: str, lowered: str | None = None) -> FoundLanguage | None:
    """The language of `text`; `lowered` is the text in lower case when the caller has it
    (`anchors.lowered`: its words differ from those of `str.lower` only where a character
    lowers to two or a final sigma is cut, and no function word has either)."""
    sample = text[:SAMPLE_CHARS]
    lower_sample = lowered[:SAMPLE_CHARS] if lowered is not None else sample.lower()
    # str.split is C-speed; a word glued to punctuation ("and,") is just not counted. Scores
    # are added up word by word in a plain loop: compiled (tools/compile.py), it costs less
    # than counting with Counter(filter(...)), whose constructor runs Python code.
    shares_of = _SHARES_OF
    scores: dict[str, int] = {}
    for word in lower_sample.split():
        # Longer words are no function word: most are not hashed for the lookup.
        if len(word) > MAX_WORD_CHARS:
            continue
        shares = shares_of.get(word)
        if shares is not None:
            for language, share in shares:
                scores[language] = scores.get(language, 0) + share
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if score < MIN_HITS * UNIT or score < MIN_MARGIN * runner_up:
        return None
    return FoundLanguage(best, (0, len(sample.rstrip())))
