"""Resolving a date expression against the story's publication date, with the rule used.

Every resolution says what the words give, how precisely (`day`, `month`, `year`: no
finer than the words allow) and by which rule, so the analyst can check it and the
dataset can keep it in `notes`; where the words allow another reading it is named too.

dateparser reads absolute dates ("12th of May, 2020", "Oct. 2005"), "N days/months/years
ago", "in N days" and yesterday/today/tomorrow, always with the publication date as its
base (it never looks at the clock), English only (so it never loads a language-detection
model) and with the past or future preferred as the sentence's tense says. The forms it
is known to get wrong follow our rules (`rules`, which cites the reports).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from briefings.data.dates import is_supported
from briefings.draft import rules
from briefings.draft.expressions import WEEKDAYS, Expression, month_number
from briefings.draft.figures import number_value
from briefings.draft.reading import EXACT, LOOSE, TENSE, Resolution, Unresolvable, describe, made


def resolve(expression: Expression, published: date, tense: str) -> Resolution | None:
    """Resolve an expression against the publication day, reading it in `tense` ('past' or
    'future'); None when the words are not a date here ("in two years" of a duration).

    Raises Unresolvable for a date that does not exist.
    """
    resolution = _RESOLVERS[expression.form](expression, published, tense)
    if resolution is not None and not is_supported(resolution.day):
        raise Unresolvable(f"'{expression.text}' falls outside the years a dataset can hold")
    return resolution


def _dateparser(text: str, published: date, prefer: str = "past") -> date | None:
    """dateparser's reading of `text`, based on the publication day, never on the clock."""
    import dateparser  # (about 0.3 s to import)

    settings = {
        "RELATIVE_BASE": datetime.combine(published, time()),
        "PREFER_DATES_FROM": prefer,
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "TIMEZONE": "UTC",
        # No "timestamp" parser: a large number in an article is not a Unix time.
        "PARSERS": ["relative-time", "absolute-time"],
    }
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    return parsed.date() if parsed else None


def _core(expression: Expression) -> str:
    """The expression without its leading preposition or weekday, for dateparser."""
    text = re.sub(
        r"^(?:on|in|since|by|until|till|during|from|through)\s+", "", expression.text, flags=re.I
    )
    return re.sub(rf"^(?:{'|'.join(WEEKDAYS)}),?\s+", "", text)


def _absolute_day(expression: Expression, published: date, tense: str) -> Resolution:
    """12 May 2020, May 12th, the 12th of May: dateparser; without a year, the tense
    chooses the occurrence up to the publication day (past) or after it (future)."""
    prefer = "future" if tense == "future" else "past"
    day = _dateparser(_core(expression), published, prefer)
    if day is None:
        raise Unresolvable(f"'{_core(expression)}' is not a date")
    if expression.part("year"):
        why, other, certainty = "the date as written", "", EXACT
    else:
        other_day = _dateparser(
            _core(expression), published, "past" if prefer == "future" else "future"
        )
        why = (
            "no year given; future tense: the next such day after publication"
            if prefer == "future"
            else "no year given; past tense: the most recent such day up to publication"
        )
        other = f"other reading: {describe(other_day)}" if other_day else ""
        certainty = TENSE
    weekday = expression.parts.get("weekday")
    if weekday and WEEKDAYS[day.weekday()] != weekday:
        other = f"the text says {weekday}, but {describe(day)} is a {WEEKDAYS[day.weekday()]}"
        certainty = LOOSE
    return made(expression, published, (day, "day"), why, other=other, certainty=certainty)


def _iso(expression: Expression, published: date, tense: str) -> Resolution:
    try:
        day = date.fromisoformat(expression.text)
    except ValueError:
        raise Unresolvable(f"'{expression.text}' is not a date") from None
    return made(expression, published, (day, "day"), "the date as written")


def _month_year(expression: Expression, published: date, tense: str) -> Resolution:
    month = month_number(expression.parts["month"])
    day = date(int(expression.parts["year"]), month, 1)
    return made(
        expression, published, (day, "month"), rules.modified("the month as written", expression)
    )


