"""A date expression read against a publication date: the period it names, at which
precision, by which rule, any other reading, and how sure that is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from briefings.data.dates import format_partial
from briefings.draft.expressions import Expression

# How sure the date is, from the words alone: `exact` (one reading), `tense` (the
# sentence's tense chose between readings), `loose` (a round or approximate figure, a
# span no precision holds, or words that disagree).
EXACT, TENSE, LOOSE = "exact", "tense", "loose"
_DAYS_OF_WEEK = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Unresolvable(ValueError):
    """An expression that looks like a date but names none ("30 February 2023")."""


@dataclass(frozen=True)
class Resolution:
    """What a date expression gives: the first day of the period, its precision, the rule
    that gave it, another reading if the words allow one, and how sure it is."""

    day: date
    precision: str
    rule: str
    other: str
    certainty: str

    @property
    def value(self) -> str:
        """The date as events.csv writes it: YYYY-MM-DD, YYYY-MM or YYYY."""
        return written(self.day, self.precision)


def written(day: date, precision: str) -> str:
    """A date as events.csv writes it at a precision: YYYY-MM-DD, YYYY-MM or YYYY."""
    return {"day": day.isoformat(), "month": day.isoformat()[:7]}.get(precision, f"{day.year}")


def describe(day: date, precision: str = "day") -> str:
    """A date as the rules write it: 'Tue 13 Sep 2022', 'Sep 2022', '2022'."""
    if precision == "day":
        return f"{_DAYS_OF_WEEK[day.weekday()]} {format_partial(day, 'day')}"
    return format_partial(day, precision)


def made(
    expression: Expression,
    published: date,
    reading: tuple[date, str],
    why: str,
    *,
    other: str = "",
    certainty: str = EXACT,
) -> Resolution:
    day, precision = reading
    rule = (
        f"'{expression.text}' in a story published {describe(published)} → "
        f"{describe(day, precision)} ({why})"
    )
    return Resolution(day, precision, rule, other, certainty)
