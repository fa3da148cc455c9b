"""The server's pages: every request passes the token check, every page is a template.

`/` the live index; `/new` the form that orders a view; `/views` the views;
`/views/<name>` a view (its build's progress, then the briefing); `/preview` the
preview of `--watch`; `…/events` a page's server-sent events; anything else a file of
`reports/`, read without following a link out of it.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import os
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tornado.web
from tornado.iostream import StreamClosedError

from briefings.build.builder import default_slug
from briefings.build.folder import FORMATS
from briefings.data.params import prepare
from briefings.exceptions import BriefingsError
from briefings.inputs.nofollow import open_below
from briefings.paths import TEMPLATES_DIR
from briefings.report import markup
from briefings.serve import auth
from briefings.serve.form import form_fields, read_form
from briefings.serve.queue import PREVIEW, QUEUED, RUNNING, QueueFull
from briefings.serve.views import (
    is_current,
    is_view_name,
    published_view,
    published_views,
    view_out,
)

if TYPE_CHECKING:
    from briefings.serve.app import Server

INDEX_TEMPLATE = "serve/index.html.j2"
ASSETS = {"serve.js": "text/javascript", "serve.css": "text/css"}
# The server's own pages: scripts and styles from the server only; a briefing in a frame.
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
# A file of reports/ shown as a page (a briefing): no script at all, nothing from elsewhere.
FILE_POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
MAX_FILE = 256 * 1024 * 1024  # a briefing's files are a few megabytes
MAX_STREAMS = 100  # pages following builds at once; more are refused, not queued
HEARTBEAT_SECONDS = 15  # a comment down an idle event stream, to notice a page gone


class Refused(tornado.web.HTTPError):
    """A request refused with a line for the person who made it."""

    def __init__(self, status: int, line: str, *, token: bool = False) -> None:
        super().__init__(status)
        self.line = line
        self.token = token  # whether it is about the token (the page says how to get it)


class Page(tornado.web.RequestHandler):
    """Every handler: the token check, safe headers, templates for pages and errors."""

    def initialize(self, server: Server) -> None:
        self.server = server

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", PAGE_POLICY)
        self.set_header("X-Content-Type-Options", "nosniff")
        # A page's address may carry the token: a link out must not hand it on.
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-store")

    def prepare(self) -> None:
        token = self.server.options.token
        cookie = auth.cookie_name(self.server.port)
        given = self.get_query_argument("token", None)
        if given is None:
            given = auth.token_from_header(self.request.headers.get("Authorization", ""))
        if given is not None:
            if not auth.matches(given, token):
                raise Refused(403, "that token is not this server's", token=True)
            self.set_cookie(cookie, token, httponly=True, samesite="Strict")
            return
        if self.get_cookie(cookie) is None:
            raise Refused(401, "this server asks for its token", token=True)
        if not auth.matches(self.get_cookie(cookie), token):
            raise Refused(403, "the token this browser keeps is not this server's", token=True)

    def page(self, template: str, code: int = 200, **context: Any) -> None:
        self.set_status(code)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(markup.render(template, watch=self.server.watcher is not None, **context))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None))[1]
        phrase = HTTPStatus(status_code).phrase
        line = error.line if isinstance(error, Refused) else phrase
        token = isinstance(error, Refused) and error.token
        self.page(
            "serve/error.html.j2",
            status_code,
            status=status_code,
            phrase=phrase,
            line=line,
            token=token,
        )

    def check_form_key(self) -> None:
        """Refuse a post without the server's form key (made by a page of another site)."""
        if not auth.matches(self.get_body_argument("csrf", None), self.server.form_key):
            raise Refused(403, "the form was not sent from this server's page; reload it")


class IndexPage(Page):
    async def get(self) -> None:
        try:
            html = await asyncio.to_thread(self.server.options.index, INDEX_TEMPLATE)
        except BriefingsError as error:
            raise Refused(500, error.summary()) from None
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(html)


class NewView(Page):
    async def get(self) -> None:
        await self._form({}, [], 200)

    async def post(self) -> None:
        self.check_form_key()
        try:
            arguments = {
                name: [value.decode("utf-8") for value in values]
                for name, values in self.request.body_arguments.items()
            }
        except UnicodeDecodeError:
            raise Refused(400, "the form's text is not UTF-8; send it from the form") from None
        raw = read_form(arguments)
        notebook = self.server.options.notebook
        try:
            params, dataset = await asyncio.to_thread(prepare, raw, notebook=notebook)
        except BriefingsError as error:
            await self._form(raw, error.lines(), 400)
            return
        name = default_slug(params, dataset)
        out = view_out(self.server.options.reports, name)
        current = await asyncio.to_thread(is_current, out, params, dataset, FORMATS, notebook)
        if not current:
            try:
                self.server.order_view(name, raw, out)
            except QueueFull as full:
                raise Refused(429, str(full)) from None
        self.redirect(f"/views/{name}", status=303)

    async def _form(self, posted: dict, problems: list[str], status: int) -> None:
        notebook = self.server.options.notebook
        try:
            defaults, dataset = await asyncio.to_thread(prepare, {}, notebook=notebook)
        except BriefingsError as error:
            raise Refused(500, error.summary()) from None
        self.page(
            "serve/new.html.j2",
            status,
            fields=form_fields(defaults, dataset, posted),
            problems=problems,
            csrf=self.server.form_key,
            dataset=dataset,
            low=dataset.window[0],
            high=dataset.window[1],
        )


