"""The timeline chart of states: one lane per track, coloured by state, events marked.

Drawn on a bare `matplotlib.figure.Figure` (never pyplot), so neither a kernel nor the
build keeps global figure state. Every style setting is passed per figure, so the
chart does not depend on whatever rcParams the caller has set.

Each lane holds a bar of state intervals (solid while confirmed, lighter once carried
forward past the last confirmation, hatched when contested) and, above it, a strip of
numbered event markers keyed to the briefing's tables. Markers that would overlap are
aggregated into boxes labelled with their first and last number, so the number of
drawn markers is bounded by the chart's width, not by the number of events.
"""

from __future__ import annotations

import io
import math
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date, timedelta

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.textpath import TextToPath
from matplotlib.ticker import NullFormatter

from briefings.data.dataset import Dataset
from briefings.data.dates import format_partial
from briefings.report.words import LIST_LIMIT, capped

_SVG_NS = "http://www.w3.org/2000/svg"

FONT = "DejaVu Sans"
FONT_SIZE = 8  # pt; the smallest text on the chart, readable on A4

# Figure geometry, in inches: A4 text width, a column for lane labels on the left.
FIG_WIDTH = 7.5
LABEL_COLUMN = 1.62
RIGHT_MARGIN = 0.2
TOP_MARGIN = 0.08
LANE_HEIGHT = 0.55
AXIS_BAND = 0.32  # tick labels under the lanes
LEGEND_ROW = 0.21

# Within a lane (one data unit on y, top to bottom): marker strip, then the bar.
MARKER_Y = 0.25
BAR_TOP, BAR_BOTTOM = 0.5, 0.92
MARKER_HEIGHT_PT = 14.0

INK = "#333333"
OUTLINE_MIN_PT = 2.0  # narrower intervals share their lane's outline
UNCONFIRMED_ALPHA = 0.35
HATCH = "////"
LABEL_WIDTH_PT = LABEL_COLUMN * 72 - 12  # lane labels, short of the tick padding
LABEL_LINES = 2
LEGEND_LABEL_PT = 150.0

_MARKER_PAD_PT = 6.0  # room around a marker's number
# Each stretch gets a tooltip (an SVG <title> on an invisible box over it) up to this many
# stretches; beyond, one element per stretch would make the chart slow to write and show,
# and the chart in words says the same.
MAX_TOOLTIPS = 500

_STYLE = {
    "font.family": FONT,
    "font.size": FONT_SIZE,
    "axes.linewidth": 0.6,
    "hatch.linewidth": 0.7,
    "xtick.labelsize": FONT_SIZE,
    "ytick.labelsize": FONT_SIZE,
    "legend.fontsize": FONT_SIZE,
    "svg.fonttype": "none",  # text stays text: selectable in the PDF, and smaller
    "svg.hashsalt": "briefings-timeline",  # fixed ids, so two renders are identical
}


def draw_timeline(
    table: pd.DataFrame,
    markers: pd.DataFrame,
    dataset: Dataset,
    start: date,
    end: date,
    *,
    tracks: Sequence[str] | None = None,
) -> Figure:
    """Draw the state table and numbered key events as a swimlane chart of [start, end].

    Lanes follow `tracks` (default: the tracks of the table and markers, in dataset
    order), so a track with no state in the window can still get its own empty lane.
    """
    lanes = _lanes(table, markers, dataset, tracks)
    table, markers = _within(table, markers, start, end)
    with mpl.rc_context(_rc()):
        return _draw(table, markers, dataset, start, end, lanes)


def timeline_svg(figure: Figure) -> str:
    """The figure as SVG text, byte-identical for identical input (no date, fixed ids).

    Every numbered marker links to its row of the changes table (`#event-N`) and every
    stretch carries its tooltip, both as plain SVG (`<a>`, `<title>`): no script.
    """
    buffer = io.StringIO()
    with mpl.rc_context(_rc()), warnings.catch_warnings():
        # Text stays text in the SVG, so a viewer's font supplies glyphs DejaVu Sans lacks.
        warnings.filterwarnings("ignore", message="Glyph .* missing", category=UserWarning)
        figure.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": None},
            bbox_inches="tight",
            pad_inches=0.04,
        )
    titles = {
        artist.get_gid(): artist.get_label()
        for artist in figure.findobj()
        if str(artist.get_gid()).startswith(("marker-", "stretch-"))
    }
    return _linked(buffer.getvalue(), titles)


