"""Delivery: mail and webhooks against real servers on 127.0.0.1, the Atom feed, and the
rule that a delivery failure never fails, blocks or replaces a build."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import require_program, write_dataset
from servers import free_port, silent_server, smtp_server, trickling_server, webhook_server

from briefings.build.fingerprint import inputs_hash
from briefings.build.folder import BuildFolder, Digest, Manifest
from briefings.build.publish import new_staging, publish, published_build
from briefings.cli import main
from briefings.data.params import prepare
from briefings.deliver.feed import ATOM, write_feed
from briefings.deliver.notify import (
    Notice,
    Settings,
    deliver,
    events_to_notify,
    settings_from_env,
    webhook_payload,
)
from briefings.deliver.readers import Notify
from briefings.exceptions import ConfigError, SpecError
from briefings.schedule.runner import run_schedule
from briefings.schedule.spec import load_spec
from briefings.schedule.status import read_status

MONDAY = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"  # binary: survives no re-encoding
BOTTOM = (
    "Aid was off at the end of 2021, as it had been since 10 Feb 2020. A blog disputes it.",
    "Mood was tense at the end of 2021.",
)
HOSTILE_TITLE = 'Aid <script>alert(1)</script> & "friends"'


def notice(pdf: Path | None = None, **changes) -> Notice:
    fields = {
        "briefing": "weekly",
        "title": HOSTILE_TITLE,
        "event": "built",
        "status": "built",
        "when": "Mon 5 Jan 2026, 07:00 UTC",
        "bottom_line": BOTTOM,
        "changes": "Since the previous build (5 Jan 2026): 1 new event.",
        "links": (("HTML", "weekly/briefing.html"), ("PDF", "weekly/briefing.pdf")),
        "pdf": pdf,
    }
    return Notice(**{**fields, **changes})


def settings(port: int, **changes) -> Settings:
    fields = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "security": "none",
        "mail_from": "briefings@example.org",
        "timeout": 1.0,
        "attempts": 2,
        "backoff": (0.2,),
    }
    return Settings(**{**fields, **changes})


def parts(message) -> dict[str, object]:
    """The plain text, HTML and attachments of a received message."""
    found: dict[str, object] = {"attachments": []}
    for part in message.walk():
        if part.get_content_disposition() == "attachment":
            found["attachments"].append((part.get_filename(), part.get_payload(decode=True)))
        elif part.get_content_type() == "text/plain":
            found["text"] = part.get_content()
        elif part.get_content_type() == "text/html":
            found["html"] = part.get_content()
    return found


# --- mail and webhook, one channel at a time ---------------------------------------------


def test_the_mail_carries_title_status_bottom_line_changes_and_the_pdf(tmp_path):
    pdf = tmp_path / "briefing.pdf"
    pdf.write_bytes(PDF)
    with smtp_server() as (port, inbox):
        to = Notify(email=("a@example.org", "b@example.org"))
        [result] = deliver(
            notice(pdf), to, settings(port, base_url="https://briefings.example.org/r")
        )
    assert (result.channel, result.status, result.attempts) == ("email", "sent", 1)
    [received] = inbox.messages
    assert received["from"] == "briefings@example.org"
    assert received["to"] == ["a@example.org", "b@example.org"]
    message = received["message"]
    # a long subject is folded onto a continuation line, which parsers unfold with a space
    assert (
        message["Subject"].strip() == f"{HOSTILE_TITLE} [weekly]: built (Mon 5 Jan 2026, 07:00 UTC)"
    )
    body = parts(message)
    for text in (*BOTTOM, "Since the previous build (5 Jan 2026): 1 new event."):
        assert text in body["text"]
    assert "https://briefings.example.org/r/weekly/briefing.html" in body["text"]
    # the HTML part escapes what came from the data: the title is text, not a script
    assert "<script>" not in body["html"]
    assert "Aid &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;friends&#34;" in body["html"]
    assert 'href="https://briefings.example.org/r/weekly/briefing.pdf"' in body["html"]
    assert body["attachments"] == [("weekly.pdf", PDF)]


@pytest.mark.parametrize("base_url", [None, "https://briefings.example.org"])
def test_a_pdf_over_the_cap_is_linked_or_noted_instead(tmp_path, base_url):
    pdf = tmp_path / "briefing.pdf"
    pdf.write_bytes(PDF)
    with smtp_server() as (port, inbox):
        [result] = deliver(
            notice(pdf),
            Notify(email=("a@example.org",)),
            settings(port, max_attachment=1000, base_url=base_url),
        )
    assert result.status == "sent"
    body = parts(inbox.messages[0]["message"])
    assert body["attachments"] == []
    expected = (
        "open it from the link above"
        if base_url
        else "it is in the briefing's folder on the server"
    )
    assert "is over the attachment limit (0.0 MB)" in body["text"]
    assert expected in body["text"] and expected in result.note
    assert ("weekly/briefing.pdf" in body["text"]) == bool(base_url)


def test_a_server_that_refuses_the_recipients_fails_at_once():
    with smtp_server(refuse=True) as (port, inbox):
        [result] = deliver(notice(), Notify(email=("a@example.org",)), settings(port))
    assert (result.status, result.attempts) == ("failed", 1)  # permanent: not retried
    assert "every recipient was refused: a@example.org" in result.error
    assert inbox.messages == []


def test_no_server_listening_is_retried_then_recorded():
    [result] = deliver(notice(), Notify(email=("a@example.org",)), settings(free_port()))
    assert (result.status, result.attempts, result.error) == ("failed", 2, "Connection refused")


def test_a_server_that_hangs_is_bounded_by_the_timeout():
    with silent_server() as port:
        started = time.monotonic()
        [result] = deliver(notice(), Notify(email=("a@example.org",)), settings(port))
    elapsed = time.monotonic() - started
    assert (result.status, result.attempts, result.error) == ("failed", 2, "timed out")
    assert elapsed < 2 * 1.0 + 0.2 + 2  # two tries of 1 s and one pause, with slack


@pytest.mark.parametrize("channel", ["email", "webhook"])
def test_a_server_that_answers_a_byte_at_a_time_is_bounded_by_the_whole_try(channel):
    """Each read returns in time, so only a limit on the try as a whole ends it: a webhook
    sending one byte of its body every 0.2 s, an SMTP server greeting for ever (issue 22
    §5; a 5 s timeout once let such a delivery run past 90 s)."""
    with trickling_server(smtp=channel == "email") as (port, connected):
        readers = (
            Notify(email=("a@example.org",))
            if channel == "email"
            else Notify(webhook=f"http://127.0.0.1:{port}/hook")
        )
        started = time.monotonic()
        [result] = deliver(notice(), readers, settings(port, timeout=1.0, attempts=2))
        elapsed = time.monotonic() - started
    assert connected.is_set()
    assert (result.channel, result.status, result.attempts) == (channel, "failed", 2)
    assert result.error == "timed out"
    assert elapsed < 2 * 1.0 + 0.2 + 1.5  # two tries of 1 s and one pause, with slack


def test_mail_without_a_configured_server_is_a_recorded_failure():
    [result] = deliver(notice(), Notify(email=("a@example.org",)), Settings())
    assert result.status == "failed" and result.attempts == 0
    assert result.error == "BRIEFINGS_SMTP_HOST is not set; no mail was sent"


def test_the_webhook_gets_json_that_slack_and_teams_accept():
    with webhook_server() as (url, received):
        [result] = deliver(
            notice(), Notify(webhook=f"{url}/ok"), settings(1, base_url="https://x.example")
        )
    assert (result.channel, result.status) == ("webhook", "sent")
    assert result.target == url  # scheme, host and port: services keep the secret in the path
    [(path, body)] = received
    assert path == "/ok" and list(body) == ["text"]
    text = body["text"]
    assert text.startswith(f"{HOSTILE_TITLE} [weekly]: built (Mon 5 Jan 2026, 07:00 UTC)")
    assert BOTTOM[0] in text and "HTML: https://x.example/weekly/briefing.html" in text
    assert body == webhook_payload(notice(), settings(1, base_url="https://x.example"))


def test_a_webhook_answering_500_is_retried_and_one_that_hangs_times_out():
    with webhook_server() as (url, received):
        [failed] = deliver(notice(), Notify(webhook=f"{url}/fail"), settings(1))
        started = time.monotonic()
        [slow] = deliver(notice(), Notify(webhook=f"{url}/slow"), settings(1, attempts=1))
        elapsed = time.monotonic() - started
    assert (failed.status, failed.attempts, failed.error) == (
        "failed",
        2,
        "HTTP 500 Internal Server Error",
    )
    assert [p for p, _ in received].count("/fail") == 2
    assert (slow.status, slow.error) == ("failed", "timed out") and elapsed < 3


def test_a_passing_failure_is_tried_again_after_each_pause_until_it_goes():
    """Three 503 answers, then 200: sent at the fourth try, after pauses of 0.1, 0.3 and
    0.3 s (the last pause repeats)."""
    with webhook_server() as (url, received):
        started = time.monotonic()
        [result] = deliver(
            notice(),
            Notify(webhook=f"{url}/flaky/3"),
            settings(1, attempts=4, backoff=(0.1, 0.3)),
        )
        elapsed = time.monotonic() - started
    assert (result.status, result.attempts, result.error) == ("sent", 4, "")
    assert [p for p, _ in received] == ["/flaky/3"] * 4
    assert elapsed >= 0.1 + 0.3 + 0.3


def test_failures_go_to_the_failure_list():
    to = Notify(email=("readers@example.org",), failed_email=("ops@example.org",))
    assert to.recipients("failed") == ("ops@example.org",)
    assert to.recipients("built") == ("readers@example.org",)
    assert Notify(email=("r@example.org",)).recipients("failed") == ("r@example.org",)


@pytest.mark.parametrize(
    ("when", "status", "changed", "event"),
    [
        (("built", "failed"), "built", False, "built"),
        (("changed",), "built", False, None),
        (("changed",), "built", True, "changed"),
        (("changed",), "built", None, "changed"),  # a first build: everything is new
        (("changed",), "failed", None, None),
        (("built", "failed"), "failed", None, "failed"),
        (("built", "failed"), "skipped", None, None),
    ],
)
def test_which_outcomes_are_told(when, status, changed, event):
    assert events_to_notify(Notify(email=("a@b.org",), when=when), status, changed) == event


def test_settings_come_from_the_environment_only():
    env = {
        "BRIEFINGS_SMTP_HOST": "mail.example.org",
        "BRIEFINGS_SMTP_SECURITY": "ssl",
        "BRIEFINGS_SMTP_USER": "u",
        "BRIEFINGS_SMTP_PASSWORD": "p",
        "BRIEFINGS_MAIL_FROM": "b@example.org",
        "BRIEFINGS_BASE_URL": "https://example.org/briefings/",
    }
    loaded = settings_from_env(env)
    assert (loaded.smtp_host, loaded.port, loaded.security) == ("mail.example.org", 465, "ssl")
    assert loaded.base_url == "https://example.org/briefings"
    assert "password" not in repr(loaded)  # never shown in a log or traceback
    assert settings_from_env({}).port == 587  # starttls by default
    with pytest.raises(ConfigError, match="BRIEFINGS_SMTP_SECURITY='tls' is not one of none"):
        settings_from_env({"BRIEFINGS_SMTP_SECURITY": "tls"})
    with pytest.raises(ConfigError, match="BRIEFINGS_SMTP_PORT='x' is not a whole number from 1"):
        settings_from_env({"BRIEFINGS_SMTP_PORT": "x"})
    with pytest.raises(ConfigError, match="BRIEFINGS_NOTIFY_ATTEMPTS='0' is not a whole number"):
        settings_from_env({"BRIEFINGS_NOTIFY_ATTEMPTS": "0"})


# --- the schedule's notify: block ----------------------------------------------------------

SPEC = """\
defaults: {{formats: [html, pdf], keep: 3}}
briefings:
  weekly:
    cron: "0 6 * * 1"
    params: {{data_dir: data, title: Weekly}}
    notify:
      email: [readers@example.org, chief@example.org]
      webhook: {webhook}
      when: {when}
      failed_email: ops@example.org
  quiet:
    cron: "0 6 * * 1"
    params: {{data_dir: data}}
