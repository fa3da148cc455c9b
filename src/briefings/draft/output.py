"""A draft written out: a table for a person, CSV for the spreadsheet (and for
`--accept`), JSON for programs, tables for the notebook.

The CSV holds two tables one after the other, parted by an empty line: the suggested
sources.csv row under sources.csv's header, then the candidates under events.csv's header
and the draft's own columns (evidence, expression, confidence, existing) at the end.
"""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path

import pandas as pd
from pandas.io.formats.style import Styler

from briefings.draft.drafting import Draft, event_columns
from briefings.draft.reading import describe
from briefings.inputs.csvfile import csv_text

_FIGURES = ("amount_usd", "quantity")
# What the notebook's table of candidates shows, in this order; the rule and the evidence,
# long texts, have a table of their own.
FRAME_COLUMNS = (
    "event_id",
    "date",
    "precision",
    "track",
    "kind",
    "state",
    "amount_usd",
    "quantity",
    "confidence",
    "existing",
    "expression",
)
REASON_COLUMNS = ("event_id", "notes", "evidence")


def default_format(out: str | None, terminal: bool) -> str:
    """The format when none is asked for: by the --out file's suffix (.json, .txt for the
    table, else CSV), else a table for a person at a terminal and CSV for a pipe."""
    if out:
        return {".json": "json", ".txt": "table"}.get(Path(out).suffix.lower(), "csv")
    return "table" if terminal else "csv"


def render(draft: Draft, chosen: str) -> str:
    """The draft in a format: 'table', 'csv' or 'json'."""
    return {"csv": draft_csv, "json": draft_json}.get(chosen, draft_table)(draft)


def remarks(draft: Draft, chosen: str, given: date | None) -> list[str]:
    """Lines for the analyst beside the draft: which publication date was used when the
    article has another, and, beside a CSV or JSON draft, what the table would say about
    the draft as a whole."""
    lines = []
    own = draft.article.published
    if given and own and own != given:
        lines.append(
            f"note: --published {given} is used, not the date {own} from "
            f"{draft.article.published_from}"
        )
    if chosen != "table":
        lines += [f"warning: {w}" for w in draft.warnings]
        lines += [f"warning: not a date: {u}" for u in draft.unresolved]
    return lines


def draft_csv(draft: Draft) -> str:
    """The draft as CSV: the source table, an empty line, the events table."""
    columns = event_columns()
    return csv_text(
        [
            draft.source,
            draft.source.values(),
            (),
            columns,
            *(candidate.row(columns).values() for candidate in draft.events),
        ]
    )


def draft_json(draft: Draft) -> str:
    """The draft as JSON: {"source": {...}, "events": [{...}], "unresolved": [...]}."""
    events = []
    for candidate in draft.events:
        row: dict[str, object] = candidate.row(event_columns())
        for name in _FIGURES:
            row[name] = getattr(candidate, name)
        events.append(row)
    document = {"source": draft.source, "events": events, "unresolved": list(draft.unresolved)}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def draft_frame(draft: Draft) -> pd.DataFrame:
    """The candidates as a table for the notebook, one row each, by event id."""
    rows = [{c: getattr(candidate, c) for c in FRAME_COLUMNS} for candidate in draft.events]
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    for name in _FIGURES:
        frame[name] = frame[name].astype("Int64")
    return frame.set_index("event_id")


def draft_reasons(draft: Draft) -> Styler:
    """Each candidate's date rule and evidence sentence, in full."""
    rows = [{c: getattr(candidate, c) for c in REASON_COLUMNS} for candidate in draft.events]
    return _in_full(pd.DataFrame(rows, columns=list(REASON_COLUMNS)).set_index("event_id"))


def source_frame(draft: Draft) -> Styler:
    """The suggested sources.csv row as a table of column and value, in full."""
    return _in_full(pd.DataFrame({"value": draft.source}).rename_axis("column"))


def _in_full(frame: pd.DataFrame) -> Styler:
    """A table whose long texts are shown whole, left-aligned and wrapped (a frame's own
    view cuts them at 50 characters); text from the article is escaped, as everywhere the
    tool shows data in HTML."""
    styled = frame.style.format(escape="html")
    return styled.set_properties(**{"text-align": "left", "white-space": "normal"})


def draft_table(draft: Draft, width: int = 100) -> str:
    """The draft for a person to read in a terminal."""
    lines = [
        f"Draft from {draft.article.path}, published {describe(draft.published)} "
        f"({draft.published_from})",
        *(f"warning: {w}" for w in draft.warnings),
        "",
        "Suggested source row (sources.csv): grade its reliability (A–F) and fill in what is empty",
    ]
    for name, value in draft.source.items():
        lines.append(f"  {name:<12} {value or '–'}")
    lines += ["", _events_heading(draft)]
    for candidate in draft.events:
        figures = [f"{n} {getattr(candidate, n)}" for n in _FIGURES if getattr(candidate, n)]
        lines += [
            "",
            f"  {candidate.event_id}  {candidate.date} ({candidate.precision})  "
            f"{candidate.track}  {candidate.kind}"
            + (f" → {candidate.state}" if candidate.state else "")
            + f"  [confidence {candidate.confidence}]",
            *_wrapped(candidate.notes, width),
            *_wrapped(f"evidence: {candidate.evidence}", width),
        ]
        if figures:
            lines.append(f"      {' · '.join(figures)}")
        if candidate.existing:
            lines.append(f"      already in events.csv as {candidate.existing}")
    if draft.unresolved:
        lines += ["", "Not dates, though they look like ones:"]
        lines += [f"  {line}" for line in draft.unresolved]
    return "\n".join(lines) + "\n"


def _events_heading(draft: Draft) -> str:
    if not draft.events:
        return (
            "No candidate events: no sentence names both a track (by its keywords in "
            "dataset.yaml) and a date."
        )
    count = len(draft.events)
    return (
        f"{count} candidate event{'s' if count != 1 else ''} (events.csv): write each summary "
        "in your own words, grade its credibility (1–6), delete what you reject"
    )


def _wrapped(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, initial_indent="      ", subsequent_indent="        ")
