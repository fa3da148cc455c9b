"""Kernels started ahead of need, forked from a template: each build still gets a fresh,
cold-equivalent kernel, and a kernel or template that dies is replaced."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_core.utils import run_sync

from briefings.build.execute import execute_notebook
from briefings.build.kernels import pool as kernels
from briefings.exceptions import BuildError

pytestmark = pytest.mark.slow

# Reads what an earlier build on the same kernel would have left, then leaves it.
PROBE = """\
import json, os, random, sys
import matplotlib, numpy
print(json.dumps({
    "leaked": "leaked" in globals() or hasattr(sys, "leaked"),
    "names": sorted(n for n in globals() if not n.startswith("_")),
    "pid": os.getpid(),
    "parent": os.getppid(),
    "own_session": os.getsid(0) == os.getpid() == os.getpgid(0),
    "cwd": os.getcwd(),
    "warm": "pandas" in sys.modules,
    "random": [random.random(), numpy.random.random()],
    "backend": matplotlib.get_backend(),
}))
leaked = sys.leaked = value
"""


@pytest.fixture
def probe(tmp_path: Path) -> Path:
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('value = ""')
    parameters.metadata["tags"] = ["parameters"]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python"}
    notebook.cells = [parameters, nbformat.v4.new_code_cell(PROBE)]
    path = tmp_path / "probe.ipynb"
    nbformat.write(notebook, path)
    return path


def _run(probe: Path, value: str) -> tuple[dict, int]:
    """Execute the probe as a build does; return what it printed and its execution count."""
    executed = execute_notebook(
        probe,
        {"value": value},
        probe.with_name(f"{value}.ipynb"),
        lambda _: None,
        Path("/nonexistent"),
        cell_timeout=60,
    )
    cell = executed.cells[-1]
    return json.loads(cell.outputs[0]["text"]), cell.execution_count


def test_pooled_builds_share_no_state(probe: Path):
    kernels.open_pool(probe.parent, kernels.unclaimed_counter(2))
    template = kernels._pool.template.process.pid
    try:
        first, count = _run(probe, "first")
        second, _ = _run(probe, "second")
    finally:
        kernels.close_pool()
    assert first["warm"] and second["warm"], "the pool's kernels were not the ones used"
    assert first["parent"] == second["parent"] == template, "not forked from the template"
    assert not first["leaked"] and not second["leaked"]
    assert first["pid"] != second["pid"]
    # Each is a fresh process of its own: own session, own random state.
    assert first["own_session"] and second["own_session"]
    assert first["random"][0] != second["random"][0] and first["random"][1] != second["random"][1]
    cold, cold_count = _run(probe, "cold")
    assert not cold["warm"]
    # The template left no name, history entry, working folder or plotting backend a cold
    # kernel would not have.
    assert first["names"] == second["names"] == cold["names"]
    assert first["cwd"] == cold["cwd"] == str(probe.parent)
    assert first["backend"] == cold["backend"] == "module://matplotlib_inline.backend_inline"
    assert count == cold_count == 3  # after the parameters and the injected cell


def _wait_for_the_one_ahead(pool: kernels.KernelPool) -> kernels.Kernel:
    thread, started = pool._next
    thread.join()
    return started[0]


def _ended(kernel: kernels.Kernel) -> bool:
    deadline = time.monotonic() + 30
    while run_sync(kernel.manager.is_alive)():
        assert time.monotonic() < deadline, "the kernel did not end"
        time.sleep(0.05)
    return True


def _wait_for_output(client, request: str, text: str) -> None:
    """Wait until the cell of `request` printed `text` (its IOPub stream message)."""
    while True:
        message = run_sync(client.get_iopub_msg)(timeout=60)
        if message["parent_header"].get("msg_id") != request:
            continue
        if message["msg_type"] == "stream" and text in message["content"]["text"]:
            return


def test_a_kernel_that_dies_in_the_pool_is_replaced(tmp_path: Path):
    pool = kernels.KernelPool(tmp_path, kernels.unclaimed_counter(1))
    dead = _wait_for_the_one_ahead(pool)
    os.kill(dead.manager.provisioner.pid, signal.SIGKILL)
    assert _ended(dead)
    assert run_sync(dead.manager.provisioner.poll)() == -signal.SIGKILL  # the template's report
    kernel = pool.take()
    try:
        assert kernel is not dead
        assert kernel.manager.provisioner.pid != dead.manager.provisioner.pid
        assert kernel.manager.provisioner.child is not None, "not forked from the template"
        assert run_sync(kernel.manager.is_alive)()
        assert not dead.sockets.exists(), "the dead kernel was not cleaned up"
    finally:
        kernel.shutdown()
        pool.close()


def test_a_template_that_dies_is_replaced_then_given_up(tmp_path: Path, monkeypatch, caplog):
    """Its kernels die with it; the next kernel comes from a new template; a template that
    keeps dying is given up on, with a note in the log, and kernels start cold and warmed."""
    pool = kernels.KernelPool(tmp_path, kernels.unclaimed_counter(5))
    try:
        orphan = _wait_for_the_one_ahead(pool)
        first = pool.template
        first.process.kill()
        assert _ended(orphan), "a kernel outlived its template"
        with caplog.at_level(logging.WARNING, logger="briefings.build.kernels.pool"):
            kernel = pool.take()
        kernel.shutdown()
        assert pool.template is not first and pool.template.alive()
        assert kernel.manager.provisioner.pid not in (orphan.manager.provisioner.pid, None)
        assert "the kernel template died (exit status -9); starting a new one" in caplog.text

        monkeypatch.setattr(kernels, "TEMPLATE_DEATHS_ALLOWED", 1)
        orphan = _wait_for_the_one_ahead(pool)
        pool.template.process.kill()
        assert _ended(orphan)
        with caplog.at_level(logging.WARNING, logger="briefings.build.kernels.pool"):
            kernel = pool.take()
        kernel.shutdown()
        assert pool.template is None
        assert "kernels start without one from now on" in caplog.text
        ahead = _wait_for_the_one_ahead(pool)
        assert getattr(ahead.manager.provisioner, "child", None) is None  # started as usual
        # and warmed: the imports are done (raises if not)
        asyncio.run(
            kernels._run_silently(ahead.manager, "import sys; assert 'pandas' in sys.modules")
        )
    finally:
        pool.close()


def test_a_forked_kernel_is_interrupted_and_one_that_dies_fails_its_build_only(probe: Path):
    kernels.open_pool(probe.parent, kernels.unclaimed_counter(3))
    try:
        kernel = kernels._pool.take()
        client = kernel.manager.client()
        client.start_channels()
        try:
            run_sync(client.wait_for_ready)(timeout=60)
            asked = client.execute("import time; print('asleep', flush=True); time.sleep(60)")
            _wait_for_output(client, asked, "asleep")  # the cell is running: interrupt it
            run_sync(kernel.manager.interrupt_kernel)()
            reply = run_sync(client.get_shell_msg)(timeout=30)
        finally:
            client.stop_channels()
            kernel.shutdown()
        assert reply["content"]["ename"] == "KeyboardInterrupt"

        dying = nbformat.read(probe, as_version=4)
        dying.cells.insert(1, nbformat.v4.new_code_cell("import os\nos._exit(3)"))
        nbformat.write(dying, probe.with_name("dying.ipynb"))
        with pytest.raises(BuildError, match="the kernel died"):
            execute_notebook(
                probe.with_name("dying.ipynb"),
                {"value": "x"},
                probe.with_name("dying-out.ipynb"),
                lambda _: None,
                probe.with_name("dying.failed.ipynb"),
                cell_timeout=60,
            )
        after, _ = _run(probe, "after")
    finally:
        kernels.close_pool()
    assert after["warm"] and not after["leaked"]
