"""Loading a dataset folder and checking it against the dataset contract.

A dataset is `dataset.yaml` (tracks and state vocabulary), `sources.csv` and
`events.csv`. Every problem found is reported, one line each, before anything
else runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from briefings.data.dates import (
    DATE_FORMS,
    PRECISIONS,
    SUPPORTED_DAYS,
    is_supported,
    parse_day,
    parse_partial_date,
)
from briefings.data.grades import CREDIBILITY_GRADES as CREDIBILITY_GRADES
from briefings.data.grades import CREDIBILITY_MEANINGS as CREDIBILITY_MEANINGS
from briefings.data.grades import RELIABILITY_GRADES as RELIABILITY_GRADES
from briefings.data.grades import RELIABILITY_MEANINGS as RELIABILITY_MEANINGS
from briefings.exceptions import DatasetError, Problem, ProblemsError, quoted
from briefings.inputs.csvfile import read_rows, read_text
from briefings.inputs.yamlfile import load_yaml, yaml_line
from briefings.paths import DATASET_FILE, DATASET_FILES, EVENTS_FILE, SOURCES_FILE

SOURCE_COLUMNS = (
    "source_id",
    "outlet",
    "title",
    "author",
    "published",
    "url",
    "kind",
    "reliability",
    "notes",
)
EVENT_COLUMNS = (
    "event_id",
    "date",
    "precision",
    "track",
    "kind",
    "state",
    "summary",
    "actors",
    "source_ids",
    "credibility",
    "disputes",
    "amount_usd",
    "quantity",
    "notes",
    "awaits",
)
# Columns a dataset may leave out of events.csv (added after the first datasets were made).
OPTIONAL_EVENT_COLUMNS = ("awaits",)
SOURCE_KINDS = ("wire", "newspaper", "aggregator", "analysis", "forum", "official")
EVENT_KINDS = ("change", "confirm", "dispute", "note")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")  # a state's colour: #rrggbb
_YAML_KEYS = {"id", "title", "description", "window", "tracks", "states"}
_TRACK_KEYS = {"id", "label", "states", "description"}
_STATE_KEYS = {"id", "label", "colour", "meaning"}
# Event columns whose values rarely repeat: not worth looking up while loading.
_UNIQUE = frozenset({"event_id", "summary", "row"})


@dataclass(frozen=True)
class StateDef:
    """One state of the vocabulary: how it is named, drawn and what it means."""

    id: str
    label: str
    colour: str
    meaning: str


@dataclass(frozen=True)
class Track:
    """One swimlane of the chart and the states it may be in."""

    id: str
    label: str
    states: tuple[str, ...]


@dataclass(frozen=True)
class Dataset:
    """A validated dataset: the vocabulary plus sources and events as frames."""

    path: Path
    id: str
    title: str
    description: str
    window: tuple[date, date]
    tracks: tuple[Track, ...]
    states: dict[str, StateDef]
    sources: pd.DataFrame
    events: pd.DataFrame

    @property
    def files(self) -> tuple[Path, ...]:
        """The files the dataset is made of, in a fixed order (for hashing)."""
        return tuple(self.path / name for name in DATASET_FILES)

    def track(self, track_id: str) -> Track:
        """The track with this id."""
        return next(t for t in self.tracks if t.id == track_id)


def load_dataset(data_dir: str | Path) -> Dataset:
    """Load and validate a dataset folder; raise DatasetError listing every problem."""
    folder = Path(data_dir)
    if not folder.is_dir():
        raise DatasetError(
            [
                Problem(
                    str(folder),
                    "is not a dataset folder (expected a folder "
                    "with dataset.yaml, sources.csv, events.csv)",
                )
            ]
        )
    problems: list[Problem] = []
    meta = _load_meta(folder / DATASET_FILE, problems)
    sources = _load_sources(folder / SOURCES_FILE, problems)
    # When sources.csv (or a row of it) cannot be read, checking citations against it
    # would only add noise.
    known_sources = (
        None if _unreadable(folder / SOURCES_FILE, problems) else set(sources["source_id"])
    )
    events = _load_events(folder / EVENTS_FILE, meta, known_sources, problems)
    if not problems:
        problems.extend(_unsupported(folder / EVENTS_FILE, events))
    if problems or meta is None:
        raise DatasetError(problems)
    return Dataset(path=folder, sources=sources, events=events, **meta)


def _unsupported(path: Path, events: pd.DataFrame) -> list[Problem]:
    """Rows that break the rule that every source an event cites supports the whole row.

    What can be checked without reading the documents: a figure comes from the one
    source that gives it; credibility 1 (confirmed by other sources) rests on more than
    one. The rule keeps an "as known on" briefing honest: hiding a later source then
    hides everything it contributed.
    """
    found = []
    for event in events.itertuples():

        def report(column: str, message: str, line=event.row) -> None:
            found.append(Problem(str(path), message, row=line, column=column))

        figures = [c for c in ("amount_usd", "quantity") if not pd.isna(getattr(event, c))]
        if figures and len(event.source_ids) > 1:
            report(
                figures[0],
                f"a figure must come from the one source that gives it, but this row cites "
                f"{len(event.source_ids)} sources (put the figure in a row citing only that "
                "source; the others can confirm the event in a row of their own)",
            )
        if event.credibility == 1 and len(set(event.source_ids)) < 2:
            report(
                "credibility",
                "1 means confirmed by other sources, but the row cites one source "
                "(use 2–6, or cite the other sources)",
            )
    return found


def _unreadable(path: Path, problems: list[Problem]) -> bool:
    """Whether the file, or one of its rows, could not be read at all."""
    return any(p.file == str(path) and p.column is None for p in problems)


def _load_meta(path: Path, problems: list[Problem]) -> dict | None:
    text = read_text(path, problems, what="dataset.yaml, sources.csv and events.csv")
    if text is None:
        return None
    name = str(path)
    try:
        root, data = load_yaml(text, name)
    except ProblemsError as error:
        problems.extend(error.problems)
        return None

    found: list[Problem] = []

    def problem(path_: tuple[object, ...], message: str) -> None:
        key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path_).lstrip(".")
        found.append(
            Problem(
                name,
                f"{key}: {message}" if key else message,
                row=yaml_line(root, path_),
            )
        )

    if not isinstance(data, dict):
        problem((), "must be a mapping with keys id, title, window, tracks, states")
        problems.extend(found)
        return None
    for key in sorted(set(data) - _YAML_KEYS, key=str):
        problem((key,), f"unknown key (allowed: {', '.join(sorted(_YAML_KEYS))})")
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problem((key,), "is required and must be text")

    window = data.get("window")
    start = end = None
    if not isinstance(window, dict):
        problem(("window",), "is required: a mapping with start and end (YYYY-MM-DD)")
    else:
        start, end = (_yaml_date(window.get(k)) for k in ("start", "end"))
        for key, value in (("start", start), ("end", end)):
            if value is None:
                problem(
                    ("window", key), f"{quoted(window.get(key))} is not a date (use YYYY-MM-DD)"
                )
            elif not is_supported(value):
                problem(
                    ("window", key), f"'{value}' is outside the supported range ({SUPPORTED_DAYS})"
                )
        if start and end and start >= end:
            problem(("window", "end"), f"{end} is not after the start {start}")

    states = _load_state_defs(data.get("states"), problem)
    tracks = _load_tracks(data.get("tracks"), states, problem)
    problems.extend(found)
    if found:
        return None
    return {
        "id": data["id"],
        "title": data["title"],
        "description": str(data.get("description") or ""),
        "window": (start, end),
        "tracks": tracks,
        "states": states,
    }


def _yaml_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    return parse_day(value) if isinstance(value, str) else None


def _load_state_defs(items: object, problem) -> dict[str, StateDef]:
    states: dict[str, StateDef] = {}
    if not isinstance(items, list) or not items:
        problem(("states",), "is required: a list of states with id, label, colour, meaning")
        return states
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problem(("states", i), "must be a mapping with id, label, colour, meaning")
            continue
        for key in sorted(set(item) - _STATE_KEYS, key=str):
            problem(("states", i, key), f"unknown key (allowed: {', '.join(sorted(_STATE_KEYS))})")
        state_id, label, colour = item.get("id"), item.get("label"), item.get("colour")
        if not isinstance(state_id, str) or not _ID.fullmatch(state_id):
            problem(
                ("states", i, "id"), f"{quoted(state_id)} is not an id (letters, digits, _ . -)"
            )
            continue
        if state_id in states:
            problem(("states", i, "id"), f"state '{state_id}' is defined twice")
        if not isinstance(label, str) or not label.strip():
            problem(("states", i, "label"), "is required and must be text")
        if colour is None:
            problem(("states", i, "colour"), "is required (use #RRGGBB)")
        elif not isinstance(colour, str) or not COLOUR.fullmatch(colour):
            problem(("states", i, "colour"), f"{quoted(colour)} is not a colour (use #RRGGBB)")
        states[state_id] = StateDef(
            state_id, str(label), str(colour), str(item.get("meaning") or "")
        )
    return states


def _load_tracks(items: object, states: dict[str, StateDef], problem) -> tuple[Track, ...]:
    tracks: list[Track] = []
    if not isinstance(items, list) or not items:
        problem(("tracks",), "is required: a list of tracks with id, label, states")
        return ()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problem(("tracks", i), "must be a mapping with id, label, states")
            continue
        for key in sorted(set(item) - _TRACK_KEYS, key=str):
            problem(("tracks", i, key), f"unknown key (allowed: {', '.join(sorted(_TRACK_KEYS))})")
        track_id, label, allowed = item.get("id"), item.get("label"), item.get("states")
        if not isinstance(track_id, str) or not _ID.fullmatch(track_id):
            problem(
                ("tracks", i, "id"), f"{quoted(track_id)} is not an id (letters, digits, _ . -)"
            )
            continue
        if any(t.id == track_id for t in tracks):
            problem(("tracks", i, "id"), f"track '{track_id}' is defined twice")
        if not isinstance(label, str) or not label.strip():
            problem(("tracks", i, "label"), "is required and must be text")
        if not isinstance(allowed, list) or not allowed:
            problem(("tracks", i, "states"), "is required: a list of state ids")
            allowed = []
        for j, state in enumerate(allowed):
            if isinstance(state, bool):
                # YAML 1.1 reads bare on/off/yes/no as booleans.
                problem(
                    ("tracks", i, "states", j),
                    f"{state} is a yes/no value, not a state "
                    "id (put quotes around on, off, yes, no)",
                )
            elif not isinstance(state, str) or state not in states:
                shown = f"'{state}'" if isinstance(state, str) else quoted(state)
                problem(
                    ("tracks", i, "states", j),
                    f"{shown} is not a defined state (defined: {', '.join(states)})",
                )
        tracks.append(Track(track_id, str(label), tuple(str(s) for s in allowed)))
    return tuple(tracks)


def _check_id(value: str, column: str, report) -> bool:
    """Ids must be bare: a stray space makes two ids that look the same but differ."""
    if value != value.strip():
        report(column, f"'{value}' has spaces around it (remove them)")
        return False
    if not value:
        report(column, "is required")
        return False
    return True


def _load_sources(path: Path, problems: list[Problem]) -> pd.DataFrame:
    records, seen = [], {}
    for line, row in read_rows(path, SOURCE_COLUMNS, problems):

        def report(column: str, message: str, line=line) -> None:
            problems.append(Problem(str(path), message, row=line, column=column))

        source_id = row["source_id"]
        if _check_id(source_id, "source_id", report):
            if source_id in seen:
                report("source_id", f"'{source_id}' is used again (first on row {seen[source_id]})")
            seen.setdefault(source_id, line)
        for column in ("outlet", "title"):
            if not row[column].strip():
                report(column, "is required")
        published = parse_day(row["published"])
        if published is None:
            report("published", f"'{row['published']}' is not a date (use YYYY-MM-DD)")
        elif not is_supported(published):
            report(
                "published",
                f"'{row['published']}' is outside the supported range ({SUPPORTED_DAYS})",
            )
        if row["kind"] not in SOURCE_KINDS:
            report("kind", f"'{row['kind']}' is not a source kind (use {', '.join(SOURCE_KINDS)})")
        if len(row["reliability"]) != 1 or row["reliability"] not in RELIABILITY_GRADES:
            report(
                "reliability",
                f"'{row['reliability']}' is not a reliability grade "
                "(use A–F: A completely reliable … E unreliable, F cannot "
                "be judged)",
            )
        url = row["url"].strip()
        if url and not url.startswith(("https://", "http://")):
            report("url", f"'{url}' is not a web address (use http:// or https://, or leave empty)")
        records.append(
            {**{c: row[c].strip() for c in SOURCE_COLUMNS}, "published": published, "row": line}
        )
    return pd.DataFrame.from_records(records, columns=[*SOURCE_COLUMNS, "row"])


def _load_events(
    path: Path, meta: dict | None, source_ids: set[str] | None, problems: list[Problem]
) -> pd.DataFrame:
    tracks = {t.id: t for t in meta["tracks"]} if meta else {}
    rows = read_rows(path, EVENT_COLUMNS, problems, optional=OPTIONAL_EVENT_COLUMNS)
    # A row that could not be read may hold the event a dispute names.
    all_ids_known = not _unreadable(path, problems)
    event_lines: dict[str, int] = {}
    for line, row in rows:
        event_lines.setdefault(row["event_id"], line)
    # Built column by column, with one copy of each repeated value (a track, a kind, a
    # list of sources): a record per event held the 100,000-event dataset several
    # times over while loading it.
    columns: dict[str, list] = {name: [] for name in (*EVENT_COLUMNS, "row")}
    shared: dict = {}
    for line, row in rows:

        def report(column: str, message: str, line=line) -> None:
            problems.append(Problem(str(path), message, row=line, column=column))

        event_id = row["event_id"]
        if _check_id(event_id, "event_id", report) and event_lines[event_id] != line:
            report("event_id", f"'{event_id}' is used again (first on row {event_lines[event_id]})")

        parsed = parse_partial_date(row["date"])
        if parsed is None:
            report("date", f"'{row['date']}' is not a date ({DATE_FORMS})")
        elif not is_supported(parsed[0]):
            report("date", f"'{row['date']}' is outside the supported range ({SUPPORTED_DAYS})")
        if row["precision"] not in PRECISIONS:
            report(
                "precision",
                f"'{row['precision']}' is not a precision (use {', '.join(PRECISIONS)})",
            )
        elif parsed and parsed[1] != row["precision"]:
            report(
                "precision",
                f"'{row['precision']}' does not match the date '{row['date']}' "
                f"(written as a {parsed[1]}: use '{parsed[1]}')",
            )

        track, kind, state = row["track"], row["kind"], row["state"]
        if meta and track not in tracks:
            report(
                "track", f"'{track}' is not a track of this dataset (tracks: {', '.join(tracks)})"
            )
        if kind not in EVENT_KINDS:
            report("kind", f"'{kind}' is not an event kind (use {', '.join(EVENT_KINDS)})")
        elif kind in ("change", "confirm"):
            allowed = tracks[track].states if track in tracks else ()
            if not state:
                report(
                    "state",
                    f"a {kind} event needs a state"
                    + (f" (allowed on {track}: {', '.join(allowed)})" if allowed else ""),
                )
            elif track in tracks and state not in allowed:
                report(
                    "state",
                    f"'{state}' is not a state of track {track} (allowed: {', '.join(allowed)})",
                )
        elif state:
            report("state", f"must be empty for a {kind} event (got '{state}')")

        if not row["summary"].strip():
            report("summary", "is required (one sentence in our own words)")

        cited = row["source_ids"].split(";") if row["source_ids"] else []
        if not cited:
            report("source_ids", "is required: at least one source id from sources.csv")
        for source_id in cited:
            if (
                _check_id(source_id, "source_ids", report)
                and source_ids is not None
                and source_id not in source_ids
            ):
                report(
                    "source_ids",
                    f"'{source_id}' is not in sources.csv" + _known(sorted(source_ids)),
                )

        credibility = _integer(row["credibility"])
        if credibility not in CREDIBILITY_GRADES:
            report(
                "credibility",
                f"'{row['credibility']}' is not a credibility grade "
                "(use 1–6: 1 confirmed … 5 improbable, 6 cannot be judged)",
            )

        disputes = row["disputes"]
        if kind == "dispute":
            if not disputes:
                report("disputes", "a dispute event must name the event_id it contradicts")
            elif disputes not in event_lines and all_ids_known:
                report("disputes", f"'{disputes}' is not an event_id in events.csv")
            elif disputes == event_id:
                report("disputes", "an event cannot dispute itself")
        elif disputes:
            report("disputes", f"only dispute events name a disputed event (this is a {kind})")

        awaits = row["awaits"].strip()
        if awaits and kind not in ("change", "confirm"):
            report("awaits", f"only change and confirm events await something (this is a {kind})")

        numbers = {}
        for column in ("amount_usd", "quantity"):
            numbers[column] = _integer(row[column]) if row[column].strip() else None
            if row[column].strip() and (numbers[column] is None or numbers[column] < 0):
                report(
                    column,
                    f"'{row[column]}' is not a whole number ≥ 0 "
                    "(digits only, no separators; or leave empty)",
                )

        record = {
            "event_id": event_id,
            "date": parsed[0] if parsed else None,
            "precision": row["precision"],
            "track": track,
            "kind": kind,
            "state": state,
            "summary": row["summary"].strip(),
            "actors": tuple(a.strip() for a in row["actors"].split(";") if a.strip()),
            "source_ids": tuple(cited),
            "credibility": credibility,
            "disputes": disputes,
            "amount_usd": numbers["amount_usd"],
            "quantity": numbers["quantity"],
            "notes": row["notes"].strip(),
            "awaits": awaits,
            "row": line,
        }
        for name, value in record.items():
            columns[name].append(value if name in _UNIQUE else shared.setdefault(value, value))
    frame = pd.DataFrame(columns)
    # With no events every column is of type object (as a frame of no records has them).
    return frame if len(frame) else frame.astype(object)


def _integer(text: str) -> int | None:
    text = text.strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def _known(ids: list[str], limit: int = 8) -> str:
    """A short reminder of the valid ids, for a message."""
    if not ids:
        return " (sources.csv lists none)"
    shown = ", ".join(ids[:limit])
    return f" (known: {shown}{', …' if len(ids) > limit else ''})"
