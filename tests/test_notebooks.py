"""The committed notebooks: clean of outputs and volatile metadata, and runnable as saved."""

from __future__ import annotations

import pytest

from briefings.hygiene import check_notebook, read_notebook
from briefings.paths import NOTEBOOKS_DIR

EXPECTED = ("briefing.ipynb", "explore.ipynb")
NOTEBOOKS = sorted({*EXPECTED, *(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))})


def committed(name: str):
    path = NOTEBOOKS_DIR / name
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
        str(NOTEBOOKS_DIR / "explore.ipynb"),
        str(output),
        cwd=str(NOTEBOOKS_DIR),
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
