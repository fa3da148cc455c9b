"""`briefings serve` for the tests: the real server on 127.0.0.1 (a free port), in a thread of
the test's process, building with a stand-in that runs in the server's real build
processes; and a client that waits on the server's own events, never on the clock."""

from __future__ import annotations

import asyncio
import fcntl
import html
import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import psutil
import requests

from briefings.build.builder import default_out, default_slug
from briefings.build.fingerprint import inputs_hash
from briefings.build.folder import BuildFolder, DatasetRecord, Manifest
from briefings.build.publish import new_staging, publish
from briefings.data.params import prepare
from briefings.exceptions import BuildError
from briefings.schedule.index import render_index
from briefings.schedule.spec import load_spec
from briefings.serve.app import ServeOptions, Server
from briefings.serve.auth import form_key

TOKEN = "test-token-0123456789abcdef"
DEADLINE = 60  # seconds a test waits for what the server says will happen
GATE = "gate.lock"  # beside reports/: while a test holds it, stand-in builds wait
CALLS = "calls.jsonl"  # beside reports/: one line per stand-in build


def stand_in_build(raw, *, formats, out, keep, notebook, progress, preview=False):
    """Stands in for build_briefing in a server's build process: checks the parameters as
    a build does, says it runs a cell, waits while the test holds the gate, then publishes
    a folder that looks like a complete build (real inputs hash, parameters and title), or
    fails like a broken notebook when the marking is 'fail'."""
    params, dataset = prepare(raw, notebook=notebook)
    if out is None:
        out = default_out(default_slug(params, dataset), preview=preview)
    root = out.parent.parent.parent  # reports/views/<name>
    with (root / CALLS).open("a", encoding="utf-8") as log:
        log.write(json.dumps({"name": out.name, "raw": dict(raw)}) + "\n")
    progress("executing cell 1 of 1")
    gate = root / GATE
    if gate.exists():
        with gate.open() as held:
            fcntl.flock(held, fcntl.LOCK_SH)  # returns once the test lets go of the gate
    if params.marking == "fail":
        raise BuildError(f"{notebook}: cell 3 (In [3]) failed: ZeroDivisionError: division by zero")
    folder = BuildFolder(new_staging(out))
    for kind in formats:
        folder.briefing(kind).write_text(f"stand-in {kind} of {out.name}\n")
    folder.state_table.write_text("track,state\n")
    manifest = Manifest(
        parameters=params.as_dict(),
        formats=tuple(formats),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        inputs_hash=inputs_hash(params, dataset, formats, notebook),
        dataset=DatasetRecord(dataset.id, str(dataset.path), "x"),
        outputs={f"briefing.{kind}": "x" for kind in formats},
    )
    folder.write_manifest(manifest)
    publish(folder.path, out, keep=keep)
    return SimpleNamespace(cached=False, out_dir=out)


@dataclass
class Running:
    """A server the test started, and a client for it (the token in a header)."""

    url: str
    root: Path
    server: Server
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def text(self, path: str) -> str:
        """A page's text as a reader sees it (entities decoded)."""
        response = self.get(path)
        assert response.status_code == 200, response.text
        return html.unescape(response.text)

    def get(self, path: str, **options) -> requests.Response:
        options.setdefault("headers", {"Authorization": f"token {TOKEN}"})
        return self.session.get(self.url + path.lstrip("/"), timeout=DEADLINE, **options)

    def post(self, path: str, data: dict, *, csrf: bool = True, **options) -> requests.Response:
        options.setdefault("headers", {"Authorization": f"token {TOKEN}"})
        body = {"csrf": form_key(TOKEN), **data} if csrf else data
        return self.session.post(
            self.url + path.lstrip("/"),
            data=body,
            allow_redirects=False,
            timeout=DEADLINE,
            **options,
        )

    def order(self, **values) -> str:
        """Post the form; the address of the view it answers with."""
        response = self.post("/new", values)
        assert response.status_code == 303, response.text
        return response.headers["Location"]

    def events(self, path: str, until) -> dict:
        """Follow a page's server-sent events until `until(state)` holds; that state."""
        deadline = time.monotonic() + DEADLINE
        with self.get(path.rstrip("/") + "/events", stream=True) as response:
            assert response.status_code == 200, response.text
            for line in response.iter_lines(decode_unicode=True):
                if line.startswith("data: "):
                    state = json.loads(line.removeprefix("data: "))
                    if until(state):
                        return state
                assert time.monotonic() < deadline, f"{path}: still {line!r}"
        raise AssertionError(f"{path}: the events ended before the state came")

    def built(self, view: str) -> dict:
        return self.events(view, lambda state: state["final"])

    def calls(self) -> list[dict]:
        log = self.root / CALLS
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    @contextmanager
    def gate_held(self) -> Iterator[None]:
        """Stand-in builds wait inside while the body runs."""
        gate = self.root / GATE
        with gate.open("w") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(held, fcntl.LOCK_UN)


