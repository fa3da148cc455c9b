"""What the reports folder says about each scheduled briefing: its status file and the index.

`reports/.status/<name>.json` records the last attempt and the last success of a
briefing (the scheduler writes it); `reports/index.html` lists every briefing of the
schedule with its latest good build, the last attempt and the kept history. Both are
written to a temporary file and moved into place, so a reader never sees half of one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from briefings.build.folder import BuildFolder, Manifest
from briefings.build.publish import published_build
from briefings.data.moments import readable, stored_time
from briefings.deliver.feed import FEED_FILE
from briefings.deliver.published import BuildLink, builds
from briefings.exceptions import ProblemsError
from briefings.inputs.nofollow import read_own_text, real_folder, write_atomic
from briefings.report import markup
from briefings.report.digest import first_sentence
from briefings.schedule.clock import LONG_AGO, next_fire
from briefings.schedule.spec import INDEX_FILE, Briefing, Spec

STATUS_DIR = ".status"
BUILT, FAILED = "built", "failed"  # a build attempt's status, as the status file records it
INDEX_TEMPLATE = "index/index.html.j2"


def status_path(reports: Path, name: str) -> Path:
    """The status file of briefing `name`."""
    return reports / STATUS_DIR / f"{name}.json"


def read_status(reports: Path, name: str) -> dict:
    """The recorded status of a briefing; empty when none was recorded or it is unreadable.

    The file may have been edited or restored from elsewhere: an attempt recorded as
    anything but a mapping is left out, so readers can rely on the shape.
    """
    try:
        data = json.loads(read_own_text(status_path(reports, name)))
    except (ProblemsError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        key: value
        for key, value in data.items()
        if key not in ("last_attempt", "last_success") or isinstance(value, dict)
    }


def record_attempt(reports: Path, name: str, attempt: dict) -> dict:
    """Record a build attempt (`status`, `at`, `duration`, `reason`, `build`); return the status.

    A successful attempt also becomes `last_success`, which the scheduler's "due" test and
    the index read.
    """
    status = read_status(reports, name)
    status["briefing"] = name
    status["last_attempt"] = attempt
    if attempt.get("status") == BUILT:
        status["last_success"] = attempt
    real_folder(reports / STATUS_DIR, below=reports)
    write_atomic(status_path(reports, name), json.dumps(status, indent=2, sort_keys=True) + "\n")
    return status


def record_delivery(
    reports: Path, name: str, event: str, at: datetime, results: list[dict]
) -> dict:
    """Record how the notifications about the last attempt went; return the status."""
    status = read_status(reports, name)
    status["last_delivery"] = {
        "event": event,
        "at": at.isoformat(timespec="seconds"),
        "results": results,
    }
    real_folder(reports / STATUS_DIR, below=reports)
    write_atomic(status_path(reports, name), json.dumps(status, indent=2, sort_keys=True) + "\n")
    return status


@dataclass(frozen=True)
class IndexRow:
    """One briefing as the index shows it: plain values, the template makes the markup."""

    name: str
    description: str
    cron: str
    status: str  # 'built', 'failed' or 'never built'
    attempted: str  # when the last attempt ended, readable; '' if never
    reason: str  # why the last attempt failed; '' otherwise
    latest: BuildLink | None
    latest_time: str
    next_due: str
    bottom_line: str
    history: tuple[tuple[str, BuildLink], ...]  # (readable time, build), older builds
    delivery_failures: tuple[str, ...]


def index_rows(spec: Spec, *, now: datetime) -> list[IndexRow]:
    """The index's rows, in the schedule's order."""
    return [_row(briefing, spec.reports, now) for briefing in spec.briefings]


def render_index(spec: Spec, *, now: datetime) -> str:
    """The index page: every briefing of the schedule, in the schedule's order."""
    return markup.render(
        INDEX_TEMPLATE,
        rows=index_rows(spec, now=now),
        written=readable(now),
        spec_name=spec.path.name,
        feed=FEED_FILE,
    )


def write_index(spec: Spec, *, now: datetime) -> Path:
    """Write `reports/index.html` for a schedule; return its path."""
    path = spec.reports / INDEX_FILE
    write_atomic(path, render_index(spec, now=now))
    return path


def last_success(reports: Path, name: str, published: Path, manifest: Manifest) -> datetime:
    """When the published build was made, on the clock of the run that made it.

    A run given `--now` records that time, so due-ness follows the scheduler's clock; a
    build published by hand falls back to its manifest's wall-clock `built_at`. A stored
    time that is malformed or later than the real clock is not trusted: the briefing then
    counts as built long ago, so it is due, and the next success records a sane time.
    """
    success = read_status(reports, name).get("last_success")
    success = success if isinstance(success, dict) else {}
    recorded = stored_time(success.get("at")) if success.get("build") == published.name else None
    return recorded or stored_time(manifest.built_at) or LONG_AGO


def _row(briefing: Briefing, reports: Path, now: datetime) -> IndexRow:
    kept = builds(briefing.out, reports)
    latest = next((b for b in kept if b.current), None)
    status = read_status(reports, briefing.name)
    attempt = status.get("last_attempt") if isinstance(status.get("last_attempt"), dict) else {}
    outcome = str(attempt.get("status") or "")
    published = published_build(briefing.out)
    manifest = None if published is None else BuildFolder(published).read_manifest()
    if published is None or manifest is None:
        next_due = "at the next run (never built)"
    else:
        due = next_fire(briefing.cron, last_success(reports, briefing.name, published, manifest))
        next_due = "at the next run" if due <= now else readable(due)
    return IndexRow(
        name=briefing.name,
        description=briefing.description,
        cron=briefing.cron,
        status=outcome if outcome in (BUILT, FAILED) else "never built",
        attempted=_readable(attempt.get("finished") or attempt.get("at")),
        reason=str(attempt.get("reason") or "") if outcome == FAILED else "",
        latest=latest,
        latest_time=_readable(latest.built_at) if latest else "",
        next_due=next_due,
        bottom_line=first_sentence(manifest.digest) if manifest is not None else "",
        history=tuple((_readable(b.built_at) or b.build_id, b) for b in kept if not b.current),
        delivery_failures=_delivery_failures(status.get("last_delivery")),
    )


def _delivery_failures(delivery: object) -> tuple[str, ...]:
    """One line per channel that failed in the last delivery."""
    results = delivery.get("results") if isinstance(delivery, dict) else None
    return tuple(
        f"{r.get('channel')} to {r.get('target')}: {r.get('error')}"
        + (
            f" (after {r['attempts']} tries)"
            if isinstance(r.get("attempts"), int) and r["attempts"] > 1
            else ""
        )
        for r in results or ()
        if isinstance(r, dict) and r.get("status") == "failed"
    )


def _readable(text: object) -> str:
    moment = stored_time(text)
    return readable(moment) if moment is not None else ""
