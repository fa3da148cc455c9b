"""reports/index.html and the per-briefing status files."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

from conftest import broken_words, fake_build, headless_chromium

from briefings.build.publish import new_staging
from briefings.deliver.feed import write_feed
from briefings.deliver.published import builds
from briefings.schedule.index import render_index, write_index
from briefings.schedule.spec import load_spec
from briefings.schedule.status import read_status, record_attempt

NOW = datetime(2026, 1, 5, 6, 30, tzinfo=UTC)
HOSTILE = '<img src=x onerror=alert(1)> "quoted" & more'


BOTTOM = "Aid was off at the end of 2021. It had been off since 2020."


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.rows.append([])
        elif tag in ("td", "th") and self.in_body:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data + " ")


def table_rows(html: str) -> list[list[str]]:
    """The text of each cell of the index table's body, row by row."""
    parser = _Cells()
    parser.feed(html)
    return parser.rows


def make_spec(tmp_path: Path) -> Path:
    path = tmp_path / "briefings.yaml"
    path.write_text(
        "briefings:\n"
        "  alpha:\n"
        f"    description: '{HOSTILE}'\n"
        '    cron: "0 6 * * 1"\n'
        "  beta:\n"
        '    cron: "@daily"\n'
        "    formats: [html]\n",
        encoding="utf-8",
    )
    return path


def test_status_records_the_last_attempt_and_keeps_the_last_success(tmp_path):
    built = {"status": "built", "at": "2026-01-05T06:00:00+00:00", "build": "b1", "reason": "x"}
    failed = {"status": "failed", "at": "2026-01-12T06:00:00+00:00", "build": None, "reason": "y"}
    record_attempt(tmp_path, "alpha", built)
    status = record_attempt(tmp_path, "alpha", failed)
    assert status["last_attempt"] == failed and status["last_success"] == built
    assert read_status(tmp_path, "alpha") == status
    assert read_status(tmp_path, "nobody") == {}
    # written by rename: no temporary file is left beside it
    assert [p.name for p in (tmp_path / ".status").iterdir()] == ["alpha.json"]


def test_an_unreadable_status_counts_as_none(tmp_path):
    (tmp_path / ".status").mkdir()
    (tmp_path / ".status" / "alpha.json").write_text("{not json")
    assert read_status(tmp_path, "alpha") == {}


def test_history_lists_complete_builds_newest_first(tmp_path):
    spec = load_spec(make_spec(tmp_path))
    alpha = spec.briefings[0]
    first = fake_build(alpha.out, "2026-01-05T06:00:00+00:00")
    second = fake_build(alpha.out, "2026-01-12T06:00:00+00:00")
    (new_staging(alpha.out) / "briefing.html").write_text("half")  # a build in progress
    kept = builds(alpha.out, spec.reports)
    assert [b.build_id for b in kept] == [second.name, first.name]
    assert [b.current for b in kept] == [True, False]
    # the published build is linked through the stable folder name
    assert kept[0].files == (("HTML", "alpha/briefing.html"), ("PDF", "alpha/briefing.pdf"))
    assert kept[1].files[0] == ("HTML", f"history/alpha/{first.name}/briefing.html")


def test_the_index_is_a_table_with_status_times_next_due_bottom_line_and_links(tmp_path):
    spec = load_spec(make_spec(tmp_path))
    alpha = spec.briefings[0]
    fake_build(alpha.out, "2026-01-05T06:00:00+00:00", bottom_line=(BOTTOM,))
    record_attempt(
        spec.reports,
        "alpha",
        {
            "status": "failed",
            "at": "2026-01-12T06:00:00+00:00",
            "finished": "2026-01-12T06:03:10+00:00",
            "reason": HOSTILE,
        },
    )
    path = write_index(spec, now=NOW)
    assert path == tmp_path / "reports" / "index.html"
    html = path.read_text(encoding="utf-8")
    assert html == render_index(spec, now=NOW)  # deterministic
    rows = table_rows(html)
    assert [r[0].split()[0] for r in rows] == ["alpha", "beta"]
    _, status, latest, due, bottom, links = rows[0]
    # the attempt time is when it ended; readable, with UTC said
    assert status.startswith("failed Mon 12 Jan 2026, 06:03 UTC " + HOSTILE)
    assert latest == "Mon 5 Jan 2026, 06:00 UTC"
    assert due == "Mon 12 Jan 2026, 06:00 UTC"  # the next Monday 06:00 after the build
    assert bottom == "Aid was off at the end of 2021."  # the first sentence only
    # each link named for its briefing, so a list of the page's links tells them apart
    assert links == "HTML of alpha PDF of alpha"
    assert '<a href="alpha/briefing.html">HTML<span class="bf-hidden"> of alpha</span></a>' in html
    assert rows[1][1:4] == ["never built", "never built", "at the next run (never built)"]
    assert "Written Mon 5 Jan 2026, 06:30 UTC from briefings.yaml: 2 briefings." in html
    assert '<link rel="alternate" type="application/atom+xml"' in html
    # self-contained, and data text stays text
    assert "<img" not in html and "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "&lt;img src=x onerror=alert(1)&gt; &#34;quoted&#34; &amp; more" in html


