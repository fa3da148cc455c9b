"""The timeline chart of states: one lane per track, coloured by state, events marked.

Drawn on a bare `matplotlib.figure.Figure` (never pyplot), so neither a kernel nor the
build keeps global figure state. The figure is laid out here (its size from the lanes and
the legend, the plot's x range from the window, the lane labels and the time axis); the
bars, markers and legend are drawn by their own modules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from briefings.data.dataset import Dataset
from briefings.data.dates import format_partial
from briefings.report.chart.in_words import ChartClaims
from briefings.report.chart.legend import draw_legend, plan_legend
from briefings.report.chart.markers import draw_markers, single_width_pt
from briefings.report.chart.shown import lanes, within
from briefings.report.chart.stretches import add_stretch_tooltips, draw_intervals
from briefings.report.chart.style import (
    AXIS_BAND,
    BAR_BOTTOM,
    BAR_TOP,
    FIG_WIDTH,
    FONT_SIZE,
    INK,
    LABEL_COLUMN,
    LANE_HEIGHT,
    RIGHT_MARGIN,
    TOP_MARGIN,
    rc,
)
from briefings.report.chart.text import wrap

_PLOT_WIDTH = FIG_WIDTH - LABEL_COLUMN - RIGHT_MARGIN  # inches


def draw_timeline(
    table: pd.DataFrame,
    markers: pd.DataFrame,
    dataset: Dataset,
    start: date,
    end: date,
    *,
    tracks: Sequence[str] | None = None,
    claims: ChartClaims | None = None,
) -> Figure:
    """Draw the state table and numbered key events as a swimlane chart of [start, end].

    Lanes follow `tracks` (default: the tracks of the table and markers, in dataset
    order), so a track with no state in the window can still get its own empty lane.
    Stretches and markers get their tooltips, challenges and confirmations drawn as
    `claims` says (`in_words.chart_claims`); without them, every challenge is drawn as
    strong and every confirmation as dated to the day.
    """
    shown_lanes = lanes(table, markers, dataset, tracks)
    table, markers = within(table, markers, start, end)
    with mpl.rc_context(rc()):
        return _draw(table, markers, dataset, start, end, shown_lanes, claims or ChartClaims())


def _draw(
    table: pd.DataFrame,
    markers: pd.DataFrame,
    dataset: Dataset,
    start: date,
    end: date,
    lanes: list[str],
    claims: ChartClaims,
) -> Figure:
    """The figure, sized for its lanes and legend, drawn back to front."""
    legend = plan_legend(dataset, [s for s in dataset.states if s in set(table["state"])])
    plot_height = max(len(lanes), 1) * LANE_HEIGHT
    height = TOP_MARGIN + plot_height + AXIS_BAND + legend.height
    figure, ax = _figure(height, plot_height)

    x_start = float(mdates.date2num(np.datetime64(start, "D")))
    x_end = float(mdates.date2num(np.datetime64(end + timedelta(days=1), "D")))
    days_per_pt = (x_end - x_start) / (_PLOT_WIDTH * 72)
    single_pt = single_width_pt(markers)
    # Room for half a marker at each end, so one on the window's first or last day
    # stays inside the plot's frame.
    margin = single_pt / 2 * days_per_pt * 1.2
    ax.set_xlim(x_start - margin, x_end + margin)
    ax.set_ylim(max(len(lanes), 1), 0)

    _draw_lanes(ax, lanes, dataset)
    draw_intervals(ax, table, dataset, lanes, (x_start, x_end), days_per_pt, claims)
    add_stretch_tooltips(ax, table, lanes, x_start, x_end, claims.stretch_titles)
    draw_markers(ax, markers, lanes, days_per_pt, single_pt, claims.marker_titles)
    _draw_time_axis(ax, start, end, x_start)
    draw_legend(figure, legend, height)
    return figure


def _figure(height: float, plot_height: float) -> tuple[Figure, Axes]:
    """A figure `height` inches tall with the plot's axes placed at its top, right of the
    lane labels."""
    figure = Figure(figsize=(FIG_WIDTH, height))
    FigureCanvasAgg(figure)  # measures text; savefig picks the SVG canvas itself
    ax = figure.add_axes(
        (
            LABEL_COLUMN / FIG_WIDTH,
            (height - TOP_MARGIN - plot_height) / height,
            _PLOT_WIDTH / FIG_WIDTH,
            plot_height / height,
        )
    )
    return figure, ax


def _draw_lanes(ax: Axes, lanes: list[str], dataset: Dataset) -> None:
    """Each lane's label at its bar's height, and a rule between lanes."""
    centres = [i + (BAR_TOP + BAR_BOTTOM) / 2 for i in range(len(lanes))]
    ax.set_yticks(centres)
    ax.set_yticklabels([wrap(dataset.track(t).label) for t in lanes])
    ax.tick_params(axis="y", length=0, pad=6)
    for i in range(1, len(lanes)):
        ax.axhline(i, color="#DDDDDD", linewidth=0.5, zorder=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    if not lanes:
        ax.text(0.5, 0.5, "no track to show", transform=ax.transAxes, ha="center", va="center")


def _draw_time_axis(ax: Axes, start: date, end: date, x_start: float) -> None:
    """Ticks for the window's length: years (named mid-year), dates, or each day."""
    years = (end - start).days / 365.25
    ax.tick_params(axis="x", which="both", labelsize=FONT_SIZE, color=INK, width=0.6)
    if years >= 2:
        step = max(1, math.ceil(years / 12))
        ax.xaxis.set_major_locator(mdates.YearLocator(step))
        ax.xaxis.set_major_formatter(NullFormatter())
        if step == 1:
            # Year names sit in the middle of their year, between the boundary ticks.
            ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=7, bymonthday=1))
            ax.xaxis.set_minor_formatter(mdates.DateFormatter("%Y"))
            ax.tick_params(axis="x", which="minor", length=0, pad=4)
        else:
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.grid(axis="x", which="major", color="#CCCCCC", linewidth=0.5, zorder=0)
    elif (end - start).days >= 3:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.grid(axis="x", which="major", color="#CCCCCC", linewidth=0.5, zorder=0)
    else:
        days = [start + timedelta(days=d) for d in range((end - start).days + 1)]
        ax.set_xticks([x_start + d + 0.5 for d in range(len(days))])
        ax.set_xticklabels([format_partial(d, "day") for d in days])
    ax.set_axisbelow(True)
