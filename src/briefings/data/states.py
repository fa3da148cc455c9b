"""The state model: dated events in, per-track state intervals out.

Pure functions over frames. An interval is a stretch in one state; it carries the
latest date a source confirmed it, whether a dispute names an event behind it, and
the events and sources it rests on.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from briefings.data.dataset import RELIABILITY_GRADES, Dataset
from briefings.data.params import Parameters
from briefings.data.previous_states import STATE_COLUMNS
from briefings.inputs.csvfile import csv_text


def source_exclusions(
    published: date, reliability: str, *, as_of: date | None, min_reliability: str
) -> tuple[str, ...]:
    """Why a source does not count: the names of the parameters that exclude it, or ().

    A source counts if it was published on or before `as_of` and is graded
    `min_reliability` or better (A is best).
    """
    reasons = []
    if as_of is not None and published > as_of:
        reasons.append("as_of")
    if RELIABILITY_GRADES.index(reliability) > RELIABILITY_GRADES.index(min_reliability):
        reasons.append("min_reliability")
    return tuple(reasons)


def visible_events(dataset: Dataset, params: Parameters) -> pd.DataFrame:
    """The dataset's events a reader restricted to `params.as_of` and
    `params.min_reliability` would know of.

    Each event keeps only the sources that count (see `source_exclusions`), and is
    dropped when none is left or when it is dated after `as_of`. An event graded 1
    (confirmed by other sources) left with one counted source is shown as 2 (probably
    true): the confirmation it was graded on is not known to this reader.
    """
    events, as_of = dataset.events, params.as_of
    keep = {
        source.source_id
        for source in dataset.sources.itertuples()
        if not source_exclusions(
            source.published,
            source.reliability,
            as_of=as_of,
            min_reliability=params.min_reliability,
        )
    }
    pruned = events.assign(
        source_ids=events["source_ids"].map(lambda ids: tuple(s for s in ids if s in keep))
    )
    alone = (pruned["credibility"] == 1) & (pruned["source_ids"].map(len) < 2)
    pruned.loc[alone, "credibility"] = 2
    # As booleans even with no rows: an empty mask of objects would select columns.
    mask = pruned["source_ids"].map(bool).astype(bool)
    if as_of is not None:
        mask &= (pruned["date"] <= as_of).astype(bool)
    return pruned.loc[mask].reset_index(drop=True)


def track_intervals(events: pd.DataFrame, track: str) -> list[dict]:
    """The unclipped intervals of one track, from its change and confirm events.

    A `confirm` of a state other than the current one acts as a change: it is then the
    earliest visible evidence of that state (as happens when `as_of` hides the change).
    """
    rows = events[(events["track"] == track) & events["kind"].isin(("change", "confirm"))]
    intervals: list[dict] = []
    for event in rows.sort_values(["date", "row"], kind="stable").itertuples():
        current = intervals[-1] if intervals else None
        if current is not None and event.state == current["state"]:
            current["confirmed_until"] = max(current["confirmed_until"], event.date)
            current["event_ids"].append(event.event_id)
            current["source_ids"].extend(
                s for s in event.source_ids if s not in current["source_ids"]
            )
            continue
        if current is not None:
            current["end"] = event.date
        intervals.append(
            {
                "track": track,
                "state": event.state,
                "start": event.date,
                "end": None,
                "start_precision": event.precision,
                "confirmed_until": event.date,
                "contested": False,
                "event_ids": [event.event_id],
                "source_ids": list(event.source_ids),
            }
        )
    # Two changes on one date leave an empty stretch: the later one stands.
    return [i for i in intervals if i["end"] is None or i["end"] > i["start"]]


def mark_contested(intervals: list[dict], events: pd.DataFrame) -> None:
    """Flag every interval resting on an event that a visible dispute names."""
    disputed = set(events.loc[events["kind"] == "dispute", "disputes"])
    for interval in intervals:
        if disputed.intersection(interval["event_ids"]):
            interval["contested"] = True


def clip_to_window(intervals: list[dict], start: date, end: date) -> list[dict]:
    """Intervals that overlap [start, end], cut to it.

    A state set before the window is carried in from `start`. An interval that goes on
    past the window ends at `end`, unless it begins on that last day: a stretch ends after
    it begins, so that one keeps `end` empty, as one still current does.
    """
    clipped = []
    for interval in intervals:
        if interval["start"] > end or (interval["end"] is not None and interval["end"] <= start):
            continue
        interval = dict(interval)
        if interval["start"] < start:
            interval["start"], interval["start_precision"] = start, "day"
        if interval["end"] is not None and interval["end"] > end:
            interval["end"] = end if interval["start"] < end else None
        interval["confirmed_until"] = min(interval["confirmed_until"], end)
        clipped.append(interval)
    return clipped


def compute_states(dataset: Dataset, params: Parameters) -> pd.DataFrame:
    """The state table for resolved parameters: one row per interval, tracks in order."""
    events = visible_events(dataset, params)
    rows: list[dict] = []
    for track in params.tracks:
        intervals = track_intervals(events, track)
        mark_contested(intervals, events)
        rows.extend(clip_to_window(intervals, params.start, params.end))
    table = pd.DataFrame.from_records(rows, columns=list(STATE_COLUMNS))
    for column in ("event_ids", "source_ids"):
        table[column] = table[column].map(tuple)
    return table


def states_to_csv(table: pd.DataFrame) -> str:
    """The state table as CSV text: ISO dates, empty end while current, ids `;`-joined."""
    plain = _plain(table, join=True)
    return csv_text([plain.columns, *plain.itertuples(index=False)])


def states_to_json(table: pd.DataFrame) -> str:
    """The state table as a JSON array of objects (ids as lists, end null while current)."""
    import json

    records = _plain(table, join=False).to_dict(orient="records")
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def _plain(table: pd.DataFrame, *, join: bool) -> pd.DataFrame:
    out = table.copy()
    for column in ("start", "end", "confirmed_until"):
        out[column] = out[column].map(lambda d: d.isoformat() if d is not None else None)
    for column in ("event_ids", "source_ids"):
        out[column] = out[column].map(";".join if join else list)
    out["contested"] = out["contested"].map(bool)
    return out.astype(object).where(out.notna(), None)


def key_events(events: pd.DataFrame, params: Parameters, table: pd.DataFrame) -> pd.DataFrame:
    """The visible events inside the window that change what the chart shows, numbered 1…
    by date: every change and dispute, and a confirmation that opens a stretch of `table`
    (the state table of the same view) because the change before it is not counted.

    A state change is a change: where the chart's lane turns to another state, a marker and
    a row of the changes table say so. The numbers key the chart's markers to the
    briefing's tables, so both take them from here.
    """
    opening = {ids[0] for ids in table["event_ids"]}
    in_window = events[
        events["track"].isin(params.tracks)
        & (
            events["kind"].isin(("change", "dispute"))
            | ((events["kind"] == "confirm") & events["event_id"].isin(opening))
        )
        & (events["date"] >= params.start)
        & (events["date"] <= params.end)
    ]
    ordered = in_window.sort_values(["date", "row"], kind="stable").reset_index(drop=True)
    return ordered.assign(number=range(1, len(ordered) + 1))
