"""`briefings serve` against the real server on 127.0.0.1: the token, the form and its
checks, the queue, the views, the files of reports/ and hostile input.

Builds here are a stand-in (serving.stand_in_build) run in the server's real build
processes, so the queue's tests take seconds; test_serve_browser.py builds for real.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, fake_build, start_tags, write_dataset
from serving import DEADLINE, TOKEN, running_server, view_name

from briefings.inputs.nofollow import open_below
from briefings.paths import briefing_notebook
from briefings.serve.auth import form_key
from briefings.serve.queue import (
    BUILT,
    PREVIEW,
    QUEUED,
    RUNNING,
    BuildQueue,
    Order,
    Outcome,
    QueueFull,
)
from briefings.serve.watch import Burst, dataset_folder, snapshot, watched_files


@pytest.fixture
def served(tmp_path: Path):
    with running_server(tmp_path) as running:
        yield running


def test_every_address_asks_for_the_token(served):
    fake_build(served.reports / "weekly", "2026-01-05T06:00:00+00:00", formats=("html",))
    for path in ("/", "/new", "/views", "/weekly/briefing.html", "/views/x/events"):
        bare = served.get(path, headers={})
        assert bare.status_code == 401, path
        assert "asks for its token" in bare.text
        assert served.get(path, headers={"Authorization": "token wrong"}).status_code == 403
        assert served.get(path + "?token=wrong", headers={}).status_code == 403
    assert served.get("/weekly/briefing.html").text == "html built at 2026-01-05T06:00:00+00:00\n"


def test_the_token_in_the_address_sets_a_strict_cookie_for_the_pages_after_it(served):
    first = served.get(f"/?token={TOKEN}", headers={})
    assert first.status_code == 200
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith(f"briefings-token-{served.server.port}={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # The session keeps the cookie: the next page needs no token in its address.
    assert served.get("/new", headers={}).status_code == 200
    served.session.cookies.set(f"briefings-token-{served.server.port}", "stale-token-0123456789")
    assert served.get("/new", headers={}).status_code == 403


def test_a_post_without_the_form_key_is_refused_and_nothing_is_queued(served):
    for data in ({"as_of": "2019-06-30"}, {"as_of": "2019-06-30", "csrf": "forged"}):
        refused = served.post("/new", data, csrf=False)
        assert refused.status_code == 403
        assert "not sent from this server's page" in html.unescape(refused.text)
    assert served.calls() == [] and not served.reports.exists()


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ({"as_of": "2019-13-45"}, "parameter 'as_of': '2019-13-45' is not a date (use YYYY-MM-DD)"),
        ({"start": "2020-01-01", "end": "2019-01-01"}, "parameter 'end': 2019-01-01 is not after"),
        ({"tracks": ["", "imet", "nonsense"]}, "parameter 'tracks': 'nonsense' is not a track"),
        ({"tracks": [""]}, "parameter 'tracks': [] names no track"),
        ({"min_reliability": "Z"}, "'Z' is not a reliability grade (use one letter A–F)"),
        ({"title": "x" * 501}, "is 501 characters long"),
    ],
)
def test_a_bad_value_is_a_400_with_the_line_of_briefings_build_and_nothing_is_built(
    served, values, line
):
    response = served.post("/new", values)
    assert response.status_code == 400
    assert line in html.unescape(response.text)
    assert "The view was not ordered" in response.text
    assert served.calls() == [] and not served.reports.exists()


def test_a_form_that_is_not_utf8_is_refused(served):
    body = f"csrf={form_key(TOKEN)}&title=%FF%FE".encode()
    headers = {"Authorization": f"token {TOKEN}"}
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    response = served.session.post(served.url + "new", data=body, headers=headers, timeout=60)
    assert response.status_code == 400
    assert "is not UTF-8" in response.text
    assert served.calls() == []


def test_the_form_is_made_from_the_parameters_and_the_dataset(served):
    page = served.get("/new").text
    tags = start_tags(page)
    inputs = {(a.get("name"), a.get("type")) for tag, a in tags if tag == "input"}
    assert {("start", "date"), ("end", "date"), ("as_of", "date")} <= inputs
    assert {("title", "text"), ("marking", "text"), ("csrf", "hidden")} <= inputs
    dates = [a for tag, a in tags if tag == "input" and a.get("type") == "date"]
    assert {(a["min"], a["max"]) for a in dates} == {("2018-01-01", "2023-12-31")}
    tracks = [a["value"] for tag, a in tags if tag == "input" and a.get("type") == "checkbox"]
    assert tracks == [
        "security_assistance",
        "imet",
        "mil_cooperation",
        "cis_moa",
        "political_climate",
    ]
    grades = [a["value"] for tag, a in tags if tag == "option"]
    assert grades == list("ABCDEF")
    names = {a.get("name") for tag, a in tags if tag in ("input", "select")}
    assert not names & {"data_dir", "previous_states", "build_date"}  # the server's


def test_a_view_is_queued_built_and_shown_at_the_address_of_its_publish_name(served):
    location = served.order(as_of="2019-06-30")
    name = view_name(location)
    assert name == "us-pakistan-2018-01-01-to-2019-06-30-as-of-2019-06-30"  # briefings build's
    assert served.built(location)["state"] == "built"
    page = served.get(location).text
    assert f'src="/views/{name}/briefing.html"' in page and f"/views/{name}/briefing.pdf" in page
    assert served.get(f"/views/{name}/briefing.pdf").text == f"stand-in pdf of {name}\n"
    assert name in served.get("/views").text
    index = served.text("/")
    assert "weekly" in index and 'href="/new"' in index  # the schedule's, with the links
    assert name not in index  # views stay out of the scheduled briefings' index


def test_the_same_view_again_is_the_same_address_and_no_build(served):
    location = served.order(as_of="2019-06-30", min_reliability="C")
    served.built(location)
    assert served.order(min_reliability="C", as_of="2019-06-30") == location
    assert served.events(location, lambda state: state["final"])["state"] == "built"
    assert len(served.calls()) == 1


def test_a_full_queue_answers_429_and_then_builds_every_order(tmp_path):
    days = [f"2019-01-{day:02d}" for day in range(1, 23)]
    with running_server(tmp_path, keep_views=30) as served:
        with served.gate_held():
            first = served.order(as_of=days[0])
            served.events(first, lambda state: state["state"] == "running")
            waiting = [served.order(as_of=day) for day in days[1:21]]
            assert served.events(waiting[-1], lambda s: True)["position"] == 20
            full = served.post("/new", {"as_of": days[21]})
            assert full.status_code == 429
            assert "20 views are waiting to be built" in full.text
            assert served.order(as_of=days[5]) == waiting[4]  # joins its order: no 429
        for location in [first, *waiting]:
            assert served.built(location)["state"] == "built"
        assert len(served.calls()) == 21


def test_the_oldest_views_go_beyond_keep_views(tmp_path):
    with running_server(tmp_path, keep_views=2) as served:
        locations = [served.order(as_of=day) for day in ("2019-01-01", "2019-02-01")]
        for location in locations:
            served.built(location)
        locations.append(served.order(as_of="2019-03-01"))
        served.built(locations[-1])  # the oldest is removed before its page hears this
        kept = sorted(p.name for p in (served.reports / "views").iterdir() if p.is_symlink())
        assert kept == sorted(view_name(location) for location in locations[1:])
        assert not (served.reports / "views" / "history" / view_name(locations[0])).exists()
        gone = served.get(locations[0])
        assert gone.status_code == 404 and "is no longer kept" in gone.text
        assert view_name(locations[0]) not in served.get("/views").text


def test_a_failed_build_shows_its_line_and_keeps_the_last_good_view(served):
    location = served.order(as_of="2019-06-30", title="First title")
    served.built(location)
    assert served.order(as_of="2019-06-30", marking="fail") == location  # marking: same name
    state = served.built(location)
    assert state["state"] == "failed"
    assert "cell 3 (In [3]) failed: ZeroDivisionError" in state["reason"]
    page = served.get(location).text
    assert "The build failed" in page and "ZeroDivisionError" in page
    assert "the last good build of this view" in page and "First title" in page


def test_a_hostile_title_is_shown_as_text(served):
    title = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    location = served.order(as_of="2019-06-30", title=title)
    served.built(location)
    for page in (served.get(location).text, served.get("/views").text):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        scripts = [a.get("src") for tag, a in start_tags(page) if tag == "script"]
        assert scripts == ["/_serve/serve.js"]
        assert not [a for tag, a in start_tags(page) if tag == "img"]


def test_files_come_only_from_reports_and_never_through_a_link_out_of_it(served, tmp_path):
    fake_build(served.reports / "weekly", "2026-01-05T06:00:00+00:00", formats=("html",))
    secret = tmp_path / "secret.txt"
    secret.write_text("not for readers")
    (served.reports / "out.txt").symlink_to(secret)
    (served.reports / "outside").symlink_to(tmp_path)
    (served.reports / ".status").mkdir()
    (served.reports / ".status" / "weekly.json").write_text("{}")
    page = served.get("/weekly/briefing.html")
    assert page.status_code == 200
    assert "script-src" not in page.headers["Content-Security-Policy"]  # default-src 'none'
    for path in (
        "/out.txt",
        "/outside/secret.txt",
        "/.status/weekly.json",
        "/weekly/..%2f..%2fsecret.txt",
        "/weekly",
    ):
        response = served.get(path)
        assert response.status_code == 404, path
        assert "not for readers" not in response.text


def test_a_slow_client_holds_neither_the_server_nor_the_builds(served):
    with socket.create_connection(("127.0.0.1", served.server.port)) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never ends its headers
        with served.get("/views/x/events", stream=True):  # a page that reads nothing
            location = served.order(as_of="2019-06-30")
            assert served.built(location)["state"] == "built"


def test_a_large_request_is_refused_before_its_body_is_read(served):
    head = (
        "POST /new HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: token {TOKEN}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 10000000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", served.server.port), timeout=DEADLINE) as client:
        client.sendall(head.encode())  # and no body: the answer comes without it
        answer = client.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert served.get("/new").status_code == 200
    assert served.calls() == []


def test_the_preview_needs_watch(served):
    response = served.get("/preview")
    assert response.status_code == 404
    assert "--watch" in response.text


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "briefings", "serve", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=DEADLINE,
        cwd=PROJECT_ROOT,
    )


def test_another_host_is_warned_of_and_a_busy_port_is_one_line(tmp_path):
    # 192.0.2.1 (TEST-NET-1) is on no interface: the warning comes, then the bind fails.
    result = run_cli("--host", "192.0.2.1", "--port", "0", env={})
    lines = result.stderr.splitlines()
    assert result.returncode == 1, result.stderr
    assert lines[0].startswith("warning: listening on 192.0.2.1, not only this machine")
    assert lines[1].startswith("error: 192.0.2.1:0: cannot listen (")
    assert len(lines) == 2


@pytest.mark.parametrize(
    ("token", "line"),
    [
        (
            "short",
            "the token has 5 characters; use at least 16 (or unset it, and the server makes one)",
        ),
        ("a token with spaces in it", "use only letters, digits and - . _ ~ in the token, which"),
    ],
)
def test_a_bad_token_is_refused_in_one_line_that_does_not_show_it(token, line):
    result = run_cli(env={"BRIEFINGS_TOKEN": token})
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: BRIEFINGS_TOKEN: {line}")
    assert len(result.stderr.splitlines()) == 1 and token not in result.stderr


def test_three_saves_in_a_second_are_one_change():
    burst, a, b, c = Burst(quiet=1.0), ("a",), ("b",), ("c",)
    looks = [(a, 0.0), (b, 0.25), (c, 0.5), (a, 0.75), (a, 1.0), (a, 1.5), (a, 1.75), (a, 2.0)]
    assert [burst.look(files, at) for files, at in looks] == [False] * 6 + [True, False]
    assert not burst.look(a, 9.0)  # nothing changed since
    assert [burst.look(files, at) for files, at in [(b, 10.0), (b, 11.0)]] == [False, True]


def test_the_watcher_sees_the_notebook_and_the_dataset_its_parameters_name(tmp_path):
    write_dataset(tmp_path / "data" / "small")
    notebook = tmp_path / "briefing.ipynb"
    shutil.copy(briefing_notebook(), notebook)
    cells = json.loads(notebook.read_text())
    for cell in cells["cells"]:
        if "parameters" in cell["metadata"].get("tags", []):
            cell["source"] = [
                line.replace('data_dir = ""', f'data_dir = "{tmp_path / "data" / "small"}"')
                for line in cell["source"]
            ]
    notebook.write_text(json.dumps(cells))
    folder = dataset_folder(notebook, fallback=tmp_path)
    assert folder == tmp_path / "data" / "small"
    names = [path.name for path in watched_files(notebook, folder)]
    assert names == ["briefing.ipynb", "dataset.yaml", "events.csv", "sources.csv"]
    before = snapshot(watched_files(notebook, folder))
    (folder / "events.csv").write_text("changed\n")
    assert snapshot(watched_files(notebook, folder)) != before
    notebook.write_text("{ half a save")
    assert dataset_folder(notebook, fallback=folder) == folder  # kept while it cannot be read


def test_the_queue_joins_orders_puts_previews_first_and_never_builds_one_view_twice_at_once():
    """The queue alone, with a run that waits until the test lets each build end."""

    async def scenario() -> list[str]:
        started: asyncio.Queue[str] = asyncio.Queue()
        release: dict[str, asyncio.Event] = {}

        async def run(order: Order, progress) -> Outcome:
            release[order.name] = asyncio.Event()
            started.put_nowait(order.name)
            await release[order.name].wait()
            return Outcome()

        queue = BuildQueue(run, jobs=2, max_waiting=2)
        view = Order("a", {"title": "first"}, ("html",), Path("a"))
        queue.start()
        first = queue.submit(view)
        assert await started.get() == "a"
        assert queue.submit(view) is first  # the same order, running: joined
        again = queue.submit(Order("a", {"title": "second"}, ("html",), Path("a")))
        assert again is not first and again.state == QUEUED  # not beside the running one
        assert queue.submit(Order("a", {"title": "third"}, ("html",), Path("a"))) is again
        assert again.order.raw == {"title": "third"}  # the newer order wins
        queue.submit(Order("b", {}, ("html",), Path("b")))
        assert await started.get() == "b"
        queue.submit(Order("c", {}, ("html",), Path("c")))
        with pytest.raises(QueueFull):
            queue.submit(Order("d", {}, ("html",), Path("d")))
        preview = queue.submit(Order(PREVIEW, {}, ("html",), None, preview=True))
        assert queue.position(preview) == 1  # first, and not refused
        release["b"].set()
        assert await started.get() == PREVIEW  # "a" waits for its first build
        assert queue.submit(Order(PREVIEW, {}, ("html",), None, preview=True)) is not preview
        order = []
        for name in ("a", PREVIEW):  # the first "a" ends: its second order starts, not "c"
            release[name].set()
            order.append(await started.get())
        assert again.state == RUNNING and first.state == BUILT
        await queue.stop()
        return order

    assert asyncio.run(scenario()) == ["a", PREVIEW]


def test_open_below_follows_links_only_while_they_stay_inside(tmp_path):
    root = tmp_path / "reports"
    (root / "history" / "a" / "1").mkdir(parents=True)
    (root / "history" / "a" / "1" / "briefing.html").write_text("inside")
    (root / "a").symlink_to("history/a/1")
    (root / "b").symlink_to("a")  # a link to a link
    (root / "up").symlink_to("../reports/a")  # climbs out and back in: by name, out
    (root / "abs").symlink_to(root / "a")
    (root / "loop").symlink_to("loop")
    os.mkfifo(root / "fifo")
    (tmp_path / "secret").write_text("outside")
    (root / "history" / "a" / "1" / "secret").symlink_to("../../../../secret")

    def read(relative: str) -> str:
        with os.fdopen(open_below(root, relative), "rb") as handle:
            return handle.read().decode()

    assert read("a/briefing.html") == read("b/briefing.html") == "inside"
    assert read("history/a/../a/1/briefing.html") == "inside"
    for relative in ("up/briefing.html", "abs/briefing.html", "loop", "fifo", "a", "a/secret"):
        with pytest.raises(OSError):
            read(relative)
