"""The legend under the chart: the states drawn, then the key to styles and markers,
each laid out in as many columns as its longest label allows."""

from __future__ import annotations

import math
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path

from briefings.data.dataset import Dataset
from briefings.data.palette import carried_forward_tint
from briefings.report.chart.shapes import pointed, stadium
from briefings.report.chart.style import (
    FIG_WIDTH,
    HATCH_STRONG,
    HATCH_WEAK,
    INK,
    LEGEND_LABEL_PT,
    LEGEND_ROW,
    WEAK_INK,
)
from briefings.report.chart.text import ellipsize, text_width

_KEY_GREY = "#9A9A9A"  # the key's swatches when no state is drawn
# A legend entry: what matplotlib draws (an artist, or a tuple drawn side by side) and
# its label.
Entry = tuple[object, str]
_HANDLE_LENGTH = 2.2  # room for a state's two swatches side by side


@dataclass(frozen=True)
class Legend:
    """The legend's entries and columns, known before the figure (its height depends on them)."""

    states: list[Entry]
    state_columns: int
    key: list[Entry]
    key_columns: int

    @property
    def state_rows(self) -> int:
        return math.ceil(len(self.states) / self.state_columns) if self.states else 0

    @property
    def height(self) -> float:
        """In inches, with a little room below."""
        key_rows = math.ceil(len(self.key) / self.key_columns)
        return (self.state_rows + key_rows) * LEGEND_ROW + 0.15


def plan_legend(dataset: Dataset, states: list[str]) -> Legend:
    """The legend of these states (ids, in vocabulary order) and the key.

    Each state's swatch is drawn as its bars are: the solid colour of a confirmed stretch
    beside the tint of one carried forward, so every colour on the chart is decoded here.
    """
    entries = [_pair(dataset.states[s].colour, dataset.states[s].label) for s in states]
    key = _key(dataset.states[states[0]].colour if states else _KEY_GREY)
    return Legend(entries, _columns(entries), key, _columns(key))


def draw_legend(figure: Figure, legend: Legend, height: float) -> None:
    """The states' legend, then the key below it, centred under the plot."""
    top = (legend.height - 0.05) / height
    if legend.states:
        _add(figure, legend.states, legend.state_columns, top, "legend_states")
    key_top = top - legend.state_rows * LEGEND_ROW / height
    _add(figure, legend.key, legend.key_columns, key_top, "legend_key")


def _add(figure: Figure, entries: list[Entry], columns: int, top: float, gid: str) -> None:
    ordered = _row_major(entries, columns)
    legend = figure.legend(
        handles=[handle for handle, _ in ordered],
        labels=[label for _, label in ordered],
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0)},
        loc="upper center",
        bbox_to_anchor=(0.5, top),
        ncols=columns,
        frameon=False,
        handlelength=_HANDLE_LENGTH,
        columnspacing=1.4,
        borderaxespad=0,
    )
    legend.set_gid(gid)


def _columns(entries: list[Entry]) -> int:
    """As many columns as fit across the figure for the longest label."""
    if not entries:
        return 1
    labels = [label for _, label in entries]
    longest = max(text_width(label) for label in labels)
    entry = 0.65 + longest / 72  # inches: the swatches, the gap and the label
    return max(1, min(len(labels), int((FIG_WIDTH - 0.3) // entry)))


def _row_major(handles: list, columns: int) -> list:
    """Reorder so that matplotlib's column-by-column legend reads left to right."""
    rows = math.ceil(len(handles) / columns)
    grid = [handles[r * columns : (r + 1) * columns] for r in range(rows)]
    return [row[c] for c in range(columns) for row in grid if c < len(row)]


def _pair(colour: str, label: str) -> Entry:
    """A state's two swatches side by side, solid then carried forward, as one entry."""
    edge = {"edgecolor": INK, "linewidth": 0.6}
    solid = Patch(facecolor=colour, **edge)
    carried = Patch(facecolor=carried_forward_tint(colour), **edge)
    return (solid, carried), ellipsize(label, LEGEND_LABEL_PT)


def _key(colour: str) -> list[Entry]:
    """The key, each mark as the chart draws it: a state's two tints (with the first
    state's colour), the two hatchings, a date's uncertain span, the markers of a change
    and a dispute, and the boxes of merged events with and without a dispute."""
    marker = {"linestyle": "none", "markersize": 10, "markeredgecolor": INK, "color": "white"}
    box = {"facecolor": "#EEEEEE", "edgecolor": INK, "linewidth": 0.8}
    hatched = {"facecolor": "white", "edgecolor": INK, "linewidth": 0.6}
    bracket = Path([(-0.5, 0.3), (-0.5, -0.3), (0.5, -0.3), (0.5, 0.3)])
    brackets = {"marker": bracket, "markersize": 12, "markerfacecolor": "none"}
    return [
        (_pair(colour, "")[0], "a state confirmed | carried forward"),
        (Line2D([], [], **{**marker, **brackets}), "date known to its month or year"),
        (Patch(hatch=HATCH_STRONG, **hatched), "contested"),
        (
            Patch(hatch=HATCH_WEAK, **{**hatched, "edgecolor": WEAK_INK}),
            "contested, weaker challenges only",
        ),
        (Line2D([], [], marker=stadium(1.0), **marker), "change (number in table)"),
        (Line2D([], [], marker=pointed(1.0), **marker), "dispute"),
        (Patch(**box), "several events, first–last"),
        (Patch(linestyle="--", **box), "several events, with a dispute"),
    ]
