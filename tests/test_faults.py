"""Faults: a build killed mid-kernel or mid-PDF, an output folder that cannot be written, a
cell that hangs and a kernel that dies. The published briefing survives all of them."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import descendants, require_program, write_dataset

from briefings.build import execute, publish
from briefings.build.builder import build_briefing
from briefings.build.folder import BuildFolder, Manifest
from briefings.build.publish import history_dir
from briefings.build.timelimit import TimeUp, time_limit
from briefings.cli import main
from briefings.exceptions import BriefingsError, BuildError
from briefings.paths import briefing_notebook

pytestmark = pytest.mark.slow

FIXED = {"build_date": "2026-11-25"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Path]:
    """A small dataset and a briefing built from it and published: (data, out)."""
    root = tmp_path_factory.mktemp("faults")
    data = write_dataset(root / "data")
    out = root / "reports" / "briefing"
    build_briefing({**FIXED, "data_dir": str(data)}, out=out)
    return data, out


def published(out: Path) -> dict[str, object]:
    """What a reader of `out` sees: the link and every file's bytes."""
    return {
        "link": str(out.readlink()),
        "files": {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()},
    }


def leftovers(out: Path) -> list[str]:
    """Staging folders and temporary links a build leaves only while it runs."""
    history = history_dir(out)
    return sorted(
        [p.name for p in history.glob(".staging-*")] + [p.name for p in out.parent.glob(".*link*")]
    )


