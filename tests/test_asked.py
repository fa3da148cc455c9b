"""A briefing shows what its build asked for, or the build fails (issue 22 §2): papermill
injects the asked-for values after the cell tagged `parameters`, and the build checks the
parameters the notebook made the briefing with (Briefing.prepare shows them) against its
request before anything is rendered or published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_dataset

from briefings.build.builder import build_briefing
from briefings.build.publish import published_build
from briefings.exceptions import BuildError
from briefings.paths import briefing_notebook

pytestmark = pytest.mark.slow


def notebook_with_cell_after_parameters(folder: Path, source: str) -> Path:
    notebook = json.loads(briefing_notebook().read_text(encoding="utf-8"))
    cells = notebook["cells"]
    index = next(i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
    cell = {"cell_type": "code", "id": "set-back", "metadata": {}, "source": source}
    cells.insert(index + 1, {**cell, "outputs": [], "execution_count": None})
    path = folder / "briefing.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def test_a_cell_that_sets_a_parameter_back_fails_the_build(tmp_path):
    data = write_dataset(tmp_path / "data")
    notebook = notebook_with_cell_after_parameters(tmp_path, 'start = "2020-06-01"')
    out = tmp_path / "reports" / "small"
    raw = {"data_dir": str(data), "start": "2020-03-01", "build_date": "2026-11-25"}
    with pytest.raises(BuildError) as caught:
        build_briefing(raw, formats=("html",), out=out, notebook=notebook)
    assert str(caught.value) == (
        f"{notebook}: the briefing was made with start = '2020-06-01', but the build asked "
        "for '2020-03-01': a cell after the parameters cell changed it; the published "
        "briefing is unchanged"
    )
    assert caught.value.ename == "ParametersChanged"
    assert published_build(out) is None and not list((tmp_path / "reports").glob("history/*/2*"))


def test_a_briefing_made_as_asked_is_published_without_the_check_in_it(tmp_path):
    data = write_dataset(tmp_path / "data")
    out = tmp_path / "reports" / "small"
    raw = {"data_dir": str(data), "start": "2020-03-01", "build_date": "2026-11-25"}
    result = build_briefing(raw, formats=("html",), out=out)
    assert result.manifest.parameters["start"] == "2020-03-01"
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert "vnd.briefings" not in html
    executed = json.loads(next(result.build_dir.glob("*.ipynb")).read_text(encoding="utf-8"))
    shown = [
        o["data"]["application/vnd.briefings.parameters+json"]
        for c in executed["cells"]
        for o in c.get("outputs", [])
        if "application/vnd.briefings.parameters+json" in o.get("data", {})
    ]
    assert shown == [result.manifest.parameters]
