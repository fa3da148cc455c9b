"""The chart's legend as the HTML page lays it out on a phone.

On a narrow screen the chart keeps a legible size and scrolls sideways in its own box; its
legend, drawn into the same SVG for a page's width, would scroll with it and be cut mid-word.
So the page reads the legend back from the SVG: each entry's label, and the window onto the
legend where its mark is drawn. The template shows each mark through `<use>` of the drawn
legend (whatever the chart draws, hatching and markers included, is what the entry shows)
beside its label as text that wraps with the page, and clips the SVG's own legend off the
bottom of the scrolling box. Nothing here changes the SVG.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree import ElementTree

_SVG = "{http://www.w3.org/2000/svg}"
_HREF = ("href", "{http://www.w3.org/1999/xlink}href")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_FONT_SIZE = re.compile(r"font-size:\s*([\d.]+)px")
# Room around a mark for its outline, and between the plot and the legend's first row.
_PAD = 1.0
_GAP = 2.0


@dataclass(frozen=True)
class LegendEntry:
    """One entry: its label, and its mark as a window (`view_box`) onto the drawn legend
    `legend_id`, sized in ems of the chart's own text so mark and label keep their
    proportions."""

    label: str
    legend_id: str
    view_box: str
    width_em: float
    height_em: float


@dataclass(frozen=True)
class ChartLegend:
    """The chart's legends (the states, then the key), each entry in reading order, and the
    legend's share of the SVG: its height as a fraction of the SVG's width."""

    groups: tuple[tuple[LegendEntry, ...], ...]
    share: float


def chart_legend(svg: str) -> ChartLegend | None:
    """The legend drawn in a matplotlib SVG (its `<g id="legend_N">` groups), or None for an
    SVG without one or that is not well-formed XML."""
    start = svg.find("<svg")
    if start < 0 or '<g id="legend_' not in svg:
        return None
    try:
        root = ElementTree.fromstring(svg[start:])
    except ElementTree.ParseError:
        return None
    view_box = [float(n) for n in _NUMBER.findall(root.get("viewBox", ""))]
    if len(view_box) != 4 or view_box[2] <= 0:
        return None
    marks = {
        p.get("id"): _path_extent(p.get("d", "")) for p in root.iter(f"{_SVG}path") if p.get("id")
    }
    legends = [g for g in root.iter(f"{_SVG}g") if g.get("id", "").startswith("legend_")]
    found = [_entries(legend, marks) for legend in legends]
    entries = [entry for group in found for entry in group]
    if not entries:
        return None
    top = min(entry[0] for entry in entries) - _GAP
    _, y, width, height = view_box
    groups = tuple(tuple(e[1] for e in sorted(group, key=lambda e: e[2])) for group in found)
    return ChartLegend(tuple(g for g in groups if g), max(0.0, (y + height - top) / width))


def _entries(
    legend: ElementTree.Element, marks: dict
) -> list[tuple[float, LegendEntry, tuple[float, float]]]:
    """Each entry of one legend group as (its top, the entry, its reading-order key).

    Matplotlib writes an entry as the groups of its mark, then the group of its label.
    """
    entries = []
    pending: list[ElementTree.Element] = []
    for child in legend:
        text = child.find(f"{_SVG}text")
        if text is None:
            pending.append(child)
            continue
        box = _union([_extent(e, marks) for group in pending for e in group.iter()])
        pending = []
        label = "".join(text.itertext()).strip()
        if box is None or not label:
            continue
        size = _font_size(text)
        x0, y0, x1, y1 = box[0] - _PAD, box[1] - _PAD, box[2] + _PAD, box[3] + _PAD
        baseline = float(text.get("y", y1))
        entry = LegendEntry(
            label=label,
            legend_id=legend.get("id", ""),
            view_box=f"{x0:.2f} {y0:.2f} {x1 - x0:.2f} {y1 - y0:.2f}",
            width_em=round((x1 - x0) / size, 3),
            height_em=round((y1 - y0) / size, 3),
        )
        entries.append((min(y0, baseline - size), entry, (round(baseline), x0)))
    return entries


def _extent(element: ElementTree.Element, marks: dict) -> tuple | None:
    """The box (x0, y0, x1, y1) of a path, or of a marker placed by `<use>`."""
    if element.tag == f"{_SVG}path" and not element.get("id"):
        return _path_extent(element.get("d", ""))
    if element.tag == f"{_SVG}use":
        href = next((element.get(h) for h in _HREF if element.get(h)), "")
        mark = marks.get(href.removeprefix("#"))
        if mark is not None:
            x, y = float(element.get("x", 0)), float(element.get("y", 0))
            return (mark[0] + x, mark[1] + y, mark[2] + x, mark[3] + y)
    return None


def _path_extent(d: str) -> tuple | None:
    """The box of a path written, as matplotlib writes it, with absolute coordinates only."""
    numbers = [float(n) for n in _NUMBER.findall(d)]
    if len(numbers) < 2:
        return None
    xs, ys = numbers[0::2], numbers[1::2]
    return (min(xs), min(ys), max(xs), max(ys))


def _union(boxes: list) -> tuple | None:
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _font_size(text: ElementTree.Element) -> float:
    """The label's size in SVG units (matplotlib writes `font-size: 8px`), 8 when unsaid."""
    found = _FONT_SIZE.search(text.get("style", ""))
    return float(found.group(1)) if found and float(found.group(1)) > 0 else 8.0
