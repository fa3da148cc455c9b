"""The state table as a file (states.csv), and checking the `previous_states` parameter.

A scheduled build compares itself with the state table its previous build wrote. The
file is checked before a kernel starts, as every other parameter is, so a wrong file
is one line naming its row and column rather than a failure inside a notebook cell.
Its columns are declared here, below both the state model that writes the table
(states.py) and the parameters that name a previous one (params.py).
"""

from __future__ import annotations

from pathlib import Path

from briefings.data.dates import PRECISIONS, parse_day
from briefings.exceptions import ParameterError, Problem, quoted
from briefings.inputs.csvfile import read_rows

# The columns of states.csv, in order: one row per interval of one track in one state.
STATE_COLUMNS = (
    "track",
    "state",
    "start",
    "end",
    "start_precision",
    "confirmed_until",
    "contested",
    "event_ids",
    "source_ids",
)
_FLAGS = ("True", "False")


def check_previous_states(path: Path) -> None:
    """Raise ParameterError, one line per problem, unless `path` is a states.csv a build
    wrote, or is missing from an empty folder: the scheduler's way of saying that there
    is no previous build (the briefing then says so). A missing file anywhere else is a
    mistake."""
    if not path.exists() and not path.is_symlink():  # read_rows would speak of a dataset
        if path.parent.is_dir() and next(path.parent.iterdir(), None) is None:
            return
        raise ParameterError(
            [
                Problem(
                    str(path), "file is missing (previous_states names the states.csv of a build)"
                )
            ]
        )
    problems: list[Problem] = []
    for line, row in read_rows(path, STATE_COLUMNS, problems):
        problems.extend(Problem(str(path), message, line, column) for column, message in _row(row))
    if problems:
        raise ParameterError(problems)


def _row(row: dict[str, str]) -> list[tuple[str, str]]:
    """(column, what is wrong) for every value of one row that a comparison cannot use."""
    found = []
    for column in ("track", "state"):
        if not row[column].strip():
            found.append((column, "is required"))
    for column in ("start", "end", "confirmed_until"):
        value = row[column]
        if (value or column == "start") and parse_day(value) is None:
            found.append((column, f"{quoted(value)} is not a date (use YYYY-MM-DD)"))
    if row["start_precision"] not in PRECISIONS:
        found.append(
            (
                "start_precision",
                f"{quoted(row['start_precision'])} is not a precision "
                f"(use {', '.join(PRECISIONS)})",
            )
        )
    if row["contested"] not in _FLAGS:
        found.append(("contested", f"{quoted(row['contested'])} is not True or False"))
    return found
