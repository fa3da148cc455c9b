"""The timer files in deploy/: they run the venv's command (never make), and are valid."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import PROJECT_ROOT, require_program

DEPLOY = PROJECT_ROOT / "deploy"
CHECKOUT = "/srv/briefings"  # where the files expect the checkout; the README says to change it


def test_the_timers_run_the_venv_command_not_make():
    service = (DEPLOY / "briefings.service").read_text(encoding="utf-8")
    [exec_start] = re.findall(r"^ExecStart=(.*)$", service, re.MULTILINE)
    assert exec_start == f"{CHECKOUT}/.venv/bin/briefings schedule -q"
    cron = [
        line
        for line in (DEPLOY / "crontab").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert cron == [
        f"17 * * * * cd {CHECKOUT} && .venv/bin/briefings schedule -q 2>&1 | logger -t briefings"
    ]
    # make would install into the venv when requirements changed: not under a sandbox
    assert "make" not in exec_start and "make" not in cron[0]


def test_the_crontab_command_runs_in_this_checkout():
    """The cron line's command, in this checkout, as a dry run (which writes nothing)."""
    [line] = [
        line
        for line in (DEPLOY / "crontab").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    command = line.split(None, 5)[5].replace(CHECKOUT, str(PROJECT_ROOT))
    command = command.replace("schedule -q", "schedule -q --dry-run").replace(
        " | logger -t briefings", ""
    )
    result = subprocess.run(
        ["sh", "-c", command], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout
    assert re.fullmatch(r"\d+ would build, \d+ skipped, 0 failed\n", result.stdout), result.stdout


def test_systemd_accepts_the_units(tmp_path):
    """systemd-analyze verify, with the paths pointed at this checkout."""
    analyze = require_program("systemd-analyze")
    for name in ("briefings.service", "briefings.timer"):
        text = (DEPLOY / name).read_text(encoding="utf-8").replace(CHECKOUT, str(PROJECT_ROOT))
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [analyze, "verify", str(tmp_path / "briefings.service"), str(tmp_path / "briefings.timer")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "briefings" not in result.stderr, result.stderr  # no warning about our units
    assert Path(PROJECT_ROOT / ".venv/bin/briefings").is_file()
