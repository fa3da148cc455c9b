"""The briefing's generated sections, as plain data for the templates.

Pure functions: the dataset, resolved parameters and frames from `briefings.data.states` in,
frozen dataclasses of text and numbers out. Each names its template (under
`templates/briefing/sections/`); `markup.render_data` turns it into HTML, escaping every
value. The fixed prose around the sections (headings, explanations, the method) is in the
briefing notebook's markdown cells, where the analyst edits it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from briefings.data.dataset import (
    COLOUR,
    CREDIBILITY_MEANINGS,
    RELIABILITY_GRADES,
    RELIABILITY_MEANINGS,
    Dataset,
    StateDef,
)
from briefings.data.dates import format_partial
from briefings.data.params import PARAMETERS, Parameters
from briefings.data.states import source_exclusions
from briefings.paths import PROJECT_ROOT
from briefings.report.bottomline import stretch_words
from briefings.report.words import and_

# The briefing stays a short document however large the dataset (a dozen pages at 10,000
# events; every row of the changes table is about a fifteenth of a page): the table lists
# at most this many numbered events, the contested claims at most MAX_CLAIMS disputes, and
# a sentence counts the rest (the chart still marks them all, aggregated where they crowd).
MAX_TABLE_ROWS = 50
MAX_CLAIMS = 20


# --- the pieces sections are made of -----------------------------------------------------


@dataclass(frozen=True)
class Grade:
    """An Admiralty grade as shown ('B', or 'B – usually reliable') and its meaning."""

    text: str
    meaning: str


@dataclass(frozen=True)
class SourceRef:
    """A cited source: its id and its reliability grade."""

    source_id: str
    grade: Grade


@dataclass(frozen=True)
class EventRef:
    """An event by its marker number on the chart, else by its id."""

    number: int | None
    event_id: str


@dataclass(frozen=True)
class EventText:
    """What an event says: its summary, figures it leaves out ('Amount: $2 billion') and
    actors."""

    summary: str
    amounts: str
    actors: str


@dataclass(frozen=True)
class StateLabel:
    """A state's label and its colour (#RRGGBB; None when the dataset's is not one)."""

    label: str
    colour: str | None


@dataclass(frozen=True)
class Remainder:
    """What a capped list leaves out: `shown` of `total` `noun`, the rest `where`."""

    shown: int
    total: int
    noun: str
    where: str


@dataclass(frozen=True)
class GradeKey:
    """The two Admiralty scales: (grade, meaning) pairs for reliability and credibility."""

    template: ClassVar[str] = "briefing/sections/grade_key.html.j2"
    reliability: tuple[tuple[str, str], ...]
    credibility: tuple[tuple[str, str], ...]


# --- the sections --------------------------------------------------------------------------


@dataclass(frozen=True)
class TitleBlock:
    """Marking, title, and (label, value) facts: window, knowledge, filters, build date."""

    template: ClassVar[str] = "briefing/sections/title_block.html.j2"
    marking: str
    title: str
    facts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ChartInWords:
    """The chart's text alternative, one paragraph per line."""

    template: ClassVar[str] = "briefing/sections/chart_in_words.html.j2"
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class ChangeRow:
    """One numbered event: a change (with its new `state`) or a dispute (`disputes`)."""

    number: int
    date: str
    track: str
    state: StateLabel | None
    disputes: EventRef | None
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
    """The event a dispute contradicts; `counted` is False when no counted source backs it."""

    ref: EventRef
    track: str
    when: str
    summary: str
    counted: bool


@dataclass(frozen=True)
class Claim:
    """A dispute beside what it contradicts, and the stretches it makes contested."""

    number: int | None
    track: str
    when: str
    contradicts: Contradicted
    dispute: EventText
    sources: tuple[SourceRef, ...]
    credibility: Grade
    effect: str


@dataclass(frozen=True)
class ContestedClaims:
    """The shown disputes (empty when no source contradicts another)."""

    template: ClassVar[str] = "briefing/sections/contested_claims.html.j2"
    claims: tuple[Claim, ...]
    remainder: Remainder | None


