"""What changed since the previous build of a briefing.

The caller hands over what the previous build recorded (its state table, the dataset
it was made from, when it was made: see data/previous_build.py) as plain values; this
module reads no files. Both builds are seen through the current parameters, so only
what this briefing shows counts: new, removed and edited events, stretches of state
that appeared, went or ended differently, newly contested stretches, and changed source
and event grades.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

import pandas as pd

from briefings.data.dataset import EVENT_COLUMNS, Dataset
from briefings.data.dates import format_partial
from briefings.data.moments import readable, stored_time
from briefings.data.params import Parameters
from briefings.data.previous_build import PreviousBuild
from briefings.data.states import compute_states, key_events, states_to_csv, visible_events
from briefings.report.claims import View, citation_of, dispute_claims
from briefings.report.phrases import cited_as, strength
from briefings.report.words import lower_first

# What an edit to an event can touch; credibility is reported as a grade change instead.
_EVENT_FIELDS = tuple(c for c in EVENT_COLUMNS if c not in ("event_id", "credibility"))


@dataclass(frozen=True)
class EventChange:
    """An event that is new, gone or edited; `fields` names what an edit changed."""

    event_id: str
    date: date
    precision: str
    track: str
    kind: str
    state: str
    summary: str
    fields: tuple[str, ...] = ()
    # (field, before, after) for each edited field, as the dataset writes them
    edits: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class StretchChange:
    """A stretch of one state on one track that is new, gone, ended differently or contested.

    `change` is 'new', 'removed', 'end' (its end moved from `previous_end`) or 'contested'
    (with the disputes that name it in `disputed_by`).
    """

    change: str
    track: str
    state: str
    start: date
    start_precision: str
    end: date | None
    previous_end: date | None = None
    disputed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class GradeChange:
    """A source's reliability or an event's credibility that was regraded."""

    subject: str  # 'source' or 'event'
    id: str
    before: str
    after: str


@dataclass(frozen=True)
class Changes:
    """Everything that differs between the previous build and this one.

    `numbers` are this build's table numbers of events (`states.key_events`), and
    `previous_numbers` the previous build's, for events that are gone: a reader finds
    an event by its number, not by the dataset's id. `challenges` says how strong each
    counted dispute is ('a weaker challenge', by `evidence.weigh`).
    """

    previous_build_date: str | None  # when the previous build was made, readable, UTC
    compared_events: bool  # False when the previous build kept no dataset copy
    new_events: tuple[EventChange, ...]
    removed_events: tuple[EventChange, ...]
    edited_events: tuple[EventChange, ...]
    stretches: tuple[StretchChange, ...]
    contested: tuple[StretchChange, ...]
    grades: tuple[GradeChange, ...]
    numbers: Mapping[str, int] = field(default_factory=dict)
    previous_numbers: Mapping[str, int] = field(default_factory=dict)
    challenges: Mapping[str, str] = field(default_factory=dict)

    @property
    def nothing(self) -> bool:
        """True when nothing at all changed."""
        return not (
            self.new_events
            or self.removed_events
            or self.edited_events
            or self.stretches
            or self.contested
            or self.grades
        )


def compare(
    previous: PreviousBuild, table: pd.DataFrame, dataset: Dataset, params: Parameters
) -> Changes:
    """The changes from a previous build to this one (`table` from `compute_states`)."""
    before = _stretches(previous.states)
    after = _stretches(csv.DictReader(io.StringIO(states_to_csv(table))))
    new_events = removed = edited = grades = ()
    previous_numbers: dict[str, int] = {}
    if previous.dataset is not None:
        old = _visible(previous.dataset, params)
        new = _visible(dataset, params)
        new_events = tuple(_event(new[i]) for i in new if i not in old)
        removed = tuple(_event(old[i]) for i in old if i not in new)
        edited = tuple(
            _event(new[i], edits) for i in new if i in old and (edits := _edits(old[i], new[i]))
        )
        grades = _grades(previous.dataset, dataset, old, new)
        previous_numbers = _numbers(previous.dataset, params)
    view = View.of(dataset, params)
    disputes = {}
    for event in view.events.itertuples():
        if event.kind == "dispute":
            disputes.setdefault(event.disputes, []).append(event.event_id)
    weighed = dispute_claims(view, [d for ids in disputes.values() for d in ids])
    order = {track: n for n, track in enumerate(params.tracks)}
    built = stored_time(previous.built_at)
    return Changes(
        previous_build_date=readable(built) if built is not None else None,
        compared_events=previous.dataset is not None,
        new_events=new_events,
        removed_events=removed,
        edited_events=edited,
        stretches=_stretch_changes(before, after, order),
        contested=_newly_contested(before, after, order, disputes),
        grades=grades,
        numbers=_numbers(dataset, params),
        previous_numbers=previous_numbers,
        challenges={c.dispute.event_id: strength(c.weight) for c in weighed},
    )


def changes_summary(changes: Changes | None) -> str:
    """The changes in one plain sentence, for notifications: what kinds changed, and how many."""
    if changes is None:
        return "This is the first build of this briefing: there is nothing to compare with."
    since = f" ({changes.previous_build_date})" if changes.previous_build_date else ""
    if changes.nothing:
        return f"Nothing changed since the previous build{since}."
    counts = [
        (len(changes.new_events), "new event", "new events"),
        (len(changes.removed_events), "event no longer counted", "events no longer counted"),
        (len(changes.edited_events), "edited event", "edited events"),
        (len(changes.stretches), "change of state", "changes of state"),
        (len(changes.contested), "newly contested claim", "newly contested claims"),
        (len(changes.grades), "grade change", "grade changes"),
    ]
    found = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    return f"Since the previous build{since}: {', '.join(found)}."


def changes_since_section(changes: Changes | None, dataset: Dataset) -> ChangesSince:
    """The section's content as plain data for its template."""
    if changes is None:
        return ChangesSince(first=True)
    view = _View(changes, dataset)
    groups = (
        ("New events", tuple(view.event(e) for e in changes.new_events)),
        (
            "Events no longer counted (removed, or their sources no longer count)",
            tuple(view.event(e, previous=True) for e in changes.removed_events),
        ),
        ("Edited events", tuple(view.event(e) for e in changes.edited_events)),
        ("State changes", tuple(view.stretch(s) for s in changes.stretches)),
        ("Newly contested claims", tuple(view.stretch(s) for s in changes.contested)),
        ("Grade changes", tuple(view.grade(g) for g in changes.grades)),
    )
    what = "events, states, contested claims and grades" if changes.compared_events else "states"
    return ChangesSince(
        first=False,
        previous_build=changes.previous_build_date or "",
        states_only=not changes.compared_events,
        nothing=what if changes.nothing else "",
        groups=tuple((title, items) for title, items in groups if items),
    )


