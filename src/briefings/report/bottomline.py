"""The bottom line: what each track was last reported to be, when, by whom, and what is
assumed since.

Plain data out (`BottomLine`, `TrackLine`), no markup: a template decides how it looks.
Every sentence is generated from the dataset's vocabulary and grades, never from one
dataset's facts. Two kinds of date are kept apart: a source *reports* on the day it was
published; a state *began* on the date of the event behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

import pandas as pd

from briefings.data.dataset import Dataset
from briefings.data.dates import format_partial
from briefings.data.grades import CREDIBILITY_MEANINGS, RELIABILITY_GRADES, RELIABILITY_MEANINGS
from briefings.data.params import Parameters
from briefings.report.words import and_, capped, count, day, duration, lower_first, upper_first

# A state last reported longer ago than this at the window's end is said to be assumed.
STALE_AFTER_DAYS = 365
# A sentence weighs at most this many disputes; it counts the rest.
MAX_WEIGHED = 3

# How a sentence names a source of each kind (the dataset contract's `kind` values).
_KIND_NOUNS = {
    "wire": "wire report",
    "newspaper": "newspaper report",
    "aggregator": "news aggregator",
    "analysis": "published analysis",
    "forum": "forum post",
    "official": "official statement",
}


@dataclass(frozen=True)
class Report:
    """One source as the bottom line cites it: who published it, when, and its grade."""

    source_id: str
    kind: str
    grade: str
    published: date

    @property
    def described(self) -> str:
        """'a wire report graded B (usually reliable), reuters-2020-01-imet'."""
        noun = _KIND_NOUNS.get(self.kind, "source")
        article = "an" if noun[0] in "aeiou" else "a"
        meaning = RELIABILITY_MEANINGS[self.grade]
        return f"{article} {noun} graded {self.grade} ({meaning}), {self.source_id}"


@dataclass(frozen=True)
class TrackLine:
    """The bottom line on one track.

    `state` is the state id at the last report ('' when no counted source records one);
    `text` is the whole entry in plain text, beginning with the track's label.
    """

    track: str
    label: str
    state: str
    text: str
    last_report: Report | None
    stale: bool
    contested: bool


@dataclass(frozen=True)
class BottomLine:
    """The opening paragraph (`summary`, plain text) and one `TrackLine` per track."""

    template: ClassVar[str] = "briefing/sections/bottom_line.html.j2"
    summary: str
    tracks: tuple[TrackLine, ...]


def bottom_line(
    table: pd.DataFrame, events: pd.DataFrame, dataset: Dataset, params: Parameters
) -> BottomLine:
    """The bottom line for a state table and the events visible under the same parameters
    (`states.visible_events`: each event keeps only the sources that count)."""
    by_id = {e.event_id: e for e in events.itertuples()}
    reports = _reports(dataset.sources)
    lines = tuple(
        _track_line(track, table[table["track"] == track], by_id, events, reports, dataset, params)
        for track in params.tracks
    )
    return BottomLine(_summary(lines, table, events, by_id, reports, dataset, params), lines)


# --- one track ------------------------------------------------------------------------


def _track_line(
    track: str,
    rows: pd.DataFrame,
    by_id: Mapping[str, Any],
    events: pd.DataFrame,
    reports: Mapping[str, Report],
    dataset: Dataset,
    params: Parameters,
) -> TrackLine:
    label = dataset.track(track).label
    if rows.empty:
        text = (
            f"{label}: no counted source records its state by {day(params.end)}{_known_on(params)}."
        )
        return TrackLine(track, label, "", text, None, stale=False, contested=False)

    last = rows.iloc[-1]
    state = lower_first(dataset.states[last["state"]].label)
    behind = [by_id[e] for e in last["event_ids"]]
    inside = [e for e in behind if e.date <= params.end]
    later = [e for e in behind if e.date > params.end]
    report = _latest(inside, reports)
    # "after the window closed" belongs to the date, before the source's id.
    after = ", after the window closed" if report.published > params.end else ""
    sentences = [
        f"{label} was last reported {state} on {day(report.published)}{after}, "
        f"by {report.described}"
    ]

    first = behind[0]
    began = format_partial(first.date, first.precision)
    # A confirm opens a stretch only when the change itself is not counted (as_of,
    # min_reliability): the state is then known to hold from that report, not to begin there.
    sentences.append(
        f"No counted source says when it began; the earliest account of it is dated {began}"
        if first.kind == "confirm"
        else f"It had been {state} since {began}"
    )
    awaits = [e.awaits for e in inside if e.awaits]
    if awaits:
        sentences.append(f"It was then still awaiting {awaits[-1]}")

    stale = False
    if later:
        sentences.append(f"A report after the window shows it still {state} {_at(later[0])}")
    elif (params.end - report.published).days > STALE_AFTER_DAYS:
        stale = True
        sentences.append(
            "Nothing reported since confirms it: that it still held "
            f"{_end_phrase(params)}, {duration(report.published, params.end)} later, "
            "is assumed, not observed"
        )

    disputes = events[(events["kind"] == "dispute") & events["disputes"].isin(last["event_ids"])]
    weighed = [_weigh(d, by_id[d.disputes], reports) for d in disputes.itertuples()]
    if len(weighed) > MAX_WEIGHED:
        weighed = [*weighed[:MAX_WEIGHED], f"{count(len(weighed) - MAX_WEIGHED, 'other')}"]
    sentences.extend(weighed)
    text = ". ".join(sentences) + "."
    return TrackLine(track, label, last["state"], text, report, stale, bool(last["contested"]))


def _weigh(dispute: Any, target: Any, reports: Mapping[str, Report]) -> str:
    """A dispute set against the event it contradicts, by their grades."""
    source = _latest([dispute], reports)
    when = format_partial(target.date, target.precision)
    claim, against = int(dispute.credibility), int(target.credibility)
    # Admiralty credibility: 1 is the strongest, 5 improbable, 6 cannot be judged.
    if claim == 6 or against == 6:
        weight = "the two cannot be weighed against each other"
    elif claim > against:
        weight = "weaker than the account it contradicts"
    elif claim < against:
        weight = "stronger than the account it contradicts"
    else:
        weight = "as strong as the account it contradicts"
    who = f" by {dispute.actors[0]}" if dispute.actors else ""
    return (
        f"Disputed{who} in {source.described}, published {day(source.published)}: it "
        f"contradicts the account dated {when}; the claim is graded "
        f"{claim} ({CREDIBILITY_MEANINGS[claim]}) against {against} "
        f"({CREDIBILITY_MEANINGS[against]}), {weight}"
    )


# --- the opening paragraph ------------------------------------------------------------


def _summary(
    lines: tuple[TrackLine, ...],
    table: pd.DataFrame,
    events: pd.DataFrame,
    by_id: Mapping[str, Any],
    reports: Mapping[str, Report],
    dataset: Dataset,
    params: Parameters,
) -> str:
    """The opening paragraph: the states at the window's end, the latest change, the states
    only assumed to hold, and the stretches that rest on a disputed report."""
    known = [line for line in lines if line.last_report is not None]
    if not known:
        return (
            f"No counted source records the state of any track shown by {day(params.end)}"
            f"{_known_on(params)}."
        )
    sentences = [
        _states_at_end(known, dataset, params),
        _latest_change(events, reports, dataset, params),
        _assumed([line for line in lines if line.stale], params),
        _disputed_stretches(table[table["contested"].astype(bool)], by_id, dataset),
    ]
    return ". ".join(sentence for sentence in sentences if sentence) + "."


def _latest_change(
    events: pd.DataFrame, reports: Mapping[str, Report], dataset: Dataset, params: Parameters
) -> str:
    """The most recent change of state in the window, and when it was first reported."""
    changes = events[
        (events["kind"] == "change")
        & events["track"].isin(params.tracks)
        & (events["date"] >= params.start)
        & (events["date"] <= params.end)
    ]
    if changes.empty:
        return "No track changed state in the window"
    newest = changes[changes["date"] == changes["date"].max()]
    moves = [
        f"{lower_first(dataset.track(e.track).label)} became "
        f"{lower_first(dataset.states[e.state].label)}"
        for e in newest.itertuples()
    ]
    reported = min(reports[s].published for e in newest.itertuples() for s in e.source_ids)
    return (
        f"The most recent change: {and_(capped(moves, 'tracks'))} "
        f"{_at(next(newest.itertuples()))}, "
        f"first reported on {day(reported)}"
    )


def _assumed(stale: list[TrackLine], params: Parameters) -> str:
    """The states nothing has confirmed for a year before the window's end ('' if none)."""
    if not stale:
        return ""
    years = {line.last_report.published.year for line in stale}
    if len(years) == 1:
        named = f"{and_(lower_first(line.label) for line in stale)}, last reported in {years.pop()}"
    else:
        named = and_(
            f"{lower_first(line.label)} (last reported in {line.last_report.published.year})"
            for line in stale
        )
    states, they = ("state", "it is") if len(stale) == 1 else ("states", "they are")
    return (
        f"Nothing since confirms the {states} of {named}: {_end_phrase(params)} {they} "
        "assumed, not observed"
    )


