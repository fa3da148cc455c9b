"""Notebook hygiene: finding and stripping outputs, counts and volatile metadata."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from briefings.build import hygiene


def dirty_notebook() -> nbformat.NotebookNode:
    """A notebook as JupyterLab saves it after Run All, with a tagged parameters cell."""
    params = new_code_cell("start = None", id="parameters", execution_count=1)
    params.metadata = {"tags": ["parameters"], "execution": {"iopub.status.idle": "2026-11-25"}}
    chart = new_code_cell("chart()", id="chart", execution_count=2)
    chart.outputs = [new_output("display_data", data={"image/svg+xml": "<svg/>"})]
    chart.metadata = {"scrolled": True, "jupyter": {"outputs_hidden": False}, "editable": False}
    nb = new_notebook(cells=[new_markdown_cell("# Title", id="title"), params, chart])
    nb.metadata = {
        "kernelspec": {"name": "briefings", "display_name": "Python (briefings)"},
        "language_info": {"name": "python", "version": "3.11.2"},
        "widgets": {},
    }
    return nb


def test_find_volatile_names_each_thing_by_cell():
    found = hygiene.find_volatile(dirty_notebook())
    assert found == [
        "notebook metadata 'language_info'",
        "notebook metadata 'widgets'",
        "cell 2 (code): execution count 1",
        "cell 2 (code): metadata 'execution'",
        "cell 3 (code): 1 output(s)",
        "cell 3 (code): execution count 2",
        "cell 3 (code): metadata 'scrolled'",
        "cell 3 (code): metadata 'jupyter'",
    ]


def test_strip_keeps_source_tags_ids_and_kernelspec():
    original = dirty_notebook()
    clean = hygiene.strip_volatile(original)
    assert hygiene.find_volatile(clean) == []
    assert [c.id for c in clean.cells] == ["title", "parameters", "chart"]
    assert [c.source for c in clean.cells] == ["# Title", "start = None", "chart()"]
    assert clean.cells[1].metadata == {"tags": ["parameters"]}
    assert clean.cells[2].metadata == {"editable": False}
    assert clean.metadata == {"kernelspec": original.metadata.kernelspec}
    assert hygiene.find_volatile(original), "the input must not be changed"


def test_strip_notebook_rewrites_once(tmp_path):
    path = tmp_path / "dirty.ipynb"
    nbformat.write(dirty_notebook(), path)
    assert hygiene.check_notebook(path)
    assert hygiene.strip_notebook(path) is True
    assert hygiene.check_notebook(path) == []
    text = path.read_text(encoding="utf-8")
    assert hygiene.strip_notebook(path) is False
    assert path.read_text(encoding="utf-8") == text


def test_main_check_fails_naming_the_notebook(tmp_path, capsys):
    dirty, clean = tmp_path / "dirty.ipynb", tmp_path / "clean.ipynb"
    nbformat.write(dirty_notebook(), dirty)
    nbformat.write(hygiene.strip_volatile(dirty_notebook()), clean)
    assert hygiene.main(["--check", str(clean)]) == 0
    assert hygiene.main(["--check", str(clean), str(dirty)]) == 1
    err = capsys.readouterr().err
    assert f"{dirty}: cell 3 (code): 1 output(s) (run `make strip`)" in err
    assert str(clean) not in err


def test_main_strip_then_check_passes(tmp_path, capsys):
    path = tmp_path / "dirty.ipynb"
    nbformat.write(dirty_notebook(), path)
    assert hygiene.main(["--strip", str(path)]) == 0
    assert capsys.readouterr().out == f"stripped {path}\n"
    assert hygiene.main(["--check", str(path)]) == 0


def test_main_reports_a_file_that_is_not_a_notebook(tmp_path, capsys):
    path = tmp_path / "broken.ipynb"
    path.write_text("{not json", encoding="utf-8")
    assert hygiene.main(["--check", str(path)]) == 1
    assert capsys.readouterr().err == f"error: {path}: is not a Jupyter notebook (not JSON)\n"


def test_main_needs_an_action(capsys):
    with pytest.raises(SystemExit) as exit_:
        hygiene.main(["notebooks/explore.ipynb"])
    assert exit_.value.code == 2
