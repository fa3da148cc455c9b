"""Accepting an edited draft: its source row and event rows are appended to the dataset,
only if the dataset with them passes every check `briefings validate` makes.

The rows are checked by the dataset loader itself, on a copy of the dataset with the rows
appended; each problem is reported against the draft's own line. Nothing is written
unless every row passes. Then sources.csv and events.csv are each written aside and
renamed into place, sources.csv first: should the second rename fail, the dataset holds
a source no event cites yet, which is still a valid dataset.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from briefings.data.columns import (
    EVENT_COLUMNS,
    OPTIONAL_EVENT_COLUMNS,
    OPTIONAL_SOURCE_COLUMNS,
    SOURCE_BLANK_MEANS,
    SOURCE_COLUMNS,
)
from briefings.data.dataset import load_dataset
from briefings.draft.candidates import DRAFT_COLUMNS
from briefings.exceptions import DatasetError, Problem, ProblemsError
from briefings.inputs.csvfile import csv_text, read_text
from briefings.inputs.nofollow import write_atomic
from briefings.paths import DATASET_FILE, EVENTS_FILE, SOURCES_FILE


@dataclass(frozen=True)
class Accepted:
    """What accepting a draft added to the dataset."""

    source_id: str
    source_added: bool  # False when sources.csv already had the very same row
    event_ids: tuple[str, ...]

    def summary(self, data_dir: str | Path) -> str:
        """One line saying what was added to the dataset in `data_dir`."""
        source = f"source {self.source_id}" if self.source_added else "no new source"
        return (
            f"{data_dir}: added {source} and {len(self.event_ids)} event(s) "
            f"({', '.join(self.event_ids)}); the dataset passes validation"
        )


@dataclass(frozen=True)
class _Section:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line in the draft, row)


def accept_draft(draft_file: str | Path, data_dir: str | Path) -> Accepted:
    """Append an edited draft's rows to the dataset in `data_dir`; ProblemsError, one line
    per problem and nothing written, when any row would not pass validation."""
    draft_file, folder = Path(draft_file), Path(data_dir)
    load_dataset(folder)  # the dataset must be valid before anything is added to it
    source, events = _read_draft(draft_file)
    (source_line, source_row) = source.rows[0]
    texts = {name: _read(folder / name) for name in (SOURCES_FILE, EVENTS_FILE)}
    lines: dict[tuple[str, int], int] = {}
    add_source = not _has_row(texts[SOURCES_FILE], source_row)
    problems: list[Problem] = []
    if add_source:
        texts[SOURCES_FILE] = _append(
            texts[SOURCES_FILE],
            [(source_line, source_row)],
            SOURCES_FILE,
            lines,
            problems,
            draft_file,
        )
    texts[EVENTS_FILE] = _append(
        texts[EVENTS_FILE], events.rows, EVENTS_FILE, lines, problems, draft_file
    )
    if not problems:
        problems = _check(folder, texts, lines, draft_file)
    if problems:
        raise ProblemsError(problems)
    if add_source:
        write_atomic(folder / SOURCES_FILE, texts[SOURCES_FILE])
    write_atomic(folder / EVENTS_FILE, texts[EVENTS_FILE])
    event_ids = tuple(row["event_id"] for _, row in events.rows)
    return Accepted(source_row["source_id"], add_source, event_ids)


def _read(path: Path) -> str:
    problems: list[Problem] = []
    text = read_text(path, problems, what="dataset.yaml, sources.csv and events.csv")
    if text is None:
        raise DatasetError(problems)
    return text


def _read_draft(path: Path) -> tuple[_Section, _Section]:
    """The draft's two tables: the source (one row) and the events (one row or more)."""
    problems: list[Problem] = []
    text = read_text(path, problems, what="", missing="file is missing (give a draft CSV)")
    if text is None:
        raise ProblemsError(problems)
    sections = _sections(path, text)
    name = str(path)
    if len(sections) != 2:
        raise ProblemsError(
            [
                Problem(
                    name,
                    f"has {len(sections)} table(s); a draft has two, parted by an empty line: "
                    "the source row under sources.csv's header, then the events under "
                    "events.csv's (as `briefings draft --format csv` writes it)",
                )
            ]
        )
    source, events = sections
    _check_header(name, source, SOURCE_COLUMNS, OPTIONAL_SOURCE_COLUMNS, "sources.csv")
    _check_header(name, events, (*EVENT_COLUMNS, *DRAFT_COLUMNS), _OPTIONAL, "events.csv")
    if len(source.rows) != 1:
        raise ProblemsError(
            [Problem(name, f"the source table has {len(source.rows)} rows; it must have one")]
        )
    if not events.rows:
        raise ProblemsError(
            [Problem(name, "no event rows are left to accept (nothing was written)")]
        )
    return source, events


