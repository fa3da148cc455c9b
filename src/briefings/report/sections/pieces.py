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
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

import pandas as pd

from briefings.data.dates import format_partial
from briefings.data.grades import CREDIBILITY_MEANINGS, RELIABILITY_MEANINGS
from briefings.data.vocabulary import COLOUR, StateDef
from briefings.report.claims import Evidence
from briefings.report.phrases import cited_as, reference


@dataclass(frozen=True)
class Grade:
    """An Admiralty grade as shown ('B', or 'B – usually reliable') and its meaning."""

    text: str
    meaning: str


@dataclass(frozen=True)
class SourceRef:
    """A cited source as a reader knows it: outlet and publication date ('Reuters via a
    Pakistani news website, about 4 Jan 2020'), and its reliability grade. The id is kept
    for the page's data attributes only, never shown."""

    source_id: str
    cited: str
    grade: Grade


@dataclass(frozen=True)
class EventRef:
    """An event as the text points to it: 'No. 5' when numbered in this window, else by its
    date ('the account of 9 Jan 2018')."""

    number: int | None
    text: str


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


def event_ref(evidence: Evidence) -> EventRef:
    """The event by its marker number where it has one, else by its date."""
    return EventRef(evidence.number, reference(evidence))


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


def source_refs(evidence: Evidence) -> tuple[SourceRef, ...]:
    """The counted sources of an event, each by outlet and date, with its grade."""
    return tuple(
        SourceRef(c.source_id, cited_as(c), reliability(c.grade)) for c in evidence.citations
    )


def reliability(grade: str, *, spelled: bool = False) -> Grade:
    """A source's grade, as its letter or spelled out ('B – usually reliable')."""
    meaning = RELIABILITY_MEANINGS[grade]
    return Grade(f"{grade} – {meaning}" if spelled else grade, meaning)


def credibility(value: int, *, spelled: bool = False) -> Grade:
    """An event's grade, as its number or spelled out ('2 – probably true')."""
    meaning = CREDIBILITY_MEANINGS[int(value)]
    return Grade(f"{int(value)} – {meaning}" if spelled else str(int(value)), meaning)
