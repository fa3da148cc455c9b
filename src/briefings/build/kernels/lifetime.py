"""Tie a process's life to its parent's: builds, templates and kernels die with their runner."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """Make this process end when `parent`, the process that started it, dies, however it
    dies.

    A runner killed with SIGKILL cannot stop its workers, which would go on building
    queued briefings unseen. Linux sends the parent-death signal set here when the
    parent's thread that started this process ends; the check after it covers a parent
    that died before it was set.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