def _year(expression: Expression, published: date, tense: str) -> Resolution:
    day = date(int(expression.parts["year"]), 1, 1)
    return made(
        expression, published, (day, "year"), rules.modified("the year as written", expression)
    )


def _relative_day(expression: Expression, published: date, tense: str) -> Resolution:
    """yesterday, today, tomorrow (dateparser); tonight and 'this morning' are today,
    'last night' the evening before publication."""
    word = expression.part("word")
    if word == "last night":
        day, other = (
            published - timedelta(1),
            f"other reading: {describe(published)} (a story written overnight)",
        )
    elif word.startswith("this ") or word == "tonight":
        day, other = published, ""
    else:
        day, other = _dateparser(word, published), ""
    why = "counted from the publication day"
    certainty = TENSE if other else EXACT  # a story written overnight may mean that night
    return made(expression, published, (day, "day"), why, other=other, certainty=certainty)


def _ago(expression: Expression, published: date, tense: str) -> Resolution | None:
    """'two years ago', 'three days ago' (dateparser), 'two weeks ago' (the week that
    holds that day), 'a decade ago' (a round figure: the year, loosely)."""
    number = number_value(expression.parts["number"])
    if number is None or number != int(number):
        return None
    count, unit = int(number), expression.part("unit").rstrip("s")
    if unit in ("week", "fortnight"):
        return _weeks_away(expression, published, -count * (2 if unit == "fortnight" else 1))
    precision = {"day": "day", "month": "month"}.get(unit, "year")
    years = 10 * count if unit == "decade" else count
    text = f"{years} years ago" if unit == "decade" else f"{count} {unit}s ago"
    day = _dateparser(text, published)
    reading = (day if precision == "day" else day.replace(day=1), precision)
    if precision == "year":
        reading = (date(day.year, 1, 1), "year")
    loose = unit == "decade" or bool(expression.part("approx"))
    why = "counted back from the publication day" + (", a round figure" if loose else "")
    return made(expression, published, reading, why, certainty=LOOSE if loose else EXACT)


def _in_time(expression: Expression, published: date, tense: str) -> Resolution | None:
    """'in two weeks' (time)': counted forward from publication, but only in a sentence
    about the future ("rose in two years" is a duration, not a date)."""
    if tense != "future" and not expression.parts.get("time"):
        return None
    number = number_value(expression.parts["number"])
    if number is None or number != int(number):
        return None
    count, unit = int(number), expression.part("unit").rstrip("s")
    if unit in ("week", "fortnight"):
        return _weeks_away(expression, published, count * (2 if unit == "fortnight" else 1))
    years = 10 * count if unit == "decade" else count
    text = f"in {years} years" if unit == "decade" else f"in {count} {unit}s"
    day = _dateparser(text, published, "future")
    precision = {"day": "day", "month": "month"}.get(unit, "year")
    start = {"day": day, "month": day.replace(day=1)}.get(precision, date(day.year, 1, 1))
    return made(expression, published, (start, precision), "counted forward from publication")


def _weeks_away(expression: Expression, published: date, weeks: int) -> Resolution:
    """'two weeks ago', 'in a fortnight': a round count of weeks, so the days from three
    before to three after the day it lands on, at the precision that holds them."""
    middle = published + timedelta(7 * weeks)
    return rules.span(expression, published, middle - timedelta(3), middle + timedelta(3))


_RESOLVERS: dict[str, Callable[[Expression, date, str], Resolution | None]] = {
    "iso": _iso,
    "day_month": _absolute_day,
    "month_day": _absolute_day,
    "month_year": _month_year,
    "month_of_relative_year": rules.month_of_relative_year,
    "relative_month": rules.relative_month,
    "month": rules.month_alone,
    "ordinal_day": rules.ordinal_day,
    "ordinal_day_of_relative_month": rules.ordinal_day_of_relative_month,
    "weekday": rules.weekday,
    "relative_day": _relative_day,
    "period": rules.period,
    "ago": _ago,
    "in_time": _in_time,
    "year": _year,
}