# Columns the draft may leave out: the draft's own, and events.csv's optional ones.
_OPTIONAL = (*OPTIONAL_EVENT_COLUMNS, *DRAFT_COLUMNS)


def _sections(path: Path, text: str) -> list[_Section]:
    """The tables of a CSV file, parted by empty rows (a spreadsheet writes those as a row
    of commas); cells past a table's header must be empty (a spreadsheet pads with them)."""
    sections: list[_Section] = []
    header: list[str] | None = None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                header = None
            elif header is None:
                header = _trimmed(cells)
                sections.append(_Section(header, []))
            else:
                sections[-1].rows.append((line, _record(path, line, header, cells)))
            line = reader.line_num + 1
    except csv.Error as error:
        raise ProblemsError([Problem(str(path), f"malformed CSV: {error}", row=line)]) from None
    return sections


def _trimmed(cells: list[str]) -> list[str]:
    cells = [c.strip() for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _record(path: Path, line: int, header: list[str], cells: list[str]) -> dict[str, str]:
    if len(cells) < len(header) or any(c.strip() for c in cells[len(header) :]):
        raise ProblemsError(
            [
                Problem(
                    str(path),
                    f"row has {len(cells)} fields but its table's header has {len(header)} "
                    "(quote any field that contains a comma)",
                    row=line,
                )
            ]
        )
    return dict(zip(header, cells, strict=False))


def _check_header(
    name: str, section: _Section, columns: tuple[str, ...], optional: tuple[str, ...], what: str
) -> None:
    missing = [c for c in columns if c not in section.header and c not in optional]
    unknown = [c for c in section.header if c not in columns]
    if missing or unknown:
        parts = [f"missing column(s) {', '.join(missing)}"] if missing else []
        parts += [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        raise ProblemsError(
            [
                Problem(
                    name, f"{what} table: {'; '.join(parts)} (the columns are: {','.join(columns)})"
                )
            ]
        )


def _has_row(text: str, row: dict[str, str]) -> bool:
    """Whether a CSV text already has this very row (every shared column equal)."""
    records = csv.DictReader(io.StringIO(text, newline=""))
    return any(
        all(_cell(k, record.get(k)) == _cell(k, v) for k, v in row.items()) for record in records
    )


def _cell(column: str, text: str | None) -> str:
    """A cell as the dataset reads it: stripped, an empty one as what it means there."""
    return (text or "").strip() or SOURCE_BLANK_MEANS.get(column, "")


def _append(
    text: str,
    rows: list[tuple[int, dict[str, str]]],
    name: str,
    lines: dict[tuple[str, int], int],
    problems: list[Problem],
    draft_file: Path,
) -> str:
    """The file's text with the rows appended in its own column order, in its own line
    endings; `lines` learns which line of the result holds which line of the draft."""
    header = next(csv.reader(io.StringIO(text, newline="")))
    columns = [c.strip().lstrip("\ufeff") for c in header]
    newline = "\r\n" if "\r\n" in text else "\n"
    if not text.endswith(("\n", "\r")):
        text += newline
    at = text.count("\n") + 1
    for draft_line, row in rows:
        left_out = [
            c for c, v in row.items() if v.strip() and c not in columns + list(DRAFT_COLUMNS)
        ]
        for column in left_out:
            problems.append(
                Problem(
                    str(draft_file),
                    f"{name} has no column '{column}' (add it to its header to keep this value)",
                    row=draft_line,
                    column=column,
                )
            )
        written = csv_text([[row.get(c, "") for c in columns]], newline=newline)
        lines[(name, at)] = draft_line
        at += written.count("\n")
        text += written
    return text


def _check(
    folder: Path, texts: dict[str, str], lines: dict[tuple[str, int], int], draft_file: Path
) -> list[Problem]:
    """The dataset loader's problems with the appended dataset, each placed on the draft's
    line when it is about an appended row, else on the dataset's own file."""
    with tempfile.TemporaryDirectory(prefix="briefings-accept-") as staging:
        staged = Path(staging)
        shutil.copyfile(folder / DATASET_FILE, staged / DATASET_FILE)
        for name, text in texts.items():
            (staged / name).write_text(text, encoding="utf-8", newline="")
        try:
            load_dataset(staged)
        except DatasetError as error:
            return [_placed(p, staged, folder, lines, draft_file) for p in error.problems]
    return []


def _placed(
    problem: Problem,
    staged: Path,
    folder: Path,
    lines: dict[tuple[str, int], int],
    draft_file: Path,
) -> Problem:
    name = Path(problem.file).name
    draft_line = lines.get((name, problem.row)) if problem.row is not None else None
    if draft_line is not None:
        return Problem(str(draft_file), problem.message, row=draft_line, column=problem.column)
    return Problem(str(folder / name), problem.message, row=problem.row, column=problem.column)
