"""Our own rules for the date expressions dateparser is known to get wrong.

Each is resolved against the publication day, to the period the words name:

- weekdays: under PREFER_DATES_FROM='past' dateparser puts a weekday equal to the base's
  a week back (scrapinghub/dateparser#508; measured with the locked 1.5.0: "Monday" in a
  story of Monday 2 Jan 2023 gives 26 Dec 2022); weekdays across a month or year boundary
  came out wrong in earlier releases (#1249: "Monday" on Fri 3 Jan 2025 gave 30 Jan 2024;
  #1262), and "last <weekday>" was not parsed at all (#573, #898);
- "last month", "next year", "this week": dateparser computes them from the base's day
  and returns a day (#1270; go-dateparser#14 describes the same arithmetic), where the
  words name a whole month, year or span of days; "earlier this year" it does not parse;
- a day of the month on its own ("on the 14th"): returned in the future of a past-tense
  story (measured: "the 14th" on 2 Jan 2023 with PREFER_DATES_FROM='past' gives
  14 Jan 2023);
- a month on its own ("in April", "last December"): a past month can come back in the
  future (#1262), and "last December" is not parsed.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from briefings.draft.expressions import WEEKDAYS, Expression, month_number
from briefings.draft.reading import LOOSE, TENSE, Resolution, Unresolvable, describe, made


def modified(why: str, expression: Expression) -> str:
    """The rule's reason, saying that 'early', 'mid-' or 'the end of' keep the period whole."""
    modifier = expression.part("modifier") or _lead_modifier(expression)
    return f"{why}; '{modifier}' does not make it finer" if modifier else why


def _lead_modifier(expression: Expression) -> str:
    lead = expression.part("lead")
    match = re.search(r"early|mid|late|the (?:end|start|beginning|middle) of", lead)
    return match[0] if match else ""


def month_alone(expression: Expression, published: date, tense: str) -> Resolution:
    """'in April': the month in the publication's year if that fits the tense (up to the
    publication month in the past, from it on in the future), else a year away."""
    month = month_number(expression.parts["month"])
    if tense == "future":
        year = published.year + (month < published.month)
        other_year = year - 1
        why = "no year given; future tense: the next such month from publication on"
    else:
        year = published.year - (month > published.month)
        other_year = year + 1
        why = "no year given; past tense: the most recent such month up to publication"
    why = modified(why, expression)
    other = f"other reading: {describe(date(other_year, month, 1), 'month')}"
    return made(
        expression, published, (date(year, month, 1), "month"), why, other=other, certainty=TENSE
    )


def relative_month(expression: Expression, published: date, tense: str) -> Resolution:
    """'last April' (the most recent April before the publication month), 'next April'
    (the first after it); 'this April' reads as the month alone."""
    relative = expression.part("relative")
    if relative == "this":
        return month_alone(expression, published, tense)
    month = month_number(expression.parts["month"])
    if relative in ("next", "this coming"):
        year = published.year + (month <= published.month)
        why = f"'{relative}': the first such month after the publication month"
    else:
        year = published.year - (month >= published.month)
        why = f"'{relative}': the most recent such month before the publication month"
    return made(expression, published, (date(year, month, 1), "month"), why)


def month_of_relative_year(expression: Expression, published: date, tense: str) -> Resolution:
    """'April of the previous year', 'May next year': the month in that year."""
    offset = _YEAR_OFFSETS[expression.part("relative")]
    day = date(published.year + offset, month_number(expression.parts["month"]), 1)
    why = modified(
        f"'{expression.part('relative')} year' counted from {published.year}", expression
    )
    return made(expression, published, (day, "month"), why)


_YEAR_OFFSETS = {
    "last": -1,
    "the previous": -1,
    "this": 0,
    "the same": 0,
    "next": 1,
    "the following": 1,
}


def weekday(expression: Expression, published: date, tense: str) -> Resolution:
    """A weekday: the most recent one up to the publication day in a past-tense sentence
    (the publication day itself included), the next one after it in the future tense;
    'last' is the most recent before the publication day, 'next' the first after it.
    Our rule rather than dateparser's: see the module's docstring."""
    name = expression.parts["weekday"]
    target = WEEKDAYS.index(name)
    back = (published.weekday() - target) % 7
    ahead = (target - published.weekday()) % 7 or 7
    relative = expression.part("relative")
    if relative in ("next", "this coming", "coming"):
        day = published + timedelta(ahead)
        why = f"'{relative}': the first {name} after the publication day"
        other, other_why = day + timedelta(7), "a week later"
    elif relative in ("last", "this past"):
        day = published - timedelta(back or 7)
        why = f"'{relative}': the most recent {name} before the publication day"
        other, other_why = day - timedelta(7), "a week earlier"
    elif tense == "future":
        day = published + timedelta(ahead)
        why = f"future tense: the next {name} after the publication day"
        other, other_why = published - timedelta(back), "if it speaks of the past"
    else:
        day = published - timedelta(back)
        why = f"past tense: the most recent {name} up to the publication day"
        if back == 0:
            other, other_why = day - timedelta(7), "a week earlier"
        else:
            other, other_why = published + timedelta(ahead), "if it speaks of the future"
    reading = f"other reading: {describe(other)} ({other_why})"
    return made(expression, published, (day, "day"), why, other=reading, certainty=TENSE)


