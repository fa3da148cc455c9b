"""Telling a scheduled briefing's readers: after an attempt, and on `briefings notify --test`.

The runner hands each attempt's outcome here; which event it is, whether it was told
already, and how delivery went (recorded in the briefing's status file) are decided
here, and `briefings.deliver` sends.
"""

from __future__ import annotations

from pathlib import Path

from briefings.data.moments import real_now
from briefings.deliver import notify
from briefings.deliver.readers import Notify
from briefings.exceptions import BriefingsError, Problem, SpecError, one_line
from briefings.schedule.spec import ScheduledBriefing, load_spec, select
from briefings.schedule.status import FAILED, record_delivery


def tell_readers(
    reports: Path, briefing: ScheduledBriefing, status: str, reason: str, before: object
) -> list[notify.Delivery]:
    """Send what `notify:` asks for about an attempt (`status`, `reason`), record how it
    went and return it, one result per channel (none when nothing was due to be sent);
    `before` is the attempt recorded before this one.

    A failure with the same reason as the attempt before it is not sent again, so a
    briefing broken for a week does not mail its readers every hour. Nothing here may
    fail the build: every error becomes a recorded delivery failure.
    """
    publication = briefing.publication
    event = notify.events_to_notify(briefing.notify, status, notify.changed_flag(publication))
    repeated = (
        isinstance(before, dict)
        and before.get("status") == FAILED
        and before.get("reason") == reason
    )
    if event is None or (event == "failed" and repeated):
        return []
    finished = real_now()
    try:
        settings = notify.settings_from_env()
        notice = notify.notice_for(publication, reports, event, reason=reason, finished=finished)
        results = notify.deliver(notice, briefing.notify, settings)
    except Exception as error:  # a malformed setting, or a bug: recorded, never raised
        why = error.summary() if isinstance(error, BriefingsError) else one_line(repr(error), 300)
        results = [notify.Delivery("settings", "environment", notify.FAILED, 0, why)]
    record_delivery(reports, briefing.name, event, finished, [r.as_dict() for r in results])
    return results


def test_notification(spec_path: str | Path, name: str) -> list[notify.Delivery]:
    """Send a test notice about a briefing's published build (or that it has none) to
    every reader its `notify:` names, mail and failure mail alike; one result each.

    Raises SpecError for a malformed schedule, an unknown name or a briefing without
    `notify:`, and ConfigError for a malformed setting.
    """
    spec = load_spec(spec_path)
    [briefing] = select(spec, [name])
    if briefing.notify is None:
        raise SpecError(
            [Problem(str(spec.path), f"briefing '{name}' has no notify: block; nobody to tell")]
        )
    settings = notify.settings_from_env()
    notice = notify.notice_for(
        briefing.publication, spec.reports, "built", finished=real_now(), test=True
    )
    everyone = Notify(
        email=tuple(dict.fromkeys(briefing.notify.email + briefing.notify.failed_email)),
        webhook=briefing.notify.webhook,
    )
    return notify.deliver(notice, everyone, settings)