@dataclass(frozen=True)
class SourceRow:
    """One source as listed, with its `status` in this briefing ('cited', 'not counted: …')."""

    source_id: str
    outlet: str
    title: str
    author: str
    url: str
    published: str
    kind: str
    reliability: Grade
    notes: str
    status: str
    counted: bool


@dataclass(frozen=True)
class SourcesTable:
    """Every source of the dataset, oldest first."""

    template: ClassVar[str] = "briefing/sections/sources_table.html.j2"
    rows: tuple[SourceRow, ...]


@dataclass(frozen=True)
class ParameterRow:
    """A parameter's name, its value in this briefing and what it means."""

    name: str
    value: str
    meaning: str


@dataclass(frozen=True)
class MethodFacts:
    """The dataset behind the briefing and every parameter's value."""

    template: ClassVar[str] = "briefing/sections/method.html.j2"
    dataset_title: str
    dataset_id: str
    events: int
    sources: int
    dataset_hash: str | None
    parameters: tuple[ParameterRow, ...]


def title_block(dataset: Dataset, params: Parameters) -> TitleBlock:
    """The header: marking, title, window, what knowledge it reflects, and the build date."""
    counted = _counted_sources(dataset, params)
    latest = max(counted["published"], default=None)
    latest_text = f"latest published {_day(latest)}" if latest else "no source counted"
    if params.as_of:
        knowledge = (
            f"As known on {_day(params.as_of)}: later sources are not counted ({latest_text})"
        )
    else:
        knowledge = f"All sources ({latest_text})"
    facts = [
        ("Window", window_text(params)),
        ("Knowledge", knowledge),
    ]
    if params.min_reliability != RELIABILITY_GRADES[-1]:
        facts.append(("Sources", f"Only sources graded {params.min_reliability} or better"))
    if len(params.tracks) < len(dataset.tracks):
        labels = ", ".join(dataset.track(t).label for t in params.tracks)
        facts.append(("Tracks", f"{len(params.tracks)} of {len(dataset.tracks)}: {labels}"))
    if params.title != dataset.title:
        facts.append(("Dataset", dataset.title))
    facts.append(("Built", _day(params.build_date)))
    return TitleBlock(params.marking, params.title, tuple(facts))


def window_text(params: Parameters) -> str:
    """The window as '1 Jan 2018 – 31 Dec 2023'."""
    return f"{_day(params.start)} – {_day(params.end)}"


def chart_in_words(text: str) -> ChartInWords:
    """The chart's text alternative (`chart.describe_timeline`): one paragraph per line."""
    return ChartInWords(tuple(line for line in text.splitlines() if line.strip()))


def changes_table(markers: pd.DataFrame, dataset: Dataset) -> ChangesTable:
    """The numbered state changes and disputes (`states.key_events`), keyed to the chart."""
    numbers = dict(zip(markers["event_id"], markers["number"], strict=True))
    rows = tuple(
        ChangeRow(
            number=int(event.number),
            date=format_partial(event.date, event.precision),
            track=dataset.track(event.track).label,
            state=None if event.kind == "dispute" else _state_label(dataset.states[event.state]),
            disputes=_event_ref(event.disputes, numbers) if event.kind == "dispute" else None,
            event=_event_text(event),
            sources=_source_refs(event.source_ids, dataset),
            credibility=_credibility(event.credibility),
        )
        for event in markers.head(MAX_TABLE_ROWS).itertuples()
    )
    remainder = _remainder(len(markers), len(rows), "numbered events", "marked on the chart")
    return ChangesTable(rows, remainder, grade_key())


def shown_disputes(
    events: pd.DataFrame, markers: pd.DataFrame, table: pd.DataFrame
) -> pd.DataFrame:
    """The visible disputes the briefing must explain, by date.

    Those numbered in the window, and those (of any date) that make a stretch shown in
    the state table contested: the chart hatches it, so the text has to say why.
    """
    shown = {e for ids in table["event_ids"] for e in ids}
    disputes = events[
        (events["kind"] == "dispute")
        & (events["event_id"].isin(set(markers["event_id"])) | events["disputes"].isin(shown))
    ]
    return disputes.sort_values(["date", "row"], kind="stable").reset_index(drop=True)


