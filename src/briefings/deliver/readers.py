"""Who hears about a briefing's builds, as its schedule's `notify:` block names them.

Plain values, checked by the schedule's reader and used by the notices; nothing here sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

NOTIFY_WHEN = ("built", "changed", "failed")
DEFAULT_WHEN = ("built", "failed")


@dataclass(frozen=True)
class Notify:
    """Who hears about a briefing's builds: mail recipients, a webhook, and on what.

    `when` holds any of 'built' (every successful build), 'changed' (a build whose
    "changes since the previous build" found something) and 'failed'. Failures go to
    `failed_email` when it is given, else to `email`; the webhook hears every event.
    """

    email: tuple[str, ...] = ()
    webhook: str | None = field(default=None, repr=False)  # its path or query is its key
    when: tuple[str, ...] = DEFAULT_WHEN
    failed_email: tuple[str, ...] = ()

    def recipients(self, event: str) -> tuple[str, ...]:
        """Mail addresses for an event ('built', 'changed' or 'failed')."""
        return (self.failed_email or self.email) if event == "failed" else self.email


def shown_webhook(url: str) -> str:
    """A webhook URL as every record and message shows it: scheme, host and port only.

    Chat services put the webhook's key in its path (Slack, Teams) or query (`?token=`),
    and a URL may carry a login (`user:pass@`); none of it is written anywhere.
    """
    return webhook_origin(url) or "(a webhook URL whose host cannot be read)"


def webhook_origin(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL; None when it has no host or port to read."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number, brackets that do not close
        return None
    if not host or parts.scheme.lower() not in ("http", "https"):
        return None
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")
