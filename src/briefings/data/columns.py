"""sources.csv and events.csv: their columns, and each column's rules written as data.

A rule table lists a file's columns in the order a row is checked. Each entry says how a
cell's text is read, whether it may be empty, which values it allows and, past those, the
rules that relate it to the rest of the row or the file; `read_columns` is the one loop
that applies a table to every row. A column reports at most one problem (a list of
source ids, one per id), each a single line naming the bad value and what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from briefings.data.dates import (
    DATE_FORMS,
    PRECISIONS,
    SUPPORTED_DAYS,
    is_supported,
    parse_partial_date,
)
from briefings.data.evidence import PUBLISHED_PRECISIONS
from briefings.data.grades import CREDIBILITY_GRADES, RELIABILITY_GRADES
from briefings.data.vocabulary import Track
from briefings.exceptions import quoted

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
    "derived_from",
    "published_precision",
)
# Columns a dataset may leave out of sources.csv (added after the first datasets were made).
OPTIONAL_SOURCE_COLUMNS = ("derived_from", "published_precision")
# What an empty cell of sources.csv means where it is not simply empty.
SOURCE_BLANK_MEANS = {"published_precision": PUBLISHED_PRECISIONS[0]}
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
# Event and source ids; the dataset's documentation states the same rule.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_ID_RULE = "letters, digits and -, starting with a letter or digit"
# The kinds of event that put a track in a state.
_STATED_KINDS = ("change", "confirm")


@dataclass(frozen=True)
class FileFacts:
    """What checking a row may need from beyond it: the line each id is first used on,
    and, where known, the dataset's tracks and the ids in sources.csv."""

    first_lines: dict[str, int]
    tracks: dict[str, Track] | None = None  # None: dataset.yaml could not be read
    source_ids: set[str] | None = None  # None: sources.csv could not be read
    all_ids_known: bool = True  # False: a row of the file could not be read


@dataclass(slots=True)
class RowFacts:
    """The row being checked: its cells, its line, the values read so far, and its file."""

    cells: Any  # a csvfile.Row
    line: int
    file: FileFacts
    values: dict[str, Any] = field(default_factory=dict)


# A rule relating a column's value to its row or file: what is wrong with it, if anything.
Rule = Callable[[Any, RowFacts], str | None]


@dataclass(frozen=True, slots=True)
class Column:
    """How one column is read and checked.

    `read` turns the cell's text into the value kept, raising ValueError when the text is
    not `noun` at all; `required` is the message for an empty value (none: it may be
    empty); `allowed` the values it takes (or a function of the file giving them, None
    when they cannot be known); `expected` what the message asks for, where `{allowed}`
    lists them. `rules` are checked in order until one finds a problem; for a list
    (`each`), on each of its items. `keep` is what
    the dataset's frame keeps of the value; `repeats` says whether values recur across
    rows (one copy of each is kept then).
    """

    name: str
    read: Callable[[str], Any] = str  # the text as written
    required: str = ""
    allowed: Collection | Callable[[FileFacts], Collection | None] | None = None
    noun: str = ""
    expected: str = ""
    rules: tuple[Rule, ...] = ()
    each: bool = False
    keep: Callable[[Any], Any] | None = None
    repeats: bool = True

    def allowed_in(self, file: FileFacts) -> Collection | None:
        """The values this column takes in `file`."""
        return self.allowed(file) if callable(self.allowed) else self.allowed

    def not_allowed(self, text: str, allowed: Collection | None) -> str:
        """The message for a cell whose text is not one of the column's values."""
        shown = ", ".join(map(str, allowed)) if allowed is not None else ""
        return f"{quoted(text)} is not {self.noun} ({self.expected.format(allowed=shown)})"


def read_columns(
    rows: list[tuple[int, Any]],
    table: tuple[Column, ...],
    header: tuple[str, ...],
    file: FileFacts,
    report: Callable[[int, str, str], None],
) -> dict[str, list]:
    """Check every row against the `table` of its file's columns, reporting each problem
    as (line, column, message); return the values kept, column by column in `header`
    order, with each row's line."""
    # Built column by column, with one copy of each repeated value (a track, a kind, a
    # list of sources): a record per event held the 100,000-event dataset several times
    # over while loading it.
    columns: dict[str, list] = {name: [] for name in (*header, "row")}
    shared: dict = {}
    checks = [(column, column.allowed_in(file), columns[column.name]) for column in table]
    for line, cells in rows:
        row = RowFacts(cells, line, file)
        for column, allowed, kept in checks:
            value, problems = _check(column, allowed, row)
            for message in problems:
                report(line, column.name, message)
            row.values[column.name] = value
            if column.keep is not None:
                value = column.keep(value)
            kept.append(shared.setdefault(value, value) if column.repeats else value)
        columns["row"].append(line)
    return columns


