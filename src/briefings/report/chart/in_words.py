"""The chart in words: the text alternative, and the tooltip of each stretch and marker.

Both are made from the view's checked claims (`report.claims`), in the phrases the rest of
the briefing uses: states in lower case inside a sentence, sources cited by outlet, date
and grade, challenges weighed by the one rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from briefings.data.dates import format_partial
from briefings.report.chart.shown import lanes
from briefings.report.claims import StateClaim, View, dispute_claims, state_claims
from briefings.report.phrases import (
    cites,
    reference,
    state_words,
    strength,
    strengths,
    track_words,
    when,
)
from briefings.report.words import LIST_LIMIT, capped


@dataclass(frozen=True)
class ChartClaims:
    """What the chart draws from the view's checked claims, stretches keyed by (track,
    start): their tooltips, and the markers' by number; the contested stretches that only
    weaker challenges dispute (hatched sparsely); how precisely each stretch's last
    confirmation within the window is dated (a month or a year is drawn as a span)."""

    stretch_titles: Mapping[tuple[str, date], str] = field(default_factory=dict)
    marker_titles: Mapping[int, str] = field(default_factory=dict)
    weakly_challenged: frozenset[tuple[str, date]] = frozenset()
    confirmed_precision: Mapping[tuple[str, date], str] = field(default_factory=dict)


def describe_timeline(view: View) -> str:
    """The chart in words, as plain text: a heading line, then one line per lane.

    Each lane line names the states in order with their start dates (written as
    precisely as they are known), which stretches are challenged or carried forward
    without confirmation, and which event numbers are marked on it.
    """
    params = view.params
    claims = state_claims(view)
    lines = [
        f"Timeline of states from {format_partial(params.start, 'day')} to "
        f"{format_partial(params.end, 'day')}, one lane per track, top to bottom."
    ]
    for track in lanes(view.table, view.markers, view.dataset, params.tracks):
        stretches = [describe_stretch(c, view) for c in claims if c.track == track]
        text = "; then ".join(capped(stretches, "stretches")) if stretches else "no state known"
        marked = view.markers[view.markers["track"] == track]
        lines.append(f"{view.dataset.track(track).label}: {text}. {_describe_markers(marked)}")
    return "\n".join(lines)


def chart_claims(view: View) -> ChartClaims:
    """Every stretch's and every numbered event's tooltip, and how to draw each stretch's
    challenges and last confirmation."""
    claims = state_claims(view)
    return ChartClaims(
        stretch_titles={(c.track, c.start): _stretch_title(c, claims, view) for c in claims},
        marker_titles=_marker_titles(view),
        weakly_challenged=frozenset((c.track, c.start) for c in claims if c.weakly_challenged),
        confirmed_precision={(c.track, c.start): _confirmed_precision(c) for c in claims},
    )


def _confirmed_precision(claim: StateClaim) -> str:
    """How precisely the stretch's confirmed_until is known: the precision of the event
    that confirmed it last, or a day where the date is the window's end (a later report
    confirms the stretch beyond it)."""
    return claim.latest.precision if claim.latest.date == claim.confirmed_until else "day"


def describe_stretch(claim: StateClaim, view: View) -> str:
    """One stretch in words, judged over the window as the chart draws it: 'suspended from
    Jan 2018 (confirmed until 3 Jan 2020, carried forward without confirmation after that)'.

    What the chart draws differently is said: how densely a challenged stretch is hatched,
    and which dates it brackets because they are known only to their month or year.
    """
    params = view.params
    first = (claim.start, claim.start_precision)
    confirmed = claim.confirmed_until
    precision = _confirmed_precision(claim)
    # As precise as the event that confirmed it last; a date cut to the window is a day.
    confirmed_when = format_partial(confirmed, precision)
    # The first day not in the stretch (a current stretch runs to the window's end).
    at_end = claim.end is None or claim.end >= params.end
    stop = params.end + timedelta(days=1) if at_end else claim.end
    notes = []
    if claim.start_precision != "day":
        notes.append(f"its start known only to the {claim.start_precision}")
    if claim.challenges:
        hatching = "sparsely" if claim.weakly_challenged else "densely"
        notes.append(
            f"challenged: {strengths(c.weight for c in claim.challenges)}, hatched {hatching}"
        )
    if confirmed < claim.start:
        notes.append(f"carried in from before the window, last confirmed {confirmed_when}")
    elif confirmed + timedelta(days=1) < stop:
        last = (
            f"confirmed until {confirmed_when}"
            if precision == "day"
            else f"last confirmed at a date in {confirmed_when}"
        )
        notes.append(f"{last}, carried forward without confirmation after that")
    else:
        notes.append("confirmed throughout")
    state = state_words(view.dataset, claim.state)
    return f"{state} from {format_partial(*first)} ({'; '.join(notes)})"


def _stretch_title(claim: StateClaim, claims: list[StateClaim], view: View) -> str:
    text = describe_stretch(claim, view)
    if claim.end is not None and claim.end <= view.params.end:
        following = [c for c in claims if c.track == claim.track and c.start == claim.end]
        precision = following[0].start_precision if following else "day"
        text += f", until {format_partial(claim.end, precision)}"
    backing = [e for e in (claim.opened, claim.latest, claim.later) if e is not None]
    cited = "; ".join(dict.fromkeys(cites(e) for e in backing).keys())
    return f"{view.dataset.track(claim.track).label}: {text}. Sources: {cited}."


def _marker_titles(view: View) -> dict[int, str]:
    """Each numbered event in words: what it changed or whom it challenged, and its sources."""
    disputes = view.markers[view.markers["kind"] == "dispute"]
    weights = {c.dispute.event_id: c for c in dispute_claims(view, disputes["event_id"])}
    titles = {}
    for event in view.markers.itertuples():
        evidence = view.evidence(event.event_id)
        track = track_words(view.dataset, event.track)
        if event.kind == "dispute":
            claim = weights[event.event_id]
            what = f"{track}, {strength(claim.weight)} to {reference(claim.target)}"
        else:
            verb = "first counted as" if event.kind == "confirm" else "becomes"
            what = f"{track} {verb} {state_words(view.dataset, event.state)}"
        titles[int(event.number)] = (
            f"No. {event.number}, {when(evidence)}: {what} ({cites(evidence)})"
        )
    return titles


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