def _disputed_stretches(contested: pd.DataFrame, by_id: Mapping[str, Any], dataset: Dataset) -> str:
    """The contested stretches of the state table, in words ('' if none)."""
    if contested.empty:
        return ""
    stretches = [stretch_words(row, dataset, by_id) for row in contested.itertuples()]
    verb = "rests" if len(stretches) == 1 else "rest"
    return (
        f"{upper_first(count(len(stretches), 'stretch'))} {verb} on a disputed report: "
        f"{and_(capped(stretches, 'stretches'))}"
    )


def _states_at_end(known: list[TrackLine], dataset: Dataset, params: Parameters) -> str:
    """'At the end of 2023, as last reported: on 3 Aug 2023, CIS-MOA pending; on …': one
    sentence that holds on its own (the index shows it), grouped by report date. Reports
    inside the window lead, newest first; those published after it close follow, nearest
    first, and say so."""

    def order(published: date) -> tuple[int, int]:
        after = published > params.end
        return (after, published.toordinal() if after else -published.toordinal())

    groups = []
    for published in sorted({line.last_report.published for line in known}, key=order):
        held = [
            f"{lower_first(line.label)} {lower_first(dataset.states[line.state].label)}"
            for line in known
            if line.last_report.published == published
        ]
        after = " (after the window)" if published > params.end else ""
        groups.append(f"on {day(published)}{after}, {and_(capped(held, 'tracks'))}")
    return f"{upper_first(_end_phrase(params))}, as last reported: {'; '.join(groups)}"


