"""Telling a briefing's readers: mail through SMTP, and a JSON post to a chat webhook.

SMTP is configured only by the environment (`BRIEFINGS_SMTP_HOST`, `_PORT`, `_SECURITY`,
`_USER`, `_PASSWORD`, `BRIEFINGS_MAIL_FROM`, declared in briefings.settings), never by
briefings.yaml, so no password sits in the checkout. Each delivery is tried a bounded
number of times, each try within `BRIEFINGS_NOTIFY_TIMEOUT` seconds as a whole (see
deadline), with a growing pause between tries; its failure is a result to record, never
an exception: a briefing is built and published whether or not anyone could be told.
"""

from __future__ import annotations

import http.client
import json
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from briefings import settings as variables
from briefings.build.folder import BuildFolder, Manifest
from briefings.build.publish import published_build
from briefings.data.moments import readable
from briefings.deliver.deadline import Deadline
from briefings.deliver.published import Publication
from briefings.deliver.readers import Notify, shown_webhook
from briefings.exceptions import one_line
from briefings.inputs.text import printable
from briefings.report import markup

if TYPE_CHECKING:
    import tenacity

DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
BACKOFF = (2.0, 8.0)  # seconds to wait before the second and third try

SENT, FAILED = "sent", "failed"
NEVER_BUILT = "never built"  # a notice's status when nothing is published yet


@dataclass(frozen=True)
class Settings:
    """Delivery settings: read from the environment by `settings_from_env`; the defaults
    are those briefings.settings declares."""

    smtp_host: str | None = None
    smtp_port: int | None = None
    security: str = variables.SMTP_SECURITY.default
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    mail_from: str | None = None
    base_url: str | None = None
    max_attachment: int = int(variables.MAIL_MAX_ATTACHMENT.default)
    timeout: float = variables.NOTIFY_TIMEOUT.default
    attempts: int = int(variables.NOTIFY_ATTEMPTS.default)
    backoff: tuple[float, ...] = BACKOFF

    @property
    def port(self) -> int:
        return self.smtp_port or DEFAULT_PORTS[self.security]


def settings_from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the delivery settings (`os.environ` unless `environ` is given); raise
    ConfigError naming a malformed variable, its value and what is allowed."""
    port = variables.SMTP_PORT.read(environ)
    return Settings(
        smtp_host=variables.SMTP_HOST.read(environ),
        smtp_port=None if port is None else int(port),
        security=variables.SMTP_SECURITY.read(environ),
        user=variables.SMTP_USER.read(environ),
        password=variables.SMTP_PASSWORD.read(environ),
        mail_from=variables.MAIL_FROM.read(environ),
        base_url=variables.BASE_URL.read(environ),
        max_attachment=int(variables.MAIL_MAX_ATTACHMENT.read(environ)),
        timeout=variables.NOTIFY_TIMEOUT.read(environ),
        attempts=int(variables.NOTIFY_ATTEMPTS.read(environ)),
    )


@dataclass(frozen=True)
class Notice:
    """What to tell the readers of one briefing about one build or failure."""

    briefing: str
    title: str
    event: str  # 'built', 'changed' or 'failed' (what triggered it)
    status: str  # 'built', 'failed' or 'never built' (a test notice before any build)
    when: str  # readable UTC time
    bottom_line: tuple[str, ...] = ()
    changes: str = ""
    reason: str = ""  # why it failed
    links: tuple[tuple[str, str], ...] = ()  # (label, URL or path relative to reports/)
    pdf: Path | None = None
    test: bool = False

    @property
    def subject(self) -> str:
        prefix = "[test] " if self.test else ""
        what = {"failed": "failed", NEVER_BUILT: "not built yet"}.get(self.status, "built")
        if self.event == "changed":
            what = "built, with changes"
        # Several briefings of one dataset share its title: the name tells them apart.
        name = "" if self.briefing == self.title else f" [{self.briefing}]"
        # A header is one line of text: a line break in a title would end it (and the
        # email package refuses to write it), a control character would garble it.
        return printable(f"{prefix}{self.title}{name}: {what} ({self.when})", one_line=True)


@dataclass(frozen=True)
class Delivery:
    """The outcome of one channel: where, whether it went, after how many tries, why not."""

    channel: str  # 'email' or 'webhook'
    target: str
    status: str  # 'sent' or 'failed'
    attempts: int
    error: str = ""
    note: str = ""

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v != ""}


def events_to_notify(notify: Notify, status: str, changed: bool | None) -> str | None:
    """Which event of `notify.when` a build outcome triggers, or None for silence."""
    if status == "failed":
        return "failed" if "failed" in notify.when else None
    if status != "built":
        return None
    if "built" in notify.when:
        return "built"
    return "changed" if "changed" in notify.when and changed is not False else None


def deliver(notice: Notice, notify: Notify, settings: Settings) -> list[Delivery]:
    """Send a notice by mail and webhook as `notify` says; one result per channel."""
    results = []
    recipients = notify.recipients(notice.event)
    if recipients:
        results.append(_send_mail(notice, recipients, settings))
    if notify.webhook:
        results.append(_post_webhook(notice, notify.webhook, settings))
    return results


def compose_mail(
    notice: Notice, recipients: tuple[str, ...], settings: Settings
) -> tuple[EmailMessage, str]:
    """The message (plain text and HTML, the PDF attached when small enough) and a note
    saying why the PDF is not attached ('' when it is or there is none)."""
    note = ""
    attach = None
    if notice.pdf is not None and notice.pdf.is_file():
        size = notice.pdf.stat().st_size
        if size <= settings.max_attachment:
            attach = notice.pdf.read_bytes()
        else:
            megabytes = f"{size / 1_048_576:.1f} MB"
            limit = f"{settings.max_attachment / 1_048_576:.1f} MB"
            note = f"The PDF ({megabytes}) is over the attachment limit ({limit}): "
            note += (
                "open it from the link above."
                if settings.base_url
                else "it is in the briefing's folder on the server."
            )
    links = _absolute_links(notice, settings)
    message = EmailMessage()
    message["Subject"] = notice.subject
    message["From"] = settings.mail_from or ""
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="briefings.invalid")
    message.set_content(_plain_text(notice, links, note))
    message.add_alternative(
        markup.render("mail/notice.html.j2", notice=notice, links=links, note=note),
        subtype="html",
    )
    if attach is not None:
        filename = f"{notice.briefing}.pdf"
        message.add_attachment(attach, maintype="application", subtype="pdf", filename=filename)
    return message, note


def webhook_payload(notice: Notice, settings: Settings) -> dict:
    """A JSON body that Slack's and Teams' incoming webhooks both accept: `text`, with the
    title, status, the bottom line's first sentence and the links (URLs autolink)."""
    lines = [notice.subject]
    if notice.status == "failed" and notice.reason:
        lines.append(f"Why: {notice.reason}")
    if notice.bottom_line:
        lines.append(notice.bottom_line[0])
    if notice.changes:
        lines.append(notice.changes)
    lines.extend(f"{label}: {url}" for label, url in _absolute_links(notice, settings))
    return {"text": "\n\n".join(lines)}