def _linked(svg: str, titles: dict[str, str]) -> str:
    """Give each `<g id="marker-…">` a link to its table row and each marked group its
    `<title>`."""
    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(svg)
    # Collected first: wrapping a group in a link while walking the tree would revisit it.
    parents = [p for p in root.iter() if any(c.get("id", "") in titles for c in p)]
    for parent in parents:
        for index, group in enumerate(list(parent)):
            gid = group.get("id", "")
            if gid not in titles:
                continue
            title = ET.Element(f"{{{_SVG_NS}}}title")
            title.text = titles[gid]
            group.insert(0, title)
            if gid.startswith("marker-"):
                link = ET.Element(f"{{{_SVG_NS}}}a", {"href": f"#event-{gid.split('-')[1]}"})
                parent.remove(group)
                link.append(group)
                parent.insert(index, link)
    return ET.tostring(root, encoding="unicode")


def describe_timeline(
    table: pd.DataFrame,
    markers: pd.DataFrame,
    dataset: Dataset,
    start: date,
    end: date,
    *,
    tracks: Sequence[str] | None = None,
) -> str:
    """The chart in words, as plain text: a heading line, then one line per lane.

    Each lane line names the states in order with their start dates (written as
    precisely as they are known), which stretches are contested or carried forward
    without confirmation, and which event numbers are marked on it.
    """
    lanes = _lanes(table, markers, dataset, tracks)
    table, markers = _within(table, markers, start, end)
    events = dataset.events
    when = zip(events["date"], events["precision"], strict=True)
    dated = dict(zip(events["event_id"], when, strict=True))
    lines = [
        f"Timeline of states from {format_partial(start, 'day')} to "
        f"{format_partial(end, 'day')}, one lane per track, top to bottom."
    ]
    for track in lanes:
        rows = table[table["track"] == track]
        stretches = [
            _describe_interval(row, dataset, start, end, dated) for row in rows.itertuples()
        ]
        text = "; then ".join(capped(stretches, "stretches")) if stretches else "no state known"
        lines.append(
            f"{dataset.track(track).label}: {text}. "
            f"{_describe_markers(markers[markers['track'] == track])}"
        )
    return "\n".join(lines)


# --- lanes and layout -------------------------------------------------------------------


def _lanes(
    table: pd.DataFrame, markers: pd.DataFrame, dataset: Dataset, tracks: Sequence[str] | None
) -> list[str]:
    if tracks is not None:
        return list(tracks)
    present = set(table["track"]) | set(markers["track"])
    return [t.id for t in dataset.tracks if t.id in present]