@dataclass(frozen=True)
class ChangeLine:
    """One line of the section: who (a table number, a track, a source) and what changed.

    `ref` is 'No. 10' for a numbered event ('' for one the table does not number); `edits`
    are (field, before, after) for an edited event or a regraded one.
    """

    kind: str  # 'event', 'stretch' or 'grade'
    ref: str = ""
    date: str = ""
    subject: str = ""  # the track, or 'Source s1' for a source's grade
    text: str = ""
    summary: str = ""
    edits: tuple[tuple[str, str, str], ...] = ()
    css: str = ""


@dataclass(frozen=True)
class ChangesSince:
    """The section 'Changes since the previous build', as its template shows it."""

    template: ClassVar[str] = "briefing/sections/changes_since.html.j2"
    first: bool
    previous_build: str = ""
    states_only: bool = False
    nothing: str = ""  # what stayed the same, when nothing changed
    groups: tuple[tuple[str, tuple[ChangeLine, ...]], ...] = ()


# --- comparing ------------------------------------------------------------------------


def _stretches(rows: Iterable[Mapping[str, str]]) -> dict[tuple[str, str, str], Mapping]:
    """State-table rows keyed by (track, state, start), values as the CSV writes them."""
    return {(r["track"], r["state"], r["start"]): r for r in rows}