def _kill_when(args: list[str], marker: str) -> str:
    """Start `briefings build`, SIGKILL it when stderr shows `marker`; return its stderr.

    The kernel it started is killed afterwards, by its pid, so no process outlives the test.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "briefings", "build", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    seen = []
    try:
        for line in process.stderr:
            seen.append(line)
            if marker in line:
                children = descendants(process.pid)
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)
                for child in children:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(child, signal.SIGKILL)
                break
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL, "".join(seen)
    return "".join(seen)


@pytest.mark.parametrize("marker", ["executing cell 3", "typesetting PDF"])
def test_sigkill_leaves_the_published_briefing_intact_and_the_next_build_clears_up(site, marker):
    """One test, so that no other test of the module (in any order, on any worker) meets
    the staging folder a killed build leaves until the next build clears it."""
    data, out = site
    before = published(out)
    args = ["--data", str(data), "--out", str(out), "--force", "-p", "build_date", "2026-11-26"]
    _kill_when(args, marker)
    assert published(out) == before
    assert len(leftovers(out)) == 1  # the killed build's staging folder
    result = build_briefing(
        {"data_dir": str(data), "build_date": "2026-11-27"}, out=out, force=True
    )
    assert not result.cached
    assert published(out)["link"] != "" and (out / "briefing.pdf").stat().st_size > 0
    assert b"27 Nov 2026" in (out / "briefing.html").read_bytes()
    assert leftovers(out) == []


def test_output_under_a_regular_file_is_one_clear_line(site, tmp_path, capsys):
    data, _ = site
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the reports folder should be\n")
    code = main(["build", "--data", str(data), "--out", str(blocker / "briefing")])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err == [
        f"error: {blocker}: cannot create the output folder (Not a directory); "
        "check that it exists and is writable"
    ]


def test_read_only_reports_folder_is_one_clear_line(site, tmp_path):
    """Run without privileges: as root (as in CI) permissions would not stop the write.

    As root the command runs with every capability dropped (util-linux `setpriv`), so
    root's own folder is read-only to it like anyone else's.
    """
    data, _ = site
    reports = tmp_path / "reports"
    reports.mkdir()
    reports.chmod(0o555)
    unprivileged = []
    if os.geteuid() == 0:
        unprivileged = [require_program("setpriv"), "--bounding-set=-all", "--inh-caps=-all", "--"]
    command = [sys.executable, "-m", "briefings", "build", "--data", str(data)]
    try:
        result = subprocess.run(
            [*unprivileged, *command, "--out", str(reports / "briefing")],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        reports.chmod(0o755)
    assert (result.returncode, result.stdout) == (1, ""), result.stderr
    assert result.stderr.splitlines() == [
        f"error: {reports}: cannot create the output folder (Permission denied); "
        "check that it exists and is writable"
    ]
    assert list(reports.iterdir()) == []


def _failed_build_with(site, tmp_path: Path, source: str) -> BuildError:
    """Build the site's briefing from the notebook with one extra code cell (cell 4, after
    the checks, saved as tmp_path/variant.ipynb); return the BuildError it must raise."""
    data, out = site
    notebook = nbformat.read(briefing_notebook(), as_version=4)
    notebook.cells.insert(3, nbformat.v4.new_code_cell(source))
    path = tmp_path / "variant.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(BuildError) as caught:
        build_briefing({**FIXED, "data_dir": str(data)}, out=out, force=True, notebook=path)
    return caught.value


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import time\ntime.sleep(600)", "timed out after 20 s"),
        ("import os\nos._exit(1)", "kernel died"),
        ("import sys\nsys.exit(0)", "stopped the notebook early (SystemExit: 0), so "),
        ("exit()", "stopped the notebook early (it ended the kernel)"),
        (
            "print('x' * 1_000_001)",
            "puts 1,000,002 characters of text into the briefing; the limit is 1,000,000 per cell",
        ),
    ],
    ids=["hanging cell", "dying kernel", "sys.exit(0)", "exit()", "flooding output"],
)
def test_a_cell_that_hangs_stops_early_or_floods_the_briefing_fails_the_build(
    site, tmp_path, monkeypatch, source, expected
):
    out = site[1]
    before = published(out)
    if "sleep" in source:  # only here: the other cases keep the default limit
        # Long enough for the cell that imports pandas and matplotlib on a busy machine (it
        # took over 5 s with eight test runs at once); the hanging cell costs this much.
        monkeypatch.setenv("BRIEFINGS_CELL_TIMEOUT", "20")
    error = _failed_build_with(site, tmp_path, source)
    message = str(error)
    assert "cell 4" in message and expected in message, message
    assert error.cell_index == 3
    assert published(out) == before
    assert leftovers(out) == []


def test_a_render_past_its_time_limit_fails_the_build_and_keeps_the_briefing(
    site, tmp_path, monkeypatch
):
    """Within the output bound, a cell can still give the PDF's typesetter half a minute of
    work (a printout of 20,000 lines), and the time limit stops it there."""
    out = site[1]
    before = published(out)
    monkeypatch.setenv("BRIEFINGS_RENDER_TIMEOUT", "3")
    heavy = "print(('x' * 45 + '\\n') * 20_000)"
    started = time.monotonic()
    error = _failed_build_with(site, tmp_path, heavy)
    assert time.monotonic() - started < 60  # rendering it whole takes minutes
    assert str(error) == (
        f"{tmp_path / 'variant.ipynb'}: rendering the briefing took longer than 3 s "
        "(BRIEFINGS_RENDER_TIMEOUT) and was stopped; the published briefing is unchanged"
    )
    assert published(out) == before
    assert leftovers(out) == []


def test_a_file_size_limit_while_writing_is_one_line_and_leaves_nothing(site):
    """RLIMIT_FSIZE makes the first large write fail with EFBIG (Python ignores SIGXFSZ)."""
    data, out = site
    before = published(out)

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (8 * 1024, 8 * 1024))

    command = [sys.executable, "-m", "briefings", "build", "--data", str(data), "--out", str(out)]
    result = subprocess.run(
        [*command, "--force", "-p", "build_date", "2026-11-26"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        preexec_fn=limit_file_size,
    )
    assert (result.returncode, result.stdout) == (1, ""), result.stderr
    [line] = result.stderr.splitlines()[-1:]
    assert line.startswith(f"error: {history_dir(out)}/.staging-"), line
    assert line.endswith(
        ": File too large – the build stopped and was removed; the published briefing is unchanged"
    ), line
    assert "Traceback" not in result.stderr
    assert published(out) == before
    assert leftovers(out) == []


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "file is missing (the briefing notebook)"),
        (b"{not json", "is not a Jupyter notebook (not nbformat 4 JSON with a list of cells)"),
        (b"[1, 2]", "is not a Jupyter notebook (not nbformat 4 JSON with a list of cells)"),
        (b"\xff\xfe", "is not a Jupyter notebook (not nbformat 4 JSON with a list of cells)"),
        ("tags", "is not a valid notebook: cell 2: tags is not a list of words"),
        ("authors", "is not a valid notebook: metadata.authors is not a list of mappings"),
        ("fifo", "is a named pipe (FIFO), not a regular file"),
    ],
    ids=["missing", "not json", "a list", "not utf-8", "tags a string", "authors", "fifo"],
)
def test_a_notebook_of_the_wrong_shape_is_one_line_before_any_work(
    site, tmp_path, capsys, content, expected
):
    data, out = site
    before = published(out)
    notebook = tmp_path / "briefing.ipynb"
    if content in ("tags", "authors"):
        shaped = json.loads(briefing_notebook().read_text(encoding="utf-8"))
        if content == "tags":
            shaped["cells"][1]["metadata"]["tags"] = "parameters"
        else:
            shaped["metadata"]["authors"] = "me"
        notebook.write_text(json.dumps(shaped), encoding="utf-8")
    elif content == "fifo":
        os.mkfifo(notebook)
    elif content is not None:
        notebook.write_bytes(content)
    with pytest.raises(BriefingsError) as caught:
        build_briefing({**FIXED, "data_dir": str(data)}, out=out, force=True, notebook=notebook)
    [line] = caught.value.lines()
    assert line.startswith(f"{notebook}: {expected}"), line
    assert published(out) == before
    assert leftovers(out) == []


def _executed(*statuses: str, error: dict | None = None) -> nbformat.NotebookNode:
    """An executed notebook as papermill leaves it: each code cell with its status."""
    notebook = nbformat.v4.new_notebook()
    for status in statuses:
        cell = nbformat.v4.new_code_cell("pass")
        cell.metadata["papermill"] = {"status": status}
        notebook.cells.append(cell)
    if error is not None:
        notebook.cells[statuses.index("failed")].outputs = [nbformat.v4.new_output(**error)]
    return notebook


def _stopped_early(executed: nbformat.NotebookNode) -> tuple[int, str, str] | None:
    """The cell that stopped the run early, its error's name and what the message says."""
    stopped = execute._stopped_early(executed, injected=9)
    return None if stopped is None else (stopped.cell, stopped.ename, stopped.what)


