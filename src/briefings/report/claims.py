"""Structured claims: what the briefing may say of a view, checked against its state table
before any of it becomes a sentence.

A view is the dataset under one set of parameters: the events a reader then knows of
(`states.visible_events`), the state table (`states.csv`) and the numbered markers. A
`StateClaim` says of one stretch of that table: its track and state, when it began and
which event (and which counted sources) show it, when it was last confirmed, whether a
report after the window confirms it, and how strong each challenge to it is. A
`DisputeClaim` sets a counted dispute against the account it contradicts. `check_state`
and `check_dispute` refuse a claim its view does not support, so a wrong sentence fails
the build instead of reaching the reader.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import pandas as pd

from briefings.data.dataset import Dataset
from briefings.data.evidence import WEAKER, Weight, independent_origins, weigh
from briefings.data.params import Parameters
from briefings.data.states import compute_states, key_events, source_exclusions, visible_events

# A state last confirmed longer ago than this at the window's end is assumed, not observed.
STALE_AFTER_DAYS = 365


class UnsupportedClaim(AssertionError):
    """A claim its view does not support: a bug in the generator, never the user's."""


@dataclass(frozen=True)
class Citation:
    """A counted source as a sentence cites it: outlet, publication date as precisely as it
    is known (`published_precision`), and reliability grade."""

    source_id: str
    outlet: str
    kind: str
    published: date
    published_precision: str
    grade: str


@dataclass(frozen=True)
class Evidence:
    """An event a claim rests on, as this view counts it: its table number (None when it
    is not numbered in the window), date and precision, and the counted sources it cites
    with how many independent origins they amount to."""

    event_id: str
    number: int | None
    kind: str
    date: date
    precision: str
    credibility: int
    citations: tuple[Citation, ...]
    origins: int
    actors: tuple[str, ...]
    summary: str
    awaits: str


@dataclass(frozen=True)
class Challenge:
    """A counted dispute of an event behind a stretch, weighed by `evidence.weigh`."""

    dispute: Evidence
    target: Evidence
    weight: Weight


@dataclass(frozen=True)
class StateClaim:
    """What may be said of one stretch of the state table.

    `start`, `start_precision`, `end`, `confirmed_until` and `contested` are the row's
    (as in states.csv). `opened` is the event the stretch begins with (dated before the
    window when the state was carried in; a `confirm` when the change itself is not
    counted); `latest` the last event behind it dated by the window's end; `later` the
    first dated after it, if any. `assumed` is true when the stretch reaches the window's
    end and nothing confirms it within STALE_AFTER_DAYS of that end.
    """

    track: str
    state: str
    start: date
    start_precision: str
    end: date | None
    confirmed_until: date
    contested: bool
    opened: Evidence
    latest: Evidence
    later: Evidence | None
    assumed: bool
    challenges: tuple[Challenge, ...]

    @property
    def since(self) -> tuple[date, str]:
        """When the state began as far as this view knows: the opening event's date."""
        return self.opened.date, self.opened.precision

    @property
    def key(self) -> str:
        """The claim in one token, for the page to carry beside its sentence:
        track|state|start|opening event|latest event|later event (or empty)|cited
        sources|challenging disputes."""
        backing = [e for e in (self.opened, self.latest, self.later) if e is not None]
        cited = sorted({c.source_id for e in backing for c in e.citations})
        later = self.later.event_id if self.later else ""
        disputes = [c.dispute.event_id for c in self.challenges]
        return "|".join(
            (self.track, self.state, self.start.isoformat(), self.opened.event_id,
             self.latest.event_id, later, ",".join(cited), ",".join(disputes))
        )  # fmt: skip

    @property
    def weakly_challenged(self) -> bool:
        """True when the stretch is challenged and every challenge is weaker than the
        account it contradicts (`evidence.weigh`): the chart hatches it sparsely."""
        return bool(self.challenges) and all(c.weight.strength == WEAKER for c in self.challenges)

    @property
    def began_unknown(self) -> bool:
        """True when no counted change opens the stretch: only a confirmation shows it."""
        return self.opened.kind != "change"


@dataclass(frozen=True)
class DisputeClaim:
    """A counted dispute beside the account it contradicts (`target`), weighed; `counted`
    is false when no counted source backs the target in this view."""

    track: str
    dispute: Evidence
    target: Evidence
    target_track: str
    counted: bool
    weight: Weight