"""


def fake_build(raw, *, formats, out, keep, force, notebook, origin):
    """Publishes a complete-looking build with a digest, as build_briefing's manifest has.

    The marking parameter steers it: 'fail' fails, 'same' records nothing changed."""
    from briefings.exceptions import BuildError

    if raw.get("marking") == "fail":
        raise BuildError("notebook: cell 3 failed: ZeroDivisionError: division by zero")
    params, dataset = prepare(raw, origin=origin)
    folder = BuildFolder(new_staging(out))
    folder.briefing("html").write_text("<p>briefing</p>")
    folder.briefing("pdf").write_bytes(PDF)
    folder.state_table.write_text(
        "track,state,start,end,start_precision,confirmed_until,contested,event_ids,source_ids\n"
    )
    same = raw.get("marking") == "same"
    manifest = Manifest(
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        inputs_hash=inputs_hash(params, dataset, formats, notebook),
        parameters={"title": raw.get("title") or out.name},
        digest=Digest(
            bottom_line=BOTTOM,
            changed=not same,
            changes="Nothing changed since the previous build."
            if same
            else "Since the previous build: 1 new event.",
        ),
    )
    folder.write_manifest(manifest)
    return SimpleNamespace(build_dir=publish(folder.path, out, keep=keep))


@pytest.fixture
def mail_env(monkeypatch):
    def configure(port: int) -> None:
        monkeypatch.setenv("BRIEFINGS_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("BRIEFINGS_SMTP_PORT", str(port))
        monkeypatch.setenv("BRIEFINGS_SMTP_SECURITY", "none")
        monkeypatch.setenv("BRIEFINGS_MAIL_FROM", "briefings@example.org")
        monkeypatch.setenv("BRIEFINGS_NOTIFY_TIMEOUT", "1")
        monkeypatch.setenv("BRIEFINGS_NOTIFY_ATTEMPTS", "1")
        monkeypatch.setenv("BRIEFINGS_BASE_URL", "https://briefings.example.org")

    return configure


def write_spec(tmp_path: Path, webhook: str, when: str = "[built, failed]") -> Path:
    write_dataset(tmp_path / "data")
    path = tmp_path / "briefings.yaml"
    path.write_text(SPEC.format(webhook=webhook, when=when), encoding="utf-8")
    return path


def run(spec: Path, now: datetime = MONDAY, **options):
    outcomes = run_schedule(spec, now=now, jobs=1, build=fake_build, **options)
    return {o.name: o for o in outcomes}


def test_a_scheduled_build_is_mailed_and_posted_and_a_skipped_one_is_not(tmp_path, mail_env):
    with smtp_server() as (port, inbox), webhook_server() as (url, posts):
        mail_env(port)
        spec = write_spec(tmp_path, f"{url}/ok")
        first = run(spec)
        assert first["weekly"].status == "built" and first["quiet"].status == "built"
        [mail] = inbox.messages  # 'quiet' has no notify: block
        assert mail["to"] == ["readers@example.org", "chief@example.org"]
        assert mail["message"]["Subject"].startswith("Weekly [weekly]: built (")
        body = parts(mail["message"])
        assert BOTTOM[0] in body["text"] and "1 new event" in body["text"]
        assert body["attachments"] == [("weekly.pdf", PDF)]
        [(path, payload)] = posts
        assert (
            path == "/ok"
            and "https://briefings.example.org/weekly/briefing.pdf" in (payload["text"])
        )
        status = read_status(tmp_path / "reports", "weekly")["last_delivery"]
        assert [(r["channel"], r["status"]) for r in status["results"]] == [
            ("email", "sent"),
            ("webhook", "sent"),
        ]

        again = run(spec, MONDAY.replace(hour=8))
        assert again["weekly"].status == "skipped"
        assert len(inbox.messages) == 1 and len(posts) == 1


def test_when_changed_sends_nothing_for_an_unchanged_rebuild(tmp_path, mail_env):
    with smtp_server() as (port, inbox), webhook_server() as (url, posts):
        mail_env(port)
        spec = write_spec(tmp_path, f"{url}/ok", when="[changed]")
        spec.write_text(spec.read_text().replace("      failed_email: ops@example.org\n", ""))
        run(spec)  # a first build is news
        assert len(inbox.messages) == 1 and len(posts) == 1
        spec.write_text(spec.read_text().replace("title: Weekly", "title: Weekly, marking: same"))
        rebuilt = run(spec, MONDAY.replace(hour=9))
        assert rebuilt["weekly"].status == "built", rebuilt["weekly"].reason  # content the same
        assert len(inbox.messages) == 1 and len(posts) == 1


def test_a_failure_goes_to_the_failure_list_once(tmp_path, mail_env):
    with smtp_server() as (port, inbox), webhook_server() as (url, posts):
        mail_env(port)
        spec = write_spec(tmp_path, f"{url}/ok")
        run(spec)
        good = published_build(tmp_path / "reports" / "weekly")
        spec.write_text(spec.read_text().replace("title: Weekly", "title: Weekly, marking: fail"))
        assert run(spec, MONDAY.replace(hour=9))["weekly"].status == "failed"
        assert run(spec, MONDAY.replace(hour=10))["weekly"].status == "failed"
    assert published_build(tmp_path / "reports" / "weekly") == good
    failures = [m for m in inbox.messages if "failed" in m["message"]["Subject"]]
    assert len(failures) == 1  # the same failure an hour later is not sent again
    assert failures[0]["to"] == ["ops@example.org"]
    text = parts(failures[0]["message"])["text"]
    assert "The build failed: notebook: cell 3 failed: ZeroDivisionError" in text
    assert "The last good briefing is unchanged." in text
    assert len(posts) == 2  # built, then failed once


def test_delivery_failures_never_fail_or_block_a_build(tmp_path, mail_env, monkeypatch):
    with silent_server() as hung:
        mail_env(hung)  # the mail server hangs; the webhook answers 500
        with webhook_server() as (url, _posts):
            spec = write_spec(tmp_path, f"{url}/fail")
            started = time.monotonic()
            outcomes = run(spec)
            elapsed = time.monotonic() - started
    assert {o.status for o in outcomes.values()} == {"built"}
    assert elapsed < 10  # one try of 1 s each, bounded
    assert (tmp_path / "reports" / "weekly" / "briefing.pdf").read_bytes() == PDF
    delivery = read_status(tmp_path / "reports", "weekly")["last_delivery"]
    assert [(r["channel"], r["status"], r["error"]) for r in delivery["results"]] == [
        ("email", "failed", "timed out"),
        ("webhook", "failed", "HTTP 500 Internal Server Error"),
    ]
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert "Delivery failed" in index and "timed out" in index


def test_a_malformed_setting_is_recorded_not_raised(tmp_path, mail_env, monkeypatch):
    mail_env(free_port())
    monkeypatch.setenv("BRIEFINGS_SMTP_SECURITY", "tls")
    spec = write_spec(tmp_path, "http://127.0.0.1:9")
    assert run(spec)["weekly"].status == "built"
    [result] = read_status(tmp_path / "reports", "weekly")["last_delivery"]["results"]
    assert "BRIEFINGS_SMTP_SECURITY='tls' is not one of none, starttls, ssl" in result["error"]


def test_notify_test_sends_to_every_reader(tmp_path, mail_env, capsys):
    with smtp_server() as (port, inbox), webhook_server() as (url, posts):
        mail_env(port)
        spec = write_spec(tmp_path, f"{url}/ok")
        run(spec)
        inbox.messages.clear()
        posts.clear()
        assert main(["notify", "--test", "weekly", "--spec", str(spec)]) == 0
        out = capsys.readouterr().out
        assert "email to readers@example.org, chief@example.org, ops@example.org: sent" in out
        [mail] = inbox.messages
        assert mail["message"]["Subject"].startswith("[test] Weekly [weekly]: built")
        assert "This is a test message" in parts(mail["message"])["text"]
        assert len(posts) == 1 and posts[0][1]["text"].startswith("[test] Weekly [weekly]")

        assert main(["notify", "--test", "quiet", "--spec", str(spec)]) == 1
        assert "briefing 'quiet' has no notify: block" in capsys.readouterr().err

    mail_env(free_port())  # nobody listening now
    assert main(["notify", "--test", "weekly", "--spec", str(spec)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("email to readers@example.org") and "Connection refused" in err[0]


NOTIFY_MISTAKES = [
    ("notify: {emial: a@b.org}", "key 'notify.emial': unknown key (allowed: email, webhook,"),
    ("notify: {email: not-an-address}", "key 'notify.email': 'not-an-address' is not a mail"),
    ("notify: {email: [a@b.org, 'x y@z.org']}", "key 'notify.email': 'x y@z.org' is not a mail"),
    ("notify: {webhook: 'ftp://x.org/h'}", "key 'notify.webhook': is not an http:// or https"),
    ("notify: {email: a@b.org, when: [always]}", "key 'notify.when': ['always'] is not a list of"),
    ("notify: {when: [built]}", "key 'notify': names nobody: give email, failed_email or webhook"),
    (
        "notify: {email: a@b.org, when: [built], failed_email: o@b.org}",
        "key 'notify.failed_email': is set but 'when' does not include failed",
    ),
    ("notify: [a@b.org]", "key 'notify': must be a mapping with any of the keys email,"),
]


@pytest.mark.parametrize(
    ("block", "expected"), NOTIFY_MISTAKES, ids=[e for _, e in NOTIFY_MISTAKES]
)
def test_the_schedule_check_names_the_briefing_and_key(tmp_path, block, expected):
    path = tmp_path / "briefings.yaml"
    path.write_text(f'briefings:\n  weekly:\n    cron: "@daily"\n    {block}\n', encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    [line] = caught.value.lines()
    assert line.startswith(f"{path}:4: briefing 'weekly': {expected}"), line


def test_notify_in_defaults_and_a_single_address(tmp_path):
    path = tmp_path / "briefings.yaml"
    path.write_text(
        "defaults:\n  notify: {email: team@example.org, when: changed}\n"
        'briefings:\n  a: {cron: "@daily"}\n'
        '  b: {cron: "@daily", notify: {webhook: "https://hooks.example.org/T1/B2"}}\n',
        encoding="utf-8",
    )
    a, b = load_spec(path).briefings
    assert a.notify == Notify(email=("team@example.org",), when=("changed",))
    assert b.notify == Notify(webhook="https://hooks.example.org/T1/B2")


# --- the Atom feed ---------------------------------------------------------------------------


def test_the_feed_is_atom_with_one_entry_per_published_build(tmp_path, monkeypatch):
    monkeypatch.delenv("BRIEFINGS_BASE_URL", raising=False)
    spec = write_spec(tmp_path, "http://127.0.0.1:9")
    spec.write_text(
        'briefings:\n  weekly:\n    cron: "0 6 * * 1"\n'
        "    params: {data_dir: data, title: Weekly}\n"
        '  quiet:\n    cron: "0 6 * * 1"\n    params: {data_dir: data}\n'
    )
    run(spec)
    run(spec, MONDAY.replace(hour=9), force=True)
    feed_path = tmp_path / "reports" / "feed.xml"
    root = ET.parse(feed_path).getroot()  # well-formed XML
    atom = f"{{{ATOM}}}"
    assert root.tag == f"{atom}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{atom}{required}") is not None, required
    entries = root.findall(f"{atom}entry")
    assert len(entries) == 4  # two briefings, two kept builds each
    ids = set()
    for entry in entries:
        for required in ("id", "title", "updated", "summary"):
            assert (entry.find(f"{atom}{required}").text or "").strip(), required
        ids.add(entry.find(f"{atom}id").text)
        datetime.fromisoformat(entry.find(f"{atom}updated").text)  # RFC 3339
        links = {link.get("rel"): link.get("href") for link in entry.findall(f"{atom}link")}
        assert set(links) == {"alternate", "enclosure"}
        for href in links.values():
            assert (feed_path.parent / href).is_file(), href
    assert len(ids) == 4 and all(i.startswith("urn:uuid:") for i in ids)
    titles = [e.find(f"{atom}title").text for e in entries]
    assert any(t.startswith("Weekly [weekly]: built ") for t in titles)
    assert any(t.startswith("quiet: built ") for t in titles)  # titled by its name alone
    assert entries[0].find(f"{atom}summary").text == BOTTOM[0].split(". ")[0] + "."
    assert not list(feed_path.parent.glob(".feed.xml.*"))  # written aside, then moved


# --- end to end: the real command, a real build, real servers --------------------------------


@pytest.mark.slow
def test_briefings_schedule_mails_and_posts_a_real_build(tmp_path, mail_env, capsys):
    write_dataset(tmp_path / "data")
    spec = tmp_path / "briefings.yaml"
    with smtp_server() as (port, inbox), webhook_server() as (url, posts):
        mail_env(port)
        spec.write_text(
            "briefings:\n  small:\n    cron: '0 6 * * 1'\n    params: {data_dir: data}\n"
            f"    notify: {{email: [analyst@example.org], webhook: '{url}/ok'}}\n",
            encoding="utf-8",
        )
        args = ["schedule", "--spec", str(spec), "--now", "2026-01-05T07:00", "-q"]
        assert main(args) == 0
        assert (
            capsys.readouterr().out
            == "1 built, 0 skipped, 0 failed; deliveries: 2 sent, 0 failed\n"
        )
        published = tmp_path / "reports" / "small"
        manifest = BuildFolder(published).read_manifest()
        [mail] = inbox.messages
        assert mail["to"] == ["analyst@example.org"]
        subject = mail["message"]["Subject"].strip()
        assert subject.startswith(f"{manifest.title} [small]: built (")
        body = parts(mail["message"])
        # the bottom line the build recorded, word for word, in both parts
        first = manifest.digest.bottom_line[0]
        assert first and first in body["text"]
        assert first.split(":")[0] in body["html"]
        assert "This is the first build of this briefing" in body["text"]
        assert body["attachments"] == [("small.pdf", (published / "briefing.pdf").read_bytes())]
        [(path, payload)] = posts
        assert path == "/ok" and payload["text"].startswith(subject)
        assert "https://briefings.example.org/small/briefing.html" in payload["text"]

        assert main([*args[:-2], "2026-01-05T08:00", "-q"]) == 0  # nothing due, nothing sent
        assert capsys.readouterr().out == "0 built, 1 skipped, 0 failed\n"
        assert len(inbox.messages) == 1 and len(posts) == 1
    feed = ET.parse(tmp_path / "reports" / "feed.xml").getroot()
    [entry] = feed.findall(f"{{{ATOM}}}entry")
    assert entry.find(f"{{{ATOM}}}summary").text == first.split(". ")[0] + "."


# --- mail over TLS, against a certificate made for the test ------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1 (its file, to trust) and a server context."""
    openssl = require_program("openssl")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return cert, server


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_mail_over_tls_is_delivered_to_a_trusted_server(certificate, monkeypatch, security):
    cert, server = certificate
    # The client trusts what the system trusts: here, the test's own certificate.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with smtp_server(tls=server, implicit=security == "ssl") as (port, inbox):
        [result] = deliver(
            notice(), Notify(email=("a@example.org",)), settings(port, security=security)
        )
    assert result.status == "sent", result.error
    [received] = inbox.messages
    assert received["to"] == ["a@example.org"]
    assert "[weekly]: built" in received["message"]["Subject"]


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_mail_to_a_server_whose_certificate_is_not_trusted_is_not_sent(certificate, security):
    _cert, server = certificate
    with smtp_server(tls=server, implicit=security == "ssl") as (port, inbox):
        [result] = deliver(
            notice(), Notify(email=("a@example.org",)), settings(port, security=security)
        )
    assert result.status == "failed"
    assert "certificate verify failed" in result.error
    assert inbox.messages == []


