"""Views of a dataset for the analyst who maintains it (used by notebooks/explore.ipynb).

Pure functions: a validated dataset (and resolved parameters) in, a frame or a figure
out. None of this is part of the briefing; it helps check coverage, grades and
disputes before building one.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from briefings.data.dataset import RELIABILITY_GRADES, RELIABILITY_MEANINGS, Dataset
from briefings.data.params import Parameters, coerce_parameters, resolve_parameters
from briefings.data.states import compute_states
from briefings.exceptions import ParameterError, Problem

# The Admiralty (NATO) scale the dataset grades sources and events on.


def events_per_track_year(dataset: Dataset) -> pd.DataFrame:
    """Count of events per track (rows, dataset order) and year (columns), with a total.

    Every year from the earliest event to the latest is a column, so a year without
    any event shows as 0: a gap in coverage rather than a missing column.
    """
    track_ids = [t.id for t in dataset.tracks]
    events = dataset.events
    years = events["date"].map(lambda d: d.year)
    counts = pd.crosstab(events["track"], years).reindex(index=track_ids, fill_value=0)
    if not events.empty:
        counts = counts.reindex(columns=range(years.min(), years.max() + 1), fill_value=0)
    counts.index.name, counts.columns.name = "track", "year"
    return counts.assign(total=counts.sum(axis=1))


def coverage_svg(counts: pd.DataFrame) -> str:
    """A heat map of `events_per_track_year` (without its total) as SVG text.

    Darker is more events; empty cells are years without any. The SVG carries no date
    and fixed ids, so the same counts give the same text.
    """
    grid = counts.drop(columns="total")
    figure = Figure(figsize=(1.2 + 0.45 * max(len(grid.columns), 1), 0.6 + 0.45 * len(grid)))
    axes = figure.subplots()
    axes.imshow(grid.to_numpy(), cmap="Blues", aspect="auto", vmin=0)
    axes.set_xticks(range(len(grid.columns)), [str(y) for y in grid.columns], rotation=90)
    axes.set_yticks(range(len(grid.index)), list(grid.index))
    peak = grid.to_numpy().max() if grid.size else 0
    for row, track in enumerate(grid.index):
        for column, year in enumerate(grid.columns):
            value = grid.at[track, year]
            if value:
                colour = "white" if value > peak / 2 else "black"
                axes.text(column, row, str(value), ha="center", va="center", color=colour)
    axes.set_title("Events per track and year")
    figure.tight_layout()
    buffer = io.StringIO()
    with rc_context({"svg.hashsalt": "briefings-explore"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def source_grades(dataset: Dataset) -> pd.DataFrame:
    """Each source with its Admiralty grade, what the grade means and the events citing it.

    Best grade first, then by publication date; a source no event cites shows 0.
    """
    citing: dict[str, list[str]] = {}
    for event in dataset.events.itertuples():
        for source_id in event.source_ids:
            citing.setdefault(source_id, []).append(event.event_id)
    sources = dataset.sources
    table = pd.DataFrame(
        {
            "source_id": sources["source_id"],
            "outlet": sources["outlet"],
            "kind": sources["kind"],
            "published": sources["published"],
            "reliability": sources["reliability"],
            "meaning": sources["reliability"].map(RELIABILITY_MEANINGS),
            "events": sources["source_id"].map(lambda s: len(citing.get(s, ()))),
            "event_ids": sources["source_id"].map(lambda s: tuple(citing.get(s, ()))),
        }
    )
    rank = table["reliability"].map(RELIABILITY_GRADES.index)
    order = table.assign(_rank=rank).sort_values(["_rank", "published", "source_id"])
    return order.drop(columns="_rank").reset_index(drop=True)


def contested_claims(dataset: Dataset) -> pd.DataFrame:
    """One row per dispute: the claim it contradicts beside the challenge, with their grades.

    `best_reliability` is the best grade among each side's sources. `claim_kind` tells
    whether the claim shapes the state table (a change or confirm is drawn hatched
    when contested; a disputed note changes nothing on the chart).
    """
    events = dataset.events.set_index("event_id", drop=False)
    grade = dict(zip(dataset.sources["source_id"], dataset.sources["reliability"], strict=True))

    def best(source_ids: tuple[str, ...]) -> str:
        return min((grade[s] for s in source_ids), key=RELIABILITY_GRADES.index)

    rows = []
    disputes = events[events["kind"] == "dispute"].sort_values(["date", "row"], kind="stable")
    for challenge in disputes.itertuples():
        claim = events.loc[challenge.disputes]
        rows.append(
            {
                "track": challenge.track,
                "claim_id": claim.event_id,
                "claim_date": claim.date,
                "claim_kind": claim.kind,
                "claim": claim.summary,
                "claim_credibility": claim.credibility,
                "claim_reliability": best(claim.source_ids),
                "challenge_id": challenge.event_id,
                "challenge_date": challenge.date,
                "challenge": challenge.summary,
                "challenge_credibility": challenge.credibility,
                "challenge_reliability": best(challenge.source_ids),
            }
        )
    return pd.DataFrame.from_records(rows, columns=_CONTESTED_COLUMNS)


_CONTESTED_COLUMNS = (
    "track",
    "claim_id",
    "claim_date",
    "claim_kind",
    "claim",
    "claim_credibility",
    "claim_reliability",
    "challenge_id",
    "challenge_date",
    "challenge",
    "challenge_credibility",
    "challenge_reliability",
)


def last_states(table: pd.DataFrame) -> pd.DataFrame:
    """The last interval of each track in a state table: its state at the window's end."""
    return table.groupby("track", sort=False).tail(1).set_index("track")


def as_of_view(dataset: Dataset, params: Parameters, as_of: date | str) -> pd.DataFrame:
    """Each track's state on `as_of` as known then (sources published by that day) and now.

    `params` are resolved parameters (their window start, reliability and tracks are
    kept); `as_of` is checked as the `as_of` parameter is. A track no visible source
    speaks of yet shows no state. `changed` marks where hindsight tells another story.
    """
    day = coerce_parameters({"as_of": as_of}).as_of
    if day <= params.start:
        raise ParameterError(
            [Problem("", f"parameter 'as_of': {day} is not after start {params.start}")]
        )
    window = resolve_parameters(replace(params, end=day, as_of=None), dataset)
    now = last_states(compute_states(dataset, window))
    then = last_states(compute_states(dataset, replace(window, as_of=day)))
    view = pd.DataFrame(index=pd.Index(window.tracks, name="track"))
    for name, table in (("then", then), ("now", now)):
        known = table.reindex(view.index)
        view[f"{name}_state"] = known["state"]
        view[f"{name}_since"] = known["start"]
        view[f"{name}_confirmed_until"] = known["confirmed_until"]
        view[f"{name}_contested"] = known["contested"]
    view["changed"] = view["then_state"].fillna("") != view["now_state"].fillna("")
    return view.astype(object).where(view.notna(), None)