def _within(
    table: pd.DataFrame, markers: pd.DataFrame, start: date, end: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The intervals that overlap [start, end] and the markers dated inside it."""
    overlaps = (table["start"] <= end) & table["end"].map(lambda e: e is None or e > start)
    inside = (markers["date"] >= start) & (markers["date"] <= end)
    return table[overlaps.astype(bool)], markers[inside]


def _rc() -> dict:
    """Matplotlib's defaults plus our style: the chart ignores the caller's rcParams."""
    base = {k: v for k, v in mpl.rcParamsDefault.items() if k != "backend"}
    return {**base, **_STYLE}


def _draw(
    table: pd.DataFrame,
    markers: pd.DataFrame,
    dataset: Dataset,
    start: date,
    end: date,
    lanes: list[str],
) -> Figure:
    states = [s for s in dataset.states if s in set(table["state"])]
    state_cols = _legend_columns([dataset.states[s].label for s in states])
    key_handles = _key_handles()
    key_cols = _legend_columns([h.get_label() for h in key_handles])
    state_rows = math.ceil(len(states) / state_cols) if states else 0
    key_rows = math.ceil(len(key_handles) / key_cols)

    plot_height = max(len(lanes), 1) * LANE_HEIGHT
    legend_height = (state_rows + key_rows) * LEGEND_ROW + 0.15
    height = TOP_MARGIN + plot_height + AXIS_BAND + legend_height
    figure = Figure(figsize=(FIG_WIDTH, height))
    FigureCanvasAgg(figure)  # measures text; savefig picks the SVG canvas itself
    plot_width = FIG_WIDTH - LABEL_COLUMN - RIGHT_MARGIN
    ax = figure.add_axes(
        (
            LABEL_COLUMN / FIG_WIDTH,
            (height - TOP_MARGIN - plot_height) / height,
            plot_width / FIG_WIDTH,
            plot_height / height,
        )
    )

    x_start = float(mdates.date2num(np.datetime64(start, "D")))
    x_end = float(mdates.date2num(np.datetime64(end + timedelta(days=1), "D")))
    days_per_pt = (x_end - x_start) / (plot_width * 72)
    single_pt = _single_width_pt(markers)
    # Room for half a marker at each end, so one on the window's first or last day
    # stays inside the plot's frame.
    margin = single_pt / 2 * days_per_pt * 1.2
    ax.set_xlim(x_start - margin, x_end + margin)
    ax.set_ylim(max(len(lanes), 1), 0)

    _draw_lanes(ax, lanes, dataset)
    _draw_intervals(ax, table, dataset, lanes, x_start, x_end, days_per_pt)
    _add_stretch_tooltips(ax, table, dataset, lanes, start, end, x_start, x_end)
    groups = _marker_groups(markers, lanes, days_per_pt)
    alone = markers[markers["number"].isin(groups.loc[groups["count"] == 1, "first"])]
    _draw_markers(ax, groups, days_per_pt, single_pt, _marker_titles(alone, markers, dataset))
    _draw_time_axis(ax, start, end, x_start)

    legend_top = (legend_height - 0.05) / height
    if states:
        handles = [
            Patch(
                facecolor=dataset.states[s].colour,
                edgecolor=INK,
                linewidth=0.6,
                label=_ellipsize(dataset.states[s].label, LEGEND_LABEL_PT),
            )
            for s in states
        ]
        figure.legend(
            handles=_row_major(handles, state_cols),
            loc="upper center",
            bbox_to_anchor=(0.5, legend_top),
            ncols=state_cols,
            frameon=False,
            handlelength=1.6,
            columnspacing=1.4,
            borderaxespad=0,
        )
    figure.legend(
        handles=_row_major(key_handles, key_cols),
        loc="upper center",
        bbox_to_anchor=(0.5, legend_top - state_rows * LEGEND_ROW / height),
        ncols=key_cols,
        frameon=False,
        handlelength=1.6,
        columnspacing=1.4,
        borderaxespad=0,
    )
    return figure


def _legend_columns(labels: list[str]) -> int:
    """As many columns as fit across the figure for the longest label."""
    if not labels:
        return 1
    longest = max(_text_width(_ellipsize(label, LEGEND_LABEL_PT)) for label in labels)
    entry = 0.55 + longest / 72
    return max(1, min(len(labels), int((FIG_WIDTH - 0.3) // entry)))


def _row_major(handles: list, columns: int) -> list:
    """Reorder so that matplotlib's column-by-column legend reads left to right."""
    rows = math.ceil(len(handles) / columns)
    grid = [handles[r * columns : (r + 1) * columns] for r in range(rows)]
    return [row[c] for c in range(columns) for row in grid if c < len(row)]


def _key_handles() -> list:
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
        Line2D([], [], marker=_stadium(1.0), label="change (number in table)", **marker),
        Line2D([], [], marker=_pointed(1.2), label="dispute", **marker),
        Patch(
            facecolor="#EEEEEE",
            edgecolor=INK,
            linewidth=0.6,
            label="several events, first–last (dashed: with a dispute)",
        ),
    ]


# --- lanes and intervals ----------------------------------------------------------------


