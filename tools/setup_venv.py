"""Make a virtual environment exactly the lock, with uv, falling back to pip.

`make venv` runs this with the system Python (standard library only):

    python3 tools/setup_venv.py --venv .venv --lock requirements.txt --project .

It prints one line per step and the time each took. uv (pinned in the lock, installed
into the venv by pip as a wheel) installs the lock in seconds where pip takes minutes,
and `uv pip sync` removes what the lock does not list, so a venv never drifts. Where uv
cannot be had or fails, pip installs the lock instead, with a line saying so. A failure
names the package and the reason in one line and exits 1. `UV=/path/to/uv` uses that
uv instead of installing the pinned one.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)")


class StepFailed(Exception):
    """A step failed; the message is the one line to print."""


def pinned(lock: Path) -> dict[str, str]:
    """The lock's pins by lower-case name (a name pinned under several markers: the last)."""
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins[match[1].lower()] = match[2]
    return pins


def step(what: str, command: list[str], explain) -> None:
    """Run one quiet step, print what it does and how long it took, or raise StepFailed."""
    print(f"{what} …", flush=True)
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StepFailed(explain(done.stdout + done.stderr))
    print(f"  done in {time.monotonic() - started:.1f} s", flush=True)


def uv_reason(output: str) -> str:
    """One line from uv's error chain: the package it names and the innermost cause."""
    lines: list[str] = []
    for line in filter(None, (raw.strip() for raw in output.splitlines())):
        # uv wraps a long message at the terminal's width: a line without a label goes on
        if lines and not line.startswith(("error:", "warning:", "Caused by:", "cause:")):
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    causes = [
        re.sub(r"^(Caused by|cause):\s*", "", line)
        for line in lines
        if line.startswith(("Caused by:", "cause:"))
    ]
    errors = [line.removeprefix("error:").strip() for line in lines if line.startswith("error:")]
    chain = errors + causes
    named = next((line for line in chain if "`" in line or "==" in line), "")
    package = re.search(r"`([^`]+)`", named) or re.search(r"([\w.-]+==[\w.+!-]*\w)", named)
    reason = causes[-1] if causes else (errors[-1] if errors else (lines[-1] if lines else ""))
    reason = reason.rstrip(".") or "no reason given"
    return f"uv could not install {package[1]}: {reason}" if package else f"uv failed: {reason}"


def pip_reason(output: str) -> str:
    """One line from pip's output: the requirement it names and its last error."""
    errors = [
        line.strip()[len("ERROR:") :].strip()
        for line in output.splitlines()
        if line.strip().startswith("ERROR:")
    ]
    if not errors:
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        return f"pip failed: {lines[-1] if lines else 'no reason given'}"
    last = errors[-1]
    package = re.search(r"for ([^\s(]+)", last) or re.search(r"requirement ([^\s(]+)", last)
    return f"pip could not install {package[1]}: {last}" if package else f"pip failed: {last}"


def find_uv(venv: Path, pins: dict[str, str]) -> str:
    """The uv to use: $UV, or the lock's pinned uv installed into the venv as a wheel."""
    if os.environ.get("UV"):
        return os.environ["UV"]
    version = pins.get("uv")
    if not version:
        raise StepFailed("the lock pins no uv")
    uv = venv / "bin" / "uv"
    current = (
        subprocess.run([uv, "--version"], capture_output=True, text=True, check=False)
        if uv.exists()
        else None
    )
    if current is None or current.returncode != 0 or version not in current.stdout.split():
        step(
            f"installing uv {version} with pip",
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--only-binary",
                "uv",
                f"uv=={version}",
            ],
            pip_reason,
        )
    return str(uv)


def install_lock(venv: Path, lock: Path) -> str:
    """Make the venv the lock (uv, else pip); return the installer that did it."""
    python = str(venv / "bin" / "python")
    count = len(pinned(lock))
    packages = f"{count} pinned package{'s' if count != 1 else ''}"
    try:
        uv = find_uv(venv, pinned(lock))
        # --no-config: pyproject's [tool.uv.pip] (all-extras for `make lock`) is not for sync.
        step(
            f"installing {packages} with uv",
            [uv, "pip", "sync", "--no-config", "--quiet", "--python", python, str(lock)],
            uv_reason,
        )
        return uv
    except (StepFailed, OSError) as problem:
        print(f"{problem}; installing with pip instead (slower: a few minutes)", flush=True)
    step(
        f"installing {packages} with pip",
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(lock)],
        pip_reason,
    )
    return ""


def install_project(venv: Path, project: Path, uv: str) -> None:
    """The project in editable mode (no dependencies: the lock has them), and its kernel."""
    python = str(venv / "bin" / "python")
    editable = ["--no-deps", "--no-build-isolation", "-e", str(project)]
    if uv:
        command = [uv, "pip", "install", "--no-config", "--quiet", "--python", python, *editable]
        explain = uv_reason
    else:
        command = [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *editable,
        ]
        explain = pip_reason
    step("installing the project in editable mode", command, explain)
    # The kernel lives inside the venv (not in ~/.local), so notebooks run the project's code.
    step(
        "registering the notebook kernel 'briefings'",
        [
            python,
            "-m",
            "ipykernel",
            "install",
            "--sys-prefix",
            "--name",
            "briefings",
            "--display-name",
            "Python (briefings)",
        ],
        lambda output: f"the kernel could not be registered: {output.strip()[-300:]}",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, required=True)
    parser.add_argument("--lock", type=Path, required=True)
    parser.add_argument("--project", type=Path, help="install this project editable")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        if not (args.venv / "bin" / "python").exists():
            step(
                f"creating {args.venv} with Python {sys.version.split()[0]}",
                [sys.executable, "-m", "venv", str(args.venv)],
                lambda output: f"venv failed: {output.strip()[-300:]}",
            )
        uv = install_lock(args.venv, args.lock)
        if args.project:
            install_project(args.venv, args.project, uv)
    except StepFailed as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    print(f"{args.venv} is ready ({time.monotonic() - started:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