def test_a_notebook_is_complete_only_when_every_cell_ran():
    assert _stopped_early(_executed("completed", "completed")) is None
    system_exit = {"output_type": "error", "ename": "SystemExit", "evalue": "0", "traceback": []}
    stopped = _executed("completed", "failed", "pending", "pending", error=system_exit)
    assert _stopped_early(stopped) == (
        1,
        "SystemExit",
        "stopped the notebook early (SystemExit: 0), so 2 later code cells did not run",
    )
    # A kernel that ends cleanly between cells: the last cell that ran is named.
    quiet = _executed("completed", "completed", "pending")
    assert _stopped_early(quiet) == (
        1,
        "EarlyStop",
        "ended the kernel early, so 1 later code cell did not run",
    )


def test_the_render_time_limit_outlasts_a_library_that_swallows_it():
    """A renderer that catches BaseException (WeasyPrint did, around SVG drawing) keeps
    the first _TimeUp; the limit fires again."""
    swallowed = 0
    started = time.monotonic()
    with pytest.raises(TimeUp), time_limit(1):
        while time.monotonic() - started < 30:
            try:
                time.sleep(0.01)
            except TimeUp:
                swallowed += 1
                if swallowed > 2:
                    raise
    assert 1 < time.monotonic() - started < 5 and swallowed == 3


def test_no_inode_for_the_published_link_leaves_no_build_in_the_history(tmp_path, monkeypatch):
    """The last step of publishing creates a link: if the disk refuses it, the complete
    build goes back to staging (which the build removes), never into the history."""
    out = tmp_path / "reports" / "briefing"
    staging = publish.new_staging(out)
    (staging / "briefing.html").write_text("<p>briefing</p>", encoding="utf-8")
    BuildFolder(staging).write_manifest(Manifest(formats=("html",)))

    def no_space(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "symlink_to", no_space)
    with pytest.raises(OSError):
        publish.publish(staging, out, keep=5)
    assert [p.name for p in history_dir(out).iterdir()] == [staging.name]
    assert not out.exists() and not out.is_symlink()
    assert list(out.parent.glob(".*link*")) == []


def test_a_time_limit_hit_inside_a_finalizer_prints_no_ignored_exception(monkeypatch):
    """A renderer's finalizer can swallow the first TimeUp: Python would then print
    "Exception ignored in …" with a traceback. The next one ends the body, silently."""
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)

    class SlowToFree:
        def __del__(self):
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                time.sleep(0.01)

    with pytest.raises(TimeUp), time_limit(0.2):
        SlowToFree()  # freed at once: the timer fires inside __del__
        while True:
            time.sleep(0.01)
    assert reported == []
    assert sys.unraisablehook == reported.append  # put back as it was