SPEC = 'briefings:\n  weekly:\n    cron: "0 6 * * 1"\n    formats: [html]\n    params: {}\n'


@contextmanager
def running_server(root: Path, **settings) -> Iterator[Running]:
    """The server on 127.0.0.1 (a port the system picks), serving `root`/reports for the
    schedule `root`/briefings.yaml, building with the stand-in unless `build` is given."""
    spec = root / "briefings.yaml"
    if not spec.exists():
        spec.write_text(SPEC, encoding="utf-8")

    def index(template: str) -> str:
        return render_index(load_spec(spec), now=datetime.now(UTC), template=template)

    options = ServeOptions(root / "reports", index, TOKEN, port=0, build=stand_in_build)
    options = replace(options, **settings)
    said: list[str] = []
    started: list = []
    ready = threading.Event()
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        stop = asyncio.Event()

        async def main() -> None:
            server = Server(options, said.append)
            try:
                started.append((server, server.start(), stop))
            finally:
                ready.set()
            try:
                await stop.wait()
            finally:
                await server.stop()

        loop.run_until_complete(main())

    thread = threading.Thread(target=run, name="briefings-serve-test")
    thread.start()
    ready.wait(DEADLINE)
    assert started, "the server did not start"
    server, url, stop = started[0]
    try:
        yield Running(url, root, server)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(DEADLINE)
        loop.close()


@dataclass
class Launched:
    """`briefings serve` started as a person starts it: its address, token and log."""

    url: str
    token: str
    process: subprocess.Popen
    lines: list[str]
    _new_line: threading.Condition

    def wait_for_line(self, pattern: str, count: int = 1) -> list[str]:
        """The log's lines matching `pattern`, once there are `count` of them."""
        with self._new_line:
            found = self._new_line.wait_for(
                lambda: len(self.matching(pattern)) >= count or self.process.poll() is not None,
                DEADLINE * 3,
            )
        assert found and len(self.matching(pattern)) >= count, "\n".join(self.lines)
        return self.matching(pattern)

    def matching(self, pattern: str) -> list[str]:
        return [line for line in self.lines if re.search(pattern, line)]


@contextmanager
def launched(command: list[str], *, cwd: Path, env: dict[str, str]) -> Iterator[Launched]:
    """Start `command` (`briefings serve` or `make serve`) in its own process group, wait
    for the address it prints, and stop it at the end as Ctrl-C does; then check that
    every process it started (build processes, kernels) has ended."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    new_line = threading.Condition()

    def read() -> None:
        for line in process.stdout:
            with new_line:
                lines.append(line.rstrip("\n"))
                new_line.notify_all()
        with new_line:
            new_line.notify_all()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    running = Launched("", "", process, lines, new_line)
    seen: dict[int, psutil.Process] = {}
    try:
        [line] = running.wait_for_line(r"serving .* at http://")
        running.url, running.token = re.search(r"(http://\S+/)\?token=(\S+)", line).groups()
        yield running
        seen = {child.pid: child for child in psutil.Process(process.pid).children(recursive=True)}
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(DEADLINE)
        reader.join(DEADLINE)
    _gone, left = psutil.wait_procs(list(seen.values()), timeout=DEADLINE)
    assert not left, f"still running after the server stopped: {left}"


def view_name(location: str) -> str:
    """The view's name in its address."""
    match = re.fullmatch(r"/views/([a-z0-9-]+)", location)
    assert match, location
    return match.group(1)
