"""The bars of the chart: each lane's state intervals, solid while confirmed, lighter once
carried forward past the last confirmation, hatched when contested (densely unless only
weaker challenges dispute it), dates known only to a month or year bracketed, each
stretch with a tooltip."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from briefings.data.dataset import Dataset
from briefings.data.dates import period_end
from briefings.data.palette import carried_forward_tint
from briefings.report.chart.in_words import ChartClaims
from briefings.report.chart.shapes import days, rectangles
from briefings.report.chart.style import (
    BAR_BOTTOM,
    BAR_TOP,
    BRACKET_DEPTH,
    HATCH_STRONG,
    HATCH_WEAK,
    INK,
    OUTLINE_MIN_PT,
    WEAK_INK,
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
    window: tuple[float, float],
    days_per_pt: float,
    claims: ChartClaims,
) -> None:
    """The bars, as one compound path per state and style, however many intervals there are.

    A stretch is solid up to its last confirmation and in its state's carried-forward tint
    after it; a contested one is hatched, sparsely when every challenge is weaker than
    the account (`claims.weakly_challenged`). A date known only to its month or year (a
    change that opens a stretch, a last confirmation) is drawn as the span it may fall
    in, bracketed under the bar; a confirmation so dated is solid only up to the span.
    An SVG element per interval would make a chart of thousands of changes slow to write
    and to display; a path per state and style keeps the element count bounded by the
    vocabulary.
    """
    rows = table[table["track"].isin(lanes)]
    if rows.empty:
        return
    keys = list(zip(rows["track"], rows["start"], strict=True))
    lane = rows["track"].map({t: i for i, t in enumerate(lanes)}).to_numpy(float)
    x0, x1 = _extents(rows, *window)
    confirmed = [
        (d, claims.confirmed_precision.get(k, "day"))
        for d, k in zip(rows["confirmed_until"], keys, strict=True)
    ]
    # A confirmation dated to the day covers that day; one known only to a month or a
    # year, only what precedes its span.
    exact = np.array([precision == "day" for _, precision in confirmed], float)
    xc = np.clip(days(rows["confirmed_until"]) + exact, x0, x1)
    y0, y1 = lane + BAR_TOP, lane + BAR_BOTTOM
    state = rows["state"].to_numpy()

    def add(left, right, keep, gid, **style):
        if keep.any():
            path = rectangles(left[keep], right[keep], y0[keep], y1[keep])
            patch = PathPatch(path, gid=gid, **style)
            ax.add_artist(patch)  # add_patch would walk every vertex

    for state_id in dict.fromkeys(state):
        colour = dataset.states[state_id].colour
        this = state == state_id
        solid = {"facecolor": colour, "linewidth": 0, "zorder": 2}
        add(x0, xc, this & (xc > x0), f"bars-{state_id}-confirmed", **solid)
        carried = {**solid, "facecolor": carried_forward_tint(colour)}
        add(xc, x1, this & (xc < x1), f"bars-{state_id}-carried", **carried)
    style = {"facecolor": "none", "edgecolor": INK, "linewidth": 0, "zorder": 3}
    contested = rows["contested"].to_numpy(bool)
    weak = np.array([k in claims.weakly_challenged for k in keys], bool)
    add(x0, x1, contested & ~weak, "contested-strong", hatch=HATCH_STRONG, **style)
    add(
        x0,
        x1,
        contested & weak,
        "contested-weak",
        hatch=HATCH_WEAK,
        **style | {"edgecolor": WEAK_INK},
    )
    _outline(ax, lane, x0, x1, y0, y1, days_per_pt)
    starts = list(zip(rows["start"], rows["start_precision"], strict=True))
    both = (np.concatenate([x0, x0]), np.concatenate([x1, x1]), np.concatenate([lane, lane]))
    spans = _uncertain_spans([*starts, *confirmed], *both)
    if spans is not None:
        bracket = {"facecolor": "none", "edgecolor": INK, "linewidth": 0.8, "zorder": 3}
        ax.add_artist(PathPatch(spans, gid="uncertain-dates", **bracket))


def _outline(ax, lane, x0, x1, y0, y1, days_per_pt) -> None:
    """Every bar outlined, so light states (lapsed is pale grey) still show on white; an
    interval too narrow to see on its own gets no outline of its own, so a dense lane
    does not turn into a block of outlines."""
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
    ax.add_artist(PathPatch(outline, facecolor="none", edgecolor=INK, linewidth=0.6, zorder=3))


def _uncertain_spans(dated, x0, x1, lane) -> Path | None:
    """A bracket under the bar over each month or year a date may fall in (cut to its
    stretch), all in one path; None when every date is known to the day."""
    vague = [i for i, (_, precision) in enumerate(dated) if precision != "day"]
    if not vague:
        return None
    first = days(pd.Series([dated[i][0] for i in vague]))
    last = days(pd.Series([period_end(*dated[i]) for i in vague])) + 1
    left, right = np.maximum(first, x0[vague]), np.minimum(last, x1[vague])
    # A change and its confirmation may be one event: its bracket is drawn once.
    brackets = sorted(
        {(a, b, at) for a, b, at in zip(left, right, lane[vague], strict=True) if a < b}
    )
    if not brackets:
        return None
    vertices, codes = [], []
    for a, b, at in brackets:
        top, bottom = at + BAR_BOTTOM, at + BAR_BOTTOM + BRACKET_DEPTH
        vertices += [(a, top), (a, bottom), (b, bottom), (b, top)]
        codes += [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO]
    return Path(vertices, codes)


def add_stretch_tooltips(
    ax: Axes,
    table: pd.DataFrame,
    lanes: list[str],
    x_start: float,
    x_end: float,
    titles: Mapping[tuple[str, date], str],
) -> None:
    """An invisible box over each stretch that has a title (`in_words.chart_claims`),
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