class ViewsPage(Page):
    async def get(self) -> None:
        views = await asyncio.to_thread(published_views, self.server.options.reports)
        queue = self.server.queue
        active = [job for job in queue.active() if not job.order.preview]
        self.page(
            "serve/views.html.j2",
            views=views,
            active=active,
            keep=self.server.options.keep_views,
            positions={job.name: queue.position(job) for job in active},
        )


class ViewPage(Page):
    async def get(self, name: str) -> None:
        state = view_state(self.server, name)
        published = await asyncio.to_thread(published_view, self.server.options.reports, name)
        if published is None and state["state"] == "missing":
            raise Refused(404, f"no view '{name}' is published or being built here")
        if published is None and state["state"] == "built":
            keep = self.server.options.keep_views
            raise Refused(
                404,
                f"the view '{name}' is no longer kept (the server keeps the newest {keep}); "
                "order it again from the form",
            )
        self.page("serve/view.html.j2", name=name, status=state, published=published)


class PreviewPage(Page):
    def get(self) -> None:
        if self.server.watcher is None:
            raise Refused(404, "the preview is shown by a server started with --watch")
        self.page("serve/preview.html.j2", status=preview_state(self.server))


class Events(Page):
    """Server-sent events: the state of a view or the preview, sent whenever it changes,
    until it cannot change any more."""

    async def get(self, name: str | None = None) -> None:
        if self.server.streams >= MAX_STREAMS:
            raise Refused(503, "too many pages are following builds; reload this one later")
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-cache")
        self.server.streams += 1
        try:
            await self._follow(name)
        except StreamClosedError:
            pass  # the page was closed
        finally:
            self.server.streams -= 1

    async def _follow(self, name: str | None) -> None:
        sent = None
        while True:
            state = view_state(self.server, name) if name else preview_state(self.server)
            if state != sent:
                self.write(f"data: {json.dumps(state)}\n\n")
                sent = state
            else:
                self.write(": still here\n\n")
            await self.flush()
            if state["final"]:
                return
            busy = state["state"] == RUNNING  # its elapsed time goes on
            await self.server.queue.changed(1.0 if busy else HEARTBEAT_SECONDS)


class Asset(Page):
    def get(self, name: str) -> None:
        if name not in ASSETS:
            raise Refused(404, f"no file '{name}' here")
        self.set_header("Content-Type", ASSETS[name])
        self.finish((TEMPLATES_DIR / "serve" / name).read_bytes())


class ReportFile(Page):
    """A file of reports/: links inside it are followed (a published briefing is one),
    links out of it never; hidden files (status, locks, staging) are not served."""

    def get(self, path: str) -> None:
        if any(part.startswith(".") for part in path.split("/")):
            raise Refused(404, f"no file '{path}' here")
        try:
            fd = open_below(self.server.options.reports, path)
        except OSError:
            raise Refused(404, f"no file '{path}' here") from None
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_FILE + 1)
        if len(data) > MAX_FILE:
            raise Refused(404, f"'{path}' is larger than this server sends")
        kind = mimetypes.guess_type(Path(path).name)[0] or "application/octet-stream"
        if kind == "text/html":
            self.set_header("Content-Security-Policy", FILE_POLICY)
        self.set_header("Content-Type", kind + ("; charset=utf-8" if kind == "text/html" else ""))
        self.set_header("Cache-Control", "no-cache")  # a rebuilt view keeps its address
        self.finish(data)


def view_state(server: Server, name: str) -> dict[str, object]:
    """What a view's page shows of its build, as plain values (also its events)."""
    job = server.queue.job(name)
    if job is not None and job.state in (QUEUED, RUNNING):
        return {
            "state": job.state,
            "position": server.queue.position(job),
            "waiting": server.queue.waiting(),
            "message": job.message or "starting",
            "elapsed": round(job.elapsed()),
            "final": False,
        }
    if job is not None:
        return {"state": job.state, "reason": job.reason, "final": True}
    published = view_out(server.options.reports, name).is_symlink() and is_view_name(name)
    return {"state": "built" if published else "missing", "reason": "", "final": True}


def preview_state(server: Server) -> dict[str, object]:
    """What the preview page shows: the build under way or the last, and where the
    preview is published (relative to reports/)."""
    job = server.queue.job(PREVIEW)
    out, reports = server.preview_out, server.options.reports
    href = f"/{out.name}/briefing.html" if out is not None and out.parent == reports else ""
    return {
        "state": job.state if job else QUEUED,
        "message": (job.message if job else "") or "starting",
        "elapsed": round(job.elapsed()) if job else 0,
        "reason": job.reason if job else "",
        "builds": server.preview_builds,
        "href": href,
        "final": False,
    }


NAME = r"([a-z0-9][a-z0-9-]*)"


def routes(server: Server) -> list[tuple]:
    """The server's addresses and their handlers."""
    given = {"server": server}
    return [
        (r"/", IndexPage, given),
        (r"/new", NewView, given),
        (r"/views", ViewsPage, given),
        (rf"/views/{NAME}", ViewPage, given),
        (rf"/views/{NAME}/events", Events, given),
        (r"/preview", PreviewPage, given),
        (r"/preview/events", Events, given),
        (r"/_serve/([a-z]+\.[a-z]+)", Asset, given),
        (r"/(.+)", ReportFile, given),
    ]
