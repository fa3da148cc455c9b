"""The chart as SVG text: byte-identical for identical input, markers linked to their
table rows and every marked element carrying its tooltip, as plain SVG (no script)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import matplotlib as mpl
from matplotlib.figure import Figure

from briefings.report.chart.style import rc
from briefings.report.chart.text import missing_glyphs_allowed

_SVG_NS = "http://www.w3.org/2000/svg"


def timeline_svg(figure: Figure) -> str:
    """The figure as SVG text, byte-identical for identical input (no date, fixed ids).

    Every numbered marker links to its row of the changes table (`#event-N`) and every
    stretch carries its tooltip, both as plain SVG (`<a>`, `<title>`): no script.
    """
    buffer = io.StringIO()
    with mpl.rc_context(rc()), missing_glyphs_allowed():
        figure.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": None},
            bbox_inches="tight",
            pad_inches=0.04,
        )
    # The drawing code names each marker and stretch by its gid and its tooltip by its label.
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