def stretch_words(interval: Any, dataset: Dataset, by_id: Mapping[str, Any]) -> str:
    """'IMET suspended from Aug 2018': a stretch of the state table in words, to go
    inside a sentence. A stretch carried into the window is dated by the event that
    opened it (`by_id`: events by id), not by the window's first day."""
    state = lower_first(dataset.states[interval.state].label)
    opened = by_id[interval.event_ids[0]]
    if opened.date < interval.start:
        start = format_partial(opened.date, opened.precision)
    else:
        start = format_partial(interval.start, interval.start_precision)
    return f"{lower_first(dataset.track(interval.track).label)} {state} from {start}"


# --- pieces ---------------------------------------------------------------------------


def _reports(sources: pd.DataFrame) -> dict[str, Report]:
    return {
        s.source_id: Report(s.source_id, s.kind, s.reliability, s.published)
        for s in sources.itertuples()
    }


def _latest(events: list[Any], reports: Mapping[str, Report]) -> Report:
    """The most recently published source behind `events`; the better graded on a tie."""
    cited = [reports[s] for e in events for s in e.source_ids]
    return max(cited, key=lambda r: (r.published, -RELIABILITY_GRADES.index(r.grade)))


def _at(event: Any) -> str:
    """When an event happened, with the preposition its precision takes."""
    when = format_partial(event.date, event.precision)
    return f"on {when}" if event.precision == "day" else f"in {when}"


def _end_phrase(params: Parameters) -> str:
    end = params.end
    if (end.month, end.day) == (12, 31):
        return f"at the end of {end.year}"
    return f"on {day(end)} (the end of the window)"


def _known_on(params: Parameters) -> str:
    return f" (sources published by {day(params.as_of)})" if params.as_of else ""
