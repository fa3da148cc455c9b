"""Dates as the dataset writes them: a day, a month or a year."""

from __future__ import annotations

import re
from datetime import date

PRECISIONS = ("day", "month", "year")
DATE_FORMS = "use YYYY-MM-DD, YYYY-MM or YYYY"
# The years a briefing can be about. The chart and the state model add margins to dates;
# near year 1 or 9999 that arithmetic overflows, so dates are kept well inside.
FIRST_DAY, LAST_DAY = date(1000, 1, 1), date(2999, 12, 31)
SUPPORTED_DAYS = f"use a date from {FIRST_DAY} to {LAST_DAY}"

# [0-9], not \d: \d also matches other scripts' digits (Arabic-Indic, Devanagari, …).
_PATTERNS = {
    "day": re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"),
    "month": re.compile(r"([0-9]{4})-([0-9]{2})"),
    "year": re.compile(r"([0-9]{4})"),
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_partial_date(text: str) -> tuple[date, str] | None:
    """Parse YYYY-MM-DD, YYYY-MM or YYYY into (first day of the period, precision).

    Returns None when the text is none of those or names an impossible date.
    """
    for precision, pattern in _PATTERNS.items():
        match = pattern.fullmatch(text)
        if match:
            year, month, day = ([int(g) for g in match.groups()] + [1, 1])[:3]
            try:
                return date(year, month, day), precision
            except ValueError:
                return None
    return None


def is_supported(day: date) -> bool:
    """Whether a date lies in the years a briefing can be about (FIRST_DAY to LAST_DAY)."""
    return FIRST_DAY <= day <= LAST_DAY


def parse_day(text: str) -> date | None:
    """Parse a full ISO date (YYYY-MM-DD); None when it is anything else."""
    parsed = parse_partial_date(text)
    if parsed is None or parsed[1] != "day":
        return None
    return parsed[0]


def format_partial(value: date, precision: str) -> str:
    """A date written no more precisely than it is known: '3 Jan 2020', 'Jan 2020', '2020'."""
    if precision == "year":
        return f"{value.year}"
    if precision == "month":
        return f"{_MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def period_end(value: date, precision: str) -> date:
    """The last day a date of this precision may stand for: the day itself, the month's
    last day, or 31 December."""
    if precision == "year":
        return date(value.year, 12, 31)
    if precision == "month":
        following = date(value.year + value.month // 12, value.month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    return value
