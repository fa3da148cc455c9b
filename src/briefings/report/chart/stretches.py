"""The bars of the chart: each lane's state intervals, solid while confirmed, lighter once
carried forward past the last confirmation, hatched when contested, each with a tooltip."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import PathPatch

from briefings.data.dataset import Dataset
from briefings.report.chart.shapes import days, rectangles
from briefings.report.chart.style import (
    BAR_BOTTOM,
    BAR_TOP,
    HATCH,
    INK,
    OUTLINE_MIN_PT,
    UNCONFIRMED_ALPHA,
)

# Each stretch gets a tooltip (an SVG <title> on an invisible box over it) up to this many
# stretches; beyond, one element per stretch would make the chart slow to write and show,
# and the chart in words says the same.
MAX_TOOLTIPS = 500


def draw_intervals(
    ax: Axes,
    table: pd.DataFrame,
    dataset: Dataset,
    lanes: list[str],
    x_start: float,
    x_end: float,
    days_per_pt: float,
) -> None:
    """The bars, as one compound path per state and style, however many intervals there are.

    An SVG element per interval would make a chart of thousands of changes slow to write
    and to display; a path per state keeps the element count bounded by the vocabulary.
    """
    rows = table[table["track"].isin(lanes)]
    if rows.empty:
        return
    lane = rows["track"].map({t: i for i, t in enumerate(lanes)}).to_numpy(float)
    x0, x1 = _extents(rows, x_start, x_end)
    # A confirmation covers its whole day.
    xc = np.clip(days(rows["confirmed_until"]) + 1, x0, x1)
    y0, y1 = lane + BAR_TOP, lane + BAR_BOTTOM
    state = rows["state"].to_numpy()

    def add(left, right, keep, **style):
        if keep.any():
            path = rectangles(left[keep], right[keep], y0[keep], y1[keep])
            ax.add_artist(PathPatch(path, **style))  # add_patch would walk every vertex

    for state_id in dict.fromkeys(state):
        colour = dataset.states[state_id].colour
        this = state == state_id
        add(x0, xc, this & (xc > x0), facecolor=colour, linewidth=0, zorder=2)
        faded = mpl.colors.to_rgba(colour, UNCONFIRMED_ALPHA)
        add(xc, x1, this & (xc < x1), facecolor=faded, linewidth=0, zorder=2)
    style = {"facecolor": "none", "edgecolor": INK, "zorder": 3}
    add(x0, x1, rows["contested"].to_numpy(bool), hatch=HATCH, linewidth=0, **style)
    # Every bar outlined, so light states (lapsed is pale grey) still show on white; an
    # interval too narrow to see on its own gets no outline of its own, so a dense lane
    # does not turn into a block of outlines.
    wide = (x1 - x0) >= OUTLINE_MIN_PT * days_per_pt
    lanes_drawn = np.unique(lane)
    lane_x0 = np.array([x0[lane == i].min() for i in lanes_drawn])
    lane_x1 = np.array([x1[lane == i].max() for i in lanes_drawn])
    outline = rectangles(
        np.concatenate([x0[wide], lane_x0]),
        np.concatenate([x1[wide], lane_x1]),
        np.concatenate([y0[wide], lanes_drawn + BAR_TOP]),
        np.concatenate([y1[wide], lanes_drawn + BAR_BOTTOM]),
    )
    ax.add_artist(PathPatch(outline, linewidth=0.6, **style))


def add_stretch_tooltips(
    ax: Axes,
    table: pd.DataFrame,
    lanes: list[str],
    x_start: float,
    x_end: float,
    titles: Mapping[tuple[str, date], str],
) -> None:
    """An invisible box over each stretch that has a title (`in_words.chart_titles`),
    labelled with it for its tooltip (see `timeline_svg`)."""
    rows = table[table["track"].isin(lanes)]
    if rows.empty or len(rows) > MAX_TOOLTIPS or not titles:
        return
    x0, x1 = _extents(rows, x_start, x_end)
    index = {t: i for i, t in enumerate(lanes)}
    for n, row in enumerate(rows.itertuples()):
        title = titles.get((row.track, row.start))
        if title is None:
            continue
        lane = index[row.track]
        box = rectangles(
            np.array([x0[n]]), np.array([x1[n]]),
            np.array([lane + BAR_TOP]), np.array([lane + BAR_BOTTOM]),
        )  # fmt: skip
        patch = PathPatch(box, facecolor="white", alpha=0.0, linewidth=0, zorder=3.5)
        patch.set_gid(f"stretch-{n + 1}")
        patch.set_label(title)
        ax.add_artist(patch)


def _extents(rows: pd.DataFrame, x_start: float, x_end: float) -> tuple[np.ndarray, np.ndarray]:
    """Where each interval's bar begins and ends, in day numbers, cut to the window."""
    x0 = np.clip(days(rows["start"]), x_start, x_end)
    x1 = np.clip(days(rows["end"]), x_start, x_end)
    # An interval still current (no end) or cut at the window's last day runs to its edge.
    x1 = np.where(np.isnan(x1) | (x1 >= x_end - 1), x_end, x1)
    return x0, x1
