"""What the notebook shows, in HTML for the page and in Typst for the PDF, in one bundle.

Each section call displays a `Shown`: one MIME bundle holding the section record rendered by
its HTML template and by its Typst template (`text/x.typst`). nbconvert's HTML export picks
the HTML, the PDF's export picks the Typst (report/typeset.py). `register` adds the same
Typst form to what an analyst's own cells show: pandas DataFrames get a Typst table; a
matplotlib figure needs nothing more, its PNG or SVG is placed as an image.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from briefings.report import markup, typst_markup
from briefings.report.typst_markup import TYPST_MIME


@dataclass(frozen=True)
class Shown:
    """A section as the notebook displays it: the same record in HTML and in Typst."""

    html: str
    typst: str

    @classmethod
    def of(cls, section: Any) -> Shown:
        """The section record (a dataclass naming its template) in both forms."""
        return cls(markup.render_data(section), typst_markup.render_data(section))

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        # The plain text only says what this is (it is no reading of the section).
        return {"text/html": self.html, TYPST_MIME: self.typst, "text/plain": "<section>"}


def register(shell: Any) -> None:
    """Give pandas DataFrames a Typst form in this IPython shell (once; again is harmless)."""
    import pandas as pd
    from IPython.core.formatters import BaseFormatter
    from traitlets import ObjectName, Unicode

    class TypstFormatter(BaseFormatter):
        """IPython's formatter for `text/x.typst` (an object may also define `_repr_typst_`)."""

        format_type = Unicode(TYPST_MIME)
        print_method = ObjectName("_repr_typst_")

    display = shell.display_formatter
    if TYPST_MIME not in display.formatters:
        display.formatters[TYPST_MIME] = TypstFormatter(parent=display)
    if TYPST_MIME not in display.active_types:
        display.active_types = [*display.active_types, TYPST_MIME]
    display.formatters[TYPST_MIME].for_type(pd.DataFrame, dataframe_typst)


def dataframe_typst(frame: Any) -> str:
    """A DataFrame as a Typst table, cut where its HTML repr is cut (pandas' display.max_rows
    and max_columns), every value escaped."""
    import pandas as pd
    from pandas.io.formats.format import DataFrameFormatter  # what pandas' reprs use

    options = ("display.max_rows", "display.min_rows", "display.max_columns")
    max_rows, min_rows, max_cols = (pd.get_option(o) for o in options)
    shown = DataFrameFormatter(frame, max_rows=max_rows, min_rows=min_rows, max_cols=max_cols)
    cut = shown.tr_frame
    columns = [shown.format_col(i) for i in range(len(cut.columns))]
    header = [_label(c) for c in cut.columns]
    rows = [
        (_label(label), [col[i].strip() for col in columns]) for i, label in enumerate(cut.index)
    ]
    if shown.is_truncated_horizontally:
        at = shown.tr_col_num
        header.insert(at, "…")
        for _, values in rows:
            values.insert(at, "…")
    if shown.is_truncated_vertically:
        rows.insert(shown.tr_row_num, ("…", ["…"] * len(header)))
    truncated = shown.is_truncated_vertically or shown.is_truncated_horizontally
    shape = f"{len(frame):,} rows × {len(frame.columns):,} columns" if truncated else ""
    index_name = _label(frame.index.name) if frame.index.name is not None else ""
    return str(
        typst_markup.render(
            "dataframe.typ.j2", header=header, rows=rows, shape=shape, index_name=index_name
        )
    )


def _label(value: object) -> str:
    """A row or column label as pandas prints it; levels of a MultiIndex joined."""
    if isinstance(value, tuple):
        return " / ".join(map(str, value))
    return str(value)
