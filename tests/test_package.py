"""The package as others get it: a wheel installed with its declared dependencies into a
fresh venv that sees neither this checkout nor the project's venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow
JUPYTER_DATA_DIR = Path(tempfile.gettempdir()) / "briefings-test-package-jupyter"


def _run(command: list, *, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run a command outside the project: no venv, no PYTHONPATH, no BRIEFINGS_ROOT, and
    Jupyter's user folder in a folder of its own, so a kernel registered in ~/.local
    cannot stand in for the fresh venv's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "BRIEFINGS_ROOT", "JUPYTER_PATH")
    }
    env["JUPYTER_DATA_DIR"] = str(JUPYTER_DATA_DIR)
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
    install = [*uv, "pip", "install", "--quiet", "--python", venv]
    _ok(_run([*install, "--constraint", PROJECT_ROOT / "requirements.txt", wheel], cwd=work))
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


SOURCES = [
    "wire-2024-03,Example Wire,Report on the agreement's suspension,,2024-03-04,,wire,B,",
    "paper-2025-02,Example Daily,Report on the stalled renewal,A. Writer,2025-02-10,,newspaper,C,",
]
EVENTS = [
    "E1,2023-06,month,agreement,change,active,The agreement took effect.,A;B,wire-2024-03,2,,,,",
    "E2,2024-03-01,day,agreement,change,suspended,Side A suspended it.,A,wire-2024-03,2,,,,",
    "E3,2025-02-09,day,climate,change,strained,Renewal talks stalled.,A;B,paper-2025-02,3,,,,",
]


def test_init_gives_a_project_the_installed_package_validates_and_builds(installed, tmp_path):
    briefings = installed / "bin" / "briefings"
    made = _ok(_run([briefings, "init", "Gulf Watch"], cwd=tmp_path)).splitlines()
    project = tmp_path / "Gulf Watch"
    data = project / "data" / "gulf-watch"
    assert {tmp_path / line for line in made} == {
        project / name
        for name in (".gitignore", "README.md", "briefings.yaml", "notebooks/briefing.ipynb")
    } | {data / name for name in ("dataset.yaml", "sources.csv", "events.csv")}
    assert (project / "notebooks" / "briefing.ipynb").read_bytes() == (
        PROJECT_ROOT / "notebooks" / "briefing.ipynb"
    ).read_bytes()
    assert (data / "events.csv").read_text().startswith("event_id,date,precision,track,")
    assert "`briefings validate`" in (project / "README.md").read_text()

    again = _run([briefings, "init", "Gulf Watch"], cwd=tmp_path)
    assert again.returncode == 1
    assert (
        again.stderr
        == "error: Gulf Watch: is not empty; give a new or empty folder for the project\n"
    )

    # An analyst's first entries, as a script would append them.
    for name, rows in (("sources.csv", SOURCES), ("events.csv", EVENTS)):
        with (data / name).open("a", encoding="utf-8") as handle:
            handle.write("".join(f"{row}\n" for row in rows))
    checked = _ok(_run([briefings, "validate"], cwd=project / "notebooks"))
    assert checked == f"{data}: valid – 2 tracks, 3 events, 2 sources\n"

    built = _ok(_run([briefings, "build", "--format", "both", "-q"], cwd=project, timeout=600))
    out = project / "reports" / "gulf-watch"
    assert built.splitlines() == [str(out / "briefing.html"), str(out / "briefing.pdf")]
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert "Gulf Watch: a sourced timeline briefing" in html
    assert "Renewal talks stalled." in html
    assert (out / "briefing.pdf").read_bytes().startswith(b"%PDF")
