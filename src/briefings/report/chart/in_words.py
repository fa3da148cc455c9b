"""The chart in words: the text alternative, and the sentence behind each stretch's tooltip."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from briefings.data.dataset import Dataset
from briefings.data.dates import format_partial
from briefings.report.chart.shown import lanes, within
from briefings.report.words import LIST_LIMIT, capped


def describe_timeline(
    table: pd.DataFrame,
    markers: pd.DataFrame,
    dataset: Dataset,
    start: date,
    end: date,
    *,
    tracks: Sequence[str] | None = None,
) -> str:
    """The chart in words, as plain text: a heading line, then one line per lane.

    Each lane line names the states in order with their start dates (written as
    precisely as they are known), which stretches are contested or carried forward
    without confirmation, and which event numbers are marked on it.
    """
    shown_lanes = lanes(table, markers, dataset, tracks)
    table, markers = within(table, markers, start, end)
    dated = event_dates(dataset)
    lines = [
        f"Timeline of states from {format_partial(start, 'day')} to "
        f"{format_partial(end, 'day')}, one lane per track, top to bottom."
    ]
    for track in shown_lanes:
        rows = table[table["track"] == track]
        stretches = [
            describe_interval(row, dataset, start, end, dated) for row in rows.itertuples()
        ]
        text = "; then ".join(capped(stretches, "stretches")) if stretches else "no state known"
        lines.append(
            f"{dataset.track(track).label}: {text}. "
            f"{_describe_markers(markers[markers['track'] == track])}"
        )
    return "\n".join(lines)


def event_dates(dataset: Dataset) -> dict[str, tuple[date, str]]:
    """Each event's date and precision by its id."""
    events = dataset.events
    when = zip(events["date"], events["precision"], strict=True)
    return dict(zip(events["event_id"], when, strict=True))


def describe_interval(
    row, dataset: Dataset, start: date, end: date, dated: dict[str, tuple[date, str]]
) -> str:
    """One stretch in words, judged over [start, end] as the chart draws it."""
    label = dataset.states[row.state].label
    first, precision = (row.start, row.start_precision) if row.start >= start else (start, "day")
    confirmed = row.confirmed_until
    # As precise as the event that confirmed it last; a date cut to the window is a day.
    confirmed_precision = next(
        (dated[e][1] for e in row.event_ids if e in dated and dated[e][0] == confirmed), "day"
    )
    # The first day not in the stretch (a current stretch runs to the window's end).
    stop = end + timedelta(days=1) if row.end is None or row.end >= end else row.end
    notes = ["contested"] if row.contested else []
    if confirmed < first:
        notes.append(
            "carried in from before the window, last confirmed "
            f"{format_partial(confirmed, confirmed_precision)}"
        )
    elif confirmed + timedelta(days=1) < stop:
        notes.append(
            f"confirmed until {format_partial(confirmed, confirmed_precision)}, "
            "carried forward without confirmation after that"
        )
    else:
        notes.append("confirmed throughout")
    return f"{label} from {format_partial(first, precision)} ({'; '.join(notes)})"


def _describe_markers(rows: pd.DataFrame) -> str:
    """The event numbers marked on one lane, disputes named; counted past LIST_LIMIT."""
    if rows.empty:
        return "No events marked."
    numbers = rows["number"].astype(int)
    disputes = numbers[rows["kind"] == "dispute"]
    if len(rows) > LIST_LIMIT:
        return (
            f"{len(rows):,} events marked, numbered between {numbers.min():,} and "
            f"{numbers.max():,}, {len(disputes):,} of them disputes."
        )
    listed = ", ".join(str(n) for n in numbers)
    noun = "Event" if len(rows) == 1 else "Events"
    if disputes.empty:
        return f"{noun} marked: {listed}."
    which = ", ".join(str(n) for n in disputes)
    verb = "is a dispute" if len(disputes) == 1 else "are disputes"
    return f"{noun} marked: {listed} ({which} {verb})."
