"""A time limit on work in this process's main thread, by a timer signal.

The render stage uses it: the renderers run in this process, where a kernel's cell
timeout does not reach, and a briefing given something it should never have been given
(a cell's megabytes of HTML) could keep them busy for an hour.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class TimeUp(BaseException):
    """The time ran out (BaseException: no `except Exception` in a library keeps it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeUp in the body after `seconds`, and again every half second until it
    leaves the body (a library that swallows it once does not stop the clock).

    A timer signal reaches only the main thread: elsewhere the body runs unlimited.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signal, _frame) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        raise TimeUp

    # A TimeUp raised inside a finalizer or weakref callback is swallowed there, and
    # Python would print it as "Exception ignored in …" with a traceback: the next one
    # stops the body, so that one is dropped silently.
    def unraisable(report) -> None:
        if not isinstance(report.exc_value, TimeUp):
            previous_hook(report)

    previous_hook, sys.unraisablehook = sys.unraisablehook, unraisable
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.unraisablehook = previous_hook