@dataclass(frozen=True)
class View:
    """The dataset as one briefing sees it: parameters, the visible events
    (`states.visible_events`), the state table and the numbered markers
    (`states.key_events`)."""

    dataset: Dataset
    params: Parameters
    events: pd.DataFrame
    table: pd.DataFrame
    markers: pd.DataFrame

    @classmethod
    def of(cls, dataset: Dataset, params: Parameters) -> View:
        """The view of a loaded dataset under resolved parameters."""
        events = visible_events(dataset, params)
        table = compute_states(dataset, params)
        return cls(dataset, params, events, table, key_events(events, params, table))

    @cached_property
    def visible(self) -> dict[str, Any]:
        """Visible events by id (each keeps only its counted sources)."""
        return {e.event_id: e for e in self.events.itertuples()}

    @cached_property
    def everything(self) -> dict[str, Any]:
        """Every event of the dataset by id, counted or not."""
        return {e.event_id: e for e in self.dataset.events.itertuples()}

    @cached_property
    def numbers(self) -> dict[str, int]:
        return {
            e: int(n) for e, n in zip(self.markers["event_id"], self.markers["number"], strict=True)
        }

    @cached_property
    def sources(self) -> dict[str, Any]:
        return {s.source_id: s for s in self.dataset.sources.itertuples()}

    @cached_property
    def derived_from(self) -> dict[str, tuple[str, ...]]:
        return {s: row.derived_from for s, row in self.sources.items()}

    @cached_property
    def counted(self) -> frozenset[str]:
        """Ids of the sources this view counts (`states.source_exclusions`)."""
        return frozenset(
            s.source_id
            for s in self.sources.values()
            if not source_exclusions(
                s.published,
                s.reliability,
                as_of=self.params.as_of,
                min_reliability=self.params.min_reliability,
            )
        )

    @cached_property
    def disputes_of(self) -> dict[str, list[Any]]:
        """Visible disputes by the event they contradict, oldest first."""
        found: dict[str, list[Any]] = {}
        disputes = self.events[self.events["kind"] == "dispute"]
        for dispute in disputes.sort_values(["date", "row"], kind="stable").itertuples():
            found.setdefault(dispute.disputes, []).append(dispute)
        return found

    @cached_property
    def rows(self) -> dict[tuple[str, str, date], list[Any]]:
        """The state table's rows by (track, state, start)."""
        found: dict[tuple[str, str, date], list[Any]] = {}
        for row in self.table.itertuples():
            found.setdefault((row.track, row.state, row.start), []).append(row)
        return found

    @cached_property
    def claims(self) -> tuple[StateClaim, ...]:
        """A checked claim for every stretch of the state table (`state_claims`)."""
        return _checked_claims(self)

    @cached_property
    def _evidence(self) -> dict[str, Evidence]:
        return {}

    def citation(self, source_id: str) -> Citation:
        return citation_of(self.sources[source_id])

    def evidence(self, event_id: str) -> Evidence:
        """An event as this view counts it: only its counted sources are cited."""
        if event_id not in self._evidence:
            self._evidence[event_id] = self._make_evidence(event_id)
        return self._evidence[event_id]

    def _make_evidence(self, event_id: str) -> Evidence:
        event = self.visible.get(event_id) or self.everything[event_id]
        cited = [s for s in event.source_ids if s in self.counted]
        return Evidence(
            event_id=event.event_id,
            number=self.numbers.get(event_id),
            kind=event.kind,
            date=event.date,
            precision=event.precision,
            credibility=int(event.credibility),
            citations=tuple(self.citation(s) for s in cited),
            origins=independent_origins(cited, self.derived_from),
            actors=tuple(event.actors),
            summary=event.summary,
            awaits=event.awaits if event.event_id in self.visible else "",
        )


def citation_of(source: Any) -> Citation:
    """A row of the sources frame as a citation."""
    return Citation(
        source.source_id,
        source.outlet,
        source.kind,
        source.published,
        source.published_precision,
        source.reliability,
    )


# --- making claims ------------------------------------------------------------------------


def state_claims(view: View) -> tuple[StateClaim, ...]:
    """A checked claim for every stretch of the state table, in its order (made once per
    view)."""
    return view.claims


def _checked_claims(view: View) -> tuple[StateClaim, ...]:
    claims = tuple(_state_claim(view, row) for row in view.table.itertuples())
    for claim in claims:
        check_state(claim, view)
    return claims


def dispute_claims(view: View, dispute_ids: Iterable[str]) -> tuple[DisputeClaim, ...]:
    """A checked claim for each of the given visible disputes."""
    claims = []
    for dispute_id in dispute_ids:
        dispute = view.visible[dispute_id]
        target = view.evidence(dispute.disputes)
        challenge = view.evidence(dispute_id)
        claim = DisputeClaim(
            track=dispute.track,
            dispute=challenge,
            target=target,
            target_track=view.everything[dispute.disputes].track,
            counted=dispute.disputes in view.visible,
            weight=_weight(challenge, target),
        )
        check_dispute(claim, view)
        claims.append(claim)
    return tuple(claims)


def _state_claim(view: View, row: Any) -> StateClaim:
    behind = [view.evidence(e) for e in row.event_ids]
    within = [e for e in behind if e.date <= view.params.end]
    after = [e for e in behind if e.date > view.params.end]
    at_end = row.end is None or row.end >= view.params.end
    stale = (view.params.end - row.confirmed_until).days > STALE_AFTER_DAYS
    return StateClaim(
        track=row.track,
        state=row.state,
        start=row.start,
        start_precision=row.start_precision,
        end=row.end,
        confirmed_until=row.confirmed_until,
        contested=bool(row.contested),
        opened=behind[0],
        latest=within[-1],
        later=after[0] if after else None,
        assumed=at_end and stale,
        challenges=tuple(_challenges(view, row.event_ids)),
    )


