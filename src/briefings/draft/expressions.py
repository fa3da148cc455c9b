"""Finding the date expressions in a sentence: absolute ("12 May 2020", "October 2005"),
relative ("on Tuesday", "last month", "two years ago") and anchored to the publication
("earlier this year").

Each form is one pattern with named parts; where two overlap, the longer wins ("April of
the previous year" over "the previous year"). Month and weekday names must be written
with a capital, so the modal "may" and a protest "march" are not dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefings.draft.figures import NUMBER_WORDS

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}

_FULL_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
MONTH = rf"(?P<month>(?:{_FULL_MONTHS})\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?)"
WEEKDAY = rf"(?P<weekday>{'|'.join(WEEKDAYS)})\b"
# 1–31, with an ordinal ending if any; never part of a longer number or a time (10:30).
DAY = r"(?P<day>(?<![\d.,:])(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:%]))"
# A year beside a month may be any the dataset supports; a year on its own is 1800–2099
# and not a decade ("1990s"), a range ("2018-19"), a share or part of a larger number.
_MONTH_YEAR = r"(?P<year>(?<![\d$£€.,])[12]\d{3}(?![\d%]))"
_LONE_YEAR = (
    r"(?P<year>(?<![\w$£€.,/])(?<!\d[-\u2013])(?<!\d\s[-\u2013]\s)(?:18|19|20)\d\d"
    r"(?![\w%/]|\s*[-\u2013]\s*\d))"
)
# "early", "mid-", "the end of": kept in the rule, no finer than the period they modify.
_MODIFIER = (
    r"(?P<modifier>(?i:early|mid|late|the (?:end|start|beginning|middle|first half|"
    r"second half) of))[\s-]+"
)
# "in", "on", "since": part of the expression as read, no change to the date.
_LEAD = r"(?:(?i:on|in|since|by|until|till|during|from|through)\s+)?"
_APPROX = r"(?:(?P<approx>(?i:about|around|roughly|some|nearly|almost|more than|over))\s+)?"
_UNITS = r"(?P<unit>days?|weeks?|fortnights?|months?|years?|decades?)"

# (form, pattern); the form names the resolver in `resolution`.
_FORMS = (
    ("iso", r"(?<![\d-])(?P<year>[12]\d{3})-(?P<month_number>0[1-9]|1[0-2])-(?P<day>[0-3]\d)"),
    (
        "day_month",
        rf"{_LEAD}(?:{WEEKDAY},?\s+)?(?:(?i:the)\s+)?{DAY}\s+(?:(?i:of)\s+)?{MONTH}"
        rf"(?:,?\s+{_MONTH_YEAR})?",
    ),
    (
        "month_day",
        rf"{_LEAD}(?:{WEEKDAY},?\s+)?{MONTH}\s+{DAY}(?!\s*(?i:million|billion|per))"
        rf"(?:,?\s+{_MONTH_YEAR})?",
    ),
    ("month_year", rf"{_LEAD}(?:{_MODIFIER})?{MONTH},?\s+(?:(?i:of)\s+)?{_MONTH_YEAR}"),
    (
        "month_of_relative_year",
        rf"{_LEAD}(?:{_MODIFIER})?{MONTH}\s+(?:(?i:of)\s+)?"
        r"(?P<relative>(?i:last|this|next|the previous|the following|the same))\s+(?i:year)\b",
    ),
    ("relative_month", rf"(?P<relative>(?i:last|next|this|this past|this coming))\s+{MONTH}"),
    (
        "month",
        rf"(?P<lead>(?i:in|since|by|until|till|during|from|through|(?:in\s+)?(?:early|mid|"
        rf"late)|(?:at|by|until|from|in)?\s*the (?:end|start|beginning|middle) of))"
        rf"[\s-]+{MONTH}",
    ),
    (
        "ordinal_day",
        r"(?i:on)\s+(?i:the)\s+(?P<day>(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th))\b"
        r"(?!\s+(?i:century|amendment|anniversary|division|brigade|corps|regiment|fleet))",
    ),
    (
        "ordinal_day_of_relative_month",
        r"(?:(?i:on)\s+)?(?i:the)\s+(?P<day>(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th))\s+"
        r"(?i:of)\s+(?P<relative>(?i:last|this|next|the previous))\s+(?i:month)\b",
    ),
    (
        "weekday",
        rf"(?:(?P<relative>(?i:last|next|this past|this coming|this|coming|on))\s+)?{WEEKDAY}"
        r"(?:\s+(?P<part>(?i:morning|afternoon|evening|night)))?",
    ),
    (
        "relative_day",
        r"\b(?P<word>(?i:the day before yesterday|the day after tomorrow|yesterday|today|"
        r"tonight|tomorrow|last night|this (?:morning|afternoon|evening)))\b",
    ),
    (
        "period",
        r"\b(?P<relative>(?i:(?:earlier|later) this|this|last|next|the previous|the coming))"
        r"\s+(?P<unit>(?i:weekend|week|month|year))\b",
    ),
    ("ago", rf"\b{_APPROX}(?P<number>(?i:{NUMBER_WORDS}|\d+))\s+(?i:{_UNITS})\s+(?i:ago)\b"),
    (
        "in_time",
        rf"\b(?i:in)\s+(?P<number>(?i:{NUMBER_WORDS}|\d+))\s+(?i:{_UNITS})\b(?:['’]s?)?"
        r"(?P<time>\s+(?i:time)\b)?",
    ),
    ("year", rf"{_LEAD}(?:{_MODIFIER})?{_LONE_YEAR}"),
)
_PATTERNS = tuple((form, re.compile(pattern)) for form, pattern in _FORMS)


@dataclass(frozen=True)
class Expression:
    """One date expression in a sentence: its text as written, where it is, which form
    it takes and its named parts ("weekday": "Tuesday", "relative": "last", ...)."""

    text: str
    start: int
    end: int
    form: str
    parts: dict[str, str]

    def part(self, name: str) -> str:
        """A named part, lower-cased; empty when the expression has none."""
        return (self.parts.get(name) or "").lower()


def find_expressions(sentence: str) -> list[Expression]:
    """Every date expression in a sentence, in the order written; of overlapping
    readings the longest is kept."""
    found = []
    for form, pattern in _PATTERNS:
        for match in pattern.finditer(sentence):
            parts = {k: v for k, v in match.groupdict().items() if v}
            text = match[0].strip()
            found.append(Expression(text, match.start(), match.end(), form, parts))
    found.sort(key=lambda e: (e.start, -(e.end - e.start)))
    kept: list[Expression] = []
    for expression in found:
        if kept and expression.start < kept[-1].end:
            continue
        kept.append(expression)
    return kept


def month_number(name: str) -> int:
    """1–12 for a month name or its abbreviation ("Sept.", "October")."""
    return MONTHS[name.lower()[:3]]