def _stretch_changes(before: dict, after: dict, order: dict[str, int]) -> tuple:
    found = []
    for key, row in after.items():
        if key not in before:
            found.append(_stretch("new", row))
        elif before[key]["end"] != row["end"]:
            found.append(_stretch("end", row, previous_end=before[key]["end"]))
    found.extend(_stretch("removed", row) for key, row in before.items() if key not in after)
    return tuple(sorted(found, key=lambda s: (order.get(s.track, len(order)), s.start)))


def _newly_contested(before: dict, after: dict, order: dict[str, int], disputes: dict) -> tuple:
    found = []
    for key, row in after.items():
        was = before.get(key, {}).get("contested") == "True"
        if row["contested"] == "True" and not was:
            ids = row["event_ids"].split(";")
            by = tuple(d for event_id in ids for d in disputes.get(event_id, ()))
            found.append(_stretch("contested", row, disputed_by=by))
    return tuple(sorted(found, key=lambda s: (order.get(s.track, len(order)), s.start)))


def _stretch(change: str, row: dict, *, previous_end: str = "", disputed_by=()) -> StretchChange:
    return StretchChange(
        change=change,
        track=row["track"],
        state=row["state"],
        start=date.fromisoformat(row["start"]),
        start_precision=row["start_precision"],
        end=date.fromisoformat(row["end"]) if row["end"] else None,
        previous_end=date.fromisoformat(previous_end) if previous_end else None,
        disputed_by=tuple(disputed_by),
    )


def _visible(dataset: Dataset, params: Parameters) -> dict[str, object]:
    """The events this briefing would count in `dataset`, by id, in date order."""
    events = visible_events(dataset, params)
    shown = events[events["track"].isin(params.tracks) & (events["date"] <= params.end)]
    ordered = shown.sort_values(["date", "row"], kind="stable")
    return {e.event_id: e for e in ordered.itertuples()}


def _numbers(dataset: Dataset, params: Parameters) -> dict[str, int]:
    """Event id → its number in the briefing's table of changes (and on the chart)."""
    markers = key_events(visible_events(dataset, params), params, compute_states(dataset, params))
    return dict(zip(markers["event_id"], (int(n) for n in markers["number"]), strict=True))


def _event(event, edits: tuple[tuple[str, str, str], ...] = ()) -> EventChange:
    return EventChange(
        event_id=event.event_id,
        date=event.date,
        precision=event.precision,
        track=event.track,
        kind=event.kind,
        state=event.state,
        summary=event.summary,
        fields=tuple(f for f, _, _ in edits),
        edits=edits,
    )


def _edits(old, new) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (f, _text(getattr(old, f)), _text(getattr(new, f)))
        for f in _EVENT_FIELDS
        if not _same(getattr(old, f), getattr(new, f))
    )


