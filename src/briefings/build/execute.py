"""Executing the briefing notebook: papermill's own steps, on a kernel the build started.

`execute_notebook` reads as papermill's own function of that name (load, parameterize,
prepare, execute, raise for errors, write) and calls papermill's functions for each
step, with three differences. The kernel is one the build started ahead (kernels/pool.py)
in the notebook's folder, so this process never changes its own working folder while its
second thread writes the build. A cell that stops the notebook early (`sys.exit(0)`,
`exit()`: a clean end to papermill) fails the build, since a briefing is complete only
if every cell ran. And the executed notebook is written once, made reproducible, whole.
Every failure is one BuildError naming the cell as the analyst numbers it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.engines import papermill_engines
from papermill.exceptions import PapermillExecutionError
from papermill.execute import (
    prepare_notebook_metadata,
    raise_for_execution_errors,
    remove_error_markers,
)
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from briefings.build.hygiene import read_notebook
from briefings.build.kernels.engine import STARTED_KERNEL_ENGINE
from briefings.build.kernels.pool import take_kernel
from briefings.build.reproducible import INJECTED_TAG, make_reproducible
from briefings.exceptions import BuildError
from briefings.inputs.nofollow import write_atomic

Progress = Callable[[str], None]


def execute_notebook(
    notebook: Path,
    parameters: Mapping[str, object],
    output: Path,
    say: Progress,
    failed_copy: Path,
    *,
    cell_timeout: float,
) -> nbformat.NotebookNode:
    """Run the notebook, injecting `parameters`; write it to `output` and return it.

    A cell that fails, runs past `cell_timeout` seconds, kills its kernel or stops the
    notebook early raises BuildError naming it; the executed notebook, when there is one,
    is kept at `failed_copy` for debugging.
    """
    nb = _load(notebook)
    total = len(nb.cells)  # as the analyst numbers them, before papermill's cell
    nb = _parameterize(nb, parameters)
    nb = _prepare(nb, notebook, output)
    cells = _Cells(say, total, injected_index(nb) if parameters else None)
    try:
        nb = _execute(nb, notebook, cells, cell_timeout)
        _raise_for_errors(nb, output, cells)
    except _Stopped as stopped:
        raise stopped.build_error(notebook, cells, failed_copy) from None
    _write(nb, output)
    return nb


def _load(notebook: Path) -> nbformat.NotebookNode:
    """The notebook as papermill loads it, read as every input is (bounded, checked)."""
    return load_notebook_node(read_notebook(notebook))


def _parameterize(nb: nbformat.NotebookNode, parameters: Mapping[str, object]):
    """Papermill's injected cell after the parameters cell; none for no parameters."""
    if not parameters:
        return nb
    return parameterize_notebook(nb, dict(parameters), engine_name=STARTED_KERNEL_ENGINE)


def _prepare(nb: nbformat.NotebookNode, notebook: Path, output: Path):
    """Papermill's record of where the notebook came from and goes, and no error marker
    left from an earlier papermill run."""
    return remove_error_markers(prepare_notebook_metadata(nb, str(notebook), str(output)))


def _execute(nb: nbformat.NotebookNode, notebook: Path, cells: _Cells, cell_timeout: float):
    """Run every cell on a fresh kernel in the notebook's folder, as papermill's engine
    runs them; a cell out of time or a dead kernel stops the run."""
    # Papermill logs each failure too; the BuildError says it once, in one line.
    log = logging.getLogger("papermill")
    if not any(isinstance(handler, logging.NullHandler) for handler in log.handlers):
        log.addHandler(logging.NullHandler())
    cells.say(f"executing {notebook.name}")
    kernel = take_kernel(notebook.parent)
    try:
        return papermill_engines.execute_notebook_with_engine(
            STARTED_KERNEL_ENGINE,
            nb,
            kernel_name=kernel.name,
            km=kernel.manager,
            progress_bar=False,
            execution_timeout=cell_timeout,
            on_cell_start=cells.started,
            on_cell_executed=cells.executed,
        )
    except (CellTimeoutError, DeadKernelError) as error:
        raise cells.stopped(error, cell_timeout) from None
    finally:
        kernel.shutdown()


def _raise_for_errors(executed: nbformat.NotebookNode, output: Path, cells: _Cells) -> None:
    """Papermill's check for a cell that failed (it writes the notebook, marked, to
    `output`), then ours for one that stopped the notebook early."""
    try:
        raise_for_execution_errors(executed, str(output))
    except PapermillExecutionError as error:
        evalue = error.evalue.splitlines()[0] if error.evalue else ""
        what = f"(In [{error.exec_count}]) failed: {error.ename}: {evalue}"
        raise _Stopped(error.cell_index, error.ename, what, output.read_bytes()) from None
    stopped = _stopped_early(executed, cells.injected)
    if stopped is not None:
        raise stopped


def _write(executed: nbformat.NotebookNode, output: Path) -> None:
    """The executed notebook, made reproducible, into the build's staging folder."""
    make_reproducible(executed)
    output.write_text(nbformat.writes(executed), encoding="utf-8")