def _check(column: Column, allowed: Collection | None, row: RowFacts) -> tuple[Any, Sequence[str]]:
    """The cell's value, and what is wrong with it: nothing, or its first problem."""
    text = row.cells[column.name]
    try:
        value = column.read(text)
    except ValueError:
        return None, (column.not_allowed(text, allowed),)
    if not value and column.required:
        return value, (column.required,)
    if allowed is not None and value not in allowed:
        return value, (column.not_allowed(text, allowed),)
    if column.each:
        return value, [p for item in value if (p := _first_problem(column.rules, item, row))]
    problem = _first_problem(column.rules, value, row)
    return value, (problem,) if problem else ()


def _first_problem(rules: tuple[Rule, ...], value: Any, row: RowFacts) -> str | None:
    """What the first of `rules` to find something wrong with `value` says."""
    for rule in rules:
        problem = rule(value, row)
        if problem:
            return problem
    return None


def first_lines(rows: list[tuple[int, Any]], id_column: str) -> dict[str, int]:
    """The line each id is first used on."""
    lines: dict[str, int] = {}
    for line, cells in rows:
        lines.setdefault(cells[id_column], line)
    return lines


# --- reading a cell -------------------------------------------------------------------------


def _stripped(text: str) -> str:
    return text.strip()


def _list(text: str) -> tuple[str, ...]:
    """A ;-separated list, each item as written (a stray space is the id rule's to find)."""
    return tuple(text.split(";")) if text else ()


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(";") if name.strip())


def _or_day(text: str) -> str:
    """A publication date's precision: empty means the document is dated to the day."""
    return text.strip() or SOURCE_BLANK_MEANS["published_precision"]


def _integer(text: str) -> int:
    text = text.strip()
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(text)
    return int(text)


def _whole_number(text: str) -> int | None:
    """A count or an amount: digits, or nothing (None)."""
    if not text.strip():
        return None
    number = _integer(text)
    if number < 0:
        raise ValueError(text)
    return number


def _partial_date(text: str) -> tuple[date, str]:
    """A date as written: (its first day, its precision)."""
    parsed = parse_partial_date(text)
    if parsed is None:
        raise ValueError(text)
    return parsed


def _day(text: str) -> tuple[date, str]:
    """A full date (YYYY-MM-DD), as (the day, 'day')."""
    parsed = _partial_date(text)
    if parsed[1] != "day":
        raise ValueError(text)
    return parsed


def _first_day(parsed: tuple[date, str] | None) -> date | None:
    return parsed[0] if parsed else None


# --- rules ----------------------------------------------------------------------------------


def _bare_id(value: str, row: RowFacts) -> str | None:
    """Ids are letters, digits and hyphens, starting with a letter or digit: a stray space
    would make two ids that look the same but differ, and an id written into states.csv
    must never start a spreadsheet formula (=, +, -, @)."""
    if value != value.strip():
        return f"{quoted(value)} has spaces around it (remove them)"
    if not value:
        return "is required"
    if not _ID.fullmatch(value):
        return f"{quoted(value)} is not an id (use {_ID_RULE})"
    return None


def _first_use(value: str, row: RowFacts) -> str | None:
    first = row.file.first_lines[value]
    return f"{quoted(value)} is used again (first on row {first})" if first != row.line else None


def _supported_in(column: str) -> Rule:
    """A date in the years a briefing can be about."""

    def supported(value: tuple[date, str], row: RowFacts) -> str | None:
        if is_supported(value[0]):
            return None
        return f"{quoted(row.cells[column])} is outside the supported range ({SUPPORTED_DAYS})"

    return supported


def _matches_date(precision: str, row: RowFacts) -> str | None:
    written = row.values["date"]
    if not written or written[1] == precision:
        return None
    return (
        f"{quoted(precision)} does not match the date {quoted(row.cells['date'])} "
        f"(written as a {written[1]}: use '{written[1]}')"
    )


def _fits_kind_and_track(state: str, row: RowFacts) -> str | None:
    """A change or confirmation names a state of its track; other events name none."""
    kind, track = row.values["kind"], row.values["track"]
    tracks = row.file.tracks or {}
    if kind not in EVENT_KINDS:
        return None  # the kind's own problem says enough
    if kind not in _STATED_KINDS:
        return f"must be empty for a {kind} event (got {quoted(state)})" if state else None
    allowed = tracks[track].states if track in tracks else ()
    if not state:
        return f"a {kind} event needs a state" + (
            f" (allowed on {track}: {', '.join(allowed)})" if allowed else ""
        )
    if track in tracks and state not in allowed:
        return f"{quoted(state)} is not a state of track {track} (allowed: {', '.join(allowed)})"
    return None


