"""The sections beside the chart: the chart in words, the numbered changes table, and the
contested claims (each dispute beside the event it contradicts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from briefings.data.dataset import Dataset
from briefings.data.dates import format_partial
from briefings.report.bottomline import stretch_words
from briefings.report.sections.pieces import (
    EventRef,
    EventText,
    Grade,
    GradeKey,
    Remainder,
    SourceRef,
    StateLabel,
    credibility,
    event_ref,
    event_text,
    grade_key,
    remainder,
    source_refs,
    state_label,
)
from briefings.report.words import and_

# The briefing stays a short document however large the dataset (a dozen pages at 10,000
# events; every row of the changes table is about a fifteenth of a page): the table lists
# at most this many numbered events, the contested claims at most MAX_CLAIMS disputes, and
# a sentence counts the rest (the chart still marks them all, aggregated where they crowd).
MAX_TABLE_ROWS = 50
MAX_CLAIMS = 20


@dataclass(frozen=True)
class ChartInWords:
    """The chart's text alternative, one paragraph per line."""

    template: ClassVar[str] = "briefing/sections/chart_in_words.html.j2"
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class ChangeRow:
    """One numbered event: a change (with its new `state`) or a dispute (`disputes`)."""

    number: int
    date: str
    track: str
    state: StateLabel | None
    disputes: EventRef | None
    event: EventText
    sources: tuple[SourceRef, ...]
    credibility: Grade


@dataclass(frozen=True)
class ChangesTable:
    """The numbered events keyed to the chart (empty when there are none)."""

    template: ClassVar[str] = "briefing/sections/changes_table.html.j2"
    rows: tuple[ChangeRow, ...]
    remainder: Remainder | None
    key: GradeKey


@dataclass(frozen=True)
class Contradicted:
    """The event a dispute contradicts; `counted` is False when no counted source backs it."""

    ref: EventRef
    track: str
    when: str
    summary: str
    counted: bool


@dataclass(frozen=True)
class Claim:
    """A dispute beside what it contradicts, and the stretches it makes contested."""

    number: int | None
    track: str
    when: str
    contradicts: Contradicted
    dispute: EventText
    sources: tuple[SourceRef, ...]
    credibility: Grade
    effect: str


@dataclass(frozen=True)
class ContestedClaims:
    """The shown disputes (empty when no source contradicts another)."""

    template: ClassVar[str] = "briefing/sections/contested_claims.html.j2"
    claims: tuple[Claim, ...]
    remainder: Remainder | None


def chart_in_words(text: str) -> ChartInWords:
    """The chart's text alternative (`chart.describe_timeline`): one paragraph per line."""
    return ChartInWords(tuple(line for line in text.splitlines() if line.strip()))


def changes_table(markers: pd.DataFrame, dataset: Dataset) -> ChangesTable:
    """The numbered state changes and disputes (`states.key_events`), keyed to the chart."""
    numbers = dict(zip(markers["event_id"], markers["number"], strict=True))
    rows = tuple(
        ChangeRow(
            number=int(event.number),
            date=format_partial(event.date, event.precision),
            track=dataset.track(event.track).label,
            state=None if event.kind == "dispute" else state_label(dataset.states[event.state]),
            disputes=event_ref(event.disputes, numbers) if event.kind == "dispute" else None,
            event=event_text(event),
            sources=source_refs(event.source_ids, dataset),
            credibility=credibility(event.credibility),
        )
        for event in markers.head(MAX_TABLE_ROWS).itertuples()
    )
    rest = remainder(len(markers), len(rows), "numbered events", "marked on the chart")
    return ChangesTable(rows, rest, grade_key())


def shown_disputes(
    events: pd.DataFrame, markers: pd.DataFrame, table: pd.DataFrame
) -> pd.DataFrame:
    """The visible disputes the briefing must explain, by date.

    Those numbered in the window, and those (of any date) that make a stretch shown in
    the state table contested: the chart hatches it, so the text has to say why.
    """
    shown = {e for ids in table["event_ids"] for e in ids}
    disputes = events[
        (events["kind"] == "dispute")
        & (events["event_id"].isin(set(markers["event_id"])) | events["disputes"].isin(shown))
    ]
    return disputes.sort_values(["date", "row"], kind="stable").reset_index(drop=True)


def contested_claims(
    events: pd.DataFrame, markers: pd.DataFrame, table: pd.DataFrame, dataset: Dataset
) -> ContestedClaims:
    """Each shown dispute beside the event it contradicts.

    `events` are the visible events (`states.visible_events`), `table` the state table.
    """
    disputes = shown_disputes(events, markers, table)
    numbers = dict(zip(markers["event_id"], markers["number"], strict=True))
    everything = {e.event_id: e for e in dataset.events.itertuples()}
    visible = set(events["event_id"])
    shown = disputes.head(MAX_CLAIMS)
    contested = _contested_stretches(table, set(shown["disputes"]), dataset, everything)
    claims = tuple(
        Claim(
            number=numbers.get(dispute.event_id),
            track=dataset.track(dispute.track).label,
            when=format_partial(dispute.date, dispute.precision),
            contradicts=_contradicted(everything[dispute.disputes], numbers, visible, dataset),
            dispute=event_text(dispute),
            sources=source_refs(dispute.source_ids, dataset),
            credibility=credibility(dispute.credibility, spelled=True),
            effect=and_(contested.get(dispute.disputes, ())),
        )
        for dispute in shown.itertuples()
    )
    rest = remainder(
        len(disputes), len(claims), "disputes", "numbered on the chart where dated in the window"
    )
    return ContestedClaims(claims, rest)


def _contradicted(
    target: Any, numbers: dict[str, int], visible: set[str], dataset: Dataset
) -> Contradicted:
    return Contradicted(
        ref=event_ref(target.event_id, numbers),
        track=dataset.track(target.track).label,
        when=format_partial(target.date, target.precision),
        summary=target.summary,
        counted=target.event_id in visible,
    )


def _contested_stretches(
    table: pd.DataFrame, event_ids: set[str], dataset: Dataset, by_id: Mapping[str, Any]
) -> dict[str, list[str]]:
    """For each of `event_ids`, the stretches that rest on it, in words (one pass over
    the table, however many claims ask)."""
    found: dict[str, list[str]] = {}
    for row in table.itertuples():
        for event_id in event_ids.intersection(row.event_ids):
            found.setdefault(event_id, []).append(stretch_words(row, dataset, by_id))
    return found
