"""The briefing's HTML as a reader sees it in Chromium, at a desktop's 1280 px and a phone's
390 px: positions, sizes and lines measured, not pixels compared."""

from __future__ import annotations

import pytest
from conftest import WIDTHS, broken_words, measured_at_widths

from briefings.build.builder import build_briefing

pytestmark = pytest.mark.slow

LEGEND = ".celltag_chart .bf-chart"

# The boxes a reader's eye goes to: the chart, its scroll box and legend, the wide tables.
MEASURE = """() => {
  const box = (selector) => {
    const el = document.querySelector(selector);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width,
            height: r.height, scrollWidth: el.scrollWidth, clientWidth: el.clientWidth};
  };
  const lane = [...document.querySelectorAll('.celltag_chart svg text')]
    .find((t) => t.textContent.trim() === 'Security assistance');
  return {
    page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
    chart: box('.celltag_chart svg'),
    changes: box('.bf-changes-table'),
    laneLabel: lane ? lane.getBoundingClientRect().height : null,
    names: [...document.querySelectorAll('.bf-params-table tbody th')]
      .map((th) => [th.textContent, th.getClientRects().length,
                    th.querySelector('code').getClientRects().length]),
    scroller: box('.celltag_chart .output_svg'),
    svgLegend: box('.celltag_chart svg g[id^="legend_"]'),
    cue: box('.celltag_chart .bf-chart-cue'),
    // Each entry of the legend as text: its box, its lines, whether it sits in the
    // scrolling box, and the size of its mark and whether that mark's drawing exists.
    legend: [...document.querySelectorAll('.celltag_chart .bf-legend li')].map((li) => {
      const r = li.getBoundingClientRect();
      const mark = li.querySelector('svg').getBoundingClientRect();
      const use = li.querySelector('use');
      return {label: li.textContent, left: r.left, right: r.right, top: r.top,
              lines: new Set([...li.getClientRects()].map((q) => Math.round(q.top))).size,
              scrolls: li.closest('.output_svg') !== null,
              mark: [mark.width, mark.height],
              drawn: document.querySelector(use.getAttribute('href')) !== null};
    }),
  };
}"""


@pytest.fixture(scope="module")
def briefing(tmp_path_factory):
    """The default briefing's HTML, built once."""
    out = tmp_path_factory.mktemp("reading") / "briefing"
    result = build_briefing({"build_date": "2026-11-25"}, formats=("html",), out=out)
    return result.out_dir / "briefing.html"


@pytest.fixture(scope="module")
def pages(briefing):
    """Measurements and the broken words of the parameters table, at each width."""
    return measured_at_widths(
        briefing,
        lambda page: {
            **page.evaluate(MEASURE),
            "params_broken": broken_words(page, ".bf-params-table"),
            "legend_broken": page.query_selector(LEGEND) and broken_words(page, LEGEND),
        },
    )


def test_on_a_desktop_the_chart_is_as_wide_as_the_tables(pages):
    """Held to the text column (714 px) the chart's 8 pt text was read at 10.6 px."""
    desktop = pages["desktop"]
    chart, changes = desktop["chart"], desktop["changes"]
    assert abs(chart["width"] - changes["width"]) <= 2, (chart, changes)
    assert abs(chart["left"] - changes["left"]) <= 2, (chart, changes)
    assert desktop["laneLabel"] >= 12, desktop
    assert desktop["page"][0] <= desktop["page"][1]


def test_on_a_phone_parameter_names_stay_whole(pages):
    """In a column a fifth of the phone wide, 'min_reliability' broke letter by letter."""
    phone = pages["phone"]
    assert phone["names"], phone
    for name, lines, code_lines in phone["names"]:
        assert (lines, code_lines) == (1, 1), name
    assert phone["params_broken"] == [], phone["params_broken"]
    assert phone["page"][0] <= phone["page"][1]


def test_on_a_phone_the_legend_wraps_below_the_scrolling_chart(pages):
    """The chart scrolled sideways with its legend inside, cut mid-word ('Pendin'), and
    nothing said that it scrolled."""
    phone = pages["phone"]
    scroller, cue, legend = phone["scroller"], phone["cue"], phone["legend"]
    assert scroller["scrollWidth"] > scroller["clientWidth"], scroller  # it does scroll
    assert cue["height"] > 0 and cue["top"] >= scroller["bottom"] - 1, (cue, scroller)
    # The SVG's own legend is clipped off the bottom of the scrolling box...
    assert phone["svgLegend"]["top"] >= scroller["bottom"] - 1, (phone["svgLegend"], scroller)
    # ...and shown below it, every entry whole, on one line, inside the screen.
    labels = [entry["label"] for entry in legend]
    assert "Active" in labels and "contested" in labels, labels
    for entry in legend:
        assert not entry["scrolls"], entry
        assert entry["top"] >= cue["bottom"] - 1, entry
        assert entry["left"] >= 0 and entry["right"] <= WIDTHS["phone"], entry
        assert entry["lines"] == 1 or " " in entry["label"], entry
        assert entry["drawn"] and min(entry["mark"]) >= 8, entry
    assert phone["legend_broken"] == [], phone["legend_broken"]
    assert phone["page"][0] <= phone["page"][1]


def test_on_a_desktop_the_chart_keeps_its_own_legend(pages):
    """Nothing scrolls at 1280 px: the SVG's legend shows inside the chart's box, and the
    legend as text and the cue are for phones only."""
    desktop = pages["desktop"]
    scroller, svg_legend = desktop["scroller"], desktop["svgLegend"]
    assert scroller["scrollWidth"] <= scroller["clientWidth"], scroller
    assert scroller["top"] <= svg_legend["top"] and svg_legend["bottom"] <= scroller["bottom"]
    assert desktop["cue"]["height"] == 0
    assert all(entry["mark"] == [0, 0] for entry in desktop["legend"])