# --- sending ------------------------------------------------------------------------------


def _send_mail(notice: Notice, recipients: tuple[str, ...], settings: Settings) -> Delivery:
    target = ", ".join(recipients)
    if not settings.smtp_host or not settings.mail_from:
        missing = "BRIEFINGS_SMTP_HOST" if not settings.smtp_host else "BRIEFINGS_MAIL_FROM"
        return Delivery("email", target, FAILED, 0, f"{missing} is not set; no mail was sent")
    try:
        message, note = compose_mail(notice, recipients, settings)
    except OSError as error:
        return Delivery("email", target, FAILED, 0, f"cannot read the PDF: {error.strerror}")
    except Exception as error:  # a header the email package refuses: recorded, never raised
        return Delivery("email", target, FAILED, 0, f"cannot write the message: {_describe(error)}")

    def send(deadline: Deadline) -> None:
        with deadline.smtp(settings.smtp_host, settings.port, settings.security) as smtp:
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(message, from_addr=settings.mail_from, to_addrs=list(recipients))

    return _with_retries("email", target, send, settings, note=note)


def _post_webhook(notice: Notice, url: str, settings: Settings) -> Delivery:
    body = json.dumps(webhook_payload(notice, settings)).encode("utf-8")

    def post(deadline: Deadline) -> None:
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        with deadline.opener().open(request, timeout=deadline.left()) as response:
            response.read(65536)

    return _with_retries("webhook", shown_webhook(url), post, settings)


def _with_retries(
    channel: str,
    target: str,
    send: Callable[[Deadline], None],
    settings: Settings,
    note: str = "",
) -> Delivery:
    """Try `send` up to `settings.attempts` times, each try within `settings.timeout`
    seconds as a whole (its Deadline), pausing between tries, unless a failure is
    permanent; never raise. The result counts the tries made."""
    tries = 0
    try:
        for attempt in _retrying(settings):
            with attempt:
                tries = attempt.retry_state.attempt_number
                send(Deadline(settings.timeout))
    except Exception as caught:  # any failure to deliver is recorded, never raised
        return Delivery(channel, target, FAILED, tries, _describe(caught), note)
    return Delivery(channel, target, SENT, tries, note=note)


