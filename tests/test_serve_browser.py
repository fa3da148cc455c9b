"""`briefings serve` in Chromium, building for real: a reader orders a view from the form and
watches it build; an analyst's open preview reloads when the notebook is saved.

The server is started as a person starts it (`briefings serve`, `make serve`), on a port
the system picks, and stopped as Ctrl-C stops it; every process it started must be gone.
"""

from __future__ import annotations

import json
import shutil
import sys

import pytest
from conftest import PROJECT_ROOT, headless_chromium, start_tags, write_dataset
from playwright.sync_api import expect
from serving import TOKEN, launched

pytestmark = pytest.mark.slow

BUILD_MS = 240_000  # a real build on a busy two-core machine, with room to spare
SPEC = 'briefings:\n  weekly:\n    cron: "0 6 * * 1"\n    formats: [html]\n    params: {}\n'


def test_a_reader_orders_a_view_watches_it_build_and_a_colleague_opens_it(tmp_path):
    (tmp_path / "briefings.yaml").write_text(SPEC, encoding="utf-8")
    command = [sys.executable, "-m", "briefings", "serve", "--port", "0"]
    command += ["--spec", str(tmp_path / "briefings.yaml")]
    with (
        launched(command, cwd=PROJECT_ROOT, env={"BRIEFINGS_TOKEN": TOKEN}) as server,
        headless_chromium() as browser,
    ):
        page = browser.new_page()
        page.goto(f"{server.url}new?token={server.token}")
        page.fill("#field-as_of", "2019-06-30")
        page.click("button[type=submit]")
        page.wait_for_url("**/views/us-pakistan-2018-01-01-to-2019-06-30-as-of-2019-06-30")
        # Progress: the running part of the page, its cell line kept up to date.
        page.wait_for_selector("[data-when=running]:visible", timeout=BUILD_MS)
        expect(page.locator("[data-field=message]")).to_contain_text("cell", timeout=BUILD_MS)
        frame = page.wait_for_selector("iframe.bs-briefing", timeout=BUILD_MS).content_frame()
        frame.wait_for_selector("h1")
        assert "As known on 30 Jun 2019" in frame.inner_text("body")
        view = page.url

        href = page.get_attribute("a[href$='briefing.pdf']", "href")
        pdf = page.request.get(server.url + href.lstrip("/"))
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF-")

        # The same view again: the same address, at once, no second build.
        page.goto(f"{server.url}new")
        page.fill("#field-as_of", "2019-06-30")
        page.click("button[type=submit]")
        page.wait_for_url(view)
        page.wait_for_selector("iframe.bs-briefing", timeout=5_000)
        assert len(server.matching(r"view .*: built$")) == 1

        # A colleague with the address and the token; without the token, no briefing.
        colleague = browser.new_context().new_page()
        assert colleague.goto(view).status == 401
        colleague.goto(f"{view}?token={server.token}")
        assert colleague.wait_for_selector("iframe.bs-briefing").content_frame()


def test_an_open_preview_reloads_when_the_notebook_is_saved(tmp_path):
    project = tmp_path / "project"
    write_dataset(project / "data" / "small")
    (project / "notebooks").mkdir()
    notebook = project / "notebooks" / "briefing.ipynb"
    shutil.copy(PROJECT_ROOT / "notebooks" / "briefing.ipynb", notebook)
    (project / "briefings.yaml").write_text(SPEC, encoding="utf-8")
    command = ["make", "--no-print-directory", "serve", "SERVE_PORT=0", "WATCH=1"]
    command += [f"SPEC={project / 'briefings.yaml'}"]
    env = {"BRIEFINGS_ROOT": str(project), "BRIEFINGS_TOKEN": TOKEN}
    with (
        launched(command, cwd=PROJECT_ROOT, env=env) as server,
        headless_chromium() as browser,
    ):
        page = browser.new_page()
        page.goto(f"{server.url}preview?token={server.token}")
        frame = page.wait_for_selector("#bs-briefing", timeout=BUILD_MS).content_frame()
        frame.wait_for_selector("h1")
        server.wait_for_line(r"^  preview: built$")
        published = project / "reports" / "small.preview" / "briefing.html"
        assert [tag for tag, _ in start_tags(published.read_text()) if tag == "script"] == []

        # Three saves in quick succession, as JupyterLab writes them: one build.
        cells = json.loads(notebook.read_text())
        shown = [cell for cell in cells["cells"] if not cell["metadata"].get("tags")]
        prose = next(cell for cell in shown if cell["cell_type"] == "markdown")
        for attempt in (1, 2, 3):
            prose["source"] = [*prose["source"], f"\n\nSaved for the preview, take {attempt}."]
            notebook.write_text(json.dumps(cells, indent=1), encoding="utf-8")
        body = page.frame_locator("#bs-briefing").locator("body")
        expect(body).to_contain_text("Saved for the preview, take 3.", timeout=BUILD_MS)
        assert len(server.matching(r"^  preview: built$")) == 2

        # A save that breaks the build: its line on the page, the last good preview below.
        setting = next(
            cell for cell in cells["cells"] if "parameters" in cell["metadata"].get("tags", [])
        )
        setting["source"] = [*setting["source"], '\nstart = "2019-13-01"\n']
        notebook.write_text(json.dumps(cells, indent=1), encoding="utf-8")
        failed = page.locator("[data-when=failed]")
        expect(failed).to_contain_text("'2019-13-01' is not a date", timeout=BUILD_MS)
        expect(body).to_contain_text("Saved for the preview, take 3.")
