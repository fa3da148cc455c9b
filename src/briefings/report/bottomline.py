"""The bottom line: what each track was last confirmed to be, since when, on whose report,
and what is assumed since.

Every sentence is made from checked claims (`claims.StateClaim`), so it says only what the
view's state table and counted sources bear out. Plain data out (`BottomLine`,
`TrackLine`, `Sentence`), no markup: a template decides how it looks. Two kinds of date
are kept apart: an event is dated when it happened, a source when it was published; a
later report is cited for what it says, never dated by its publication.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from briefings.data.params import Parameters
from briefings.report.claims import Evidence, StateClaim, View, state_claims
from briefings.report.phrases import (
    at,
    cite,
    cites,
    grounds,
    published,
    reference,
    state_words,
    strength,
    strengths,
    stretch,
    track_words,
)
from briefings.report.words import and_, capped, count, day, duration, number, upper_first

# A track's entry weighs at most this many challenges; it counts the rest.
MAX_WEIGHED = 3


@dataclass(frozen=True)
class Sentence:
    """One generated sentence and the claims it states (the template marks them, so a
    reader's tool, or a test, can check each against states.csv)."""

    text: str
    claims: tuple[StateClaim, ...] = ()


@dataclass(frozen=True)
class TrackLine:
    """The bottom line on one track: its label, and sentences about the stretch it is in
    at the window's end (`claim`; None when no counted source records its state)."""

    track: str
    label: str
    claim: StateClaim | None
    sentences: tuple[Sentence, ...]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @property
    def stale(self) -> bool:
        """Whether the state at the window's end is assumed, not observed."""
        return self.claim is not None and self.claim.assumed


@dataclass(frozen=True)
class BottomLine:
    """The opening paragraph (`summary`) and one `TrackLine` per track."""

    template: ClassVar[str] = "briefing/sections/bottom_line.html.j2"
    summary: tuple[Sentence, ...]
    tracks: tuple[TrackLine, ...]

    @property
    def summary_text(self) -> str:
        return " ".join(s.text for s in self.summary)


def bottom_line(view: View) -> BottomLine:
    """The bottom line of a view, made from its checked claims."""
    claims = state_claims(view)
    current = {c.track: c for c in claims if c.end is None or c.end >= view.params.end}
    lines = tuple(_track_line(view, track, current.get(track)) for track in view.params.tracks)
    return BottomLine(_summary(view, claims, lines), lines)


# --- one track ------------------------------------------------------------------------


def _track_line(view: View, track: str, claim: StateClaim | None) -> TrackLine:
    params = view.params
    label = view.dataset.track(track).label
    if claim is None:
        text = (
            f"{label}: no counted source records its state by {day(params.end)}{_known_on(params)}."
        )
        return TrackLine(track, label, None, (Sentence(text),))
    texts = [_opening(claim, label, view)]
    state = state_words(view.dataset, claim.state)
    latest, cited = claim.latest, {c.source_id for c in claim.opened.citations}
    if latest.event_id != claim.opened.event_id:
        texts.append(f"It was last confirmed {at(latest)} ({_again(latest, cited)}).")
        cited |= {c.source_id for c in latest.citations}
    if latest.awaits:
        texts.append(f"It was then still awaiting {latest.awaits}.")
    if claim.later is not None:
        texts.append(
            f"A report after the window shows it still {state} {at(claim.later)} "
            f"({_again(claim.later, cited)})."
        )
    elif claim.assumed:
        texts.append(
            f"Unconfirmed since: assumed, not observed, for {duration(latest.date, params.end)}."
        )
    texts.extend(_challenges(claim))
    return TrackLine(track, label, claim, tuple(Sentence(t, (claim,)) for t in texts))


def _opening(claim: StateClaim, label: str, view: View) -> str:
    """When the stretch began and on whose report; when only a confirmation of it is
    counted, that no counted source says when it began."""
    state, opened = state_words(view.dataset, claim.state), claim.opened
    if claim.began_unknown:
        return (
            f"{label} was {state} {at(opened)} in the earliest counted account of it "
            f"({cites(opened)}); no counted source says when it became {state}."
        )
    numbered = f"{reference(opened)}; " if opened.number is not None else ""
    return f"{label} became {state} {at(opened)} ({numbered}{cites(opened)})."


def _again(evidence: Evidence, cited: set[str]) -> str:
    """The citation of `evidence`; a source the entry has cited already by its outlet alone
    ('Reuters via a Pakistani news website, above')."""
    return "; ".join(
        f"{c.outlet}, above" if c.source_id in cited else cite(c) for c in evidence.citations
    )


def _challenges(claim: StateClaim) -> list[str]:
    texts = [
        f"Challenged{_by(c.dispute.actors)} in {_challenge_source(c.dispute)}: "
        f"{strength(c.weight)} ({grounds(c.weight, short=True)})."
        for c in claim.challenges
    ]
    if len(texts) > MAX_WEIGHED:
        rest = len(texts) - MAX_WEIGHED
        texts = [*texts[:MAX_WEIGHED], f"It is challenged {number(rest)} more times."]
    return texts


def _challenge_source(dispute: Evidence) -> str:
    """A numbered dispute by its number (the changes table cites its sources); another by its
    date and sources."""
    if dispute.number is not None:
        return reference(dispute)
    return f"{reference(dispute)} ({cites(dispute)})"


def _by(actors: tuple[str, ...]) -> str:
    return f" by {actors[0]}" if actors else ""


# --- the opening paragraph ------------------------------------------------------------


def _summary(
    view: View, claims: tuple[StateClaim, ...], lines: tuple[TrackLine, ...]
) -> tuple[Sentence, ...]:
    params = view.params
    known = [line.claim for line in lines if line.claim is not None]
    if not known:
        return (
            Sentence(
                f"No counted source records the state of any track shown by {day(params.end)}"
                f"{_known_on(params)}."
            ),
        )
    sentences = [_states_at_end(known, view)]
    assumed = [c for c in known if c.assumed]
    if assumed:
        sentences.append(_assumed(assumed, view))
    unknown = [track_words(view.dataset, line.track) for line in lines if line.claim is None]
    if unknown:
        sentences.append(
            Sentence(
                f"No counted source records the state of {and_(capped(unknown, 'tracks'))} "
                f"by {day(params.end)}."
            )
        )
    sentences.append(_latest_change(claims, view))
    contested = [c for c in claims if c.challenges]
    if contested:
        sentences.append(_contested(contested, view))
    return tuple(sentences)


def _states_at_end(known: list[StateClaim], view: View) -> Sentence:
    """'By the latest counted reports, at the end of 2023 security assistance was
    suspended, IMET and CIS-MOA were pending, …': a sentence that holds on its own (the
    index shows it), the tracks grouped by state in track order."""
    dataset = view.dataset
    groups = []
    for state in dict.fromkeys(c.state for c in known):
        tracks = [track_words(dataset, c.track) for c in known if c.state == state]
        verb = "was" if len(tracks) == 1 else "were"
        groups.append(f"{and_(capped(tracks, 'tracks'))} {verb} {state_words(dataset, state)}")
    text = f"By the latest counted reports, {_end_phrase(view.params)} {and_(groups)}."
    return Sentence(text, tuple(known))


def _assumed(assumed: list[StateClaim], view: View) -> Sentence:
    """'Security assistance and IMET, last confirmed on 3 Jan 2020, and CIS-MOA, in Oct 2005,
    are assumed since, not observed.'"""
    by_date: dict[str, list[str]] = {}
    for claim in assumed:
        by_date.setdefault(at(claim.latest), []).append(track_words(view.dataset, claim.track))
    (first_phrase, first_tracks), *rest = by_date.items()
    parts = [
        f"{and_(first_tracks)}, last confirmed {first_phrase},",
        *(f"{and_(tracks)}, {phrase}," for phrase, tracks in rest),
    ]
    verb = "is" if len(assumed) == 1 else "are"
    return Sentence(
        f"{upper_first(and_(parts))} {verb} assumed since, not observed.", tuple(assumed)
    )


def _latest_change(claims: tuple[StateClaim, ...], view: View) -> Sentence:
    """The most recent counted change inside the window, and when it was first reported."""
    params = view.params
    changes = [
        c for c in claims if not c.began_unknown and params.start <= c.opened.date <= params.end
    ]
    if not changes:
        return Sentence("No track changed state in the window.")
    newest = max(c.opened.date for c in changes)
    latest = sorted((c for c in changes if c.opened.date == newest), key=_number)
    moves = [
        f"{track_words(view.dataset, c.track)} becoming {state_words(view.dataset, c.state)}"
        + (f" ({reference(c.opened)})" if c.opened.number is not None else "")
        for c in latest
    ]
    first = min((cite for c in latest for cite in c.opened.citations), key=lambda s: s.published)
    after = ", after the window closed" if first.published > params.end else ""
    verb = "change was" if len(moves) == 1 else "changes were"
    return Sentence(
        f"The most recent {verb} {and_(capped(moves, 'tracks'))} {at(latest[0].opened)}, "
        f"first reported {_on(first.published_precision)}"
        f"{published(first.published, first.published_precision)}{after}.",
        tuple(latest),
    )


def _contested(contested: list[StateClaim], view: View) -> Sentence:
    """'Two stretches rest on a challenged account: IMET suspended from Aug 2018 (one weaker
    challenge, No. 9) and …', each challenge weighed as the track entries weigh it."""
    stretches = []
    for claim in contested:
        refs = [reference(c.dispute) for c in claim.challenges if c.dispute.number is not None]
        listed = f", {and_(capped(refs, 'disputes'))}" if refs else ""
        weights = strengths(c.weight for c in claim.challenges)
        stretches.append(f"{stretch(claim, view.dataset)} ({weights}{listed})")
    verb = "is" if len(stretches) == 1 else "are"
    return Sentence(
        f"{upper_first(count(len(stretches), 'stretch'))} {verb} challenged: "
        f"{and_(capped(stretches, 'stretches'))}.",
        tuple(contested),
    )


# --- pieces ---------------------------------------------------------------------------


def _number(claim: StateClaim) -> int:
    return claim.opened.number or 0


def _on(precision: str) -> str:
    """The preposition a publication date takes: 'on 3 Aug 2023', 'about 4 Jan 2020'."""
    return {"day": "on ", "about": "", "month": "in ", "year": "in "}[precision]


def _end_phrase(params: Parameters) -> str:
    end = params.end
    if (end.month, end.day) == (12, 31):
        return f"at the end of {end.year}"
    return f"on {day(end)} (the end of the window)"


def _known_on(params: Parameters) -> str:
    return f" (sources published by {day(params.as_of)})" if params.as_of else ""