def _draw_lanes(ax, lanes: list[str], dataset: Dataset) -> None:
    centres = [i + (BAR_TOP + BAR_BOTTOM) / 2 for i in range(len(lanes))]
    ax.set_yticks(centres)
    ax.set_yticklabels([_wrap(dataset.track(t).label) for t in lanes])
    ax.tick_params(axis="y", length=0, pad=6)
    for i in range(1, len(lanes)):
        ax.axhline(i, color="#DDDDDD", linewidth=0.5, zorder=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    if not lanes:
        ax.text(0.5, 0.5, "no track to show", transform=ax.transAxes, ha="center", va="center")


def _draw_intervals(
    ax,
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
    x0 = np.clip(_days(rows["start"]), x_start, x_end)
    x1 = np.clip(_days(rows["end"]), x_start, x_end)
    # An interval still current (no end) or cut at the window's last day runs to its edge.
    x1 = np.where(np.isnan(x1) | (x1 >= x_end - 1), x_end, x1)
    # A confirmation covers its whole day.
    xc = np.clip(_days(rows["confirmed_until"]) + 1, x0, x1)
    y0, y1 = lane + BAR_TOP, lane + BAR_BOTTOM
    state = rows["state"].to_numpy()

    def add(left, right, keep, **style):
        if keep.any():
            path = _rectangles(left[keep], right[keep], y0[keep], y1[keep])
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
    outline = _rectangles(
        np.concatenate([x0[wide], lane_x0]),
        np.concatenate([x1[wide], lane_x1]),
        np.concatenate([y0[wide], lanes_drawn + BAR_TOP]),
        np.concatenate([y1[wide], lanes_drawn + BAR_BOTTOM]),
    )
    ax.add_artist(PathPatch(outline, linewidth=0.6, **style))


def _add_stretch_tooltips(
    ax,
    table: pd.DataFrame,
    dataset: Dataset,
    lanes: list[str],
    start: date,
    end: date,
    x_start: float,
    x_end: float,
) -> None:
    """An invisible box over each stretch, labelled with its tooltip (see `timeline_svg`)."""
    rows = table[table["track"].isin(lanes)]
    if rows.empty or len(rows) > MAX_TOOLTIPS:
        return
    events = dataset.events
    dated = dict(
        zip(events["event_id"], zip(events["date"], events["precision"], strict=True), strict=True)
    )
    x0 = np.clip(_days(rows["start"]), x_start, x_end)
    x1 = np.clip(_days(rows["end"]), x_start, x_end)
    x1 = np.where(np.isnan(x1) | (x1 >= x_end - 1), x_end, x1)
    index = {t: i for i, t in enumerate(lanes)}
    for n, row in enumerate(rows.itertuples()):
        lane = index[row.track]
        text = _describe_interval(row, dataset, start, end, dated)
        if row.end is not None and row.end <= end:
            following = rows[(rows["track"] == row.track) & (rows["start"] == row.end)]
            precision = following["start_precision"].iloc[0] if len(following) else "day"
            text += f", until {format_partial(row.end, precision)}"
        sources = ", ".join(row.source_ids)
        box = _rectangles(
            np.array([x0[n]]), np.array([x1[n]]),
            np.array([lane + BAR_TOP]), np.array([lane + BAR_BOTTOM]),
        )  # fmt: skip
        patch = PathPatch(box, facecolor="white", alpha=0.0, linewidth=0, zorder=3.5)
        patch.set_gid(f"stretch-{n + 1}")
        patch.set_label(f"{dataset.track(row.track).label}: {text}. Sources: {sources}.")
        ax.add_artist(patch)


def _rectangles(x0, x1, y0, y1) -> Path:
    """Rectangles as one compound path (vectorised: five vertices each)."""
    vertices = np.stack(
        [np.stack([x0, y0], -1), np.stack([x1, y0], -1), np.stack([x1, y1], -1),
         np.stack([x0, y1], -1), np.stack([x0, y0], -1)],
        axis=1,
    ).reshape(-1, 2)  # fmt: skip
    codes = np.tile(
        [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY], len(x0)
    ).astype(Path.code_type)
    return Path(vertices, codes)


def _days(values: pd.Series) -> np.ndarray:
    """Dates (None → NaN) as matplotlib day numbers, vectorised."""
    stamps = pd.to_datetime(values.astype(object).where(values.notna(), None))
    return mdates.date2num(stamps.to_numpy("datetime64[ns]"))


# --- markers ----------------------------------------------------------------------------


def _single_width_pt(markers: pd.DataFrame) -> float:
    """Width of a single event's marker, sized for the longest number."""
    widest = "8" * len(str(int(markers["number"].max()))) if len(markers) else "8"
    return max(MARKER_HEIGHT_PT, _text_width(widest) + _MARKER_PAD_PT)


def _range_width_pt(markers: pd.DataFrame) -> float:
    """Width of the box for the widest 'first–last' label."""
    widest = "8" * len(str(int(markers["number"].max()))) if len(markers) else "8"
    return _text_width(f"{widest}–{widest}") + _MARKER_PAD_PT


def _marker_groups(markers: pd.DataFrame, lanes: list[str], days_per_pt: float) -> pd.DataFrame:
    """Markers merged where they would overlap: one row per drawn marker.

    On each lane, events closer than a range label's width are chained into one
    cluster (a sorted diff and a cumulative sum). A cluster too long for one box is cut
    into equal boxes, each at least a label wide, so the number of rows is bounded by
    the lane's width in labels. Columns: lane, x (the event's date for a single one),
    x_min and x_max (its events' dates), lo and hi (box extent), first, last, count,
    dispute (any dispute in it), single.
    """
    columns = [
        "lane", "x", "x_min", "x_max", "lo", "hi", "first", "last", "count", "dispute", "single"
    ]  # fmt: skip
    index = {t: i for i, t in enumerate(lanes)}
    rows = markers[markers["track"].isin(index)]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    gap = _range_width_pt(markers) * days_per_pt
    frame = pd.DataFrame(
        {
            "lane": rows["track"].map(index).to_numpy(int),
            "x": _days(rows["date"]),
            "number": rows["number"].to_numpy(int),
            "dispute": (rows["kind"] == "dispute").to_numpy(bool),
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
    )
    out["single"] = out["cluster_size"] == 1
    return out.reset_index()[columns]


def _marker_titles(alone: pd.DataFrame, markers: pd.DataFrame, dataset: Dataset) -> dict[int, str]:
    """Each event drawn as a marker of its own (`alone`), in words, for its tooltip."""
    numbers = dict(zip(markers["event_id"], markers["number"], strict=True))
    titles = {}
    for event in alone.itertuples():
        when = format_partial(event.date, event.precision)
        if event.kind == "dispute":
            target = numbers.get(event.disputes)
            what = f"disputes No. {target}" if target else f"disputes {event.disputes}"
        else:
            state = dataset.states.get(event.state)
            what = f"becomes {state.label if state else event.state}"
        label = dataset.track(event.track).label
        titles[int(event.number)] = f"No. {event.number}, {when}: {label} {what}"
    return titles


def _draw_markers(
    ax, groups: pd.DataFrame, days_per_pt: float, single_pt: float, titles: dict[int, str]
) -> None:
    if groups.empty:
        return
    singles = groups[groups["single"]]
    boxes = groups[~groups["single"]]
    half = MARKER_HEIGHT_PT / 2 / 72 / LANE_HEIGHT  # in lane units
    # Stems from each marker down to the bar: at a single event's date, and at the first
    # and last dates a box covers.
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
    aspect = MARKER_HEIGHT_PT / single_pt
    for dispute, path in ((False, _stadium(aspect)), (True, _pointed(aspect))):
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
    # A small gap between neighbouring boxes keeps them apart.
    inset = 1.0 * days_per_pt
    for dispute, linestyle in ((False, "-"), (True, "--")):
        chosen = boxes[boxes["dispute"] == dispute]
        if chosen.empty:
            continue
        lane = chosen["lane"].to_numpy(float)
        path = _rectangles(
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
    for row in groups.itertuples():
        label = str(row.first) if row.count == 1 else f"{row.first}–{row.last}"
        ax.text(
            row.x if row.single else (row.lo + row.hi) / 2,
            row.lane + MARKER_Y,
            label,
            ha="center",
            va="center_baseline",
            fontsize=FONT_SIZE,
            color="black",
            zorder=6,
            clip_on=False,
            gid=f"marker-{row.first}" if row.count == 1 else f"marker-{row.first}-{row.last}",
            label=titles[row.first]
            if row.count == 1
            else f"Nos. {row.first}–{row.last}: {row.count} events, listed in State changes",
        )


def _stadium(aspect: float) -> Path:
    """A pill as wide as 1 and `aspect` high: the marker of a change."""
    r = aspect / 2
    right = [
        (0.5 - r + r * math.cos(a), r * math.sin(a)) for a in np.linspace(-np.pi / 2, np.pi / 2, 9)
    ]
    left = [
        (-0.5 + r - r * math.cos(a), -r * math.sin(a))
        for a in np.linspace(-np.pi / 2, np.pi / 2, 9)
    ]
    vertices = [*right, *left, right[0]]
    return Path(vertices, closed=True)


def _pointed(aspect: float) -> Path:
    """A hexagon pointed at both ends (a diamond when square): the marker of a dispute."""
    h = aspect / 2
    tip = min(h, 0.5)
    vertices = [(-0.5, 0), (-0.5 + tip, h), (0.5 - tip, h), (0.5, 0), (0.5 - tip, -h),
                (-0.5 + tip, -h), (-0.5, 0)]  # fmt: skip
    return Path(vertices, closed=True)


# --- time axis --------------------------------------------------------------------------


def _draw_time_axis(ax, start: date, end: date, x_start: float) -> None:
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


# --- text -------------------------------------------------------------------------------


_MEASURE = TextToPath()
_FONT = FontProperties(family=FONT, size=FONT_SIZE)


def _text_width(text: str) -> float:
    """Width of one line of chart text in points, as matplotlib lays it out."""
    with warnings.catch_warnings():
        # A glyph DejaVu Sans lacks is measured as its placeholder box, about one em.
        warnings.filterwarnings("ignore", message="Glyph .* missing", category=UserWarning)
        return _MEASURE.get_text_width_height_descent(text, _FONT, ismath=False)[0]


def _fit(text: str, width: float) -> int:
    """The longest prefix of `text`, in characters, no wider than `width` points."""
    # No glyph but a combining mark is narrower than a point, so no longer prefix can fit:
    # a 10,000-letter label is never measured whole.
    low, high = 0, min(len(text), int(width) + 1)
    while low < high:
        middle = (low + high + 1) // 2
        if _text_width(text[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _ellipsize(text: str, width: float) -> str:
    """The text on one line, cut with … to fit `width` points."""
    text = " ".join(text.split())
    if len(text) <= width and _text_width(text) <= width:  # see _fit for the length bound
        return text
    return text[: _fit(text, width - _text_width("…"))].rstrip() + "…"


def _wrap(text: str, width: float = LABEL_WIDTH_PT, lines: int = LABEL_LINES) -> str:
    """Wrap a lane label into at most `lines` lines of `width` points, ending in … if cut."""
    out: list[str] = []
    current = ""
    words = text.split()
    for index, word in enumerate(words):
        while len(out) <= lines and _text_width(word) > width:  # a long word is broken
            if current:
                out.append(current)
                current = ""
            cut = max(1, _fit(word, width))
            out.append(word[:cut])
            word = word[cut:]
        if len(out) > lines:
            # The rest will only be cut off with … below: laying out a 10,000-letter
            # label line by line would take minutes.
            out.append(" ".join([current, word, *words[index + 1 :]]).strip())
            current = ""
            break
        candidate = f"{current} {word}".strip()
        if _text_width(candidate) <= width:
            current = candidate
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], _ellipsize(" ".join(out[lines - 1 :]), width)]
    return "\n".join(out)


def _describe_interval(
    row, dataset: Dataset, start: date, end: date, dated: dict[str, tuple[date, str]]
) -> str:
    """One stretch in words, judged over [start, end] as the chart draws it."""
    label = dataset.states[row.state].label
    first, precision = (row.start, row.start_precision) if row.start >= start else (start, "day")
    confirmed = row.confirmed_until
    # As precise as the event that confirmed it last; a date cut to the window is a day.
    confirmed_precision = next(
        (dated[e][1] for e in row.event_ids if e in dated and dated[e][0] == confirmed), "day"
    )
    # The first day not in the stretch (a current stretch runs to the window's end).
    stop = end + timedelta(days=1) if row.end is None or row.end >= end else row.end
    notes = ["contested"] if row.contested else []
    if confirmed < first:
        notes.append(
            "carried in from before the window, last confirmed "
            f"{format_partial(confirmed, confirmed_precision)}"
        )
    elif confirmed + timedelta(days=1) < stop:
        notes.append(
            f"confirmed until {format_partial(confirmed, confirmed_precision)}, "
            "carried forward without confirmation after that"
        )
    else:
        notes.append("confirmed throughout")
    return f"{label} from {format_partial(first, precision)} ({'; '.join(notes)})"


def _describe_markers(rows: pd.DataFrame) -> str:
    if rows.empty:
        return "No events marked."
    numbers = rows["number"].astype(int)
    disputes = numbers[rows["kind"] == "dispute"]
    if len(rows) > LIST_LIMIT:
        return (
            f"{len(rows):,} events marked, numbered between {numbers.min():,} and "
            f"{numbers.max():,}, {len(disputes):,} of them disputes."
        )
    listed = ", ".join(str(n) for n in numbers)
    noun = "Event" if len(rows) == 1 else "Events"
    if disputes.empty:
        return f"{noun} marked: {listed}."
    which = ", ".join(str(n) for n in disputes)
    verb = "is a dispute" if len(disputes) == 1 else "are disputes"
    return f"{noun} marked: {listed} ({which} {verb})."
