"""Dates as the dataset writes them: a day, a month or a year."""

from __future__ import annotations

import re
from datetime import date

PRECISIONS = ("day", "month", "year")
DATE_FORMS = "use YYYY-MM-DD, YYYY-MM or YYYY"

_PATTERNS = {
    "day": re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
    "month": re.compile(r"(\d{4})-(\d{2})"),
    "year": re.compile(r"(\d{4})"),
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
