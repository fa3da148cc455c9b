"""The committed notebooks: clean of outputs and volatile metadata, and runnable as saved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import briefings
from briefings.build.hygiene import check_notebook, read_notebook
from briefings.paths import notebooks_dir

EXPECTED = ("briefing.ipynb", "explore.ipynb")
PACKAGE_DIR = Path(briefings.__file__).parent
NOTEBOOKS = sorted({*EXPECTED, *(p.name for p in notebooks_dir().glob("*.ipynb"))})


def committed(name: str):
    path = notebooks_dir() / name
    assert path.is_file(), f"notebooks/{name} is missing: the project ships it"
    return path


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_committed_clean(name):
    found = check_notebook(committed(name))
    assert not found, (
        f"notebooks/{name} carries outputs or volatile metadata (run `make strip`): "
        + "; ".join(found)
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_the_project_kernel_with_tagged_parameters(name):
    notebook = read_notebook(committed(name))
    assert notebook.metadata.get("kernelspec", {}).get("name") == "briefings", (
        f"notebooks/{name} must name the kernelspec 'briefings' (the venv's Python)"
    )
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", ())]
    assert len(tagged) == 1 and tagged[0].cell_type == "code", (
        f"notebooks/{name} needs exactly one code cell tagged 'parameters'"
    )


@pytest.mark.slow
def test_explore_runs_with_its_defaults(tmp_path):
    import papermill

    output = tmp_path / "explore.ipynb"
    papermill.execute_notebook(
        str(notebooks_dir() / "explore.ipynb"),
        str(output),
        cwd=str(notebooks_dir()),
        progress_bar=False,
    )
    data = {
        cell.id: cell.outputs[0].data for cell in read_notebook(output).cells if cell.get("outputs")
    }
    assert "<svg" in data["coverage-chart"]["image/svg+xml"]
    for track in ("security_assistance", "imet", "mil_cooperation", "cis_moa", "political_climate"):
        assert track in data["states"]["text/html"]
        assert track in data["as-of"]["text/html"]
    assert "then_state" in data["as-of"]["text/html"]
    # The draft of the example article: its candidates, one repeating a row of the dataset.
    assert "2023-09-12" in data["draft-table"]["text/html"]
    assert "E11" in data["draft-table"]["text/html"]
    assert "harbour-ledger-2023-09-14" in data["draft-source"]["text/html"]
    assert "cabinet on Tuesday approved" in data["draft-reasons"]["text/html"]


def test_the_briefing_reads_as_a_narrative():
    """Headings and fixed prose live in markdown cells; each code cell after the set-up is
    one call on the briefing, showing only what comes from the data."""
    cells = read_notebook(committed("briefing.ipynb")).cells
    prose = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    for heading in (
        "## Bottom line up front",
        "## Assessment",
        "## Timeline of states",
        "### The chart in words",
        "## State changes",
        "## Contested claims",
        "## Sources",
        "### Grades (Admiralty scale)",
        "## Method and parameters",
    ):
        assert f"\n{heading}\n" in f"\n{prose}\n", heading
    assert "A stretch is contested (hatched)" in prose  # the method, in words
    calls = [c.source for c in cells if c.cell_type == "code"][2:]  # after parameters, prepare
    assert calls and all(re.fullmatch(r"briefing\.\w+\(\)", call) for call in calls), calls


def test_the_package_writes_no_markup_of_its_own():
    """Sections and the notebook's calls hand data to templates; tags are in templates only."""
    report = PACKAGE_DIR / "report"
    modules = [*(report / "sections").glob("*.py"), report / "notebook.py", report / "markup.py"]
    assert len(modules) > 3, modules
    for module in modules:
        source = module.read_text(encoding="utf-8")
        assert not re.search(r"</?[a-z][a-z0-9]*[\s>]", source), module
        assert "html.escape" not in source and "from html import" not in source, module
