"""The executed notebook made reproducible: the same inputs give the same bytes.

Papermill and nbclient stamp the executed notebook with wall-clock times (when each cell
started and ended, how long it took) and with the staging path it was first written to.
Papermill also gives the parameters cell it injects a random id. Those change on every
run, so two builds of the same inputs would differ; the build's own timings are recorded
in its manifest instead. Everything else is kept as executed.
"""

from __future__ import annotations

# Papermill's keys that hold a time or a duration (its notebook- and cell-level records).
_PAPERMILL_TIMES = ("start_time", "end_time", "duration")
# The tag papermill puts on the cell it injects, used as that cell's id when free.
INJECTED_TAG = "injected-parameters"


def make_reproducible(notebook) -> None:
    """Remove the run's times and staging path from an executed notebook (nbformat node),
    and give the injected parameters cell a fixed id; in place."""
    record = notebook.metadata.get("papermill", {})
    for key in (*_PAPERMILL_TIMES, "output_path"):
        record.pop(key, None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # nbclient's iopub and shell timestamps
        cell_record = cell.metadata.get("papermill", {})
        for key in _PAPERMILL_TIMES:
            cell_record.pop(key, None)
    taken = {cell.get("id") for cell in notebook.cells}
    for cell in notebook.cells:
        if INJECTED_TAG in cell.metadata.get("tags", ()) and INJECTED_TAG not in taken:
            cell.id = INJECTED_TAG
