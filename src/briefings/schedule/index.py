"""`reports/index.html`: every briefing of the schedule, as its readers and operators see it.

One row per briefing, in the schedule's order: its latest good build, the last attempt
and why it failed (from the status store), when it is due next, the first sentence of
its bottom line and the kept history. Written to a temporary file and moved into place,
so a reader never sees half of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from briefings.build.folder import BuildFolder
from briefings.build.publish import published_build
from briefings.data.moments import readable, stored_time
from briefings.deliver.feed import FEED_FILE
from briefings.deliver.published import BuildLink, builds
from briefings.inputs.nofollow import write_atomic
from briefings.report import markup
from briefings.report.digest import first_sentence
from briefings.schedule.clock import next_fire
from briefings.schedule.spec import INDEX_FILE, ScheduledBriefing, Spec
from briefings.schedule.status import BUILT, FAILED, last_success, read_status

INDEX_TEMPLATE = "index/index.html.j2"


@dataclass(frozen=True)
class IndexRow:
    """One briefing as the index shows it: plain values, the template makes the markup."""

    name: str
    description: str
    cron: str
    status: str  # 'built', 'failed' or 'never built'
    attempted: str  # when the last attempt ended, readable; '' if never or if it made the
    # latest build (whose time the index shows already)
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


def render_index(spec: Spec, *, now: datetime, template: str = INDEX_TEMPLATE) -> str:
    """The index page: every briefing of the schedule, in the schedule's order (`template`
    extends the index's, as the one `briefings serve` shows at /)."""
    return markup.render(
        template,
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


def _row(briefing: ScheduledBriefing, reports: Path, now: datetime) -> IndexRow:
    kept = builds(briefing.out, reports)
    latest = next((b for b in kept if b.current), None)
    status = read_status(reports, briefing.name)
    attempt = status.get("last_attempt") if isinstance(status.get("last_attempt"), dict) else {}
    outcome = str(attempt.get("status") or "")
    # An attempt that made the latest build ended when it was built: its time is shown once.
    made_latest = (
        outcome == BUILT and latest is not None and attempt.get("build") == latest.build_id
    )
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
        attempted="" if made_latest else _readable(attempt.get("finished") or attempt.get("at")),
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
