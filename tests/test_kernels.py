"""Kernels started ahead of need: each build still gets a fresh, cold-equivalent kernel."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import nbformat
import pytest

from briefings import kernels
from briefings.build import execute_notebook

pytestmark = pytest.mark.slow

# Reads what an earlier build on the same kernel would have left, then leaves it.
PROBE = """\
import json, os, sys
print(json.dumps({
    "leaked": "leaked" in globals() or hasattr(sys, "leaked"),
    "names": sorted(n for n in globals() if not n.startswith("_")),
    "pid": os.getpid(),
    "cwd": os.getcwd(),
    "warm": "pandas" in sys.modules,
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
    )
    cell = executed.cells[-1]
    return json.loads(cell.outputs[0]["text"]), cell.execution_count


def test_pooled_builds_share_no_state(probe: Path):
    kernels.open_pool(probe.parent, kernels.unclaimed_counter(2))
    try:
        first, count = _run(probe, "first")
        second, _ = _run(probe, "second")
    finally:
        kernels.close_pool()
    assert first["warm"] and second["warm"], "the pool's kernels were not the ones used"
    assert not first["leaked"] and not second["leaked"]
    assert first["pid"] != second["pid"]
    cold, cold_count = _run(probe, "cold")
    assert not cold["warm"]
    # Warming left no name, history entry or working folder a cold kernel would not have.
    assert first["names"] == second["names"] == cold["names"]
    assert first["cwd"] == cold["cwd"] == str(probe.parent)
    assert count == cold_count == 3  # after the parameters and the injected cell


def test_a_kernel_that_dies_in_the_pool_is_replaced(tmp_path: Path):
    pool = kernels.KernelPool(tmp_path, kernels.unclaimed_counter(1))
    thread, started = pool._next
    thread.join()
    dead = started[0]
    os.kill(dead.manager.provisioner.pid, signal.SIGKILL)
    dead.manager.provisioner.process.wait(timeout=30)
    kernel = pool.take()
    try:
        assert kernel is not dead
        assert kernel.manager.provisioner.pid != dead.manager.provisioner.pid
        assert kernel.manager.provisioner.process.poll() is None
        assert not dead.sockets.exists(), "the dead kernel was not cleaned up"
    finally:
        kernel.shutdown()
        pool.close()
