"""The numbered event markers above each lane, keyed to the briefing's tables.

Markers that would overlap are aggregated into boxes labelled with their first and last
number, so the number of drawn markers is bounded by the chart's width, not by the
number of events.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.patches import PathPatch

from briefings.data.dates import format_partial
from briefings.report.chart.shapes import days, pointed, rectangles, stadium
from briefings.report.chart.style import (
    BAR_TOP,
    FONT_SIZE,
    INK,
    LANE_HEIGHT,
    MARKER_HEIGHT_PT,
    MARKER_Y,
)
from briefings.report.chart.text import text_width
from briefings.report.words import count

_MARKER_PAD_PT = 6.0  # room around a marker's number
_GROUP_COLUMNS = [
    "lane", "x", "x_min", "x_max", "lo", "hi", "first", "last", "count", "dispute", "single",
    "first_month", "last_month", "months",
]  # fmt: skip


def single_width_pt(markers: pd.DataFrame) -> float:
    """Width of a single event's marker, sized for the longest number."""
    return max(MARKER_HEIGHT_PT, text_width(_widest_number(markers)) + _MARKER_PAD_PT)


def draw_markers(
    ax: Axes,
    markers: pd.DataFrame,
    lanes: list[str],
    days_per_pt: float,
    single_pt: float,
    titles: Mapping[int, str],
) -> None:
    """Each lane's markers, merged where they would overlap, with stems down to its bar;
    a marker of its own is titled from `titles` (`in_words.chart_claims`)."""
    groups = _marker_groups(markers, lanes, days_per_pt)
    if groups.empty:
        return
    singles = groups[groups["single"]]
    boxes = groups[~groups["single"]]
    _draw_stems(ax, groups, boxes)
    _draw_singles(ax, singles, single_pt)
    _draw_boxes(ax, boxes, days_per_pt)
    _draw_numbers(ax, groups, titles)


def _widest_number(markers: pd.DataFrame) -> str:
    """As many 8s (the widest digit) as the highest marker number has digits."""
    return "8" * len(str(int(markers["number"].max()))) if len(markers) else "8"


def _range_width_pt(markers: pd.DataFrame) -> float:
    """Width of the box for the widest 'first–last' label."""
    widest = _widest_number(markers)
    return text_width(f"{widest}–{widest}") + _MARKER_PAD_PT


def _marker_groups(markers: pd.DataFrame, lanes: list[str], days_per_pt: float) -> pd.DataFrame:
    """Markers merged where they would overlap: one row per drawn marker.

    On each lane, events closer than a range label's width are chained into one
    cluster (a sorted diff and a cumulative sum). A cluster too long for one box is cut
    into equal boxes, each at least a label wide, so the number of rows is bounded by
    the lane's width in labels. Columns: lane, x (the event's date for a single one),
    x_min and x_max (its events' dates), lo and hi (box extent), first, last, count,
    dispute (any dispute in it), single.
    """
    index = {t: i for i, t in enumerate(lanes)}
    rows = markers[markers["track"].isin(index)]
    if rows.empty:
        return pd.DataFrame(columns=_GROUP_COLUMNS)
    gap = _range_width_pt(markers) * days_per_pt
    frame = pd.DataFrame(
        {
            "lane": rows["track"].map(index).to_numpy(int),
            "x": days(rows["date"]),
            "number": rows["number"].to_numpy(int),
            "dispute": (rows["kind"] == "dispute").to_numpy(bool),
            # The month each is dated in, or its year where only that is known.
            "month": [
                format_partial(d, "year" if p == "year" else "month")
                for d, p in zip(rows["date"], rows["precision"], strict=True)
            ],
        }
    ).sort_values(["lane", "x", "number"], kind="stable")
    lane, x = frame["lane"].to_numpy(), frame["x"].to_numpy()
    new = np.ones(len(frame), bool)
    new[1:] = (lane[1:] != lane[:-1]) | (x[1:] - x[:-1] >= gap)
    frame["cluster"] = np.cumsum(new)

    by_cluster = frame.groupby("cluster")["x"]
    lo = by_cluster.transform("min").to_numpy() - gap / 2
    span = by_cluster.transform("max").to_numpy() + gap / 2 - lo
    pieces = np.maximum(1, np.floor(span / gap))
    width = span / pieces
    frame["piece"] = np.minimum(np.floor((x - lo) / width), pieces - 1)
    frame["piece_lo"] = lo + frame["piece"].to_numpy() * width
    frame["piece_hi"] = frame["piece_lo"] + width
    frame["cluster_size"] = frame.groupby("cluster")["x"].transform("size")

    out = frame.groupby(["cluster", "piece"], sort=True).agg(
        lane=("lane", "first"),
        x=("x", "mean"),
        x_min=("x", "min"),
        x_max=("x", "max"),
        lo=("piece_lo", "first"),
        hi=("piece_hi", "first"),
        first=("number", "min"),
        last=("number", "max"),
        count=("number", "size"),
        dispute=("dispute", "any"),
        cluster_size=("cluster_size", "first"),
        first_month=("month", "first"),
        last_month=("month", "last"),
        months=("month", "nunique"),
    )
    out["single"] = out["cluster_size"] == 1
    return out.reset_index()[_GROUP_COLUMNS]


