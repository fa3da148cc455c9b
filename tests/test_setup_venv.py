"""`make venv`'s installer (tools/setup_venv.py) on a tiny lock: uv installs it, a failing uv
falls back to pip with a line saying so, and a package no installer can get is named in one
line. Offline: the one package is a wheel made here, served from a folder."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "tools" / "setup_venv.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("setup_venv", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tiny_wheel(folder: Path, name: str) -> None:
    """A pure-Python wheel NAME 1.0, written by hand (no build backend, no network)."""
    info = f"{name}-1.0.dist-info"
    files = {
        f"{name}/__init__.py": "ANSWER = 42\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = "".join(f"{name},,\n" for name in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(folder / f"{name}-1.0-py3-none-any.whl", "w") as wheel:
        for name, text in {**files, f"{info}/RECORD": record}.items():
            wheel.writestr(name, text)


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """A folder with two tiny wheels, a fresh venv, and an environment that installs offline."""
    root = tmp_path_factory.mktemp("setup-venv")
    (root / "wheels").mkdir()
    for name in ("tinypkg", "otherpkg"):
        _tiny_wheel(root / "wheels", name)
    subprocess.run([sys.executable, "-m", "venv", root / "venv"], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV")}
    env |= {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(root / "wheels")}
    env |= {"UV_NO_INDEX": "1", "UV_FIND_LINKS": str(root / "wheels")}
    return root, env


def _setup(root: Path, env: dict, lock_text: str, **extra_env) -> subprocess.CompletedProcess:
    lock = root / "lock.txt"
    lock.write_text(lock_text)
    return subprocess.run(
        [sys.executable, SCRIPT, "--venv", root / "venv", "--lock", lock],
        env=env | extra_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _has(root: Path, package: str = "tinypkg") -> bool:
    python = root / "venv" / "bin" / "python"
    return subprocess.run([python, "-c", f"import {package}"], check=False).returncode == 0


def test_uv_installs_the_lock_and_removes_what_it_does_not_list(offline):
    root, env = offline
    uv = str(Path(sys.executable).with_name("uv"))
    done = _setup(root, env, "tinypkg==1.0\n", UV=uv)
    assert done.returncode == 0, done.stderr
    assert "installing 1 pinned package with uv …" in done.stdout
    assert "pip instead" not in done.stdout
    assert _has(root)
    done = _setup(root, env, "otherpkg==1.0\n", UV=uv)
    assert done.returncode == 0, done.stderr
    assert _has(root, "otherpkg")
    assert not _has(root), "uv pip sync keeps the venv exactly the lock"


def test_a_failing_uv_falls_back_to_pip_with_a_line_saying_so(offline):
    root, env = offline
    fake_uv = root / "fake-uv"
    fake_uv.write_text(
        "#!/bin/sh\necho 'error: Failed to download `tinypkg==1.0`' >&2\n"
        "echo '  Caused by: simulated outage' >&2\nexit 2\n"
    )
    fake_uv.chmod(0o755)
    done = _setup(root, env, "tinypkg==1.0\n", UV=str(fake_uv))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert (
        "uv could not install tinypkg==1.0: simulated outage; "
        "installing with pip instead (slower: a few minutes)"
    ) in lines
    assert "installing 1 pinned package with pip …" in lines
    assert _has(root)


def test_a_package_no_installer_can_get_is_named_in_one_line(offline):
    root, env = offline
    done = _setup(root, env, "nosuchpkg==9.9\n", UV=str(Path(sys.executable).with_name("uv")))
    assert done.returncode == 1, done.stdout
    assert "uv could not install nosuchpkg" in done.stdout, done.stdout
    uv_line = next(line for line in done.stdout.splitlines() if line.startswith("uv could not"))
    assert "nosuchpkg" in uv_line
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("error: pip could not install nosuchpkg==9.9: ")
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("output", "line"),
    [
        (
            "error: Failed to prepare distributions\n"
            "  Caused by: Failed to download `pandas==3.1.0`\n"
            "  Caused by: Request failed after 3 retries\n",
            "uv could not install pandas==3.1.0: Request failed after 3 retries",
        ),
        (
            "error: No solution found when resolving dependencies\n"
            "  cause: Because nosuchpkg was not found in the package registry and you\n"
            "         require nosuchpkg==9.9, we can conclude that your requirements are\n"
            "         unsatisfiable.\n",
            "uv could not install nosuchpkg==9.9: Because nosuchpkg was not found in the package "
            "registry and you require nosuchpkg==9.9, we can conclude that your requirements "
            "are unsatisfiable",
        ),
        ("error: No virtual environment found\n", "uv failed: No virtual environment found"),
    ],
)
def test_uv_errors_read_as_one_line(output, line):
    assert _load_script().uv_reason(output) == line