def _text(value: object) -> str:
    """A field's value as the dataset writes it (a list of ids joined by ';')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _same(a: object, b: object) -> bool:
    """Equal, counting two missing numbers (None or NaN) as equal."""

    def missing(value: object) -> bool:
        return value is None or (isinstance(value, float) and math.isnan(value))

    return (missing(a) and missing(b)) or a == b


def _grades(old_data: Dataset, new_data: Dataset, old: dict, new: dict) -> tuple:
    found = [
        GradeChange("event", i, str(old[i].credibility), str(new[i].credibility))
        for i in new
        if i in old and old[i].credibility != new[i].credibility
    ]
    cited = sorted({s for events in (old, new) for e in events.values() for s in e.source_ids})
    before = dict(zip(old_data.sources["source_id"], old_data.sources["reliability"], strict=True))
    after = dict(zip(new_data.sources["source_id"], new_data.sources["reliability"], strict=True))
    found.extend(
        GradeChange("source", s, before[s], after[s])
        for s in cited
        if s in before and s in after and before[s] != after[s]
    )
    return tuple(found)


# --- the section's lines ------------------------------------------------------------


class _View:
    """Turns the comparison into lines a reader can match with the briefing's table."""

    def __init__(self, changes: Changes, dataset: Dataset):
        self.changes = changes
        self.dataset = dataset

    def ref(self, event_id: str, *, previous: bool = False) -> str:
        numbers = self.changes.previous_numbers if previous else self.changes.numbers
        number = numbers.get(event_id)
        if number is None:
            return ""
        return f"No. {number} of the previous build" if previous else f"No. {number}"

    def event(self, event: EventChange, *, previous: bool = False) -> ChangeLine:
        what = {"change": "change to", "confirm": "confirms"}.get(event.kind, event.kind)
        state = f" {self.state(event.state)}" if event.state else ""
        edits = tuple(
            (field, self.value(field, before), self.value(field, after))
            for field, before, after in event.edits
        )
        return ChangeLine(
            kind="event",
            ref=self.ref(event.event_id, previous=previous),
            date=format_partial(event.date, event.precision),
            subject=self.track(event.track),
            text=what + state,
            summary=event.summary,
            edits=edits,
        )

    def stretch(self, stretch: StretchChange) -> ChangeLine:
        state = self.state(stretch.state)
        start = format_partial(stretch.start, stretch.start_precision)
        end = _until(stretch.end)
        text = {
            "new": f"now {state} from {start} (until: {end})",
            "removed": f"no longer {state} from {start}",
            "end": f"{state} from {start} now ends: {end} (before: {_until(stretch.previous_end)})",
            "contested": f"{state} from {start} is now contested",
        }[stretch.change]
        if stretch.disputed_by:
            refs = [
                f"{self.ref(d) or 'a dispute outside the window'} "
                f"({self.changes.challenges.get(d, 'not weighed')})"
                for d in stretch.disputed_by
            ]
            text += f" by {', '.join(refs)}"
        return ChangeLine(
            kind="stretch", subject=self.track(stretch.track), text=text, css=stretch.change
        )

    def grade(self, grade: GradeChange) -> ChangeLine:
        if grade.subject == "source":
            return ChangeLine(
                kind="grade",
                subject=f"Source: {self.source(grade.id)}",
                edits=(("reliability", grade.before, grade.after),),
            )
        return ChangeLine(
            kind="grade",
            ref=self.ref(grade.id),
            subject="Event" if self.ref(grade.id) else "An event outside the table",
            edits=(("credibility", grade.before, grade.after),),
        )

    def track(self, track: str) -> str:
        known = next((t for t in self.dataset.tracks if t.id == track), None)
        return known.label if known else track

    def state(self, state: str) -> str:
        """A state's label as it reads inside a sentence ('now suspended from …')."""
        return lower_first(self.label(state))

    def label(self, state: str) -> str:
        known = self.dataset.states.get(state)
        return known.label if known else state

    def source(self, source_id: str) -> str:
        """A source by outlet and publication date, as the briefing cites it elsewhere."""
        rows = self.dataset.sources[self.dataset.sources["source_id"] == source_id]
        return cited_as(citation_of(next(rows.itertuples()))) if len(rows) else "a removed source"

    def value(self, field: str, text: str) -> str:
        """A field's value for a reader: labels for tracks and states; '(empty)' for none."""
        if field == "track":
            return self.track(text)
        if field == "state" and text:
            return self.label(text)
        return text or "(empty)"


def _until(end: date | None) -> str:
    return format_partial(end, "day") if end else "still current"
