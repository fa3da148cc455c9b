"""The build queue: views ordered from the form, and previews, built `jobs` at a time.

An order for a view already waiting joins it (the newer parameters win, as a second
publish would), so one view is one job however often it is ordered. At most
`max_waiting` orders wait; the next is refused with QueueFull, so a flood of orders
cannot grow the queue without bound. A preview goes to the front (the analyst at their
own server is waiting for it) and never counts against the limit: a newer save replaces
the waiting one. Every change is announced to the pages that follow the queue.

The queue knows nothing of how a build runs: `run` does it (worker.BuildWorkers, or a
stand-in in the tests) and says how it went.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

QUEUED, RUNNING, BUILT, FAILED = "queued", "running", "built", "failed"
MAX_WAITING = 20
PREVIEW = "preview"  # the preview's name in the queue: one preview per server
# Finished jobs remembered for their pages (the last of each name); older ones are forgotten
# and their pages show what is published.
KEPT_FINISHED = 500


class QueueFull(Exception):
    """The queue holds as many waiting orders as it may."""


@dataclass(frozen=True)
class Order:
    """What to build: the raw parameters, in which formats, and where to publish it
    (`out`; for a preview None, which is the preview's own folder) under which name."""

    name: str
    raw: Mapping[str, object]
    formats: tuple[str, ...]
    out: Path | None
    preview: bool = False


@dataclass(frozen=True)
class Outcome:
    """How a build went: `reason` is empty when it was published at `out`; `cached` when
    nothing had to be built."""

    reason: str = ""
    cached: bool = False
    out: Path | None = None


Progress = Callable[[str], None]
Run = Callable[[Order, Progress], Awaitable[Outcome]]


@dataclass
class Job:
    """One order in the queue, and what its page shows of it."""

    order: Order
    state: str = QUEUED
    message: str = ""  # the build's last progress line, e.g. "executing cell 4 of 23"
    reason: str = ""  # why it failed, in one line
    cached: bool = False
    out: Path | None = None  # where it was published
    queued_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def name(self) -> str:
        return self.order.name

    def elapsed(self) -> float:
        """Seconds since the build started (until it ended); 0 while it waits."""
        if self.started_at is None:
            return 0.0
        return (self.finished_at or time.monotonic()) - self.started_at


class BuildQueue:
    """Orders waiting, running and finished; `start` sets `jobs` builders to work on them."""

    def __init__(
        self,
        run: Run,
        *,
        jobs: int = 1,
        max_waiting: int = MAX_WAITING,
        on_finished: Callable[[Job], None] | None = None,
    ) -> None:
        self._run = run
        self.jobs = jobs
        self.max_waiting = max_waiting
        self._on_finished = on_finished
        self._waiting: deque[Job] = deque()
        self._running: dict[str, Job] = {}
        self._finished: OrderedDict[str, Job] = OrderedDict()
        self._change = asyncio.Event()
        self._work = asyncio.Event()
        self._builders: list[asyncio.Task] = []

    def submit(self, order: Order) -> Job:
        """Queue `order`, or join the job of the same name that waits (or the view that
        runs with the same parameters); raise QueueFull when `max_waiting` orders wait."""
        waiting = next((job for job in self._waiting if job.name == order.name), None)
        if waiting is not None:
            waiting.order = order
            return waiting
        running = self._running.get(order.name)
        if running is not None and running.order == order and not order.preview:
            return running  # a preview is ordered by a save, which the build may not have seen
        views = sum(not job.order.preview for job in self._waiting)
        if not order.preview and views >= self.max_waiting:
            raise QueueFull(
                f"{views} views are waiting to be built, as many as the queue holds; "
                "order this one again in a few minutes"
            )
        job = Job(order)
        if order.preview:
            self._waiting.appendleft(job)
        else:
            self._waiting.append(job)
        self._work.set()
        self._announce()
        return job

    def job(self, name: str) -> Job | None:
        """The job of that name: waiting, else running, else the last finished."""
        waiting = next((job for job in self._waiting if job.name == name), None)
        return waiting or self._running.get(name) or self._finished.get(name)

    def active(self) -> list[Job]:
        """The jobs running, then those waiting in their order."""
        return [*self._running.values(), *self._waiting]

    def position(self, job: Job) -> int:
        """Where a waiting job stands (1 is next); 0 when it is not waiting."""
        for place, waiting in enumerate(self._waiting, start=1):
            if waiting is job:
                return place
        return 0

    def waiting(self) -> int:
        """How many jobs wait."""
        return len(self._waiting)

    async def changed(self, timeout: float) -> None:
        """Return at the next change of any job, or after `timeout` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._change.wait(), timeout)

    def start(self) -> None:
        """Start the builders (on the running event loop)."""
        self._builders = [asyncio.create_task(self._builder()) for _ in range(self.jobs)]

    async def stop(self) -> None:
        """Stop the builders; a build they wait for is the runner's to end."""
        for task in self._builders:
            task.cancel()
        await asyncio.gather(*self._builders, return_exceptions=True)
        self._builders = []

    def _next(self) -> Job | None:
        """The first waiting job whose view is not being built (two builds of one view
        would publish over each other), taken out of the queue."""
        job = next((job for job in self._waiting if job.name not in self._running), None)
        if job is not None:
            self._waiting.remove(job)
        return job

    def _announce(self) -> None:
        event, self._change = self._change, asyncio.Event()
        event.set()

    async def _builder(self) -> None:
        while True:
            while (job := self._next()) is None:
                self._work.clear()
                await self._work.wait()
            job.state, job.started_at = RUNNING, time.monotonic()
            self._running[job.name] = job
            self._announce()

            def progress(message: str, job: Job = job) -> None:
                job.message = message
                self._announce()

            try:
                outcome = await self._run(job.order, progress)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a bug in one build must not stop the queue
                outcome = Outcome(reason=f"unexpected {type(error).__name__}: {error}")
            self._finish(job, outcome)

    def _finish(self, job: Job, outcome: Outcome) -> None:
        job.state = FAILED if outcome.reason else BUILT
        job.reason, job.cached, job.out = outcome.reason, outcome.cached, outcome.out
        job.finished_at = time.monotonic()
        del self._running[job.name]
        self._finished.pop(job.name, None)
        self._finished[job.name] = job
        while len(self._finished) > KEPT_FINISHED:
            self._finished.popitem(last=False)
        if self._on_finished is not None:
            self._on_finished(job)
        self._work.set()  # a waiting order for the same view may go now
        self._announce()
