"""The scheduler's clock: which run times are plausible, and which may be recorded.

A run may be told to decide "as if" at another time (`--now`). Its decisions are only
as good as that time, and a recorded success at a future time would hold a briefing's
schedule until then, so: a time outside 2000–2099 is refused as a typo; a run that
builds may not be later than the real clock (a future time is for `--dry-run`, which
records nothing); and a stored time is never trusted past the real clock
(`briefings.data.moments.stored_time`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from croniter import croniter

from briefings.data.moments import EARLIEST, as_utc, real_now
from briefings.exceptions import ScheduleError

LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # exclusive
# Where a briefing's last success is unknown: long ago, so it is due.
LONG_AGO = EARLIEST


def check_run_time(moment: datetime, *, dry_run: bool, clock: datetime | None = None) -> datetime:
    """The run's time in UTC, or ScheduleError when it is implausible or, for a run that
    builds, later than the real clock (`clock`, default now)."""
    clock = clock or real_now()
    shown = moment.isoformat(timespec="minutes")
    try:
        utc = as_utc(moment)
    except OverflowError:  # 0001-01-01T00:00+05:00 is before the first representable moment
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise ScheduleError(
            f"--now {shown}: not a plausible time for a scheduled run "
            f"(use a time in the years {EARLIEST.year}–{LATEST.year - 1}, UTC unless an offset "
            "is given)"
        )
    if utc > clock and not dry_run:
        raise ScheduleError(
            f"--now {shown}: later than the clock ({format_moment(clock)}); a run that builds "
            "as if in the future would record that time as its last build and hold the "
            "schedule until then. Add --dry-run to see what would be built at that time"
        )
    return utc


def recordable(moment: datetime, clock: datetime | None = None) -> datetime:
    """The time to record for a run at `moment`: never later than the real clock."""
    return min(as_utc(moment), clock or real_now())


def format_moment(moment: datetime) -> str:
    """'2026-01-05 06:00 UTC'."""
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def next_fire(cron: str, after: datetime) -> datetime:
    """The first fire time of a cron expression (UTC) strictly after `after`."""
    return as_utc(croniter(cron, as_utc(after)).get_next(datetime))
