"""What the generated sections are made of: grades, cited sources and events, state labels,
and the note on what a capped list leaves out.

Every section is a frozen dataclass of text and numbers that names its template (under
`templates/briefing/sections/`); `markup.render_data` turns it into HTML, escaping every
value. Pure functions make them: the dataset, resolved parameters and frames from
`briefings.data.states` in, dataclasses out. The fixed prose around the sections
(headings, explanations, the method) is in the briefing notebook's markdown cells, where
the analyst edits it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

import pandas as pd

from briefings.data.dataset import Dataset
from briefings.data.dates import format_partial
from briefings.data.grades import CREDIBILITY_MEANINGS, RELIABILITY_MEANINGS
from briefings.data.vocabulary import COLOUR, StateDef


@dataclass(frozen=True)
class Grade:
    """An Admiralty grade as shown ('B', or 'B – usually reliable') and its meaning."""

    text: str
    meaning: str


@dataclass(frozen=True)
class SourceRef:
    """A cited source: its id and its reliability grade."""

    source_id: str
    grade: Grade


@dataclass(frozen=True)
class EventRef:
    """An event by its marker number on the chart, else by its id."""

    number: int | None
    event_id: str


@dataclass(frozen=True)
class EventText:
    """What an event says: its summary, figures it leaves out ('Amount: $2 billion') and
    actors."""

    summary: str
    amounts: str
    actors: str


@dataclass(frozen=True)
class StateLabel:
    """A state's label and its colour (#RRGGBB; None when the dataset's is not one)."""

    label: str
    colour: str | None


@dataclass(frozen=True)
class Remainder:
    """What a capped list leaves out: `shown` of `total` `noun`, the rest `where`."""

    shown: int
    total: int
    noun: str
    where: str


@dataclass(frozen=True)
class GradeKey:
    """The two Admiralty scales: (grade, meaning) pairs for reliability and credibility."""

    template: ClassVar[str] = "briefing/sections/grade_key.html.j2"
    reliability: tuple[tuple[str, str], ...]
    credibility: tuple[tuple[str, str], ...]


def grade_key() -> GradeKey:
    """The two Admiralty scales, spelled out."""
    return GradeKey(
        reliability=tuple(RELIABILITY_MEANINGS.items()),
        credibility=tuple((str(k), v) for k, v in CREDIBILITY_MEANINGS.items()),
    )


def remainder(total: int, shown: int, noun: str, where: str) -> Remainder | None:
    """What a capped list leaves out; None when it lists everything."""
    return Remainder(shown, total, noun, where) if total > shown else None


def day(value: date) -> str:
    """A full date as the briefing writes it: '3 Jan 2020'."""
    return format_partial(value, "day")


def event_ref(event_id: str, numbers: dict[str, int]) -> EventRef:
    """The event by its marker number where it has one."""
    return EventRef(numbers.get(event_id), event_id)


def state_label(state: StateDef) -> StateLabel:
    """The label, and the colour only when it is #RRGGBB (it goes into a style attribute)."""
    return StateLabel(state.label, state.colour if COLOUR.fullmatch(state.colour) else None)


def event_text(event: Any) -> EventText:
    """The summary, then any figure the summary does not already spell out."""
    figures = []
    if _present(event.amount_usd):
        dollars = money(int(event.amount_usd))
        if dollars.removeprefix("$") not in event.summary:
            figures.append(f"Amount: {dollars}")
    if _present(event.quantity):
        number = f"{int(event.quantity):,}"
        if not re.search(rf"(?<![\d,.]){re.escape(number)}(?![\d,])", event.summary):
            figures.append(f"Number: {number}")
    return EventText(event.summary, "; ".join(figures), "; ".join(event.actors))


def _present(value: object) -> bool:
    # pandas turns a column of ints with gaps into floats and the gaps into NaN.
    return value is not None and not pd.isna(value)


def money(amount: int) -> str:
    """US dollars the way a briefing writes them: '$2 billion', '$900 million', '$12,500'."""
    for size, word in ((10**9, "billion"), (10**6, "million")):
        if amount >= size and amount % (size // 100) == 0:
            number = f"{amount / size:.2f}".rstrip("0").rstrip(".")
            return f"${number} {word}"
    return f"${amount:,}"


def source_refs(source_ids: Iterable[str], dataset: Dataset) -> tuple[SourceRef, ...]:
    """The cited sources, each with its reliability grade."""
    grades = dict(zip(dataset.sources["source_id"], dataset.sources["reliability"], strict=True))
    return tuple(SourceRef(s, reliability(grades[s])) for s in source_ids)


def reliability(grade: str, *, spelled: bool = False) -> Grade:
    """A source's grade, as its letter or spelled out ('B – usually reliable')."""
    meaning = RELIABILITY_MEANINGS[grade]
    return Grade(f"{grade} – {meaning}" if spelled else grade, meaning)


def credibility(value: int, *, spelled: bool = False) -> Grade:
    """An event's grade, as its number or spelled out ('2 – probably true')."""
    meaning = CREDIBILITY_MEANINGS[int(value)]
    return Grade(f"{int(value)} – {meaning}" if spelled else str(int(value)), meaning)
