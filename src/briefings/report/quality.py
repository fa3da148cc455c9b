"""Quality of information: how much the briefing's picture rests on, track by track.

What intelligence tradecraft asks a product to make visible (ICD 203 in spirit): how good
and how recent the sources are, how many independent origins stand behind each state,
what rests on one source or on a challenged account, what is assumed rather than
observed, and what would change the picture. Generated from the view's claims and
counted sources, never written by hand; plain data out for the template.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from briefings.data.dataset import RELIABILITY_GRADES
from briefings.data.dates import format_partial
from briefings.data.evidence import origin_groups
from briefings.report.claims import StateClaim, View, state_claims
from briefings.report.phrases import at, cite, published, state_words, strengths
from briefings.report.words import and_, count, duration, number, upper_first


@dataclass(frozen=True)
class TrackQuality:
    """One track's row: each field a short phrase, '' where there is nothing to say."""

    track: str
    label: str
    state: str
    newest: str
    newest_age: str
    origins: str
    challenged: str
    assumed: str
    awaits: str
    quietest: str


@dataclass(frozen=True)
class QualityOfInformation:
    """A row per track, then sentences on the counted sources' grades and shared origins."""

    template: ClassVar[str] = "briefing/sections/quality.html.j2"
    tracks: tuple[TrackQuality, ...]
    grades: str
    shared: str


def quality_of_information(view: View) -> QualityOfInformation:
    """The quality-of-information section of a view."""
    claims = state_claims(view)
    current = {c.track: c for c in claims if c.end is None or c.end >= view.params.end}
    rows = tuple(_track(view, track, current.get(track)) for track in view.params.tracks)
    return QualityOfInformation(rows, _grades(view), _shared(view))


def _track(view: View, track: str, claim: StateClaim | None) -> TrackQuality:
    params = view.params
    events = view.events[(view.events["track"] == track) & (view.events["date"] <= params.end)]
    cited = {s for ids in events["source_ids"] for s in ids}
    newest = max((view.citation(s) for s in cited), key=lambda c: c.published, default=None)
    if newest is None:
        newest_text = age = ""
    else:
        newest_text = cite(newest)
        age = (
            "published after the window closed"
            if newest.published > params.end
            else f"{duration(newest.published, params.end)} old at the window's end"
        )
    label = view.dataset.track(track).label
    quietest = _quietest(events, params.start, params.end)
    if claim is None:
        return TrackQuality(track, label, "", newest_text, age, "", "", "", "", quietest)
    backing = [e for e in (claim.opened, claim.latest, claim.later) if e is not None]
    sources = list(dict.fromkeys(c.source_id for e in backing for c in e.citations))
    groups = origin_groups(sources, view.derived_from)
    return TrackQuality(
        track=track,
        label=label,
        state=state_words(view.dataset, claim.state),
        newest=newest_text,
        newest_age=age,
        origins=_origins(len(groups), len(sources)),
        challenged=strengths(c.weight for c in claim.challenges) if claim.challenges else "",
        assumed=f"assumed since it was last confirmed {at(claim.latest)}" if claim.assumed else "",
        awaits=claim.latest.awaits,
        quietest=quietest,
    )


def _origins(groups: int, sources: int) -> str:
    """'a single source', 'two independent origins', 'one origin (three sources relaying
    it)'."""
    if sources == 1:
        return "a single source"
    if groups == sources:
        return f"{count(groups, 'independent origin')}"
    return f"{count(groups, 'independent origin')} among {count(sources, 'source')}"


def _quietest(events, start: date, end: date) -> str:
    """The longest span of the window in which no counted event of the track is dated:
    'from 3 Jan 2020 to 2023, three years'."""
    dated = sorted({(e.date, e.precision) for e in events.itertuples() if start <= e.date <= end})
    marks = [(start, None), *dated, (end, None)]
    gaps = [(b[0] - a[0], a, b) for a, b in itertools.pairwise(marks)]
    length, first, last = max(gaps, key=lambda gap: gap[0])
    if not length.days:
        return ""
    # The window's last day belongs to it: a gap running to the end runs to the day after.
    until = last[0] + timedelta(days=1) if last[1] is None else last[0]
    if not dated:
        return f"the whole window ({duration(start, until)})"
    frm = "the window's start" if first[1] is None else format_partial(*first)
    to = "the window's end" if last[1] is None else format_partial(*last)
    return f"from {frm} to {to} ({duration(first[0], until)})"


def _grades(view: View) -> str:
    """'Two sources counted: one graded C and one D; the newest published 21 Nov 2018.
    Three other sources in the dataset are not counted here.'"""
    counted = [view.sources[s] for s in sorted(view.counted)]
    if not counted:
        return "No source is counted in this view."
    tally = {g: sum(1 for s in counted if s.reliability == g) for g in RELIABILITY_GRADES}
    grades = [f"{number(n)} {g}" for g, n in tally.items() if n]
    grades[0] = grades[0].replace(" ", " graded ", 1)
    latest = max(counted, key=lambda s: s.published)
    text = (
        f"{upper_first(count(len(counted), 'source'))} counted: {and_(grades)}; the newest "
        f"published {published(latest.published, latest.published_precision)}."
    )
    left = len(view.sources) - len(counted)
    if left:
        verb = "is" if left == 1 else "are"
        text += (
            f" {upper_first(count(left, 'other source'))} in the dataset {verb} not counted here."
        )
    return text


def _shared(view: View) -> str:
    """Which counted sources share an origin, so that their agreement is not read as
    independent corroboration."""
    groups = [g for g in origin_groups(sorted(view.counted), view.derived_from) if len(g) > 1]
    if not groups:
        return ""
    named = [and_(view.sources[s].outlet for s in group) for group in groups]
    return (
        "Sources that share an origin (one relays another, or both relay the same outlet) "
        f"count once as corroboration: {'; '.join(named)}."
    )