def _half_height() -> float:
    """Half a marker's height, in lane units."""
    return MARKER_HEIGHT_PT / 2 / 72 / LANE_HEIGHT


def _draw_stems(ax: Axes, groups: pd.DataFrame, boxes: pd.DataFrame) -> None:
    """Stems from each marker down to the bar: at a single event's date, and at the first
    and last dates a box covers."""
    half = _half_height()
    stem_x = np.concatenate([groups["x_min"].to_numpy(), boxes["x_max"].to_numpy()])
    stem_lane = np.concatenate([groups["lane"].to_numpy(), boxes["lane"].to_numpy()]).astype(float)
    stems = np.stack(
        [
            np.stack([stem_x, stem_lane + MARKER_Y + half], -1),
            np.stack([stem_x, stem_lane + BAR_TOP], -1),
        ],
        axis=1,
    )
    ax.add_collection(LineCollection(stems, colors=INK, linewidths=0.6, zorder=4), autolim=False)


def _draw_singles(ax: Axes, singles: pd.DataFrame, single_pt: float) -> None:
    """Single events: a pill for a change, a pointed marker for a dispute."""
    aspect = MARKER_HEIGHT_PT / single_pt
    for dispute, path in ((False, stadium(aspect)), (True, pointed(aspect))):
        chosen = singles[singles["dispute"] == dispute]
        ax.scatter(
            chosen["x"],
            chosen["lane"] + MARKER_Y,
            s=single_pt**2,
            marker=path,
            facecolors="white",
            edgecolors=INK,
            linewidths=0.8,
            zorder=5,
            clip_on=False,
        )


def _draw_boxes(ax: Axes, boxes: pd.DataFrame, days_per_pt: float) -> None:
    """Aggregated events: one box per group, its outline dashed when it holds a dispute."""
    half = _half_height()
    # A small gap between neighbouring boxes keeps them apart.
    inset = 1.0 * days_per_pt
    for dispute, linestyle in ((False, "-"), (True, "--")):
        chosen = boxes[boxes["dispute"] == dispute]
        if chosen.empty:
            continue
        lane = chosen["lane"].to_numpy(float)
        path = rectangles(
            chosen["lo"].to_numpy() + inset,
            chosen["hi"].to_numpy() - inset,
            lane + MARKER_Y - half,
            lane + MARKER_Y + half,
        )
        ax.add_artist(
            PathPatch(
                path,
                facecolor="#EEEEEE",
                edgecolor=INK,
                linewidth=0.8,
                linestyle=linestyle,
                zorder=5,
                clip_on=False,
            )
        )


def _draw_numbers(ax: Axes, groups: pd.DataFrame, titles: Mapping[int, str]) -> None:
    """Each marker's number (a box's 'first–last'), named by its gid and titled for its
    tooltip (`timeline_svg` links and titles it)."""
    for row in groups.itertuples():
        single = row.count == 1
        ax.text(
            row.x if row.single else (row.lo + row.hi) / 2,
            row.lane + MARKER_Y,
            str(row.first) if single else f"{row.first}–{row.last}",
            ha="center",
            va="center_baseline",
            fontsize=FONT_SIZE,
            color="black",
            zorder=6,
            clip_on=False,
            gid=f"marker-{row.first}" if single else f"marker-{row.first}-{row.last}",
            label=titles.get(row.first, f"No. {row.first}") if single else _group_title(row),
        )


def _group_title(group) -> str:
    """A box's tooltip: its numbers, how many events, whether they fall in one month
    (or year) or in several, and whether a dispute is among them."""
    if group.months == 1:
        when = f"of {group.first_month}"
    else:
        when = f"of different months, {group.first_month} to {group.last_month}"
    dispute = ", a dispute among them" if group.dispute else ""
    return (
        f"Nos. {group.first}–{group.last}: {count(group.count, 'event')} {when}{dispute}, "
        "drawn as one marker where the chart is too narrow to part them; each is listed in "
        "State changes"
    )
