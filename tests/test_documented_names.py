"""Names others use keep working: the notebooks' import, scripts' build folder, the console
script and the Makefile's hygiene module, wherever the code behind them lives."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

from conftest import PROJECT_ROOT


def test_notebooks_import_the_briefing_by_its_first_name():
    """Every notebook, and every project `briefings init` made, imports it this way."""
    from briefings.briefing import Briefing
    from briefings.report.notebook import Briefing as notebook_api

    assert Briefing is notebook_api
    assert "from briefings.briefing import Briefing" in (
        PROJECT_ROOT / "notebooks" / "briefing.ipynb"
    ).read_text(encoding="utf-8")


def test_scripts_read_build_folders_through_briefings_buildfolder():
    """docs/briefing.md shows `from briefings.buildfolder import BuildFolder`."""
    import briefings.build.folder as folder
    import briefings.buildfolder as documented
    import briefings.data.previous_build as previous_build

    names = {"BuildFolder", "Manifest", "DatasetRecord", "Digest", "read_previous"}
    constants = {"CHART", "DATASET_COPY", "EXECUTED_NOTEBOOK", "FORMATS", "MANIFEST", "STATE_TABLE"}
    assert names | constants <= set(documented.__all__)
    for name in documented.__all__:
        home = previous_build if name == "read_previous" else folder
        assert getattr(documented, name) is getattr(home, name), name
    assert "from briefings.buildfolder import BuildFolder" in (
        PROJECT_ROOT / "docs" / "briefing.md"
    ).read_text(encoding="utf-8")


def test_the_console_script_is_briefings_cli_main():
    from briefings.cli import main

    [script] = entry_points(group="console_scripts", name="briefings")
    assert script.value == "briefings.cli:main" and script.load() is main


def test_the_makefiles_hygiene_module_runs_by_its_name():
    assert "python -m briefings.build.hygiene" in (PROJECT_ROOT / "Makefile").read_text()
    result = subprocess.run(
        [sys.executable, "-m", "briefings.build.hygiene", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m briefings.build.hygiene")
    assert "--check" in result.stdout and "--strip" in result.stdout
