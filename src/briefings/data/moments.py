"""Moments in UTC: the machine's clock, times read back from files, and times for people.

Status files and manifests record when things happened as ISO 8601 text. Read back, such
a time is trusted only between 2000 and the real clock: anything else was malformed,
edited by hand, or recorded by an as-if run, and the caller falls back to a safe default.
"""

from __future__ import annotations

from datetime import UTC, datetime

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # no build or run of this tool is older


def as_utc(moment: datetime) -> datetime:
    """The moment in UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def real_now() -> datetime:
    """The machine's clock, in UTC."""
    return datetime.now(UTC)


def stored_time(text: object, clock: datetime | None = None) -> datetime | None:
    """A time read back from a status file or manifest, or None when it is not a
    plausible past time (malformed, hand-edited, or written by an older version that
    recorded as-if future runs): the caller then falls back to a safe default."""
    if not isinstance(text, str):
        return None
    try:
        moment = as_utc(datetime.fromisoformat(text))
    except (ValueError, OverflowError):
        return None
    if not EARLIEST <= moment <= (clock or real_now()):
        return None
    return moment


def readable(moment: datetime) -> str:
    """'Mon 5 Jan 2026, 06:00 UTC': for people (the index, mail, the changes section)."""
    moment = as_utc(moment)
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M} UTC"
