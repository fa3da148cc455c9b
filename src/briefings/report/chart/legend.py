"""The legend under the chart: the states drawn, then the key to styles and markers,
each laid out in as many columns as its longest label allows."""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib as mpl
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from briefings.data.dataset import Dataset
from briefings.report.chart.shapes import pointed, stadium
from briefings.report.chart.style import (
    FIG_WIDTH,
    HATCH,
    INK,
    LEGEND_LABEL_PT,
    LEGEND_ROW,
    UNCONFIRMED_ALPHA,
)
from briefings.report.chart.text import ellipsize, text_width


@dataclass(frozen=True)
class Legend:
    """The legend's entries and columns, known before the figure (its height depends on them)."""

    states: list[Artist]
    state_columns: int
    key: list[Artist]
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
    """The legend of these states (ids, in vocabulary order) and the key."""
    state_columns = _columns([dataset.states[s].label for s in states])
    handles = [
        Patch(
            facecolor=dataset.states[s].colour,
            edgecolor=INK,
            linewidth=0.6,
            label=ellipsize(dataset.states[s].label, LEGEND_LABEL_PT),
        )
        for s in states
    ]
    key = _key_handles()
    return Legend(handles, state_columns, key, _columns([h.get_label() for h in key]))


def draw_legend(figure: Figure, legend: Legend, height: float) -> None:
    """The states' legend, then the key below it, centred under the plot."""
    top = (legend.height - 0.05) / height
    if legend.states:
        _add(figure, legend.states, legend.state_columns, top)
    _add(figure, legend.key, legend.key_columns, top - legend.state_rows * LEGEND_ROW / height)


def _add(figure: Figure, handles: list[Artist], columns: int, top: float) -> None:
    figure.legend(
        handles=_row_major(handles, columns),
        loc="upper center",
        bbox_to_anchor=(0.5, top),
        ncols=columns,
        frameon=False,
        handlelength=1.6,
        columnspacing=1.4,
        borderaxespad=0,
    )


def _columns(labels: list[str]) -> int:
    """As many columns as fit across the figure for the longest label."""
    if not labels:
        return 1
    longest = max(text_width(ellipsize(label, LEGEND_LABEL_PT)) for label in labels)
    entry = 0.55 + longest / 72
    return max(1, min(len(labels), int((FIG_WIDTH - 0.3) // entry)))


def _row_major(handles: list, columns: int) -> list:
    """Reorder so that matplotlib's column-by-column legend reads left to right."""
    rows = math.ceil(len(handles) / columns)
    grid = [handles[r * columns : (r + 1) * columns] for r in range(rows)]
    return [row[c] for c in range(columns) for row in grid if c < len(row)]


def _key_handles() -> list[Artist]:
    """The key: the three bar styles, the two markers and an aggregated box."""
    grey = "#9A9A9A"
    marker = {"linestyle": "none", "markersize": 10, "markeredgecolor": INK, "color": "white"}
    return [
        Patch(facecolor=grey, edgecolor=INK, linewidth=0.6, label="confirmed"),
        Patch(
            facecolor=mpl.colors.to_rgba(grey, UNCONFIRMED_ALPHA),
            edgecolor=INK,
            linewidth=0.6,
            label="carried forward, unconfirmed",
        ),
        Patch(facecolor="white", edgecolor=INK, linewidth=0.6, hatch=HATCH, label="contested"),
        Line2D([], [], marker=stadium(1.0), label="change (number in table)", **marker),
        Line2D([], [], marker=pointed(1.2), label="dispute", **marker),
        Patch(
            facecolor="#EEEEEE",
            edgecolor=INK,
            linewidth=0.6,
            label="several events, first–last (dashed: with a dispute)",
        ),
    ]