def contested_claims(
    events: pd.DataFrame, markers: pd.DataFrame, table: pd.DataFrame, dataset: Dataset
) -> ContestedClaims:
    """Each shown dispute beside the event it contradicts.

    `events` are the visible events (`states.visible_events`), `table` the state table.
    """
    disputes = shown_disputes(events, markers, table)
    numbers = dict(zip(markers["event_id"], markers["number"], strict=True))
    everything = _by_id(dataset.events)
    visible = set(events["event_id"])
    shown = disputes.head(MAX_CLAIMS)
    contested = _contested_stretches(table, set(shown["disputes"]), dataset, everything)
    claims = tuple(
        Claim(
            number=numbers.get(dispute.event_id),
            track=dataset.track(dispute.track).label,
            when=format_partial(dispute.date, dispute.precision),
            contradicts=_contradicted(everything[dispute.disputes], numbers, visible, dataset),
            dispute=_event_text(dispute),
            sources=_source_refs(dispute.source_ids, dataset),
            credibility=_credibility(dispute.credibility, spelled=True),
            effect=and_(contested.get(dispute.disputes, ())),
        )
        for dispute in shown.itertuples()
    )
    remainder = _remainder(
        len(disputes), len(claims), "disputes", "numbered on the chart where dated in the window"
    )
    return ContestedClaims(claims, remainder)


def cited_sources(table: pd.DataFrame, *event_frames: pd.DataFrame) -> set[str]:
    """Ids of the sources behind the state table and the given event frames."""
    frames = (table, *event_frames)
    return {s for frame in frames for ids in frame["source_ids"] for s in ids}


def sources_table(dataset: Dataset, params: Parameters, cited: set[str]) -> SourcesTable:
    """Every source with its grade, and whether it counts in this briefing."""
    rows = []
    ordered = dataset.sources.sort_values(["published", "row"], kind="stable")
    for source in ordered.itertuples():
        reasons = _not_counted(source, params)
        if reasons:
            status = "not counted: " + "; ".join(reasons)
        elif source.source_id in cited:
            status = "cited"
        else:
            status = "counted, not cited in this window"
        rows.append(
            SourceRow(
                source_id=source.source_id,
                outlet=source.outlet,
                title=source.title,
                author=source.author,
                url=source.url,
                published=_day(source.published),
                kind=source.kind,
                reliability=_reliability(source.reliability, spelled=True),
                notes=source.notes,
                status=status,
                counted=not reasons,
            )
        )
    return SourcesTable(tuple(rows))


def grade_key() -> GradeKey:
    """The two Admiralty scales, spelled out."""
    return GradeKey(
        reliability=tuple(RELIABILITY_MEANINGS.items()),
        credibility=tuple((str(k), v) for k, v in CREDIBILITY_MEANINGS.items()),
    )


def method_facts(
    dataset: Dataset, params: Parameters, *, dataset_hash: str | None = None
) -> MethodFacts:
    """What the method text cannot know in advance: the dataset and every parameter."""
    parameters = tuple(
        ParameterRow(name, _parameter_value(name, getattr(params, name)), meaning)
        for name, (_kind, meaning) in PARAMETERS.items()
    )
    return MethodFacts(
        dataset_title=dataset.title,
        dataset_id=dataset.id,
        events=len(dataset.events),
        sources=len(dataset.sources),
        dataset_hash=dataset_hash,
        parameters=parameters,
    )


# --- contested claims -----------------------------------------------------------------


def _contradicted(
    target: Any, numbers: dict[str, int], visible: set[str], dataset: Dataset
) -> Contradicted:
    return Contradicted(
        ref=_event_ref(target.event_id, numbers),
        track=dataset.track(target.track).label,
        when=format_partial(target.date, target.precision),
        summary=target.summary,
        counted=target.event_id in visible,
    )


def _contested_stretches(
    table: pd.DataFrame, event_ids: set[str], dataset: Dataset, by_id: Mapping[str, Any]
) -> dict[str, list[str]]:
    """For each of `event_ids`, the stretches that rest on it, in words (one pass over
    the table, however many claims ask)."""
    found: dict[str, list[str]] = {}
    for row in table.itertuples():
        for event_id in event_ids.intersection(row.event_ids):
            found.setdefault(event_id, []).append(stretch_words(row, dataset, by_id))
    return found