def _retrying(settings: Settings) -> tenacity.Retrying:
    """When to try again: after a failure another try may mend (`_permanent`), up to
    `settings.attempts` tries, pausing `settings.backoff[i]` seconds before try i + 2 (its
    last pause repeated); the last failure is raised as it was."""
    import tenacity  # here: it brings asyncio, 0.1 s for every scheduler process otherwise

    def pause(state: tenacity.RetryCallState) -> float:
        return settings.backoff[min(state.attempt_number, len(settings.backoff)) - 1]

    return tenacity.Retrying(
        stop=tenacity.stop_after_attempt(settings.attempts),
        wait=pause,
        retry=tenacity.retry_if_exception(
            lambda error: isinstance(error, Exception) and not _permanent(error)
        ),
        reraise=True,
    )


def _permanent(error: Exception) -> bool:
    """Failures that another try cannot mend: a refused recipient or login, a 4xx answer."""
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    if isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused):
        return True
    if isinstance(error, urllib.error.HTTPError):
        return 400 <= error.code < 500 and error.code not in (408, 429)
    return False


def _describe(error: Exception) -> str:
    """One line on why a try failed; never the URL (a webhook's holds its key)."""
    if isinstance(error, http.client.InvalidURL):  # its message quotes the URL's path
        return "the URL holds a character a URL may not have (the URL is not shown)"
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        error = error.reason if isinstance(error.reason, Exception) else error
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if error.smtp_error else ""
        return f"SMTP {error.smtp_code} {text}".strip()
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "every recipient was refused: " + ", ".join(error.recipients)
    if isinstance(error, TimeoutError) or str(error).endswith("timed out"):
        return "timed out"  # also smtplib's "Connection unexpectedly closed: timed out"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return one_line(f"{type(error).__name__}: {error}", 300)


# --- text ---------------------------------------------------------------------------------


def _absolute_links(notice: Notice, settings: Settings) -> tuple[tuple[str, str], ...]:
    """The notice's links as URLs under BRIEFINGS_BASE_URL; without it, none (a path on
    the server is no use to a reader elsewhere)."""
    if not settings.base_url:
        return ()
    return tuple((label, f"{settings.base_url}/{quote(path)}") for label, path in notice.links)


def _plain_text(notice: Notice, links: tuple[tuple[str, str], ...], note: str) -> str:
    lines = [notice.subject, ""]
    if notice.test:
        lines += ["This is a test message from briefings notify --test.", ""]
    if notice.status == "failed":
        lines += [f"The build failed: {notice.reason}", "The last good briefing is unchanged.", ""]
    if notice.status == NEVER_BUILT:
        lines += ["The briefing has not been built yet.", ""]
    if notice.bottom_line:
        lines += ["Bottom line", "", *(f"{b}\n" for b in notice.bottom_line)]
    if notice.changes:
        lines += ["Changes since the previous build", "", notice.changes, ""]
    lines += [f"{label}: {url}" for label, url in links]
    if note:
        lines += ["", note]
    return "\n".join(lines).rstrip() + "\n"


# --- about a published briefing -------------------------------------------------------------


def notice_for(
    briefing: Publication,
    reports: Path,
    event: str,
    *,
    reason: str = "",
    finished: datetime,
    test: bool = False,
) -> Notice:
    """The notice about a briefing's published build (or its failure, with `reason`);
    links are relative to `reports`."""
    published = published_build(briefing.out)
    manifest = _published_manifest(briefing)
    link = BuildFolder(briefing.out.relative_to(reports))
    links = tuple(
        (kind.upper(), link.briefing(kind).as_posix())
        for kind in (BuildFolder(published).formats() if published is not None else ())
    )
    pdf = BuildFolder(briefing.out).briefing("pdf")
    # The manifest may have been restored from elsewhere: its text is made printable.
    return Notice(
        briefing=briefing.name,
        title=printable(manifest.title or briefing.title or briefing.name, one_line=True),
        event=event,
        status="failed" if event == "failed" else "built" if published else NEVER_BUILT,
        when=readable(finished),
        bottom_line=tuple(printable(line) for line in manifest.digest.bottom_line),
        changes=printable(manifest.digest.changes),
        reason=printable(reason, one_line=True),
        links=links,
        pdf=pdf if pdf.is_file() else None,
        test=test,
    )


def changed_flag(briefing: Publication) -> bool | None:
    """Whether the published build's changes section found anything (None: not recorded)."""
    return _published_manifest(briefing).digest.changed


def _published_manifest(briefing: Publication) -> Manifest:
    """The manifest of the briefing's published build (empty when there is none)."""
    published = published_build(briefing.out)
    manifest = None if published is None else BuildFolder(published).read_manifest()
    return manifest or Manifest()
