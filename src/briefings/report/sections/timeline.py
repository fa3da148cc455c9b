"""The sections beside the chart: the chart in words, the numbered changes table, and the
contested claims (each dispute beside the event it contradicts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from briefings.data.dates import format_partial
from briefings.report.claims import DisputeClaim, View, dispute_claims, state_claims
from briefings.report.phrases import grounds, strength, stretch
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
from briefings.report.words import and_, upper_first

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
    """One numbered event: a change (with its new `state`; `first_counted` when a
    confirmation opens the stretch because the change itself is not counted) or a dispute
    (`disputes`, and how strong a `challenge` it is)."""

    number: int
    date: str
    track: str
    state: StateLabel | None
    first_counted: bool
    disputes: EventRef | None
    challenge: str
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
    """The event a dispute contradicts. When no counted source backs it (`counted` false),
    its summary is not shown: the view does not know it."""

    ref: EventRef
    track: str
    when: str
    summary: str
    counted: bool


@dataclass(frozen=True)
class Claim:
    """A dispute beside what it contradicts, how strong a challenge it is (`weight`: 'A
    weaker challenge: credibility 4 (doubtful) against 2 …'), and the stretches it makes
    contested."""

    number: int | None
    track: str
    when: str
    contradicts: Contradicted
    dispute: EventText
    sources: tuple[SourceRef, ...]
    credibility: Grade
    weight: str
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


def changes_table(view: View) -> ChangesTable:
    """The numbered events (`states.key_events`), keyed to the chart, each citing its
    counted sources and, for a dispute, how strong a challenge it is."""
    shown = view.markers.head(MAX_TABLE_ROWS)
    disputes = shown[shown["kind"] == "dispute"]
    weighed = {c.dispute.event_id: c for c in dispute_claims(view, disputes["event_id"])}
    rows = []
    for event in shown.itertuples():
        evidence = view.evidence(event.event_id)
        claim = weighed.get(event.event_id)
        state = None if claim else state_label(view.dataset.states[event.state])
        rows.append(
            ChangeRow(
                number=int(event.number),
                date=format_partial(event.date, event.precision),
                track=view.dataset.track(event.track).label,
                state=state,
                first_counted=event.kind == "confirm",
                disputes=event_ref(claim.target) if claim else None,
                challenge=strength(claim.weight) if claim else "",
                event=event_text(event),
                sources=source_refs(evidence),
                credibility=credibility(event.credibility),
            )
        )
    rest = remainder(len(view.markers), len(rows), "numbered events", "marked on the chart")
    return ChangesTable(tuple(rows), rest, grade_key())


def shown_disputes(view: View) -> pd.DataFrame:
    """The visible disputes the briefing must explain, by date.

    Those numbered in the window, and those (of any date) that make a stretch shown in
    the state table contested: the chart hatches it, so the text has to say why.
    """
    events, markers, table = view.events, view.markers, view.table
    shown = {e for ids in table["event_ids"] for e in ids}
    disputes = events[
        (events["kind"] == "dispute")
        & (events["event_id"].isin(set(markers["event_id"])) | events["disputes"].isin(shown))
    ]
    return disputes.sort_values(["date", "row"], kind="stable").reset_index(drop=True)


def contested_claims(view: View) -> ContestedClaims:
    """Each shown dispute beside the event it contradicts, weighed by the one rule."""
    disputes = shown_disputes(view)
    shown = dispute_claims(view, disputes["event_id"].head(MAX_CLAIMS))
    resting: dict[str, list[str]] = {}
    for stretch_claim, event_ids in zip(state_claims(view), view.table["event_ids"], strict=True):
        for event_id in event_ids:
            resting.setdefault(event_id, []).append(stretch(stretch_claim, view.dataset))
    claims = []
    for claim in shown:
        dispute = view.visible[claim.dispute.event_id]
        effect = resting.get(claim.target.event_id, [])
        claims.append(
            Claim(
                number=claim.dispute.number,
                track=view.dataset.track(claim.track).label,
                when=format_partial(dispute.date, dispute.precision),
                contradicts=_contradicted(claim, view),
                dispute=event_text(dispute),
                sources=source_refs(claim.dispute),
                credibility=credibility(dispute.credibility, spelled=True),
                weight=f"{upper_first(strength(claim.weight))}: {grounds(claim.weight)}",
                effect=and_(effect),
            )
        )
    rest = remainder(
        len(disputes), len(claims), "disputes", "numbered on the chart where dated in the window"
    )
    return ContestedClaims(tuple(claims), rest)


def _contradicted(claim: DisputeClaim, view: View) -> Contradicted:
    target = claim.target
    return Contradicted(
        ref=event_ref(target),
        track=view.dataset.track(claim.target_track).label,
        when=format_partial(target.date, target.precision),
        summary=target.summary if claim.counted else "",
        counted=claim.counted,
    )
