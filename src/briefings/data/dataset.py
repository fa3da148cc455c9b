"""Loading a dataset folder and checking it against the dataset contract.

A dataset is `dataset.yaml` (tracks and state vocabulary, see `vocabulary`), `sources.csv`
and `events.csv` (their columns and rules, see `columns`). Every problem found is
reported, one line each, before anything else runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from briefings.data.checks import confirm_problems, origin_problems
from briefings.data.columns import (
    EVENT_COLUMNS,
    EVENT_RULES,
    OPTIONAL_EVENT_COLUMNS,
    OPTIONAL_SOURCE_COLUMNS,
    SOURCE_COLUMNS,
    SOURCE_RULES,
    Column,
    FileFacts,
    first_lines,
    read_columns,
)
from briefings.data.grades import CREDIBILITY_GRADES as CREDIBILITY_GRADES
from briefings.data.grades import CREDIBILITY_MEANINGS as CREDIBILITY_MEANINGS
from briefings.data.grades import RELIABILITY_GRADES as RELIABILITY_GRADES
from briefings.data.grades import RELIABILITY_MEANINGS as RELIABILITY_MEANINGS
from briefings.data.vocabulary import StateDef, Track, read_dataset_yaml
from briefings.exceptions import DatasetError, Problem
from briefings.inputs.csvfile import read_rows
from briefings.inputs.inputfile import files_hash
from briefings.paths import DATASET_FILE, DATASET_FILES, EVENTS_FILE, SOURCES_FILE


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

    def content_hash(self) -> str:
        """The sha256 of the dataset's three files: what the cache and the method
        section call the dataset's version."""
        return files_hash(self.files)

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
    meta = read_dataset_yaml(folder / DATASET_FILE, problems)
    sources = _load_sources(folder / SOURCES_FILE, problems)
    # When sources.csv (or a row of it) cannot be read, checking citations against it
    # would only add noise.
    known_sources = (
        None if _unreadable(folder / SOURCES_FILE, problems) else set(sources["source_id"])
    )
    events = _load_events(folder / EVENTS_FILE, meta, known_sources, problems)
    if not problems:
        problems.extend(_unsupported(folder / EVENTS_FILE, events))
        problems.extend(confirm_problems(folder / EVENTS_FILE, events))
        problems.extend(
            origin_problems(folder / SOURCES_FILE, folder / EVENTS_FILE, sources, events)
        )
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


def _load_sources(path: Path, problems: list[Problem]) -> pd.DataFrame:
    """sources.csv, checked row by row against `SOURCE_RULES`."""
    rows = read_rows(path, SOURCE_COLUMNS, problems, optional=OPTIONAL_SOURCE_COLUMNS)
    file = FileFacts(first_lines(rows, "source_id"))
    return _frame(path, rows, SOURCE_RULES, SOURCE_COLUMNS, file, problems)


def _load_events(
    path: Path, meta: dict | None, source_ids: set[str] | None, problems: list[Problem]
) -> pd.DataFrame:
    """events.csv, checked row by row against `EVENT_RULES`, the tracks of dataset.yaml
    (`meta`) and the ids of sources.csv, each where it could be read."""
    rows = read_rows(path, EVENT_COLUMNS, problems, optional=OPTIONAL_EVENT_COLUMNS)
    file = FileFacts(
        first_lines(rows, "event_id"),
        tracks={t.id: t for t in meta["tracks"]} if meta else None,
        source_ids=source_ids,
        # A row that could not be read may hold the event a dispute names.
        all_ids_known=not _unreadable(path, problems),
    )
    return _frame(path, rows, EVENT_RULES, EVENT_COLUMNS, file, problems)


def _frame(
    path: Path,
    rows: list,
    table: tuple[Column, ...],
    header: tuple[str, ...],
    file: FileFacts,
    problems: list[Problem],
) -> pd.DataFrame:
    """The rows checked against the `table` of the file's columns, as a frame with each
    row's line."""

    def report(line: int, column: str, message: str) -> None:
        problems.append(Problem(str(path), message, row=line, column=column))

    frame = pd.DataFrame(read_columns(rows, table, header, file, report))
    # With no rows every column is of type object (as a frame of no records has them).
    return frame if len(frame) else frame.astype(object)
