"""What changed since the previous build of a briefing.

A scheduled build is handed the previous build's `states.csv`; beside it lie that
build's `manifest.json` and `dataset/` (a copy of the dataset files it was built from).
Both builds are seen through the current parameters, so only what this briefing shows
counts: new, removed and edited events, stretches of state that appeared, went or
ended differently, newly contested stretches, and changed source and event grades.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

import pandas as pd

from .dataset import EVENT_COLUMNS, Dataset, load_dataset
from .dates import format_partial
from .exceptions import DatasetError
from .params import Parameters
from .publish import read_manifest
from .states import states_to_csv, visible_events

SNAPSHOT_DIR = "dataset"
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
    """Everything that differs between the previous build and this one."""

    previous_build_date: str | None
    compared_events: bool  # False when the previous build kept no dataset copy
    new_events: tuple[EventChange, ...]
    removed_events: tuple[EventChange, ...]
    edited_events: tuple[EventChange, ...]
    stretches: tuple[StretchChange, ...]
    contested: tuple[StretchChange, ...]
    grades: tuple[GradeChange, ...]

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


@dataclass(frozen=True)
class PreviousBuild:
    """What a previous build left to compare with."""

    states_csv: str
    dataset: Dataset | None
    build_date: str | None


def read_previous(previous_states: Path) -> PreviousBuild | None:
    """The previous build beside `previous_states`; None when there is none (a first build).

    A missing or unloadable dataset copy only narrows the comparison to the states.
    """
    try:
        states_csv = Path(previous_states).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    folder = Path(previous_states).parent
    try:
        dataset = load_dataset(folder / SNAPSHOT_DIR)
    except DatasetError:
        dataset = None
    return PreviousBuild(states_csv, dataset, _build_date(folder))


def compare(
    previous: PreviousBuild, table: pd.DataFrame, dataset: Dataset, params: Parameters
) -> Changes:
    """The changes from a previous build to this one (`table` from `compute_states`)."""
    before = _stretches(previous.states_csv)
    after = _stretches(states_to_csv(table))
    new_events = removed = edited = grades = ()
    if previous.dataset is not None:
        old = _visible(previous.dataset, params)
        new = _visible(dataset, params)
        new_events = tuple(_event(new[i]) for i in new if i not in old)
        removed = tuple(_event(old[i]) for i in old if i not in new)
        edited = tuple(
            _event(new[i], fields) for i in new if i in old and (fields := _edited(old[i], new[i]))
        )
        grades = _grades(previous.dataset, dataset, old, new)
    disputes = {}
    for event in visible_events(dataset, params).itertuples():
        if event.kind == "dispute":
            disputes.setdefault(event.disputes, []).append(event.event_id)
    order = {track: n for n, track in enumerate(params.tracks)}
    return Changes(
        previous_build_date=previous.build_date,
        compared_events=previous.dataset is not None,
        new_events=new_events,
        removed_events=removed,
        edited_events=edited,
        stretches=_stretch_changes(before, after, order),
        contested=_newly_contested(before, after, order, disputes),
        grades=grades,
    )


def changes_since(
    previous_states: Path, table: pd.DataFrame, dataset: Dataset, params: Parameters
) -> Changes | None:
    """Read the previous build beside `previous_states` and compare; None for a first build."""
    previous = read_previous(previous_states)
    return None if previous is None else compare(previous, table, dataset, params)


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


def changes_since_html(changes: Changes | None, dataset: Dataset) -> str:
    """The 'changes since the previous build' section as an HTML fragment."""
    heading = "<h2>Changes since the previous build</h2>"
    if changes is None:
        body = (
            '<p class="bf-empty">There is no previous build of this briefing to compare '
            "with: this is the first.</p>"
        )
        return _section(heading + body)
    when = f" of {_e(changes.previous_build_date)}" if changes.previous_build_date else ""
    basis = f'<p class="bf-changes-basis">Compared with the previous build{when}.'
    if not changes.compared_events:
        basis += " That build kept no copy of the dataset, so only the states are compared."
    basis += "</p>"
    if changes.nothing:
        what = (
            "events, states, contested claims and grades" if changes.compared_events else "states"
        )
        body = f'<p class="bf-empty">Nothing changed since the previous build: the same {what}.</p>'
        return _section(heading + basis + body)
    parts = [
        ("New events", [_event_item(e, dataset) for e in changes.new_events]),
        (
            "Events no longer counted (removed, or their sources no longer count)",
            [_event_item(e, dataset) for e in changes.removed_events],
        ),
        ("Edited events", [_event_item(e, dataset) for e in changes.edited_events]),
        ("State changes", [_stretch_item(s, dataset) for s in changes.stretches]),
        ("Newly contested claims", [_stretch_item(s, dataset) for s in changes.contested]),
        ("Grade changes", [_grade_item(g) for g in changes.grades]),
    ]
    lists = "".join(
        f'<h3>{_e(title)}</h3><ul class="bf-changes-list">{"".join(items)}</ul>'
        for title, items in parts
        if items
    )
    return _section(heading + basis + lists)


# --- comparing ------------------------------------------------------------------------


def _stretches(states_csv: str) -> dict[tuple[str, str, str], dict[str, str]]:
    """State-table rows keyed by (track, state, start), values as the CSV writes them."""
    rows = csv.DictReader(io.StringIO(states_csv))
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


def _event(event, fields: tuple[str, ...] = ()) -> EventChange:
    return EventChange(
        event_id=event.event_id,
        date=event.date,
        precision=event.precision,
        track=event.track,
        kind=event.kind,
        state=event.state,
        summary=event.summary,
        fields=fields,
    )


def _edited(old, new) -> tuple[str, ...]:
    return tuple(f for f in _EVENT_FIELDS if not _same(getattr(old, f), getattr(new, f)))


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


def _build_date(folder: Path) -> str | None:
    """The previous build's date as the briefing printed it, for the section's first line."""
    data = read_manifest(folder)
    if data is None:
        return None
    day = (data.get("parameters") or {}).get("build_date") or str(data.get("built_at", ""))[:10]
    try:
        return format_partial(date.fromisoformat(day), "day")
    except (TypeError, ValueError):
        return None


# --- HTML -----------------------------------------------------------------------------


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _section(body: str) -> str:
    return f'<section class="bf-section bf-changes-since">{body}</section>'


def _track(track: str, dataset: Dataset) -> str:
    known = next((t for t in dataset.tracks if t.id == track), None)
    return known.label if known else track


def _state(state: str, dataset: Dataset) -> str:
    known = dataset.states.get(state)
    return known.label if known else state


def _event_item(event: EventChange, dataset: Dataset) -> str:
    when = format_partial(event.date, event.precision)
    what = {"change": "change to", "confirm": "confirms"}.get(event.kind, event.kind)
    state = f" {_state(event.state, dataset)}" if event.state else ""
    edited = (
        f' <span class="bf-changed-fields">(changed: {_e(", ".join(event.fields))})</span>'
        if event.fields
        else ""
    )
    return (
        f'<li><span class="bf-event-id">{_e(event.event_id)}</span> '
        f'<span class="bf-date">{_e(when)}</span>, '
        f"{_e(_track(event.track, dataset))}: {_e(what + state)}. "
        f'<span class="bf-event-summary">{_e(event.summary)}</span>{edited}</li>'
    )


def _stretch_item(stretch: StretchChange, dataset: Dataset) -> str:
    track = _e(_track(stretch.track, dataset))
    state = _e(_state(stretch.state, dataset))
    start = _e(format_partial(stretch.start, stretch.start_precision))
    end = _e(_until(stretch.end))
    text = {
        "new": f"now {state} from {start} (until: {end})",
        "removed": f"no longer {state} from {start}",
        "end": f"{state} from {start} now ends: {end} (before: {_e(_until(stretch.previous_end))})",
        "contested": f"{state} from {start} is now contested",
    }[stretch.change]
    if stretch.disputed_by:
        text += f" by {_e(', '.join(stretch.disputed_by))}"
    return (
        f'<li class="bf-change-{_e(stretch.change)}">'
        f'<strong class="bf-track">{track}</strong>: {text}</li>'
    )


def _grade_item(grade: GradeChange) -> str:
    scale = "reliability" if grade.subject == "source" else "credibility"
    return (
        f'<li>{_e(grade.subject.capitalize())} <span class="bf-{grade.subject}-id">'
        f"{_e(grade.id)}</span>: {scale} {_e(grade.before)} → {_e(grade.after)}</li>"
    )


def _until(end: date | None) -> str:
    return format_partial(end, "day") if end else "still current"
