"""The status store: what the scheduler recorded about each briefing's attempts.

`reports/.status/<name>.json` holds a briefing's last attempt, its last success and how
the notices about the last attempt went. The runner writes it and decides from it
whether a briefing is due; the index shows it. Each write goes to a temporary file that
is moved into place, so a reader never sees half of one.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from briefings.build.folder import Manifest
from briefings.data.moments import stored_time
from briefings.exceptions import ProblemsError
from briefings.inputs.nofollow import read_own_json, real_folder, write_atomic
from briefings.schedule.clock import LONG_AGO

STATUS_DIR = ".status"
BUILT, FAILED = "built", "failed"  # a build attempt's status, as the status file records it


def status_path(reports: Path, name: str) -> Path:
    """The status file of briefing `name`."""
    return reports / STATUS_DIR / f"{name}.json"


def read_status(reports: Path, name: str) -> dict:
    """The recorded status of a briefing; empty when none was recorded or it is unreadable.

    The file may have been edited or restored from elsewhere: an attempt recorded as
    anything but a mapping is left out, so readers can rely on the shape.
    """
    try:
        data = read_own_json(status_path(reports, name))
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
    return _write(reports, name, status)


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
    return _write(reports, name, status)


def _write(reports: Path, name: str, status: dict) -> dict:
    real_folder(reports / STATUS_DIR, below=reports)
    write_atomic(status_path(reports, name), json.dumps(status, indent=2, sort_keys=True) + "\n")
    return status


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
