"""How generated prose writes numbers, lists, labels and dates (plain text, no markup)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from briefings.data.dates import format_partial

# Lists inside a sentence name at most this many items.
LIST_LIMIT = 20

_NUMBER_WORDS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def day(value: date) -> str:
    """A full date as the briefing writes it: '3 Jan 2020'."""
    return format_partial(value, "day")


def number(n: int) -> str:
    """Small numbers in words, as prose writes them; larger ones in digits."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def plural(n: int, word: str) -> str:
    if n == 1:
        return word
    return word + ("es" if word.endswith("ch") else "s")


def count(n: int, word: str) -> str:
    """'one stretch', 'three stretches'."""
    return f"{number(n)} {plural(n, word)}"


def times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{number(n)} times")


def lower_first(label: str) -> str:
    """'Security assistance' -> 'security assistance' inside a sentence; acronyms
    ('IMET', 'CIS-MOA') keep their capitals."""
    if len(label) > 1 and (label[1].isupper() or not label[1].isalpha()):
        return label
    return label[:1].lower() + label[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def capped(items: list[str], noun: str, limit: int = LIST_LIMIT) -> list[str]:
    """At most `limit` items, then 'N further <noun>' for the rest (for `and_`)."""
    if len(items) <= limit:
        return items
    return [*items[:limit], f"{len(items) - limit:,} further {noun}"]


def and_(items: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def duration(since: date, until: date) -> str:
    """Whole years and months from one day to another: 'three years and eleven months'."""
    months = (until.year - since.year) * 12 + until.month - since.month - (until.day < since.day)
    years, months = divmod(max(months, 0), 12)
    parts = [count(n, unit) for n, unit in ((years, "year"), (months, "month")) if n]
    return and_(parts) or "less than a month"