def _remainder(total: int, shown: int, noun: str, where: str) -> Remainder | None:
    """What a capped list leaves out; None when it lists everything."""
    return Remainder(shown, total, noun, where) if total > shown else None


# --- pieces ---------------------------------------------------------------------------


def _day(value: date) -> str:
    return format_partial(value, "day")


def _by_id(events: pd.DataFrame) -> dict[str, Any]:
    return {e.event_id: e for e in events.itertuples()}


def _event_ref(event_id: str, numbers: dict[str, int]) -> EventRef:
    return EventRef(numbers.get(event_id), event_id)


def _state_label(state: StateDef) -> StateLabel:
    """The label, and the colour only when it is #RRGGBB (it goes into a style attribute)."""
    return StateLabel(state.label, state.colour if COLOUR.fullmatch(state.colour) else None)


def _event_text(event: Any) -> EventText:
    """The summary, then any figure the summary does not already spell out."""
    figures = []
    if _present(event.amount_usd):
        money = _money(int(event.amount_usd))
        if money.removeprefix("$") not in event.summary:
            figures.append(f"Amount: {money}")
    if _present(event.quantity):
        number = f"{int(event.quantity):,}"
        if not re.search(rf"(?<![\d,.]){re.escape(number)}(?![\d,])", event.summary):
            figures.append(f"Number: {number}")
    return EventText(event.summary, "; ".join(figures), "; ".join(event.actors))


def _present(value: object) -> bool:
    # pandas turns a column of ints with gaps into floats and the gaps into NaN.
    return value is not None and not pd.isna(value)


def _money(amount: int) -> str:
    """US dollars the way a briefing writes them: '$2 billion', '$900 million', '$12,500'."""
    for size, word in ((10**9, "billion"), (10**6, "million")):
        if amount >= size and amount % (size // 100) == 0:
            number = f"{amount / size:.2f}".rstrip("0").rstrip(".")
            return f"${number} {word}"
    return f"${amount:,}"


def _source_refs(source_ids: Iterable[str], dataset: Dataset) -> tuple[SourceRef, ...]:
    grades = dict(zip(dataset.sources["source_id"], dataset.sources["reliability"], strict=True))
    return tuple(SourceRef(s, _reliability(grades[s])) for s in source_ids)


def _reliability(grade: str, *, spelled: bool = False) -> Grade:
    meaning = RELIABILITY_MEANINGS[grade]
    return Grade(f"{grade} – {meaning}" if spelled else grade, meaning)


def _credibility(value: int, *, spelled: bool = False) -> Grade:
    meaning = CREDIBILITY_MEANINGS[int(value)]
    return Grade(f"{int(value)} – {meaning}" if spelled else str(int(value)), meaning)


def _counted_sources(dataset: Dataset, params: Parameters) -> pd.DataFrame:
    mask = [not _not_counted(s, params) for s in dataset.sources.itertuples()]
    return dataset.sources.loc[mask]


def _not_counted(source: Any, params: Parameters) -> list[str]:
    """Why a source is set aside under these parameters, in words."""
    reasons = {
        "as_of": f"published after as_of ({_day(params.as_of)})" if params.as_of else "",
        "min_reliability": f"graded below min_reliability ({params.min_reliability})",
    }
    excluded = source_exclusions(
        source.published,
        source.reliability,
        as_of=params.as_of,
        min_reliability=params.min_reliability,
    )
    return [reasons[name] for name in excluded]


def _parameter_value(name: str, value: object) -> str:
    if value is None:
        return "not set (all sources)" if name == "as_of" else "not set"
    if isinstance(value, Path):
        return _shown_path(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(value)


def _shown_path(path: Path) -> str:
    """Paths inside the project relative to it, so the briefing does not depend on the clone."""
    try:
        return path.resolve().relative_to(PROJECT_ROOT.resolve()).as_posix()
    except ValueError:
        return str(path)
