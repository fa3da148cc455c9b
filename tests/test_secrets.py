"""No secret is written or printed (issue 22 §6, §7): a value quoted from a file is cut short
and shown without a web address's login, query or fragment; a file that is not of the
expected kind is not quoted at all; a webhook is shown by scheme, host and port only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import write_dataset
from servers import free_port, smtp_server, webhook_server

from briefings.deliver.notify import Notice, Settings, deliver
from briefings.deliver.readers import Notify, shown_webhook
from briefings.exceptions import Problem, one_line, quoted, without_secrets
from briefings.schedule.runner import run_schedule

TOKEN = "ghp_S3cretT0kenXYZ"
NOW = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"https://analyst:{TOKEN}@github.com", "https://github.com"),
        (
            f"see http://a:b@host.example:8080/x/y?token={TOKEN}#f",
            "see http://host.example:8080/x/y?…#…",
        ),
        (f"ftp://me@files.example/a.pdf#access_token={TOKEN}", "ftp://files.example/a.pdf#…"),
        (f"https://user:p@ss:w@rd@example.org/{TOKEN[:3]}", "https://example.org/ghp"),
        ("/home/analyst/data/events.csv", "/home/analyst/data/events.csv"),
        ("mailto:someone@example.org", "mailto:someone@example.org"),
    ],
)
def test_web_addresses_lose_their_login_query_and_fragment(text, shown):
    assert without_secrets(text) == shown
    assert TOKEN not in one_line(text) and TOKEN not in quoted(text)


def test_a_quoted_value_is_cut_short_after_its_secrets_go():
    value = f"https://analyst:{TOKEN}@example.org/" + "a" * 500
    shown = quoted(value)
    assert len(shown) <= 62 and TOKEN not in shown and shown.startswith("'https://example.org/")
    assert TOKEN not in quoted([value, {"url": value}])
    line = str(Problem("sources.csv", f"'{value}' is not a web address", row=3))
    assert TOKEN not in line and len(line) <= 1000


def test_a_webhook_is_shown_by_scheme_host_and_port():
    assert shown_webhook(f"http://user:pass@Hooks.Example.org:8443/services/T0/{TOKEN}?x=1") == (
        "http://hooks.example.org:8443"
    )
    assert shown_webhook(f"HTTPS://[::1]/h/{TOKEN}") == "https://[::1]"
    assert TOKEN not in shown_webhook(f"https://host:port/{TOKEN}")  # a port that is no number
    assert repr(Notify(webhook=f"https://h.example/{TOKEN}")).count(TOKEN) == 0


def _notice(**changes) -> Notice:
    fields = {
        "briefing": "weekly",
        "title": "Weekly",
        "event": "failed",
        "status": "failed",
        "when": "Mon 5 Jan 2026, 07:00 UTC",
        "reason": "it failed",
    }
    return Notice(**{**fields, **changes})


def test_a_webhook_url_holding_a_control_character_fails_without_showing_it():
    """http.client's InvalidURL quotes the URL's path in its message."""
    settings = Settings(timeout=1.0, attempts=1)
    url = f"http://127.0.0.1:{free_port()}/hooks/{TOKEN}\x01"
    [result] = deliver(_notice(), Notify(webhook=url), settings)
    assert result.status == "failed" and result.target.startswith("http://127.0.0.1:")
    assert TOKEN not in json.dumps(result.as_dict()), result


def _schedule(tmp_path: Path, webhook: str, email: str = "ops@example.org") -> Path:
    spec = tmp_path / "briefings.yaml"
    spec.write_text(
        'briefings:\n  weekly:\n    cron: "0 6 * * 1"\n    params: {data_dir: data}\n'
        f"    notify: {{email: [{email}], webhook: '{webhook}'}}\n",
        encoding="utf-8",
    )
    return spec


def _everything_written(reports: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in reports.rglob("*") if p.is_file()
    )


def test_a_data_file_linked_to_a_key_file_leaks_nothing_anywhere(tmp_path, monkeypatch):
    """The failure reason goes into the status file, the index, the mail and the post."""
    data = write_dataset(tmp_path / "data")
    (tmp_path / "git-credentials").write_text(f"https://analyst:{TOKEN}@github.com\n")
    (data / "events.csv").unlink()
    (data / "events.csv").symlink_to(tmp_path / "git-credentials")
    with smtp_server() as (port, inbox), webhook_server() as (url, posts):
        for name, value in {
            "BRIEFINGS_SMTP_HOST": "127.0.0.1",
            "BRIEFINGS_SMTP_PORT": str(port),
            "BRIEFINGS_SMTP_SECURITY": "none",
            "BRIEFINGS_MAIL_FROM": "briefings@example.org",
            "BRIEFINGS_NOTIFY_ATTEMPTS": "1",
        }.items():
            monkeypatch.setenv(name, value)
        spec = _schedule(tmp_path, f"{url}/ok")
        [outcome] = run_schedule(spec, now=NOW, jobs=1, build=_never_called)
        assert outcome.status == "failed"
        assert "is not the CSV file expected here" in outcome.reason
        [mail] = inbox.messages
        [(_path, post)] = posts
    assert TOKEN not in mail["message"].as_string() and TOKEN not in json.dumps(post)
    written = _everything_written(tmp_path / "reports")
    assert "is not the CSV file expected here" in written and TOKEN not in written


def test_a_webhook_with_a_login_and_a_key_is_recorded_by_its_host(tmp_path, monkeypatch):
    write_dataset(tmp_path / "data")
    monkeypatch.setenv("BRIEFINGS_NOTIFY_ATTEMPTS", "1")
    monkeypatch.setenv("BRIEFINGS_NOTIFY_TIMEOUT", "1")
    port = free_port()  # nobody listens: the delivery fails and the index shows it
    spec = _schedule(tmp_path, f"http://analyst:{TOKEN}@127.0.0.1:{port}/h/{TOKEN}?token={TOKEN}")
    [outcome] = run_schedule(spec, now=NOW, jobs=1, build=_fake_build)
    assert outcome.status == "built", outcome.reason
    status = json.loads((tmp_path / "reports" / ".status" / "weekly.json").read_text())
    webhook = [r for r in status["last_delivery"]["results"] if r["channel"] == "webhook"]
    assert webhook[0]["target"] == f"http://127.0.0.1:{port}"
    written = _everything_written(tmp_path / "reports")
    assert f"webhook to http://127.0.0.1:{port}:" in written and TOKEN not in written


def _never_called(*args, **kwargs):
    raise AssertionError("a dataset that cannot be read is never built")


def _fake_build(raw, *, formats, out, keep, force, notebook, origin):
    from test_notify import fake_build

    return fake_build(
        raw, formats=formats, out=out, keep=keep, force=force, notebook=notebook, origin=origin
    )