def _in_sources(source_id: str, row: RowFacts) -> str | None:
    known = row.file.source_ids
    if known is None or source_id in known:
        return None
    return f"{quoted(source_id)} is not in sources.csv" + _known(sorted(known))


def _names_an_event(disputes: str, row: RowFacts) -> str | None:
    """A dispute names another event of the file; no other kind names one."""
    kind = row.values["kind"]
    if kind != "dispute":
        return f"only dispute events name a disputed event (this is a {kind})" if disputes else None
    if not disputes:
        return "a dispute event must name the event_id it contradicts"
    if disputes not in row.file.first_lines and row.file.all_ids_known:
        return f"{quoted(disputes)} is not an event_id in events.csv"
    if disputes == row.values["event_id"]:
        return "an event cannot dispute itself"
    return None


def _awaited_by_a_state(awaits: str, row: RowFacts) -> str | None:
    kind = row.values["kind"]
    if awaits and kind not in _STATED_KINDS:
        return f"only change and confirm events await something (this is a {kind})"
    return None


def _web_address(url: str, row: RowFacts) -> str | None:
    """A link a reader can follow: http or https, in any case (HTTP:// is as good)."""
    if url and not url.lower().startswith(("https://", "http://")):
        return f"{quoted(url)} is not a web address (use http:// or https://, or leave empty)"
    return None


def _known(ids: list[str], limit: int = 8) -> str:
    """A short reminder of the valid ids, for a message."""
    if not ids:
        return " (sources.csv lists none)"
    shown = ", ".join(ids[:limit])
    return f" (known: {shown}{', …' if len(ids) > limit else ''})"


def _dataset_tracks(file: FileFacts) -> Collection | None:
    return file.tracks


_WHOLE_NUMBER = {
    "read": _whole_number,
    "noun": "a whole number ≥ 0",
    "expected": "digits only, no separators; or leave empty",
}

SOURCE_RULES = (
    # Kept stripped: a source id with spaces is reported once, here, not again at each event
    # that cites it.
    Column("source_id", rules=(_bare_id, _first_use), keep=_stripped, repeats=False),
    Column("outlet", read=_stripped, required="is required"),
    Column("title", read=_stripped, required="is required", repeats=False),
    Column("author", read=_stripped),
    Column(
        "published",
        read=_day,
        noun="a date",
        expected="use YYYY-MM-DD",
        rules=(_supported_in("published"),),
        keep=_first_day,
    ),
    Column("kind", allowed=SOURCE_KINDS, noun="a source kind", expected="use {allowed}"),
    Column(
        "reliability",
        allowed=tuple(RELIABILITY_GRADES),
        noun="a reliability grade",
        expected="use A–F: A completely reliable … E unreliable, F cannot be judged",
    ),
    Column("url", read=_stripped, rules=(_web_address,), repeats=False),
    Column("notes", read=_stripped),
    # What the source relays: ids of sources.csv or names of outlets without a row.
    Column("derived_from", read=_names),
    Column(
        "published_precision",
        read=_or_day,
        allowed=PUBLISHED_PRECISIONS,
        noun="a precision",
        expected="use {allowed}; empty means day",
    ),
)

# In the order a row's problems are reported (awaits before the figures, as they always were).
EVENT_RULES = (
    Column("event_id", rules=(_bare_id, _first_use), repeats=False),
    Column(
        "date",
        read=_partial_date,
        noun="a date",
        expected=DATE_FORMS,
        rules=(_supported_in("date"),),
        keep=_first_day,
    ),
    Column(
        "precision",
        allowed=PRECISIONS,
        noun="a precision",
        expected="use {allowed}",
        rules=(_matches_date,),
    ),
    Column(
        "track",
        allowed=_dataset_tracks,
        noun="a track of this dataset",
        expected="tracks: {allowed}",
    ),
    Column("kind", allowed=EVENT_KINDS, noun="an event kind", expected="use {allowed}"),
    Column("state", rules=(_fits_kind_and_track,)),
    Column(
        "summary",
        read=_stripped,
        required="is required (one sentence in our own words)",
        repeats=False,
    ),
    Column("actors", read=_names),
    Column(
        "source_ids",
        read=_list,
        required="is required: at least one source id from sources.csv",
        rules=(_bare_id, _in_sources),
        each=True,
    ),
    Column(
        "credibility",
        read=_integer,
        allowed=CREDIBILITY_GRADES,
        noun="a credibility grade",
        expected="use 1–6: 1 confirmed … 5 improbable, 6 cannot be judged",
    ),
    Column("disputes", rules=(_names_an_event,)),
    Column("awaits", read=_stripped, rules=(_awaited_by_a_state,)),
    Column("amount_usd", **_WHOLE_NUMBER),
    Column("quantity", **_WHOLE_NUMBER),
    Column("notes", read=_stripped),
)
