"""The code stays ruff-clean (configured in pyproject.toml), so `make test` enforces it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, skip_unless_ci

RUFF = Path(sys.executable).with_name("ruff")


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff(command):
    if not RUFF.is_file():
        skip_unless_ci("ruff is not installed beside this Python (make installs it)")
    result = subprocess.run(
        [str(RUFF), *command, "src", "tests", "benchmarks"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