# --- text that must stay well-formed (issue 22 §8) ------------------------------------------


def test_a_title_with_line_breaks_and_control_characters_loses_neither_mail_nor_post():
    """A header is one line: a title with CR/LF once made the email package refuse the
    message, and the webhook was lost with it."""
    title = "Aid\r\nBcc: victim@example.org\x0bnow\x01"
    with smtp_server() as (port, inbox), webhook_server() as (url, posts):
        results = deliver(
            notice(title=title, reason=title),
            Notify(email=("readers@example.org",), webhook=f"{url}/ok"),
            settings(port),
        )
    assert [(r.channel, r.status) for r in results] == [("email", "sent"), ("webhook", "sent")]
    [mail] = inbox.messages
    assert mail["to"] == ["readers@example.org"] and mail["message"]["Bcc"] is None
    subject = mail["message"]["Subject"].strip()
    assert subject.startswith("Aid Bcc: victim@example.org now [weekly]: built (")
    assert not set(subject) & {"\r", "\n", "\x0b", "\x01"}
    [(_path, payload)] = posts
    assert payload["text"].startswith("Aid Bcc: victim@example.org now [weekly]")


def test_notify_test_on_a_briefing_never_built_says_so(tmp_path, mail_env, capsys):
    with smtp_server() as (port, inbox), webhook_server() as (url, posts):
        mail_env(port)
        spec = write_spec(tmp_path, f"{url}/ok")
        spec.write_text(
            spec.read_text().replace("title: Weekly", 'title: "Weekly\\r\\nBcc: x@y.org"')
        )
        assert main(["notify", "--test", "weekly", "--spec", str(spec)]) == 0
        assert "webhook to http://127.0.0.1:" in capsys.readouterr().out
        [mail] = inbox.messages
        subject = mail["message"]["Subject"].strip()
        assert subject.startswith("[test] Weekly Bcc: x@y.org [weekly]: not built yet (")
        assert "The briefing has not been built yet." in parts(mail["message"])["text"]
        assert "Not built yet" in parts(mail["message"])["html"]
        assert "not built yet" in posts[0][1]["text"]


