"""`make lab` for real: a token-protected JupyterLab on 127.0.0.1 whose kernel is the project.

The server is started through the Makefile target itself, on a free port, with its
settings in a temporary folder. The notebooks are fetched through the contents API and
their code cells run on a kernel started through the server, over its websocket.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pytest
import requests
import websocket
from conftest import PROJECT_ROOT, fake_build, require_program, start_tags

from briefings.deliver.feed import write_feed
from briefings.schedule.index import write_index
from briefings.schedule.spec import load_spec

VENV = PROJECT_ROOT / ".venv"
STARTUP_SECONDS = 90
CELL_SECONDS = 120


@dataclass
class Lab:
    """A running `make lab` and what the tests need to talk to it."""

    url: str
    token: str
    process: subprocess.Popen
    log: Path
    seen: dict[int, psutil.Process] = field(default_factory=dict)

    def get(self, path: str, *, token: bool = True) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"} if token else {}
        return requests.get(f"{self.url}{path}", headers=headers, timeout=30)

    def call(self, method: str, path: str, body: dict | None = None) -> requests.Response:
        response = requests.request(
            method,
            f"{self.url}{path}",
            headers={"Authorization": f"token {self.token}"},
            json=body,
            timeout=60,
        )
        response.raise_for_status()
        return response

    def remember_processes(self) -> None:
        """Note every process under `make lab` (server, kernels) to check they all end."""
        for child in psutil.Process(self.process.pid).children(recursive=True):
            self.seen[child.pid] = child


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_lab(folder: Path) -> Iterator[Lab]:
    """`make lab` serving `folder`, stopped (and every process it started) on leaving."""
    make = require_program("make")
    token, port = secrets.token_hex(16), free_port()
    log = folder / "lab.log"
    # A home whose login start-up file sets PATH afresh, as Debian's /etc/profile does:
    # a terminal of the lab must still find the project's `briefings` (issue 22 §17).
    home = folder / "home"
    home.mkdir()
    (home / ".profile").write_text("export PATH=/usr/bin:/bin\n", encoding="utf-8")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                make,
                "--no-print-directory",
                "lab",
                f"LAB_PORT={port}",
                f"LAB_DIR={folder}",
                "LAB_FLAGS=--no-browser --ServerApp.port_retries=0",
            ],
            cwd=PROJECT_ROOT,
            env={**os.environ, "JUPYTER_TOKEN": token, "HOME": str(home)},
            stdin=subprocess.DEVNULL,  # started without a terminal, as from a service
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Lab(f"http://127.0.0.1:{port}", token, process, log)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"make lab exited with {process.returncode}:\n{log.read_text()}")
            try:
                if server.get("/api/status").status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer in {STARTUP_SECONDS} s:\n{log.read_text()}")
            time.sleep(0.3)
        server.remember_processes()
        yield server
    finally:
        # The shutdown test stops its own server and asserts on it; this stops the rest.
        if process.poll() is None:
            os.killpg(process.pid, 15)
            process.wait(timeout=30)
        for child in server.seen.values():
            if child.is_running():
                child.kill()


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Lab]:
    """One server for the module's tests, which leave it running."""
    with running_lab(tmp_path_factory.mktemp("lab")) as server:
        yield server


def run_cells(lab: Lab, notebook_path: str, kernel_name: str, sources: list[str]) -> list[list]:
    """Run code on a kernel of the notebook's session; the outputs of each piece, in order.

    A session is what JupyterLab opens for a notebook: its kernel starts in the
    notebook's folder. Messages use the server's JSON websocket protocol.
    """
    session = lab.call(
        "POST",
        "/api/sessions",
        {
            "path": notebook_path,
            "name": Path(notebook_path).name,
            "type": "notebook",
            "kernel": {"name": kernel_name},
        },
    ).json()
    kernel_id, client = session["kernel"]["id"], uuid.uuid4().hex
    lab.remember_processes()
    channel = websocket.create_connection(
        f"{lab.url.replace('http', 'ws')}/api/kernels/{kernel_id}/channels?session_id={client}",
        header=[f"Authorization: token {lab.token}"],
        timeout=CELL_SECONDS,
    )
    try:
        return [execute(channel, client, source) for source in sources]
    finally:
        channel.close()
        lab.call("DELETE", f"/api/sessions/{session['id']}")


