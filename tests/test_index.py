"""reports/index.html and the per-briefing status files."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

from conftest import fake_build

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
    assert links == "HTML PDF"
    assert '<a href="alpha/briefing.html">HTML</a> <a href="alpha/briefing.pdf">PDF</a>' in html
    assert rows[1][1:4] == ["never built", "never built", "at the next run (never built)"]
    assert "Written Mon 5 Jan 2026, 06:30 UTC from briefings.yaml: 2 briefings." in html
    assert '<link rel="alternate" type="application/atom+xml"' in html
    # self-contained, and data text stays text
    assert "<img" not in html and "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "&lt;img src=x onerror=alert(1)&gt; &#34;quoted&#34; &amp; more" in html


def test_a_built_attempt_shows_no_reason(tmp_path):
    """It used to read 'Last attempt built … – never built'."""
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
    status = table_rows(render_index(spec, now=NOW))[0][1]
    assert status == "built Mon 5 Jan 2026, 06:00 UTC"


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