def test_the_feed_is_well_formed_whatever_a_manifest_holds(tmp_path, monkeypatch):
    """A manifest restored from a cache, or a title parameter: control characters in it
    are left out of the feed, which stays XML for every briefing."""
    monkeypatch.delenv("BRIEFINGS_BASE_URL", raising=False)
    spec = write_spec(tmp_path, "http://127.0.0.1:9")
    run(spec)
    folder = BuildFolder(published_build(tmp_path / "reports" / "weekly"))
    manifest = folder.read_manifest()
    folder.write_manifest(
        Manifest.from_json(
            {
                **json.loads(manifest.to_json()),
                "parameters": {"title": "Aid\x0bbriefing\x01\r\nnow"},
                "digest": {"bottom_line": ["Aid was off\x0c. More."]},
            }
        )
    )
    write_feed(load_spec(spec).catalogue)
    root = ET.parse(tmp_path / "reports" / "feed.xml").getroot()  # well-formed
    titles = [e.find(f"{{{ATOM}}}title").text for e in root.findall(f"{{{ATOM}}}entry")]
    assert any(t.startswith("Aid briefing now [weekly]: built ") for t in titles), titles


def test_readers_are_told_after_the_briefing_is_unlocked(tmp_path, mail_env, monkeypatch):
    """A delivery may take its time limit on every try; meanwhile another runner may
    build the briefing again (issue 22 §5)."""
    from briefings.schedule.runner import briefing_lock

    with smtp_server() as (port, _inbox), trickling_server(smtp=False) as (hook, posting):
        mail_env(port)
        monkeypatch.setenv("BRIEFINGS_NOTIFY_TIMEOUT", "4")
        spec = write_spec(tmp_path, f"http://127.0.0.1:{hook}/hook")
        outcomes: list = []
        runner = threading.Thread(target=lambda: outcomes.append(run(spec, only=["weekly"])))
        runner.start()
        assert posting.wait(60), "the webhook was never posted to"
        with briefing_lock(tmp_path / "reports", "weekly") as held:
            assert held  # the runner is still delivering, without the lock
            assert runner.is_alive()
        runner.join(60)
    [result] = outcomes
    assert result["weekly"].status == "built"
    webhook = [d for d in result["weekly"].deliveries if d.channel == "webhook"]
    assert [(d.status, d.error) for d in webhook] == [("failed", "timed out")]