def execute(channel: websocket.WebSocket, client: str, source: str) -> list[dict]:
    """Run one cell; its outputs as (msg_type, content); fail on an error with its traceback."""
    msg_id = uuid.uuid4().hex
    channel.send(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": "execute_request",
                    "session": client,
                    "username": "test",
                    "version": "5.3",
                    "date": "",
                },
                "parent_header": {},
                "metadata": {},
                "content": {
                    "code": source,
                    "silent": False,
                    "store_history": True,
                    "user_expressions": {},
                    "allow_stdin": False,
                    "stop_on_error": True,
                },
                "channel": "shell",
                "buffers": [],
            }
        )
    )
    outputs, idle, replied = [], False, False
    while not (idle and replied):
        message = json.loads(channel.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["msg_type"]
        if kind == "error":
            traceback = "\n".join(message["content"]["traceback"])
            pytest.fail(f"cell failed on the server's kernel:\n{source}\n{traceback}")
        if kind in ("display_data", "execute_result", "stream"):
            outputs.append({"type": kind, **message["content"]})
        idle |= kind == "status" and message["content"]["execution_state"] == "idle"
        replied |= kind == "execute_reply"
    return outputs


def notebook_from_server(lab: Lab, name: str) -> dict:
    if not (PROJECT_ROOT / "notebooks" / name).exists():
        pytest.skip(f"notebooks/{name} does not exist yet")
    response = lab.get(f"/api/contents/notebooks/{name}?content=1")
    assert response.status_code == 200, response.text
    return response.json()["content"]


def test_kernelspec_briefings_is_the_venv_python():
    listing = subprocess.run(
        [VENV / "bin" / "jupyter", "kernelspec", "list", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    spec = json.loads(listing.stdout)["kernelspecs"]["briefings"]
    python = Path(spec["spec"]["argv"][0])
    assert python.parent == VENV / "bin", f"kernel 'briefings' runs {python}, not the venv's"
    assert Path(spec["resource_dir"]).is_relative_to(VENV), "kernelspec is outside the venv"
    located = subprocess.run(
        [python, "-c", "import briefings; print(briefings.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    # Editable install: the kernel imports the working tree, so a kernel restart picks up edits.
    assert Path(located.stdout.strip()).parent == PROJECT_ROOT / "src" / "briefings"


def terminal_output(lab: Lab, command: str) -> str:
    """Run `command` in a new terminal of the server (its terminals API and websocket);
    what the terminal printed up to the line the command ends with."""
    name = lab.call("POST", "/api/terminals").json()["name"]
    address = lab.url.replace("http://", "ws://")
    channel = websocket.create_connection(
        f"{address}/terminals/websocket/{name}?token={lab.token}", timeout=CELL_SECONDS
    )
    try:
        end = f"end-{secrets.token_hex(4)}"
        # Quoted in the command, so only what echo prints matches the marker.
        channel.send(json.dumps(["stdin", f"{command}; echo end-'{end[4:]}'\r"]))
        printed = ""
        while f"\n{end}" not in printed.replace("\r", ""):
            kind, *text = json.loads(channel.recv())
            if kind == "stdout":
                printed += text[0]
        return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", printed.replace("\r", ""))  # no colours
    finally:
        channel.close()
        lab.call("DELETE", f"/api/terminals/{name}")


@pytest.mark.slow
def test_a_terminal_of_the_lab_runs_the_projects_briefings(lab):
    """The lab was started without a terminal, and the terminal's login start-up file
    sets PATH afresh: the README's `briefings build --preview` must still be found."""
    printed = terminal_output(lab, "command -v briefings; echo path=$PATH; briefings --version")
    lines = printed.splitlines()
    assert f"{VENV}/bin/briefings" in lines, printed
    assert any(line.startswith(f"path={VENV}/bin:") for line in lines), printed
    assert "command not found" not in printed


@pytest.mark.slow
def test_api_answers_with_the_token_and_refuses_without(lab):
    status = lab.get("/api/status")
    assert status.status_code == 200 and "started" in status.json()
    assert lab.get("/api/status", token=False).status_code in (401, 403)
    content = lab.get("/api/contents/notebooks/explore.ipynb?content=1")
    assert content.status_code == 200 and content.json()["type"] == "notebook"
    refused = lab.get("/api/contents/notebooks/briefing.ipynb", token=False)
    assert refused.status_code in (401, 403)
    assert lab.get("/api/kernelspecs").json()["default"] == "briefings"


@pytest.mark.slow
def test_server_listens_on_loopback_only(lab):
    listening = [
        conn.laddr
        for pid, process in lab.seen.items()
        if psutil.pid_exists(pid)
        for conn in process.net_connections(kind="inet")
        if conn.status == psutil.CONN_LISTEN
    ]
    assert listening, "found no listening socket under make lab"
    assert {address.ip for address in listening} == {"127.0.0.1"}, listening


@pytest.mark.slow
@pytest.mark.parametrize("name", ["briefing.ipynb", "explore.ipynb"])
def test_notebook_runs_on_a_kernel_of_the_server(lab, name):
    notebook = notebook_from_server(lab, name)
    kernel = notebook["metadata"]["kernelspec"]["name"]
    code = [cell["source"] for cell in notebook["cells"] if cell["cell_type"] == "code"]
    identity = "import sys, briefings; print(sys.executable); print(briefings.__file__)"
    outputs = run_cells(lab, f"notebooks/{name}", kernel, [identity, *code])
    executable, package = outputs[0][0]["text"].split()
    assert Path(executable).parent == VENV / "bin"
    assert Path(package).parent == PROJECT_ROOT / "src" / "briefings"
    charts = [
        output["data"]["image/svg+xml"]
        for cell in outputs[1:]
        for output in cell
        if "image/svg+xml" in output.get("data", {})
    ]
    assert charts and all("<svg" in chart for chart in charts), f"{name} drew no SVG chart"


@pytest.fixture
def notebook_copy(lab):
    """A copy of the briefing notebook made by the server (File > Duplicate), removed after."""
    made = lab.call("POST", "/api/contents/notebooks", {"copy_from": "notebooks/briefing.ipynb"})
    path = made.json()["path"]
    try:
        yield path
    finally:
        lab.call("DELETE", f"/api/contents/{path}")


@pytest.mark.slow
def test_what_is_saved_in_the_parameters_cell_is_what_gets_built(lab, notebook_copy, tmp_path):
    """Papermill's model: the saved parameters cell holds the defaults, a build injects only
    what its caller gives, so an analyst's saved window and title reach the briefing."""
    from briefings.build.builder import build_briefing

    notebook = lab.get(f"/api/contents/{notebook_copy}?content=1").json()["content"]
    [cell] = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
    lines = cell["source"].splitlines()
    for name, value in (("start", "2019-01-01"), ("title", "Edited & saved in <JupyterLab>")):
        [index] = [i for i, line in enumerate(lines) if line.startswith(f"{name} =")]
        lines[index] = f"{name} = {value!r}  # changed by the analyst"
    cell["source"] = "\n".join(lines)
    saved = lab.call(
        "PUT",
        f"/api/contents/{notebook_copy}",
        {"type": "notebook", "format": "json", "content": notebook},
    )
    assert saved.json()["last_modified"]

    result = build_briefing(
        {},
        formats=("html",),
        out=tmp_path / "edited",
        force=True,
        notebook=PROJECT_ROOT / notebook_copy,
    )
    html = (result.out_dir / "briefing.html").read_text(encoding="utf-8")
    assert "1 Jan 2019 – 31 Dec 2023" in html
    assert "Edited &amp; saved in &lt;JupyterLab&gt;" in html
    assert "1 Jan 2018 – " not in html
    assert result.manifest.parameters["start"] == "2019-01-01"


@pytest.mark.slow
def test_published_briefings_and_index_links_open_through_the_server(lab):
    """What the analyst built opens in a JupyterLab tab: the published link points into a
    history folder that is not hidden, so the server follows it; so do the index's links."""
    folder = PROJECT_ROOT / "reports" / f"lab-test-{secrets.token_hex(4)}"
    folder.mkdir(parents=True)
    try:
        (folder / "briefings.yaml").write_text(
            'briefings:\n  alpha:\n    cron: "@daily"\n', encoding="utf-8"
        )
        spec = load_spec(folder / "briefings.yaml")
        for day in (5, 12):  # a published build and one older build in the history
            fake_build(spec.briefings[0].out, f"2026-01-{day:02}T06:00:00+00:00")
        index = write_index(spec, now=datetime(2026, 1, 12, 7, tzinfo=UTC))
        write_feed(spec.catalogue)  # the runner writes both, and the index links the feed
        base = f"/files/{index.parent.relative_to(PROJECT_ROOT).as_posix()}/"
        published = lab.get(f"{base}alpha/briefing.html")
        assert published.status_code == 200, published.text
        assert published.text == "html built at 2026-01-12T06:00:00+00:00\n"
        page = lab.get(f"{base}index.html")
        assert page.status_code == 200
        hrefs = [attrs["href"] for tag, attrs in start_tags(page.text) if tag == "a"]
        # The feed, HTML and PDF of the latest, then of the older build kept in the history
        assert hrefs[:3] == ["feed.xml", "alpha/briefing.html", "alpha/briefing.pdf"], hrefs
        assert len(hrefs) == 5 and all(h.startswith("history/alpha/") for h in hrefs[3:]), hrefs
        for href in hrefs:
            answer = lab.get(base + href)
            assert answer.status_code == 200, (href, answer.status_code)
        assert lab.get(f"{base}{hrefs[-2]}").text == "html built at 2026-01-05T06:00:00+00:00\n"
    finally:
        shutil.rmtree(folder)


@pytest.mark.slow
def test_shutdown_leaves_no_process(tmp_path):
    """A kernel still running at shutdown is stopped by the server, not orphaned. The
    server is this test's own: the module's other tests may run after it, in any order."""
    with running_lab(tmp_path) as lab:
        _shut_down_with_a_kernel_running(lab)


def _shut_down_with_a_kernel_running(lab: Lab) -> None:
    session = lab.call(
        "POST",
        "/api/sessions",
        {"path": "notebooks/explore.ipynb", "type": "notebook", "kernel": {"name": "briefings"}},
    ).json()
    assert session["kernel"]["execution_state"] in ("starting", "idle", "busy")
    lab.remember_processes()
    assert len(lab.seen) >= 2, "expected the server and a kernel under make lab"
    lab.call("POST", "/api/shutdown")
    assert lab.process.wait(timeout=60) == 0, lab.log.read_text()
    _, alive = psutil.wait_procs(list(lab.seen.values()), timeout=20)
    assert not alive, f"left behind: {[p.cmdline() for p in alive]}"
    with pytest.raises(requests.ConnectionError):
        lab.get("/api/status")
