"""`briefings serve`: the server's parts put together, started and stopped.

One process serves the pages (tornado, on asyncio: requests never wait for a build);
the builds run in build processes of their own (worker.py), one at a time unless
`jobs` says otherwise, fed by the queue (queue.py). With `watch`, a watcher
(watch.py) orders a preview build on every burst of saves.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import tornado.httpserver
import tornado.netutil
import tornado.web

from briefings.build.builder import build_briefing
from briefings.build.folder import FORMATS
from briefings.data.params import request_parameters
from briefings.exceptions import BriefingsError, OutputError
from briefings.paths import briefing_notebook, default_dataset
from briefings.serve import handlers
from briefings.serve.auth import form_key
from briefings.serve.queue import (
    BUILT,
    MAX_WAITING,
    PREVIEW,
    BuildQueue,
    Job,
    Order,
    Outcome,
    Progress,
)
from briefings.serve.views import DEFAULT_KEEP_VIEWS, prune_views
from briefings.serve.watch import Watcher
from briefings.serve.worker import BuildSettings, BuildWorkers, check_ahead

DEFAULT_PORT = 8800
# What a request may send: the form is a few hundred bytes; nothing else is posted.
MAX_BODY = 64 * 1024
MAX_HEADERS = 16 * 1024
# A client that sends its request this slowly, or stays idle this long, is let go.
IDLE_SECONDS = 30

Say = Callable[[str], None]


@dataclass(frozen=True)
class ServeOptions:
    """How to serve: where, with which token, and what to build with.

    `index(template)` renders the live index of the schedule with the given template;
    the command line hands it over, as the schedule is not this package's to read.
    `build` is `build_briefing`, or a stand-in with its signature (the tests').
    """

    reports: Path
    index: Callable[[str], str]
    token: str
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    notebook: Path = field(default_factory=briefing_notebook)
    jobs: int = 1
    max_waiting: int = MAX_WAITING
    keep_views: int = DEFAULT_KEEP_VIEWS
    watch: bool = False
    build: Callable[..., object] = build_briefing


class Server:
    """The running server's state: options, queue, build processes, preview."""

    def __init__(self, options: ServeOptions, say: Say) -> None:
        self.options = options
        self.say = say
        self.form_key = form_key(options.token)
        self.port = options.port
        self.preview_builds = 0  # previews published so far: a page reloads on a new one
        self.preview_out: Path | None = None  # where the last preview was published
        self.streams = 0  # pages following a build through server-sent events
        self.workers = BuildWorkers(
            BuildSettings(options.notebook, build=options.build), jobs=options.jobs
        )
        self.queue = BuildQueue(
            self._build,
            jobs=options.jobs,
            max_waiting=options.max_waiting,
            on_finished=self._finished,
        )
        self.watcher = (
            Watcher(options.notebook, _saved_dataset(options.notebook), self.order_preview)
            if options.watch
            else None
        )
        self._http: tornado.httpserver.HTTPServer | None = None
        self._checked_ahead: asyncio.Future | None = None

    def start(self) -> str:
        """Listen, start the build processes and the watcher; the server's address."""
        app = tornado.web.Application(handlers.routes(self), log_function=self._log)
        self._http = tornado.httpserver.HTTPServer(
            app,
            max_body_size=MAX_BODY,
            max_buffer_size=MAX_BODY + MAX_HEADERS,
            max_header_size=MAX_HEADERS,
            idle_connection_timeout=IDLE_SECONDS,
            body_timeout=IDLE_SECONDS,
        )
        host = self.options.host
        try:
            sockets = tornado.netutil.bind_sockets(self.options.port, host)
        except OSError as error:
            raise OutputError(
                f"{host}:{self.options.port}: cannot listen ({error.strerror}); "
                "choose another --port or --host"
            ) from None
        self._http.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]  # the one chosen when asked for port 0
        self.workers.start()
        # The first order checks its parameters here: load what that needs meanwhile.
        self._checked_ahead = asyncio.get_running_loop().run_in_executor(
            None, check_ahead, self.options.notebook
        )
        self.queue.start()
        if self.watcher is not None:
            self.watcher.start()
            self.order_preview()
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}/"

    async def stop(self) -> None:
        """Stop listening, then the watcher, the queue and the build processes."""
        if self._http is not None:
            self._http.stop()
            await self._http.close_all_connections()
        if self.watcher is not None:
            await self.watcher.stop()
        if self._checked_ahead is not None:
            await self._checked_ahead
        await self.queue.stop()
        await asyncio.to_thread(self.workers.close)

    def order_view(self, name: str, raw: dict[str, object], out: Path) -> Job:
        """Queue a view's build (QueueFull when the queue is full)."""
        job = self.queue.submit(Order(name, raw, FORMATS, out))
        self.say(f"view {name}: queued ({self.queue.waiting()} waiting)")
        return job

    def order_preview(self) -> None:
        """Queue a build of the preview, as `briefings build --preview` makes it."""
        self.queue.submit(Order(PREVIEW, {}, ("html",), None, preview=True))

    async def _build(self, order: Order, progress: Progress) -> Outcome:
        """Build an order in a build process; after a view, remove the oldest views
        beyond the limit (before its page hears it is built)."""
        outcome = await self.workers.run(order, progress)
        if not order.preview and not outcome.reason:
            busy = {job.name for job in self.queue.active()}
            reports, keep = self.options.reports, self.options.keep_views
            for name in await asyncio.to_thread(prune_views, reports, keep=keep, busy=busy):
                self.say(f"view {name}: removed, the oldest of more than {keep}")
        return outcome

    def _finished(self, job: Job) -> None:
        outcome = "failed: " + job.reason if job.reason else "built"
        if job.cached:
            outcome = "unchanged"
        self.say(f"{'preview' if job.order.preview else 'view ' + job.name}: {outcome}")
        if job.order.preview and job.state == BUILT:
            self.preview_out = job.out
            self.preview_builds += not job.cached

    def _log(self, handler: tornado.web.RequestHandler) -> None:
        """Say nothing of requests (their addresses may carry the token) but a server error."""
        status, request = handler.get_status(), handler.request
        if status >= 500:
            self.say(f"error {status} on {request.method} {request.path}")


def _saved_dataset(notebook: Path) -> Path:
    try:
        return request_parameters({}, notebook=notebook).params.data_dir
    except BriefingsError:
        return default_dataset()


async def serve(options: ServeOptions, *, say: Say, stop: asyncio.Event | None = None) -> None:
    """Serve until `stop` is set, or until SIGINT or SIGTERM when none is given; `say` hears
    the server's address (with the token) and a line per build."""
    server = Server(options, say)
    url = server.start()
    try:
        say(f"serving {options.reports} at {url}?token={options.token}")
        if stop is None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        say("stopping")
        await server.stop()