def _challenges(view: View, event_ids: tuple[str, ...]) -> list[Challenge]:
    disputes = [d for e in event_ids for d in view.disputes_of.get(e, ())]
    found = []
    for dispute in sorted(disputes, key=lambda d: (d.date, d.row)):
        challenge, target = view.evidence(dispute.event_id), view.evidence(dispute.disputes)
        found.append(Challenge(challenge, target, _weight(challenge, target)))
    return found


def _weight(challenge: Evidence, target: Evidence) -> Weight:
    return weigh(
        challenge.credibility,
        (c.grade for c in challenge.citations),
        target.credibility,
        (c.grade for c in target.citations),
    )


# --- checking claims ----------------------------------------------------------------------


def check_state(claim: StateClaim, view: View) -> None:
    """Refuse a state claim that its view's state table and counted events do not bear out.

    The stretch must be a row of the table, with the same dates and flags; every event
    the claim cites must be behind that row, counted, of that track and that state, cite
    only counted sources and carry its own date (a later report is cited for what it
    says, never dated by its publication); "since" is where the table starts the stretch
    unless the state was carried into the window; assumed and contested follow the
    table.
    """
    params = view.params
    rows = view.rows.get((claim.track, claim.state, claim.start), [])
    _require(len(rows) == 1, claim, "is not a stretch of the state table")
    row = rows[0]
    table_facts = (row.start_precision, row.end, row.confirmed_until, bool(row.contested))
    claim_facts = (claim.start_precision, claim.end, claim.confirmed_until, claim.contested)
    _require(table_facts == claim_facts, claim, f"differs from its row {table_facts}")
    _require(claim.opened.event_id == row.event_ids[0], claim, "does not open with its row")
    for evidence in filter(None, (claim.opened, claim.latest, claim.later)):
        _check_backing(evidence, claim, row, view)
    since, precision = claim.since
    if since >= params.start:
        _require((since, precision) == (row.start, row.start_precision), claim, "since")
    else:
        _require(row.start == params.start, claim, "is carried in but starts inside")
    _require(claim.latest.date <= params.end, claim, "latest evidence after the window")
    _require(claim.later is None or claim.later.date > params.end, claim, "later evidence")
    stale = (params.end - row.confirmed_until).days > STALE_AFTER_DAYS
    at_end = row.end is None or row.end >= params.end
    _require(claim.assumed == (at_end and stale), claim, "assumed disagrees with the table")
    _require(bool(claim.challenges) == claim.contested, claim, "challenges vs contested")
    for challenge in claim.challenges:
        dispute = view.visible.get(challenge.dispute.event_id)
        _require(
            dispute is not None
            and dispute.kind == "dispute"
            and dispute.disputes == challenge.target.event_id
            and dispute.disputes in row.event_ids,
            claim,
            f"cites {challenge.dispute.event_id} as a challenge it is not",
        )
        _require(challenge.weight == _weight(challenge.dispute, challenge.target), claim, "weight")


def check_dispute(claim: DisputeClaim, view: View) -> None:
    """Refuse a dispute claim that its view does not count or weighs wrongly."""
    dispute = view.visible.get(claim.dispute.event_id)
    _require(dispute is not None and dispute.kind == "dispute", claim, "not a counted dispute")
    _require(dispute.disputes == claim.target.event_id, claim, "names the wrong target")
    _require(claim.counted == (claim.target.event_id in view.visible), claim, "counted")
    _check_citations(claim.dispute, dispute, claim, view)
    if claim.counted:
        _check_citations(claim.target, view.visible[claim.target.event_id], claim, view)
    else:
        _require(not claim.target.citations, claim, "cites sources of an uncounted target")
    _require(claim.weight == _weight(claim.dispute, claim.target), claim, "weight")


def _check_backing(evidence: Evidence, claim: StateClaim, row: Any, view: View) -> None:
    event = view.visible.get(evidence.event_id)
    _require(event is not None, claim, f"cites {evidence.event_id}, which is not counted")
    _require(evidence.event_id in row.event_ids, claim, f"{evidence.event_id} not behind it")
    _require(
        (event.track, event.state) == (claim.track, claim.state)
        and event.kind in ("change", "confirm"),
        claim,
        f"{evidence.event_id} does not back this state of this track",
    )
    _check_citations(evidence, event, claim, view)


def _check_citations(evidence: Evidence, event: Any, claim: object, view: View) -> None:
    _require(
        (evidence.date, evidence.precision) == (event.date, event.precision),
        claim,
        f"{evidence.event_id} is dated other than its event",
    )
    cited = [c.source_id for c in evidence.citations]
    _require(
        bool(cited) and set(cited) <= set(event.source_ids) and set(cited) <= view.counted,
        claim,
        f"{evidence.event_id} cites a source it does not count",
    )
    for citation in evidence.citations:
        _require(citation == view.citation(citation.source_id), claim, "citation altered")
    _require(evidence.origins == independent_origins(cited, view.derived_from), claim, "origins")


def _require(condition: bool, claim: object, what: str) -> None:
    if not condition:
        raise UnsupportedClaim(f"{what}: {claim!r}")