def test_a_built_attempt_shows_no_reason_nor_again_the_time_of_its_build(tmp_path):
    """It used to read 'Last attempt built … – never built', then 'built' with the time
    the next column shows."""
    spec = load_spec(make_spec(tmp_path))
    build = fake_build(spec.briefings[0].out, "2026-01-05T06:00:00+00:00")
    attempt = {
        "status": "built",
        "at": "2026-01-05T06:00:00+00:00",
        "finished": "2026-01-05T06:00:09+00:00",
        "reason": "never built",
        "build": build.name,
    }
    record_attempt(spec.reports, "alpha", attempt)
    status, latest = table_rows(render_index(spec, now=NOW))[0][1:3]
    assert (status, latest) == ("built", "Mon 5 Jan 2026, 06:00 UTC")


def test_every_link_in_the_index_resolves(tmp_path):
    spec = load_spec(make_spec(tmp_path))
    for briefing in spec.briefings:
        fake_build(briefing.out, "2026-01-05T06:00:00+00:00", formats=briefing.formats)
        fake_build(briefing.out, "2026-01-06T06:00:00+00:00", formats=briefing.formats)
    html = write_index(spec, now=NOW).read_text(encoding="utf-8")
    write_feed(spec.catalogue)
    links = re.findall(r'href="([^"]+)"', html)
    # the feed (head and text); alpha: latest + 1 older, HTML and PDF; beta: the same, HTML
    assert len(links) == 2 + 2 * 2 + 2 * 1
    for link in links:
        assert (spec.reports / link).is_file(), link


# --- read in Chromium: cards on a phone, a table on a desktop ------------------------------

# The boxes of the page, its table's head and each row's card and links.
MEASURE_INDEX = """() => {
  const box = (el) => el.getBoundingClientRect();
  return {
    page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
    scroller: [document.querySelector('.bf-scroll').scrollWidth,
               document.querySelector('.bf-scroll').clientWidth],
    head: getComputedStyle(document.querySelector('.bf-index thead')).display,
    rows: [...document.querySelectorAll('.bf-index tbody tr')].map((row) => ({
      height: box(row).height,
      top: box(row).top,
      links: [...row.querySelectorAll('.bf-links > a')].map((a) => [box(a).left, box(a).right,
                                                                  box(a).top]),
    })),
  };
}"""


def _thirteen(tmp_path: Path) -> Path:
    """A schedule like the shipped one: long names, long descriptions, one failed attempt."""
    known = "What the sources published by 31 December {} showed."
    entries = [(f"as-known-{year}-12-31", known.format(year)) for year in range(2018, 2024)]
    entries += [
        (f"year-{year}", f"The year {year} only, with every source.") for year in range(2018, 2025)
    ]
    text = "briefings:\n" + "".join(
        f"  {name}:\n    description: {about}\n    cron: '0 5 1 * *'\n" for name, about in entries
    )
    spec = load_spec(_written(tmp_path / "briefings.yaml", text))
    for briefing in spec.briefings[:-1]:
        fake_build(briefing.out, "2026-01-05T06:00:00+00:00", bottom_line=(BOTTOM * 3,))
    record_attempt(
        spec.reports,
        spec.briefings[0].name,
        {"status": "failed", "finished": "2026-01-12T06:03:10+00:00", "reason": "cell 3 failed"},
    )
    return write_index(spec, now=NOW)


def _written(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _measure(index: Path, width: int) -> dict:
    with headless_chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(index.as_uri())
        return {**page.evaluate(MEASURE_INDEX), "broken": broken_words(page, ".bf-index tbody")}


def test_on_a_phone_each_briefing_is_a_card_that_fits(tmp_path):
    measured = _measure(_thirteen(tmp_path), 390)
    assert measured["page"][0] <= measured["page"][1], measured["page"]
    assert measured["scroller"][0] <= measured["scroller"][1], measured["scroller"]
    assert measured["head"] == "none"
    assert measured["broken"] == []  # was: names and months broken mid-word
    assert len(measured["rows"]) == 13
    for row in measured["rows"][:-1]:
        assert row["height"] < 420, row  # was about 500 px
        assert [len(row["links"])] == [2], row
        for left, right, top in row["links"]:  # was off-screen to the right
            assert left >= 0 and right <= 390 and row["top"] < top < row["top"] + 160, row


def test_on_a_desktop_the_index_is_a_table_of_whole_words(tmp_path):
    measured = _measure(_thirteen(tmp_path), 1280)
    assert measured["page"][0] <= measured["page"][1]
    assert measured["head"] == "table-header-group"
    assert measured["broken"] == []
    assert all(row["height"] < 200 for row in measured["rows"]), measured["rows"]
