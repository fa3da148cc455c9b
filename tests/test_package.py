"""The package as others get it: a wheel installed with its declared dependencies into a
fresh venv that sees neither this checkout nor the project's venv."""

from __future__ import annotations

import csv
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow
JUPYTER_DATA_DIR = Path(tempfile.gettempdir()) / "briefings-test-package-jupyter"


def _run(command: list, *, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run a command outside the project: no venv, no PYTHONPATH, no BRIEFINGS_ROOT, and
    Jupyter's user folder in a folder of its own, so a kernel registered in ~/.local
    cannot stand in for the fresh venv's."""
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _environment() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "BRIEFINGS_ROOT", "JUPYTER_PATH")
    }
    env["JUPYTER_DATA_DIR"] = str(JUPYTER_DATA_DIR)
    return env


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
    {
        "source_id": "wire-2024-03",
        "outlet": "Example Wire",
        "title": "Report on a suspension",
        "published": "2024-03-04",
        "kind": "wire",
        "reliability": "B",
    },
    {
        "source_id": "paper-2025-02",
        "outlet": "Example Daily",
        "title": "Report on stalled talks",
        "author": "A. Writer",
        "published": "2025-02-10",
        "kind": "newspaper",
        "reliability": "C",
    },
]
EVENTS = [
    {
        "event_id": "E1",
        "date": "2023-06",
        "precision": "month",
        "track": "agreement",
        "kind": "change",
        "state": "active",
        "summary": "The agreement took effect.",
        "source_ids": "wire-2024-03",
        "credibility": "2",
    },
    {
        "event_id": "E2",
        "date": "2024-03-01",
        "precision": "day",
        "track": "agreement",
        "kind": "change",
        "state": "suspended",
        "summary": "Side A suspended it.",
        "source_ids": "wire-2024-03",
        "credibility": "2",
    },
    {
        "event_id": "E3",
        "date": "2025-02-09",
        "precision": "day",
        "track": "climate",
        "kind": "change",
        "state": "strained",
        "summary": "Renewal talks stalled.",
        "source_ids": "paper-2025-02",
        "credibility": "3",
    },
]


def _append_rows(path: Path, rows: list[dict]) -> None:
    """Append rows to a CSV file under the header it already has, as a script would."""
    with path.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=header, lineterminator="\n").writerows(rows)


def _as_the_readme_says(readme: str, command: str, **options) -> subprocess.CompletedProcess:
    """`command` run after the README's `export PATH=…` line, in bash with a PATH that
    holds only the system's programs."""
    [export] = [line for line in readme.splitlines() if line.startswith("export PATH=")]
    script = f"export PATH=/usr/bin:/bin\n{export}\n{command}"
    return _run(["bash", "-c", script], **options)


def _code_lines(readme: str, section: str) -> list[str]:
    """The lines of the shell blocks in the README's section headed `section`."""
    text = readme.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = text.split("```sh\n")[1:]
    return [line for block in blocks for line in block.split("```", 1)[0].splitlines()]


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

    _append_rows(data / "sources.csv", SOURCES)  # an analyst's first entries
    _append_rows(data / "events.csv", EVENTS)
    # As the README says: its export line, then the bare command, in a shell whose PATH
    # has no briefings on it (issue 22 §16).
    readme = (project / "README.md").read_text(encoding="utf-8")
    checked = _ok(_as_the_readme_says(readme, "briefings validate", cwd=project / "notebooks"))
    assert checked == f"{data}: valid – 2 tracks, 3 events, 2 sources\n"

    built = _ok(
        _as_the_readme_says(readme, "briefings build --format both -q", cwd=project, timeout=600)
    )
    out = project / "reports" / "gulf-watch"
    assert built.splitlines() == [str(out / "briefing.html"), str(out / "briefing.pdf")]
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert "Gulf Watch: a sourced timeline briefing" in html
    assert "Renewal talks stalled." in html
    assert (out / "briefing.pdf").read_bytes().startswith(b"%PDF")


def test_the_new_projects_readme_opens_its_notebook_in_jupyterlab(installed, tmp_path):
    """The README's lab section, followed line by line in the fresh venv: install the
    lab's requirements (the venv has none), register the kernel the notebook asks for,
    start JupyterLab; the notebook's kernel is then the venv's Python, with briefings."""
    project = tmp_path / "Gulf Watch"
    _ok(_run([installed / "bin" / "briefings", "init", project], cwd=tmp_path))
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "briefings[lab]" not in readme
    install, register, lab = _code_lines(readme, "Editing the notebook in JupyterLab")
    python = installed / "bin" / "python"
    assert install.startswith(f"{python} -m pip install 'jupyter")
    # The venv uv made has no pip: the README's other way, uv, with the same list.
    requirements = shlex.split(install)[4:]
    uv = [sys.executable, "-m", "uv", "--no-config", "pip", "install", "--quiet"]
    _ok(
        _run(
            [*uv, "--python", python, "-c", PROJECT_ROOT / "requirements.txt", *requirements],
            cwd=tmp_path,
        )
    )
    _ok(_run(shlex.split(register), cwd=project))
    port, token = _free_port(), secrets.token_hex(16)
    command = [*shlex.split(lab), "--no-browser", f"--ServerApp.port={port}", "--allow-root"]
    log = (tmp_path / "lab.log").open("wb")
    server = subprocess.Popen(
        command,
        cwd=project,
        env={**_environment(), "JUPYTER_TOKEN": token},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url, headers = f"http://127.0.0.1:{port}", {"Authorization": f"token {token}"}
    try:
        up = lambda: requests.get(f"{url}/api/status", headers=headers, timeout=5).ok  # noqa: E731
        _wait_for(up, about=tmp_path / "lab.log")
        specs = requests.get(f"{url}/api/kernelspecs", headers=headers, timeout=30).json()
        assert Path(specs["kernelspecs"]["briefings"]["spec"]["argv"][0]).parent == python.parent
        served = requests.get(f"{url}/api/contents/notebooks/briefing.ipynb", headers=headers)
        assert served.json()["content"]["metadata"]["kernelspec"]["name"] == "briefings"
        body = {
            "path": "notebooks/briefing.ipynb",
            "type": "notebook",
            "kernel": {"name": "briefings"},
        }
        session = requests.post(f"{url}/api/sessions", headers=headers, json=body, timeout=60)
        assert session.status_code == 201 and session.json()["kernel"]["name"] == "briefings"
        answer = _ok(
            _run([python, "-c", "import briefings; print(briefings.__file__)"], cwd=project)
        )
        assert Path(answer.strip()).is_relative_to(installed)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=60)
        log.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(condition, *, about: Path, seconds: float = 120) -> None:
    """Poll `condition` (a server coming up, a kernel starting) until it holds."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if condition():
                return
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, about.read_text(errors="replace")
        time.sleep(0.3)
