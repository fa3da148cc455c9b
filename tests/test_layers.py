"""The layers' import contract (pyproject.toml's [tool.importlinter]) holds on the package
and catches an import that runs upward; `make lint` runs the same check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT_ROOT, skip_unless_ci

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACT = "Layers, data flowing one way"


def lint_imports(package_parent: Path, cwd: Path) -> subprocess.CompletedProcess:
    """lint-imports with the project's contract over the `briefings` found in `package_parent`."""
    if not LINT_IMPORTS.is_file():
        skip_unless_ci("lint-imports is not installed beside this Python (make installs it)")
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(PROJECT_ROOT / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(package_parent)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_package_keeps_its_layers(tmp_path):
    result = lint_imports(PROJECT_ROOT / "src", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{CONTRACT} KEPT" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    """A copy of the package whose data layer imports the scheduler fails, naming the
    contract and the import."""
    copy = tmp_path / "src" / "briefings"
    shutil.copytree(
        PROJECT_ROOT / "src" / "briefings", copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    with (copy / "data" / "grades.py").open("a", encoding="utf-8") as module:
        module.write("\nimport briefings.schedule  # noqa: E402\n")
    result = lint_imports(tmp_path / "src", tmp_path)
    assert result.returncode != 0
    assert f"{CONTRACT} BROKEN" in result.stdout
    assert "briefings.data is not allowed to import briefings.schedule" in result.stdout
    assert "briefings.data.grades -> briefings.schedule" in result.stdout
