"""Numbers as articles write them: counts in words or figures, sums of US dollars, and
counts of things ("66 places")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_SMALL = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
# Words that stand for a number on their own.
_IDIOMS = {"a": 1, "an": 1, "a couple of": 2, "a dozen": 12, "half a": Decimal("0.5")}
_SCALES = {
    "hundred": 10**2,
    "thousand": 10**3,
    "million": 10**6,
    "billion": 10**9,
    "trillion": 10**12,
    "k": 10**3,
    "m": 10**6,
    "mn": 10**6,
    "mln": 10**6,
    "bn": 10**9,
    "b": 10**9,
    "tn": 10**12,
    "trn": 10**12,
}

_TENS_WORD = "|".join(_TENS)
_SMALL_WORD = "|".join(sorted(_SMALL, key=len, reverse=True))
# "twenty-one", "sixty six", "twelve", "a dozen": one number written in words.
NUMBER_WORDS = (
    rf"(?:(?:{_TENS_WORD})(?:[\s-](?:{_SMALL_WORD}))?|{_SMALL_WORD}"
    r"|a couple of|a dozen|half an?|an?)"
)
# 1,200 / 1.3 / 66: a number written in figures.
FIGURES = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_SCALE = r"(?:hundred|thousand|million|billion|trillion|mln|mn|bn|tn|trn|[kmb])"
_WORD_SCALE = r"(?:hundred|thousand|million|billion|trillion)"
_DOLLARS = r"(?:US\s+|U\.S\.\s+|American\s+)?dollars?"
_QUALIFIER = r"(?:(?i:some|about|around|roughly|nearly|almost|over|more than|less than|up to)\s+)?"

# $2bn, US$ 1.3 billion, USD 500,000 / 900 million (US) dollars / two billion dollars.
_AMOUNTS = re.compile(
    rf"{_QUALIFIER}(?:"
    rf"(?:US\s?\$|U\.S\.\s?\$|\$|USD\s?)\s?(?P<f1>{FIGURES})(?:\s?(?P<s1>{_SCALE})\b)?"
    rf"|(?<![\w$.])(?P<f2>{FIGURES})(?:\s?(?P<s2>{_SCALE})\b)?\s+{_DOLLARS}\b"
    rf"|\b(?P<w3>(?i:{NUMBER_WORDS})(?:[\s-]hundred)?)[\s-](?P<s3>{_WORD_SCALE})\s+{_DOLLARS}\b"
    rf")"
)
# Nouns after a number that make it a duration, a share or a sum rather than a count.
_NOT_COUNTED = re.compile(
    r"(?:second|minute|hour|day|week|fortnight|month|year|decade|centur(?:y|ie)|"
    r"percent|per|dollar|rupee|euro|pound|time|point|kilometre|kilometer|mile|metre|meter)s?",
    re.IGNORECASE,
)
# 66 places / 140,000 NATO troops / twelve officers: a count of something.
_QUANTITY = re.compile(
    rf"(?<![\w$.,-])(?P<number>{FIGURES}|(?i:{NUMBER_WORDS}))"
    r"(?:\s+(?P<between>[A-Za-z][\w-]*))?\s+(?P<noun>[A-Za-z]+s)\b"
)


@dataclass(frozen=True)
class Figure:
    """A number found in a sentence: where it is, as written, and its value."""

    start: int
    end: int
    text: str
    value: int


def number_value(text: str) -> Decimal | None:
    """The value of a number in figures or words ("66", "1,200", "twenty-one", "a dozen")."""
    text = " ".join(text.lower().replace("-", " ").split())
    if text in _IDIOMS:
        return Decimal(_IDIOMS[text])
    if re.fullmatch(FIGURES, text):
        return Decimal(text.replace(",", ""))
    words = text.split()
    if len(words) > 1 and words[-1] == "hundred":  # "three hundred"
        count = number_value(" ".join(words[:-1]))
        return None if count is None else count * 100
    if len(words) == 1 and words[0] in _SMALL:
        return Decimal(_SMALL[words[0]])
    if words and words[0] in _TENS and len(words) <= 2:
        rest = _SMALL.get(words[1], 0) if len(words) == 2 else 0
        return Decimal(_TENS[words[0]] + rest) if rest < 10 else None
    return None


def find_amounts(sentence: str) -> list[Figure]:
    """Sums of US dollars in a sentence, in the order written, with their whole-dollar value.

    Sums in other currencies are left alone: the dataset's column is `amount_usd`.
    """
    found = []
    for match in _AMOUNTS.finditer(sentence):
        number = match["f1"] or match["f2"] or match["w3"]
        scale = match["s1"] or match["s2"] or match["s3"]
        value = number_value(number)
        if value is None:
            continue
        try:
            total = value * _SCALES[scale.lower()] if scale else value
        except (InvalidOperation, KeyError):
            continue
        found.append(Figure(match.start(), match.end(), match[0], int(total)))
    return found


def find_quantities(sentence: str, taken: list[tuple[int, int]]) -> list[Figure]:
    """Counts of things ("66 places", "140,000 NATO troops"), outside the spans already
    read as dates or sums.

    Numbers under ten in words ("two countries") are left out: style guides spell small
    numbers out, and they are almost never the figure a row records. Four-digit years
    before a plural ("2018 elections") are not counts either.
    """
    found = []
    for match in _QUANTITY.finditer(sentence):
        if any(start < match.end("number") and match.start() < end for start, end in taken):
            continue
        if _NOT_COUNTED.fullmatch(match["noun"]) or (
            match["between"] and _NOT_COUNTED.fullmatch(match["between"])
        ):
            continue
        number = match["number"]
        value = number_value(number)
        if value is None or value != int(value):
            continue
        if not number[0].isdigit() and value < 10:
            continue
        if re.fullmatch(r"1[89]\d\d|20\d\d", number):
            continue
        found.append(Figure(match.start(), match.end(), match[0], int(value)))
    return found
