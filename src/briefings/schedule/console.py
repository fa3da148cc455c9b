"""What `briefings schedule` prints for a person: while it runs, one line per delivery made
or failed and, on a terminal, one progress line rewritten in place; at the end, a table of
what happened to each briefing, printed once."""

from __future__ import annotations

import os
import time
from typing import TextIO

from briefings.deliver.notify import FAILED as NOT_SENT
from briefings.deliver.notify import SENT, Delivery
from briefings.schedule.runner import SKIPPED, WOULD_BUILD, Outcome, Step
from briefings.schedule.status import BUILT, FAILED

_CLEAR_LINE = "\r\x1b[K"  # back to the line's start, and erase it


def delivery_line(delivery: Delivery) -> str:
    """One delivery in words: its channel, where it went (the addresses, or a webhook's
    scheme, host and port as `notify` records it), and whether it was sent."""
    line = f"{delivery.channel} to {delivery.target}: {delivery.status}"
    line += f" after {delivery.attempts} tries" if delivery.attempts > 1 else ""
    line += f" ({delivery.error})" if delivery.error else ""
    return line + (f"; {delivery.note}" if delivery.note else "")


class RunConsole:
    """The runner's `progress` for a person, on `stream` (standard error).

    Every delivery is a line of its own, kept in the scroll-back. On a terminal (`live`)
    one more line says how far the run has got, rewritten at each step and erased at the
    end, so that the table printed afterwards is the only list of decisions.
    """

    def __init__(self, stream: TextIO, *, live: bool | None = None) -> None:
        self.stream = stream
        self.live = _is_terminal(stream) if live is None else live
        self._line = ""  # the progress line, drawn below whatever is written
        self._failed = 0  # builds failed so far
        self._building_since: float | None = None
        self._drawn = False

    def __enter__(self) -> RunConsole:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._erase()

    def __call__(self, step: Step) -> None:
        outcome = step.outcome
        if step.phase == "building":
            self._failed += outcome is not None and outcome.status == FAILED
            self._line = self._building(step)
        elif outcome is None:  # a decision not to build keeps the line that named it
            self._line = f"checking {step.name} ({step.done + 1} of {step.total})"
        for delivery in outcome.deliveries if outcome else ():
            self.write(f"{outcome.name}: {delivery_line(delivery)}")
        if self.live:
            self._draw(self._line)

    def write(self, line: str) -> None:
        """A line for the scroll-back, above the progress line."""
        self._erase()
        self.stream.write(line + "\n")
        self.stream.flush()

    def _building(self, step: Step) -> str:
        if self._building_since is None:
            self._building_since = time.monotonic()
        text = f"building: {step.done} of {step.total} done"
        if self._failed:
            text += f", {self._failed} failed"
        if step.outcome is not None:
            text += f"; {step.name} {step.outcome.status} in {step.outcome.duration:.0f} s"
        return f"{text} ({_elapsed(time.monotonic() - self._building_since)} so far)"

    def _draw(self, text: str) -> None:
        # Cut to the terminal's width: a line that wrapped could not be rewritten in place.
        width = _columns(self.stream)
        self.stream.write(_CLEAR_LINE + text[: max(width - 1, 1)])
        self.stream.flush()
        self._drawn = True

    def _erase(self) -> None:
        if self._drawn:
            self.stream.write(_CLEAR_LINE)
            self.stream.flush()
            self._drawn = False


def format_summary(outcomes: list[Outcome], *, dry_run: bool = False) -> str:
    """A plain-text table: briefing, status, duration, how its readers were told (when any
    briefing told anyone) and the reason; then the totals (`summary_line`)."""
    told = any(o.deliveries for o in outcomes)
    head = ("briefing", "status", "duration", *(("delivery",) if told else ()), "reason")
    rows = [
        (
            o.name,
            o.status,
            f"{o.duration:.1f} s" if o.status in (BUILT, FAILED) else "–",
            *((_told(o),) if told else ()),
            o.reason,
        )
        for o in outcomes
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head) - 1)]
    lines = []
    for row in [head, *rows]:
        cells = [
            f"{cell:>{width}}" if column == 2 else f"{cell:<{width}}"
            for column, (cell, width) in enumerate(zip(row, widths, strict=False))
        ]
        lines.append("  ".join([*cells, row[-1]]))
    return "\n".join([*lines, summary_line(outcomes, dry_run=dry_run)]) + "\n"


def summary_line(outcomes: list[Outcome], *, dry_run: bool = False) -> str:
    """One line of totals ('1 built, 12 skipped, 0 failed'), naming the failed briefings,
    then the deliveries sent and failed if there were any; a dry run counts what it would
    build instead ('0 would build' when nothing is due: a dry run built nothing)."""
    first = WOULD_BUILD if dry_run else BUILT
    counts = [f"{sum(o.status == s for o in outcomes)} {s}" for s in (first, SKIPPED, FAILED)]
    failed = [o.name for o in outcomes if o.status == FAILED]
    line = ", ".join(counts) + (f": {', '.join(failed)}" if failed else "")
    deliveries = [d for o in outcomes for d in o.deliveries]
    if deliveries:
        sent = sum(d.status == SENT for d in deliveries)
        line += f"; deliveries: {sent} sent, {len(deliveries) - sent} failed"
    return line


def failed_deliveries(outcomes: list[Outcome]) -> list[str]:
    """One line per delivery that failed, naming its briefing."""
    return [
        f"briefing '{o.name}': {delivery_line(d)}"
        for o in outcomes
        for d in o.deliveries
        if d.status == NOT_SENT
    ]


def _told(outcome: Outcome) -> str:
    """How one briefing's readers were told: 'email sent, webhook failed', or '–'."""
    return ", ".join(f"{d.channel} {d.status}" for d in outcome.deliveries) or "–"


def _elapsed(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):  # a closed or stand-in stream
        return False


def _columns(stream: TextIO) -> int:
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        columns = 0
    return columns or 80  # a terminal that does not say its width (0) gets the usual one
