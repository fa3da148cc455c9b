"""Builds in processes of their own, kept between builds.

A build runs a kernel and renders HTML and PDF in Python: in the server's process it
would hold the interpreter the requests need, its render time limit works only on a
process's main thread, and a build that dies must not take the server with it. So each
of the queue's `jobs` builders has a build process,
which takes one order at a time through a pipe and sends back the build's progress lines
and how it went. The process stays between builds with the build's libraries loaded and,
as a scheduled run's worker does, a kernel forked ahead of need from a warm template, so
a view costs its build, not the start-up. A process that dies fails its build with one
line and is started anew for the next order.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from briefings.build.builder import build_briefing
from briefings.build.kernels import pool as kernels
from briefings.build.kernels.lifetime import die_with_parent
from briefings.exceptions import BriefingsError
from briefings.serve.queue import Order, Outcome, Progress

# A build process asked to stop shuts down its kernels on the way out.
STOP_SECONDS = 10


@dataclass(frozen=True)
class BuildSettings:
    """What every build of a server shares: its notebook, the history it keeps of a view,
    and the function that builds (`build_briefing`, or a stand-in with its signature)."""

    notebook: Path
    keep: int = 1
    build: Callable[..., object] = build_briefing


class BuildWorkers:
    """`jobs` build processes; `run` builds an order in a free one."""

    def __init__(self, settings: BuildSettings, *, jobs: int) -> None:
        self._processes = [_BuildProcess(settings) for _ in range(jobs)]
        self._free: asyncio.Queue[_BuildProcess] = asyncio.Queue()
        for process in self._processes:
            self._free.put_nowait(process)

    def start(self) -> None:
        """Start every build process now (on the event loop's thread: a process is told
        to die with the thread that started it)."""
        for process in self._processes:
            process.start()

    async def run(self, order: Order, progress: Progress) -> Outcome:
        """Build `order` in a free process; `progress` hears its lines on this loop."""
        loop = asyncio.get_running_loop()
        process = await self._free.get()
        try:
            process.start()  # again if it died
            return await asyncio.to_thread(
                process.build, order, lambda line: loop.call_soon_threadsafe(progress, line)
            )
        finally:
            self._free.put_nowait(process)

    def close(self) -> None:
        """Stop every build process (a build under way is abandoned, its staging folder
        left for the next publish to clear)."""
        for process in self._processes:
            process.stop()


class _BuildProcess:
    """One build process and the pipe to it."""

    def __init__(self, settings: BuildSettings) -> None:
        self.settings = settings
        self._process: multiprocessing.process.BaseProcess | None = None
        self._pipe = None
        self._lock = threading.Lock()

    def start(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        self.stop()
        # spawn, not fork: the server holds sockets, threads and an event loop.
        context = multiprocessing.get_context("spawn")
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve_builds,
            args=(theirs, os.getpid(), self.settings),
            name="briefings-serve-build",
        )
        self._process.start()
        theirs.close()

    def build(self, order: Order, say: Progress) -> Outcome:
        """Hand `order` to the process and wait for its outcome, passing on its lines."""
        with self._lock:
            try:
                self._pipe.send(order)
                while True:
                    kind, value = self._pipe.recv()
                    if kind == "outcome":
                        return value
                    say(value)
            except (EOFError, OSError):
                status = self._process.exitcode if self._process is not None else None
                self.stop()
                return Outcome(
                    reason=f"the build process ended unexpectedly (exit status {status}); "
                    "the published view is unchanged"
                )

    def stop(self) -> None:
        process, pipe = self._process, self._pipe
        self._process = self._pipe = None
        if pipe is not None:
            pipe.close()
        if process is not None:
            process.terminate()  # it leaves as from the end of its orders (_serve_builds)
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
            process.close()


def _serve_builds(pipe, parent: int, settings: BuildSettings) -> None:
    """A build process: build each order that comes through `pipe` until it closes."""
    die_with_parent(parent)
    # Ctrl-C at the server's terminal reaches this process too; the server stops it, with
    # SIGTERM, which ends it as an exit would: a build under way removes its staging
    # folder, and the kernels started ahead are shut down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _leave)
    if settings.build is build_briefing:
        kernels.open_pool(settings.notebook.parent)
        _warm_up(settings.notebook)
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            pipe.send(("progress", line))

    while True:
        try:
            order = pipe.recv()
        except (EOFError, OSError):
            return
        outcome = _build(order, settings, say)
        with lock:
            pipe.send(("outcome", outcome))


def _leave(_signal, _frame) -> None:
    sys.exit(0)


def check_ahead(notebook: Path) -> None:
    """Check the notebook's own parameters and hash the inputs, as a build (and an order
    from the form) does first, so that pandas, nbformat and the libraries' versions are
    loaded before the first order, not while a reader waits for it. A mistake found here
    is left for the order to report."""
    from briefings.build.fingerprint import inputs_hash
    from briefings.build.folder import FORMATS
    from briefings.build.hygiene import read_notebook
    from briefings.data.params import prepare

    with contextlib.suppress(BriefingsError):
        params, dataset = prepare({}, notebook=notebook)
        inputs_hash(params, dataset, FORMATS, notebook)
        read_notebook(notebook)


def _warm_up(notebook: Path) -> None:
    """`check_ahead`, and load papermill, the renderers and Typst's fonts."""
    import papermill  # noqa: F401

    from briefings.report import render

    check_ahead(notebook)
    render.warm_up(pdf=True)


def _build(order: Order, settings: BuildSettings, say: Progress) -> Outcome:
    """Build and publish one order as `briefings build` would; its outcome in one line."""
    try:
        result = settings.build(
            dict(order.raw),
            formats=order.formats,
            out=order.out,
            keep=None if order.preview else settings.keep,
            notebook=settings.notebook,
            progress=say,
            preview=order.preview,
        )
    except BriefingsError as error:
        return Outcome(reason=error.summary())
    except Exception as error:  # a bug: one line on the page, the process goes on
        return Outcome(reason=f"unexpected {type(error).__name__}: {error}")
    return Outcome(cached=result.cached, out=Path(result.out_dir))
