"""The chart's legend as the page reads it back from the SVG (report/chart_legend.py), on the
real chart of the shipped dataset; how a phone shows it is measured in test_reading.py."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import nbformat
import pytest

from briefings.data.params import prepare
from briefings.report.chart import chart_claims, draw_timeline, timeline_svg
from briefings.report.chart_legend import chart_legend
from briefings.report.claims import View
from briefings.report.render import notebook_to_html

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def svg() -> str:
    """The shipped briefing's chart, as the notebook's chart cell writes it."""
    view = View.of(*reversed(prepare({})))
    inputs = (view.table, view.markers, view.dataset, view.params.start, view.params.end)
    return timeline_svg(draw_timeline(*inputs, claims=chart_claims(view)))


def legend_texts(svg: str) -> dict[str, list[tuple[str, float, float]]]:
    """Each legend group's labels with their x and baseline, as drawn."""
    root = ET.fromstring(svg)
    return {
        g.get("id"): [
            ("".join(t.itertext()).strip(), float(t.get("x")), float(t.get("y")))
            for t in g.iter(f"{SVG_NS}text")
        ]
        for g in root.iter(f"{SVG_NS}g")
        if g.get("id", "").startswith("legend_")
    }


def windows(entries) -> list[tuple[float, float, float, float]]:
    return [tuple(float(n) for n in e.view_box.split()) for e in entries]


def test_every_label_of_the_drawn_legend_is_an_entry_in_reading_order(svg):
    legend = chart_legend(svg)
    drawn = legend_texts(svg)
    assert [e.legend_id for g in legend.groups for e in g] == [
        gid for gid, texts in drawn.items() for _ in texts
    ]
    for group, texts in zip(legend.groups, drawn.values(), strict=True):
        by_rows = [label for label, x, y in sorted(texts, key=lambda t: (round(t[2]), t[1]))]
        assert [e.label for e in group] == by_rows
    labels = [e.label for g in legend.groups for e in g]
    assert "Active" in labels and "contested" in labels


def test_each_window_shows_its_own_mark_and_no_text(svg):
    """A window ends left of its label, holds a mark of some size, and overlaps no other:
    through it a reader sees that entry's mark alone."""
    legend = chart_legend(svg)
    drawn = {label: x for texts in legend_texts(svg).values() for label, x, _ in texts}
    for group in legend.groups:
        boxes = windows(group)
        for entry, (x, _, w, h) in zip(group, boxes, strict=True):
            assert x + w < drawn[entry.label], entry
            assert 4 <= w <= 30 and 4 <= h <= 30, entry
            assert entry.width_em == pytest.approx(w / 8, abs=0.01)  # the chart's 8 px text
        for i, (x, y, w, h) in enumerate(boxes):
            for x2, y2, w2, h2 in boxes[i + 1 :]:
                assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y


def test_the_share_clips_the_legend_and_nothing_above_it(svg):
    """The bottom `share` of the SVG (a fraction of its width) holds every legend label, top
    to baseline, and no other text: the axis's years stay in the scrolling box."""
    legend = chart_legend(svg)
    root = ET.fromstring(svg)
    _, top, width, height = (float(n) for n in root.get("viewBox").split())
    clip = top + height - legend.share * width
    in_legend = {
        id(t)
        for g in root.iter(f"{SVG_NS}g")
        if g.get("id", "").startswith("legend_")
        for t in g.iter(f"{SVG_NS}text")
    }
    others = [t for t in root.iter(f"{SVG_NS}text") if id(t) not in in_legend]
    assert in_legend and others
    for text in root.iter(f"{SVG_NS}text"):
        baseline = float(text.get("y"))
        if id(text) in in_legend:
            assert baseline - 8 > clip, text.text  # 8 px: the chart's text
        else:
            assert baseline < clip, text.text
    assert "2018" in {"".join(t.itertext()) for t in others}


@pytest.mark.parametrize(
    "svg",
    [
        "",
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><g id="legend_1">',
    ],
    ids=["empty", "no legend", "not well-formed"],
)
def test_no_legend_read_from_other_svg(svg):
    assert chart_legend(svg) is None


def test_labels_reach_the_page_escaped():
    """A label is data (a state's name): on the page it is text, never markup."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100pt" height="50pt" viewBox="0 0 100 50">'
        '<g id="legend_1"><g id="patch_1"><path d="M 5 40 L 15 40 L 15 35 L 5 35 z"/></g>'
        '<g id="text_1"><text style="font-size: 8px" x="20" y="40">&lt;b&gt;On&lt;/b&gt;</text>'
        "</g></g></svg>"
    )
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("briefing.chart()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/svg+xml": svg})]
    nb.cells = [cell]
    html = notebook_to_html(nb, title="T", marking="M")
    assert '<use href="#legend_1"/></svg>&lt;b&gt;On&lt;/b&gt;</li>' in html
    # From the top of the label (baseline 40, 8 px) less a 2 px gap, to the foot: 20 of 100.
    assert '<div class="bf-chart" style="--bf-legend-share: 0.2000">' in html
