"""Who hears about a briefing's builds, as its schedule's `notify:` block names them.

Plain values, checked by the schedule's reader and used by the notices; nothing here sends.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    webhook: str | None = None
    when: tuple[str, ...] = DEFAULT_WHEN
    failed_email: tuple[str, ...] = ()

    def recipients(self, event: str) -> tuple[str, ...]:
        """Mail addresses for an event ('built', 'changed' or 'failed')."""
        return (self.failed_email or self.email) if event == "failed" else self.email
