"""The briefing's HTML as a reader sees it in Chromium, at a desktop's 1280 px and a phone's
390 px: positions, sizes and lines measured, not pixels compared."""

from __future__ import annotations

import pytest
from conftest import broken_words, headless_chromium

from briefings.build.builder import build_briefing

pytestmark = pytest.mark.slow

WIDTHS = {"phone": 390, "desktop": 1280}

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
    measured = {}
    with headless_chromium() as browser:
        for name, width in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(briefing.resolve().as_uri())
            measured[name] = {
                **page.evaluate(MEASURE),
                "params_broken": broken_words(page, ".bf-params-table"),
            }
            page.close()
    return measured


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
