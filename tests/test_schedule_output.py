"""What `briefings schedule` prints: each decision once, a progress line on a terminal, one
line per delivery made or failed, and the table with how each briefing's readers were told."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys

import pytest
from scheduling import MONDAY, fake_build, schedule, write_schedule
from servers import smtp_server, webhook_server

from briefings.cli import main
from briefings.deliver.notify import Delivery
from briefings.schedule.console import RunConsole, format_summary, summary_line
from briefings.schedule.runner import Outcome, run_schedule

NOTIFIED = """\
briefings:
  weekly:
    cron: "0 6 * * 1"
    params: {{data_dir: data}}
    notify:
      email: [readers@example.org, chief@example.org]
      webhook: {webhook}
"""


class Terminal(io.StringIO):
    """Standard error as a terminal would show it."""

    def isatty(self) -> bool:
        return True


def screen(written: str) -> list[str]:
    """The lines a terminal shows after `written`: a carriage return goes back to the line's
    start, and ESC [ K erases from there."""
    lines = [""]
    for part in written.replace("\x1b[K", "\x00").split("\n"):
        line = ""
        for piece in part.split("\r"):
            line = piece.split("\x00")[-1] if "\x00" in piece else piece + line[len(piece) :]
        lines[-1] = line
        lines.append("")
    return [line for line in lines if line]


@pytest.fixture
def spec(tmp_path):
    return write_schedule(tmp_path)


@pytest.fixture
def mail_settings(monkeypatch):
    def configure(port: int) -> None:
        for name, value in {
            "BRIEFINGS_SMTP_HOST": "127.0.0.1",
            "BRIEFINGS_SMTP_PORT": str(port),
            "BRIEFINGS_SMTP_SECURITY": "none",
            "BRIEFINGS_MAIL_FROM": "briefings@example.org",
            "BRIEFINGS_NOTIFY_TIMEOUT": "2",
            "BRIEFINGS_NOTIFY_ATTEMPTS": "1",
        }.items():
            monkeypatch.setenv(name, value)

    return configure


def test_the_summary_is_a_table_with_totals():
    text = format_summary(
        [
            Outcome("weekly", "built", "never built", 8.25),
            Outcome("year-2019", "skipped", "inputs unchanged; not due until 2026-02-01"),
            Outcome("x", "failed", "cell 3 failed", 1.0),
        ]
    )
    assert text.splitlines() == [
        "briefing   status   duration  reason",
        "weekly     built       8.2 s  never built",
        "year-2019  skipped         –  inputs unchanged; not due until 2026-02-01",
        "x          failed      1.0 s  cell 3 failed",
        "1 built, 1 skipped, 1 failed: x",
    ]
    dry = [Outcome("a", "would build", "due"), Outcome("b", "skipped", "")]
    assert summary_line(dry, dry_run=True) == "1 would build, 1 skipped, 0 failed"
    # A dry run with nothing due built nothing either: it said '0 built'.
    assert summary_line(dry[1:], dry_run=True) == "0 would build, 1 skipped, 0 failed"


def test_the_table_says_how_each_briefing_s_readers_were_told():
    told = (
        Delivery("email", "a@example.org", "sent", 1),
        Delivery("webhook", "https://hooks.example.org", "failed", 3, "HTTP 500"),
    )
    text = format_summary(
        [Outcome("weekly", "built", "due", 8.25, told), Outcome("year-2019", "skipped", "later")]
    )
    assert text.splitlines() == [
        "briefing   status   duration  delivery                    reason",
        "weekly     built       8.2 s  email sent, webhook failed  due",
        "year-2019  skipped         –  –                           later",
        "1 built, 1 skipped, 0 failed; deliveries: 1 sent, 1 failed",
    ]


@pytest.mark.parametrize("dry_run", [False, True])
def test_each_decision_is_printed_once(spec, capsys, dry_run):
    schedule(spec, MONDAY)  # published: the next run skips both
    args = ["schedule", "--spec", str(spec), "--now", "2026-01-05T08:00"]
    assert main([*args, *(["--dry-run"] if dry_run else [])]) == 0
    out, err = capsys.readouterr()
    for name in ("weekly", "monthly"):
        assert f"{out}{err}".count(name) == 1, (out, err)
    assert out.splitlines()[0].split() == ["briefing", "status", "duration", "reason"]


def test_a_terminal_gets_one_progress_line_rewritten_then_erased(spec):
    """The real command with its standard error on a pseudo-terminal, as `make briefings`
    run by hand has it; standard output (the table) on a pipe."""
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "briefings", "schedule", "--spec", str(spec), "--dry-run"],
            stdout=subprocess.PIPE,
            stderr=terminal,
            text=True,
            timeout=120,
            check=True,
            env={**os.environ, "TERM": "xterm"},
        )
        os.close(terminal)
        terminal = None
        written = b""
        while chunk := _read(controller):
            written += chunk
    finally:
        os.close(controller)
        if terminal is not None:
            os.close(terminal)
    text = written.decode().replace("\r\n", "\n")
    assert "\r\x1b[Kchecking weekly (1 of 2)\r\x1b[Kchecking monthly (2 of 2)\r\x1b[K" in text
    assert screen(text) == ["dry run: nothing was built or written"]
    assert [line.split()[0] for line in result.stdout.splitlines()[1:3]] == ["weekly", "monthly"]


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the other end is closed and everything was read
        return b""


def test_the_progress_line_counts_the_builds_and_ends_erased(spec):
    terminal = Terminal()
    with RunConsole(terminal) as console:
        run_schedule(spec, now=MONDAY, jobs=1, progress=console, build=fake_build)
    written = terminal.getvalue()
    assert "\r\x1b[Kchecking weekly (1 of 2)" in written
    # The seconds are the machine's (a loaded one takes a second over a fake build).
    assert re.search(r"\r\x1b\[Kbuilding: 0 of 2 done \(\d+ s so far\)", written)
    assert re.search(r"\r\x1b\[Kbuilding: 2 of 2 done; monthly built in \d+ s \(", written)
    assert written.endswith("\r\x1b[K") and screen(written) == []


def test_a_console_not_on_a_terminal_draws_no_progress(spec):
    stream = io.StringIO()
    with RunConsole(stream) as console:
        run_schedule(spec, now=MONDAY, jobs=1, progress=console, build=fake_build)
    assert stream.getvalue() == ""


def test_each_delivery_is_a_line_with_where_it_went_and_no_secret(tmp_path, mail_settings):
    with smtp_server() as (port, inbox), webhook_server() as (url, posts):
        mail_settings(port)
        spec = write_schedule(tmp_path, NOTIFIED.format(webhook=f"{url}/ok/T0KEN-SECRET"))
        terminal = Terminal()
        with RunConsole(terminal) as console:
            [outcome] = run_schedule(spec, now=MONDAY, jobs=1, progress=console, build=fake_build)
    assert len(inbox.messages) == 1 and len(posts) == 1
    mail, post = screen(terminal.getvalue())
    assert mail == "weekly: email to readers@example.org, chief@example.org: sent"
    assert re.fullmatch(f"weekly: webhook to {_shown(url)}: sent", post), post
    assert "T0KEN-SECRET" not in terminal.getvalue()
    assert "email sent, webhook sent" in format_summary([outcome])


@pytest.mark.parametrize("quiet", [False, True])
def test_a_failed_delivery_is_a_line_and_in_the_table(tmp_path, mail_settings, capsys, quiet):
    """A briefing whose dataset is gone fails before any build; its readers are told, and
    the post that fails says where it went without the webhook's path."""
    with smtp_server() as (port, _inbox), webhook_server() as (url, _posts):
        mail_settings(port)
        text = NOTIFIED.format(webhook=f"{url}/fail").replace("data_dir: data", "data_dir: gone")
        spec = write_schedule(tmp_path, text)
        args = ["schedule", "--spec", str(spec), "--now", "2026-01-05T07:00"]
        assert main([*args, *(["-q"] if quiet else [])]) == 1
    out, err = capsys.readouterr()
    failed = rf"webhook to {_shown(url)}: failed \(HTTP 500 Internal Server Error\)"
    if quiet:
        assert out == "0 built, 0 skipped, 1 failed: weekly; deliveries: 1 sent, 1 failed\n"
        assert re.fullmatch(f"warning: briefing 'weekly': {failed}", err.splitlines()[-1]), err
    else:
        mail, post = err.splitlines()
        assert mail == "weekly: email to readers@example.org, chief@example.org: sent"
        assert re.fullmatch(f"weekly: {failed}", post), post
        row = re.split(r"\s{2,}", out.splitlines()[1])
        assert row[:4] == ["weekly", "failed", "0.0 s", "email sent, webhook failed"], row
    assert "/fail" not in out + err


def _shown(url: str) -> str:
    """A webhook on the test server as records show it: scheme, host and port, then at
    most an ellipsis for the path left out."""
    return re.escape(url) + "(/…)?"
