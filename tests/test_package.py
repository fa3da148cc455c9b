"""The package as others get it: a wheel installed with its declared dependencies into a
fresh venv that sees neither this checkout nor the project's venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


def _run(command: list, *, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run a command outside the project: no venv, no PYTHONPATH, no BRIEFINGS_ROOT."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "BRIEFINGS_ROOT")
    }
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding the wheel built from this tree and its dependencies.

    The wheel is built from a copy of the sources, so the checkout gets no build/ folder,
    with the project venv's setuptools (no download). uv installs the dependencies at the
    locked versions from its cache (the package index only on a first run, a few seconds
    after); --no-config keeps pyproject.toml's lock settings out of the install.
    """
    work = tmp_path_factory.mktemp("package")
    source = work / "source"
    shutil.copytree(
        PROJECT_ROOT / "src",
        source / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(PROJECT_ROOT / name, source / name)
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
    _ok(_run([*pip_wheel, "--no-build-isolation", "--wheel-dir", work / "dist", source], cwd=work))
    (wheel,) = (work / "dist").glob("briefings-*.whl")
    venv = work / "venv"
    uv = [sys.executable, "-m", "uv", "--no-config"]
    _ok(_run([*uv, "venv", "--quiet", "--python", sys.executable, venv], cwd=work))
    locked = ["--constraint", PROJECT_ROOT / "requirements.txt"]
    _ok(_run([*uv, "pip", "install", "--quiet", "--python", venv, *locked, wheel], cwd=work))
    return venv


def test_the_wheel_installs_with_its_dependencies_and_runs(installed, tmp_path):
    where = _ok(
        _run(
            [installed / "bin" / "python", "-c", "import briefings; print(briefings.__file__)"],
            cwd=tmp_path,
        )
    )
    assert Path(where.strip()).is_relative_to(installed), where
    assert "validate" in _ok(_run([installed / "bin" / "briefings", "--help"], cwd=tmp_path))
    shipped = PROJECT_ROOT / "data" / "us-pakistan"
    checked = _ok(
        _run([installed / "bin" / "briefings", "validate", "--data", shipped], cwd=tmp_path)
    )
    assert checked.startswith(f"{shipped}: valid – 5 tracks")
