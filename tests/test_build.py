"""End to end: the real notebook executed by papermill, rendered to HTML and PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import WIDTHS, fake_build, headless_chromium, measured_at_widths, start_tags
from pypdf import PdfReader

from briefings.build import builder as build
from briefings.build import fingerprint, publish
from briefings.build.builder import _published_request, build_briefing, default_slug
from briefings.build.folder import FORMATS, BuildFolder
from briefings.build.kernels import pool as kernels
from briefings.build.publish import history_dir
from briefings.cli import main
from briefings.data.dataset import load_dataset
from briefings.data.params import prepare, request_parameters
from briefings.exceptions import BuildError
from briefings.paths import briefing_notebook, default_dataset

pytestmark = pytest.mark.slow

FIXED = {"build_date": "2026-11-25"}
TRACK_LABELS = [t.label for t in load_dataset(default_dataset()).tracks]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One default briefing, built once for the checks below."""
    out = tmp_path_factory.mktemp("reports") / "briefing"
    return build_briefing(FIXED, out=out)


def test_every_output_is_published(built):
    names = {p.name for p in built.out_dir.iterdir()}
    assert {
        "briefing.html",
        "briefing.pdf",
        "briefing.ipynb",
        "timeline.svg",
        "states.csv",
        "manifest.json",
    } <= names
    assert built.out_dir.is_symlink()
    manifest = BuildFolder(built.out_dir).read_manifest()
    assert manifest == built.manifest
    assert manifest.parameters["start"] == "2018-01-01"
    assert set(manifest.timings) >= {"execute", "html", "pdf", "total"}
    assert manifest.versions["papermill"]
    assert manifest.formats == ("html", "pdf")
    assert manifest.digest.bottom_line and manifest.digest.changed is None
    assert {*manifest.outputs, "manifest.json"} == {
        str(p.relative_to(built.out_dir))
        for p in built.out_dir.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def test_pdf_text_metadata_and_pages(built):
    reader = PdfReader(built.out_dir / "briefing.pdf")
    assert len(reader.pages) >= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    text = re.sub(r"\s+", " ", text)
    assert "US–Pakistan security assistance" in text
    for label in TRACK_LABELS:
        assert label in text, label
    for key_date in ("Jan 2018", "Aug 2018", "3 Jan 2020", "Oct 2020"):
        assert key_date in text, key_date
    assert reader.metadata.title.startswith("US–Pakistan security assistance")


def test_html_is_self_contained_with_the_chart_and_no_code(built):
    html = (built.out_dir / "briefing.html").read_text(encoding="utf-8")
    elements = start_tags(html)
    tags = [t for t, _ in elements]
    assert "svg" in tags
    assert "script" not in tags
    for tag, attrs in elements:
        for name in ("src", "href"):
            assert not str(attrs.get(name, "")).startswith(("http:", "https:", "//")), (tag, attrs)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "Briefing.prepare" not in html and "briefing.chart()" not in html
    assert "In&nbsp;[" not in html and "In [" not in html
    assert "previous_states =" not in html  # the injected parameters cell is gone


def test_state_table_and_svg_match_the_state_model(built):
    states = (built.out_dir / "states.csv").read_text()
    assert "security_assistance,suspended,2018-01-01," in states
    svg = (built.out_dir / "timeline.svg").read_text()
    assert svg.lstrip().startswith(("<?xml", "<svg"))
    assert "Security assistance" in svg


def test_same_inputs_give_identical_outputs(built, tmp_path):
    again = build_briefing(FIXED, out=tmp_path / "again")
    # The executed notebook too: papermill's and nbclient's run times are left out of it.
    # The PDF too: its date is the build date, its fonts Typst's own and the package's.
    for name in ("briefing.html", "briefing.pdf", "briefing.ipynb", "timeline.svg", "states.csv"):
        assert (again.out_dir / name).read_bytes() == (built.out_dir / name).read_bytes(), name


def test_unchanged_inputs_are_not_rebuilt(built):
    again = build_briefing(FIXED, out=built.out_dir)
    assert again.cached
    assert again.build_dir == built.build_dir


def test_an_upgraded_library_misses_the_cache(built, monkeypatch):
    assert built.manifest.versions == fingerprint.library_versions()
    notebook = briefing_notebook()
    request = request_parameters(FIXED, notebook=notebook)
    assert _published_request(request, FORMATS, built.out_dir, notebook, False) is not None
    upgraded = {**fingerprint.library_versions(), "typst": "999.0"}
    monkeypatch.setattr(fingerprint, "library_versions", lambda: upgraded)
    assert _published_request(request, FORMATS, built.out_dir, notebook, False) is None


def test_headless_chromium_renders_offline_with_no_failed_request(built):
    requests, failed, errors = [], [], []
    with headless_chromium() as browser:
        page = browser.new_context(offline=True).new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((built.out_dir / "briefing.html").resolve().as_uri())
        assert page.locator("svg").count() >= 1
        assert page.locator("svg").first.bounding_box()["width"] > 300
        assert "Bottom line" in page.inner_text("body")
    assert failed == [] and errors == []
    assert all(url.startswith("file:") for url in requests), requests


def _headings(html: str) -> list[str]:
    return re.findall(r"<h2[^>]*>(.*?)</h2>", html)


def test_the_assessment_prints_after_the_bottom_line_only_once_written(built, tmp_path):
    """The shipped notebook's assessment is empty and left out; one the analyst writes and
    saves is built, right after the bottom line."""
    shipped = (built.out_dir / "briefing.html").read_text(encoding="utf-8")
    assert _headings(shipped)[:2] == ["Bottom line up front", "Timeline of states"]
    assert "Assessment" not in _headings(shipped)
    notebook = nbformat.read(briefing_notebook(), as_version=4)
    (cell,) = [c for c in notebook.cells if "assessment" in c.metadata.get("tags", ())]
    cell.source += "\n\nThe freeze is likely to *outlast* the window & the pact's renewal."
    saved = tmp_path / "briefing.ipynb"
    nbformat.write(notebook, saved)
    result = build_briefing(FIXED, out=tmp_path / "assessed", notebook=saved, formats=("html",))
    html = (result.out_dir / "briefing.html").read_text(encoding="utf-8")
    assert _headings(html)[:3] == ["Bottom line up front", "Assessment", "Timeline of states"]
    assert "The freeze is likely to <em>outlast</em> the window &amp; the pact" in html


def _broken_notebook(tmp_path: Path) -> Path:
    notebook = nbformat.read(briefing_notebook(), as_version=4)
    bad = nbformat.v4.new_code_cell("raise RuntimeError('deliberately broken cell')")
    notebook.cells.insert(4, bad)
    path = tmp_path / "broken.ipynb"
    nbformat.write(notebook, path)
    return path


def _published_copy(built, out: Path) -> Path:
    """The module's build published again at `out`, through the real mechanism: a test
    that rebuilds a name gets its own, and the module's stays as the other tests expect."""
    staging = publish.new_staging(out)
    shutil.copytree(built.build_dir, staging, dirs_exist_ok=True)
    publish.publish(staging, out, keep=None)
    return out


def test_failing_cell_is_named_and_the_last_good_briefing_kept(built, tmp_path):
    out = _published_copy(built, tmp_path / "reports" / "briefing")
    before = (out / "briefing.html").read_bytes()
    failed = out.with_name("briefing.failed.ipynb")
    victim = tmp_path / "victim.txt"  # a link planted where the failed notebook is kept
    victim.write_text("precious\n")
    failed.symlink_to(victim)
    with pytest.raises(BuildError) as caught:
        build_briefing(FIXED, out=out, force=True, notebook=_broken_notebook(tmp_path))
    message = str(caught.value)
    # numbered as in the notebook the analyst edits (not papermill's copy)
    assert "cell 5 " in message and "RuntimeError: deliberately broken cell" in message
    assert (out / "briefing.html").read_bytes() == before
    assert failed.is_file() and not failed.is_symlink()
    assert victim.read_text() == "precious\n"
    assert not list(history_dir(out).glob(".staging-*"))
    # the next good build of the name clears it
    build_briefing(FIXED, out=out, force=True)
    assert not failed.exists()


def test_experiments_publish_under_a_name_derived_from_their_parameters(small_dataset):
    names = {
        default_slug(*prepare({"data_dir": str(small_dataset), **raw}))
        for raw in ({}, {"title": "Another title"}, {"marking": "SECRET"})
    }
    assert names == {"small"}  # wording is not content: the same briefing
    for raw, name in [
        ({"min_reliability": "C"}, "small-min-reliability-c"),
        ({"tracks": "mood"}, "small-tracks-mood"),
        ({"tracks": "aid,mood"}, "small"),
        ({"start": "2020-06-01"}, "small-2020-06-01-to-2021-12-31"),
        ({"as_of": "2022-03-01"}, "small-as-of-2022-03-01"),
    ]:
        assert default_slug(*prepare({"data_dir": str(small_dataset), **raw})) == name, raw


def test_a_preview_goes_to_a_scratch_folder_and_leaves_the_published_briefing(
    small_dataset, tmp_path, monkeypatch, capsys
):
    reports = tmp_path / "reports"
    monkeypatch.setattr(build, "reports_dir", lambda: reports)
    fake_build(reports / "small", "2026-11-24T06:00:00+00:00")
    args = ["build", "--data", str(small_dataset), "-p", "build_date", "2026-11-25"]
    published = {p.name: p.read_bytes() for p in (reports / "small").iterdir() if p.is_file()}
    capsys.readouterr()
    assert main([*args, "--preview", "-p", "title", "Trying a new title"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(reports / "small.preview" / "briefing.html")]
    assert "Trying a new title" in Path(printed[0]).read_text(encoding="utf-8")
    after = {p.name: p.read_bytes() for p in (reports / "small").iterdir() if p.is_file()}
    assert after == published and "briefing.pdf" in after
    assert (reports / "small.preview" / "manifest.json").is_file()
    with pytest.raises(SystemExit) as usage:  # a preview has its own place
        main([*args, "--preview", "--out", str(tmp_path / "x")])
    assert usage.value.code == 2


def test_cli_bad_parameter_writes_nothing(tmp_path):
    out = tmp_path / "never"
    result = subprocess.run(
        [sys.executable, "-m", "briefings", "build", "--out", str(out), "-p", "end", "2023-02-30"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: parameter 'end': '2023-02-30' is not a date (use YYYY-MM-DD)"
    )
    assert not out.exists() and not (tmp_path / "history").exists()


def test_cache_hit_answers_before_pandas_is_imported(built):
    code = (
        "import sys; from pathlib import Path; from briefings.build.builder import build_briefing; "
        f"r = build_briefing({FIXED!r}, out=Path({str(built.out_dir)!r})); "
        "print(r.cached, 'pandas' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == ["True", "False"]


# --- reading: phone and desktop widths, chart links and tooltips, the first PDF page ---------


@pytest.fixture(scope="module")
def layouts(built):
    """Measurements of the built briefing in Chromium at a phone's and a desktop's width."""
    return measured_at_widths(
        built.out_dir / "briefing.html",
        lambda page: page.evaluate(
            """() => {
          const box = (el) => el ? el.getBoundingClientRect() : null;
          const head = (table, n) =>
            box(document.querySelector(`.${table} thead th:nth-child(${n})`));
          const label = [...document.querySelectorAll('svg text')]
            .find((t) => t.textContent.trim() === 'Security assistance');
          return {
            scroll: document.documentElement.scrollWidth,
            client: document.documentElement.clientWidth,
            what: head('bf-changes-table', 5)?.width,
            credibility: head('bf-changes-table', 7)?.width,
            notes: head('bf-sources-table', 6)?.width,
            card: box(document.querySelector('.bf-changes-table td.bf-what')).width,
            table: box(document.querySelector('.bf-changes-table')).width,
            labelHeight: box(label).height,
          };
        }"""
        ),
    )


@pytest.mark.parametrize("name", WIDTHS)
def test_no_page_level_horizontal_scroll(layouts, name):
    assert layouts[name]["scroll"] <= layouts[name]["client"], layouts[name]


def test_desktop_columns_fit_their_content(layouts):
    desktop = layouts["desktop"]
    assert desktop["what"] >= 300, desktop  # was about 130 px: 10-15 lines a cell
    assert desktop["credibility"] <= 130, desktop  # one digit under an unbroken heading
    assert desktop["notes"] >= 250, desktop


def test_phone_reads_tables_as_cards_and_the_chart_at_a_legible_size(layouts):
    phone = layouts["phone"]
    assert phone["card"] >= phone["table"] - 20, phone  # each field takes the card's width
    assert phone["labelHeight"] >= 9, phone  # was about 5.5 px


def test_chart_markers_link_to_table_rows_and_stretches_have_tooltips(built):
    states = (built.out_dir / "states.csv").read_text(encoding="utf-8").splitlines()[1:]
    with headless_chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto((built.out_dir / "briefing.html").resolve().as_uri())
        links = page.evaluate(
            """() => [...document.querySelectorAll('svg a')].map((a) => [
                  a.getAttribute('href'),
                  !!document.getElementById(a.getAttribute('href').slice(1)),
                  a.querySelector('title')?.textContent])"""
        )
        stretches = page.evaluate(
            """() => [...document.querySelectorAll('svg g[id^="stretch-"] > title')]
                  .map((t) => t.textContent)"""
        )
        assert page.locator("svg script").count() == 0
        page.locator("svg a[href='#event-1']").click()
        assert page.evaluate("location.hash") == "#event-1"
        row = page.locator("#event-1").bounding_box()
        assert 0 <= row["y"] < 900  # scrolled to its row
    assert links and all(href.startswith("#event-") and found for href, found, _ in links)
    assert all(title and title.startswith("No") for _, _, title in links)
    first = (
        "No. 1, Jan 2018: security assistance becomes suspended (Reuters via a Pakistani site, "
        "about 4 Jan 2020, B; Islamic Invitation Turkey, 11 Jan 2018, D)"
    )
    assert ("#event-1", True, first) in [tuple(link) for link in links]
    assert len(stretches) == len(states)
    assert all("Sources: " in title for title in stretches)
    assert any(t.startswith("IMET (military training): suspended from Aug 2018") for t in stretches)


def test_first_pdf_page_holds_title_bottom_line_and_chart(built):
    first = PdfReader(built.out_dir / "briefing.pdf").pages[0].extract_text()
    first = re.sub(r"\s+", " ", first)
    assert "US–Pakistan security assistance" in first
    assert "Bottom line up front" in first
    assert "Timeline of states" in first
    assert "Security assistance" in first and "2023" in first
    text = " ".join(p.extract_text() for p in PdfReader(built.out_dir / "briefing.pdf").pages)
    assert "quantity 66" not in text


def test_a_pooled_build_equals_a_cold_one(built, tmp_path, monkeypatch):
    """A kernel forked from a scheduled run's template changes no byte."""
    forked = []
    start = kernels.start_kernel

    def start_and_note(*args, **kwargs):
        kernel = start(*args, **kwargs)
        forked.append(getattr(kernel.manager.provisioner, "child", None) is not None)
        return kernel

    monkeypatch.setattr(kernels, "start_kernel", start_and_note)
    kernels.open_pool(briefing_notebook().parent, kernels.unclaimed_counter(1))
    try:
        pooled = build_briefing(FIXED, out=tmp_path / "pooled")
    finally:
        kernels.close_pool()
    assert forked == [True], "the build did not run on a kernel forked from the template"
    for name in ("briefing.html", "briefing.pdf", "timeline.svg", "states.csv"):
        assert (pooled.build_dir / name).read_bytes() == (built.build_dir / name).read_bytes(), name


def test_the_digest_leaves_matplotlib_out_of_the_build_process() -> None:
    # The kernel draws the chart; the build process only needs the bottom line's text.
    code = (
        "import sys\n"
        "from briefings.report.digest import build_digest\n"
        "from briefings.data.params import prepare\n"
        "assert build_digest(*prepare({})).bottom_line\n"
        "assert 'matplotlib' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