def ordinal_day(expression: Expression, published: date, tense: str) -> Resolution:
    """'on the 14th': the most recent 14th up to the publication day (past tense) or the
    next one after it (future), skipping months too short to have it."""
    number = int(re.match(r"\d+", expression.parts["day"])[0])
    step = 1 if tense == "future" else -1
    year, month = published.year, published.month
    while True:
        if number <= calendar.monthrange(year, month)[1]:
            day = date(year, month, number)
            if (day > published) if step == 1 else (day <= published):
                break
        year, month = _shift_month(year, month, step)
    why = (
        "no month given; future tense: the next such day after publication"
        if step == 1
        else "no month given; past tense: the most recent such day up to publication"
    )
    return made(expression, published, (day, "day"), why, certainty=TENSE)


def ordinal_day_of_relative_month(
    expression: Expression, published: date, tense: str
) -> Resolution:
    number = int(re.match(r"\d+", expression.parts["day"])[0])
    year, month = _shift_month(
        published.year, published.month, _MONTH_OFFSETS[expression.part("relative")]
    )
    if number > calendar.monthrange(year, month)[1]:
        raise Unresolvable(f"'{expression.text}' names a day that month does not have")
    why = f"'{expression.part('relative')} month' counted from {describe(published, 'month')}"
    return made(expression, published, (date(year, month, number), "day"), why)


_MONTH_OFFSETS = {"last": -1, "the previous": -1, "this": 0, "next": 1}


def _shift_month(year: int, month: int, step: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + step
    return index // 12, index % 12 + 1


def period(expression: Expression, published: date, tense: str) -> Resolution:
    """this/last/next week, weekend, month or year, 'earlier this year': the whole period
    the words name, counted from the publication day (our rule: see the docstring)."""
    relative, unit = expression.part("relative"), expression.part("unit")
    if unit in ("month", "year"):
        offset = {"last": -1, "the previous": -1, "next": 1, "the coming": 1}.get(relative, 0)
        if unit == "month":
            year, month = _shift_month(published.year, published.month, offset)
            reading = (date(year, month, 1), "month")
        else:
            reading = (date(published.year + offset, 1, 1), "year")
        side = {-1: f"the {unit} before ", 1: f"the {unit} after "}.get(offset, "")
        why = f"{side}the publication {unit}"
        return made(expression, published, reading, why)
    first, last = _week_span(relative, unit, published, tense)
    return span(expression, published, first, last)


def _week_span(relative: str, unit: str, published: date, tense: str) -> tuple[date, date]:
    """The days 'this week', 'last weekend', 'earlier this week' can mean (weeks begin on
    Monday): within the current week, up to the publication day in the past tense and
    from it on in the future."""
    monday = published - timedelta(published.weekday())
    if relative in ("last", "the previous"):
        monday -= timedelta(7)
    elif relative in ("next", "the coming"):
        monday += timedelta(7)
    first, last = (
        (monday, monday + timedelta(6))
        if unit == "week"
        else (
            monday + timedelta(5),
            monday + timedelta(6),
        )
    )
    if relative == "earlier this":
        return first, max(first, published - timedelta(1))
    if relative == "later this":
        return min(last, published + timedelta(1)), last
    if relative == "this" and unit == "week":
        return (first, published) if tense != "future" else (published, last)
    if relative == "this" and tense != "future" and first > published:
        return first - timedelta(7), last - timedelta(7)  # "this weekend" said on a weekday
    return first, last


def span(expression: Expression, published: date, first: date, last: date) -> Resolution:
    """A span of days at the finest precision that holds all of it; a span across a year's
    end is recorded as the month holding most of its days (the later one on a tie)."""
    shown = f"{describe(first)}–{describe(last)}" if first != last else describe(first)
    if first == last:
        return made(expression, published, (first, "day"), f"the day {shown}")
    if (first.year, first.month) == (last.year, last.month):
        return made(expression, published, (first.replace(day=1), "month"), f"the days {shown}")
    if first.year == last.year:
        why = f"the days {shown}, across a month's end"
        return made(expression, published, (date(first.year, 1, 1), "year"), why)
    in_first_month = (date(first.year, 12, 31) - first).days + 1
    in_last_month = last.day
    chosen, rejected = (last, first) if in_last_month >= in_first_month else (first, last)
    why = f"the days {shown}, across a year's end: the month holding most of them"
    other = f"other reading: {describe(rejected, 'month')}"
    reading = (chosen.replace(day=1), "month")
    return made(expression, published, reading, why, other=other, certainty=LOOSE)
