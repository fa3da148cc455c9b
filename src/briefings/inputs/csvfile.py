"""Reading a hand-edited CSV file strictly, collecting every problem with its line; and
the one writer of the CSV the tool makes (`csv_text`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from briefings.exceptions import Problem, ProblemsError, quoted
from briefings.inputs.inputfile import read_input
from briefings.inputs.text import control_character, control_problem

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# A cell a spreadsheet would take for a formula (=, +, -, @; a tab or carriage return is
# skipped before them): =HYPERLINK(…) or =cmd|… in an opened file runs or leaks.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The csv module's terse complaints, said in terms of what to fix.
_CSV_HINTS = {
    "',' expected after '\"'": 'a quote inside a field must be doubled ("") and the field '
    "quoted as a whole",
    "unexpected end of data": 'a quoted field is never closed (a " is missing)',
    f"field larger than field limit ({csv.field_size_limit()})": "a field runs on for more "
    f'than {csv.field_size_limit()} characters (a " is probably missing)',
}


class Row(Mapping[str, str]):
    """One record of a CSV file by column name; an optional column the file leaves out
    reads as empty. The record keeps its list of cells and shares its file's column
    index: a dict per record takes four times the memory of its cells, which matters at
    100,000 rows."""

    __slots__ = ("_cells", "_index")

    def __init__(self, cells: list[str], index: dict[str, int | None]) -> None:
        self._cells = cells
        self._index = index

    def __getitem__(self, column: str) -> str:
        position = self._index[column]
        return "" if position is None else self._cells[position]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def read_text(
    path: Path, problems: list[Problem], *, what: str, missing: str | None = None
) -> str | None:
    """Read a UTF-8 text file (a BOM is allowed); None, with a problem recorded, if unusable.

    A missing file is reported as `missing`, by default as one of a dataset folder's `what`.
    """
    try:
        data = read_input(
            path,
            missing=missing or f"file is missing (a dataset folder holds {what})",
            limit_reason="for a hand-kept dataset",
        )
    except ProblemsError as error:
        problems.extend(error.problems)
        return None
    return decode_text(str(path), data, problems)


def decode_text(name: str, data: bytes, problems: list[Problem]) -> str | None:
    """The text of a file's bytes as UTF-8 (a BOM is allowed); None, with a problem
    recorded, when it is UTF-16, binary, not UTF-8 or empty."""
    if data.startswith(_UTF16_BOMS):
        problems.append(Problem(name, "is UTF-16 text (save the file with UTF-8 encoding)"))
        return None
    if b"\x00" in data:
        problems.append(Problem(name, "is a binary file, not text (save it as UTF-8 CSV or YAML)"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(
            Problem(
                name,
                f"byte 0x{data[error.start]:02x} is not UTF-8 (save the file with UTF-8 encoding)",
                row=line,
            )
        )
        return None
    if not text.strip():
        problems.append(Problem(name, "file is empty"))
        return None
    return text


def read_rows(
    path: Path,
    columns: tuple[str, ...],
    problems: list[Problem],
    *,
    optional: tuple[str, ...] = (),
) -> list[tuple[int, Row]]:
    """Rows of a CSV file as (line number, Row); problems are appended, not raised.

    The header must name exactly `columns` (in any order), except that any of `optional`
    may be left out: those read as empty. Blank rows are skipped, so a
    spreadsheet's trailing empty lines do no harm. Values keep their spaces: the caller
    decides which fields may not have any. A cell holding a control character is a
    problem of its row and column (see briefings.inputs.text).
    """
    name = str(path)
    text = read_text(path, problems, what="dataset.yaml, sources.csv and events.csv")
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    controls = control_character(text) is not None  # cells are checked only if any has one
    line = 1
    try:
        header = [cell.strip() for cell in next(reader)]
        problem = _header_problem(header, columns, optional)
        if problem is not None:
            problems.append(Problem(name, problem, row=1))
            return []
        index: dict[str, int | None] = {
            **dict.fromkeys(optional),
            **{c: i for i, c in enumerate(header)},
        }
        rows = []
        shared: dict[str, str] = {}
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(cells) != len(header):
                    problems.append(
                        Problem(
                            name,
                            f"row has {len(cells)} fields but the header "
                            f"has {len(header)} (quote any field that "
                            "contains a comma)",
                            row=line,
                        )
                    )
                else:
                    if controls:  # the row stays: its other cells are checked as usual
                        _controls(name, line, header, cells, problems)
                    # One copy of each repeated value (a track, a kind, a date): the reader
                    # makes a new string for every cell.
                    cells = [shared.setdefault(cell, cell) for cell in cells]
                    rows.append((line, Row(cells, index)))
            line = reader.line_num + 1
    except csv.Error as error:
        # `line` is where the record being read began: an unclosed quote runs on to the end.
        # Its text is the csv module's: it quotes nothing of the file.
        hint = _CSV_HINTS.get(str(error), str(error))
        problems.append(Problem(name, f"malformed CSV: {hint}", row=line))
        return []
    return rows


def _header_problem(
    header: list[str], columns: tuple[str, ...], optional: tuple[str, ...]
) -> str | None:
    """What is wrong with a CSV file's header line; None when it names the columns."""
    if len(header) == 1 and ";" in header[0]:
        return "is separated by semicolons; save it with commas as the separator"
    if not set(header) & set(columns):
        # Not a file of this kind at all (a link to the wrong file, a key file): its
        # first line may be a secret, so nothing of it is quoted.
        return (
            "is not the CSV file expected here: its first line names none of the "
            f"columns (the columns are: {','.join(columns)}); nothing of it is shown"
        )
    missing = [c for c in columns if c not in header and c not in optional]
    unknown = [c for c in header if c not in columns]
    if not (missing or unknown):
        return None
    parts = []
    if missing:
        parts.append("missing column(s) " + ", ".join(f"'{c}'" for c in missing))
    if unknown:
        parts.append("unknown column(s) " + ", ".join(quoted(c) for c in unknown))
    return f"{'; '.join(parts)} (the columns are: {','.join(columns)})"


def _controls(
    name: str, line: int, header: list[str], cells: list[str], problems: list[Problem]
) -> None:
    """Record each cell of a row that holds a control character."""
    problems.extend(
        Problem(name, why, row=line, column=column)
        for column, cell in zip(header, cells, strict=True)
        if (why := control_problem(cell))
    )


def csv_text(rows: Iterable[Iterable[object]], *, newline: str = "\n") -> str:
    """Rows as CSV text, every cell through `spreadsheet_safe` (None is an empty cell):
    the one writer of every CSV file the tool makes (state tables, drafts, rows appended
    to a dataset), which an analyst may open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    for row in rows:
        writer.writerow(_cell("" if cell is None else str(cell)) for cell in row)
    return buffer.getvalue()


def _cell(text: str) -> str:
    # A break inside a cell is written as \n: Python 3.11's writer quotes a cell holding
    # \n but not one holding a lone \r, which would end the row early in every reader.
    return spreadsheet_safe(text).replace("\r\n", "\n").replace("\r", "\n")


def spreadsheet_safe(cell: str) -> str:
    """The cell with an apostrophe before it when a spreadsheet would read it as a formula;
    spreadsheets show such a cell as the text after the apostrophe (OWASP's advice)."""
    return f"'{cell}" if cell.startswith(_FORMULA_STARTS) else cell
