"""reports/index.html and the per-briefing status files."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from conftest import fake_build

from briefings.index import builds, read_status, record_attempt, render_index, write_index
from briefings.publish import new_staging
from briefings.spec import load_spec

NOW = datetime(2026, 1, 5, 6, 30, tzinfo=UTC)
HOSTILE = '<img src=x onerror=alert(1)> "quoted" & more'


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
    kept = builds(alpha, spec.reports)
    assert [b.build_id for b in kept] == [second.name, first.name]
    assert [b.current for b in kept] == [True, False]
    # the published build is linked through the stable folder name
    assert kept[0].files == (("HTML", "alpha/briefing.html"), ("PDF", "alpha/briefing.pdf"))
    assert kept[1].files[0] == ("HTML", f"history/alpha/{first.name}/briefing.html")


def test_the_index_lists_every_briefing_with_status_links_and_history(tmp_path):
    spec = load_spec(make_spec(tmp_path))
    alpha = spec.briefings[0]
    fake_build(alpha.out, "2026-01-05T06:00:00+00:00")
    record_attempt(
        spec.reports,
        "alpha",
        {"status": "failed", "at": "2026-01-12T06:00:00+00:00", "reason": HOSTILE},
    )
    path = write_index(spec, now=NOW)
    assert path == tmp_path / "reports" / "index.html"
    html = path.read_text(encoding="utf-8")
    assert html == render_index(spec, now=NOW)  # deterministic
    assert 'id="alpha"' in html and 'id="beta"' in html
    assert '<a href="alpha/briefing.html">HTML</a> <a href="alpha/briefing.pdf">PDF</a>' in html
    assert '<span class="bf-status-failed">failed</span> 2026-01-12T06:00:00+00:00' in html
    assert "not built yet" in html  # beta
    assert "Index written 2026-01-05 06:30 UTC" in html
    # self-contained, and data text stays text
    assert "<img" not in html and "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; more" in html


def test_every_link_in_the_index_resolves(tmp_path):
    spec = load_spec(make_spec(tmp_path))
    for briefing in spec.briefings:
        fake_build(briefing.out, "2026-01-05T06:00:00+00:00", formats=briefing.formats)
        fake_build(briefing.out, "2026-01-06T06:00:00+00:00", formats=briefing.formats)
    html = write_index(spec, now=NOW).read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', html)
    assert len(links) == 2 * 3 + 1 * 3  # alpha: latest + 2 kept, HTML and PDF; beta: HTML
    for link in links:
        assert (spec.reports / link).is_file(), link