class _Stopped(Exception):
    """A cell that stopped the run: its index in the executed notebook, the error's name,
    what happened (as the message says it), and the executed notebook to keep, if any."""

    def __init__(self, cell: int, ename: str, what: str, kept: bytes | None = None):
        super().__init__(what)
        self.cell, self.ename, self.what, self.kept = cell, ename, what, kept

    def build_error(self, notebook: Path, cells: _Cells, failed_copy: Path) -> BuildError:
        """The build's one-line error, the executed notebook kept at `failed_copy`."""
        if self.kept is not None:
            write_atomic(failed_copy, self.kept)
        cell = cells.source_index(self.cell)
        kept = (
            f"the executed notebook is kept in {failed_copy}"
            if self.kept is not None
            else "no executed notebook was saved"
        )
        return BuildError(
            f"{notebook}: cell {cell + 1} {self.what} – {kept}; the published briefing is "
            "unchanged",
            cell_index=cell,
            ename=self.ename,
            notebook=str(failed_copy) if self.kept is not None else None,
        )


@dataclass
class _Cells:
    """Which cell is running, for the progress lines and to name the cell that stopped the
    run. Indexes are the executed notebook's, where papermill's cell is `injected`."""

    say: Progress
    total: int  # as the analyst counts them, without papermill's
    injected: int | None
    running: int = 0
    finished: int | None = None
    quit: int | None = None  # the first cell that asked the kernel to exit

    def started(self, cell, cell_index: int) -> None:
        self.running = cell_index
        if cell.cell_type == "code" and cell_index != self.injected:
            self.say(f"executing cell {self.source_index(cell_index) + 1} of {self.total}")

    def executed(self, cell, cell_index: int, execute_reply) -> None:
        if cell_index != self.injected:
            self.finished = cell_index
        # `exit()` or `quit()` in a cell: the kernel replies, then shuts down.
        payload = execute_reply.get("content", {}).get("payload") or []
        if any(p.get("source") == "ask_exit" for p in payload if isinstance(p, dict)):
            self.quit = self.quit if self.quit is not None else cell_index

    def stopped(self, error: Exception, cell_timeout: float) -> _Stopped:
        """What stopped the run: a cell that asked the kernel to exit (whatever nbclient
        then saw), a cell out of time, or a kernel that died while a cell ran."""
        if self.quit is not None:
            what = "stopped the notebook early (it ended the kernel), so later cells did not run"
            return _Stopped(self.quit, "EarlyStop", what)
        if isinstance(error, CellTimeoutError):
            what = f"timed out after {cell_timeout} s (BRIEFINGS_CELL_TIMEOUT) and was stopped"
            return _Stopped(self.running, "CellTimeoutError", what)
        what = "stopped: the kernel died while running it or just before"
        if self.finished is not None:
            what += f" (the last cell to finish was cell {self.source_index(self.finished) + 1})"
        return _Stopped(self.running, "DeadKernelError", what)

    def source_index(self, executed_index: int) -> int:
        return source_index(executed_index, self.injected)


def _stopped_early(executed: nbformat.NotebookNode, injected: int | None) -> _Stopped | None:
    """The cell after which the rest did not run; None if all ran.

    A briefing is complete only if every cell ran: papermill marks each cell it started
    and finished, and leaves the rest `pending`.
    """
    statuses = [c.get("metadata", {}).get("papermill", {}).get("status") for c in executed.cells]
    first = next((i for i, status in enumerate(statuses) if status != "completed"), None)
    if first is None:
        return None
    kept = nbformat.writes(executed).encode("utf-8")
    errors = [o for o in executed.cells[first].get("outputs", []) if o.output_type == "error"]
    stopper = statuses[first] == "failed" and errors
    left = sum(1 for c in executed.cells[first + bool(stopper) :] if c.cell_type == "code")
    rest = f"{left} later code cell{'s' if left != 1 else ''} did not run"
    if stopper:
        ename = errors[0].get("ename", "")
        evalue = (errors[0].get("evalue") or "").splitlines()
        what = f"{ename}: {evalue[0]}" if evalue else ename
        return _Stopped(first, ename, f"stopped the notebook early ({what}), so {rest}", kept)
    ran = [i for i in range(first) if executed.cells[i].cell_type == "code" and i != injected]
    last = ran[-1] if ran else first
    return _Stopped(last, "EarlyStop", f"ended the kernel early, so {rest}", kept)


def injected_index(executed: nbformat.NotebookNode) -> int | None:
    """Where papermill put its injected-parameters cell in a notebook, if it did."""
    tags = [c.get("metadata", {}).get("tags", []) for c in executed.cells]
    return next((i for i, t in enumerate(tags) if INJECTED_TAG in t), None)


def source_index(executed_index: int, injected: int | None) -> int:
    """The index in the notebook the analyst edits of a cell of the executed copy."""
    return (
        executed_index - 1 if injected is not None and executed_index > injected else executed_index
    )
