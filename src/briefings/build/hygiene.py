"""Notebook hygiene: committed notebooks carry no outputs, counts or volatile metadata.

Outputs and execution counts belong to a run, not to the source; the metadata listed
below is rewritten by whichever machine or editor last saved the file. Keeping them out
makes the saved notebook the same wherever it was run, and its diff only the edit.

    python -m briefings.build.hygiene --check notebooks/*.ipynb   # exit 1, naming what is found
    python -m briefings.build.hygiene --strip notebooks/*.ipynb   # rewrite in place
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat
import nbformat.reader

from briefings.exceptions import Problem, ProblemsError
from briefings.inputs.inputfile import read_input
from briefings.inputs.jsonfile import check_json_depth

# language_info holds the kernel's exact Python version; the kernelspec, which is kept,
# already names the kernel and language.
VOLATILE_NOTEBOOK_KEYS = ("language_info", "widgets", "papermill", "signature", "vscode")
# Timings and UI state (collapsed, scrolled, hidden source/outputs) recorded by editors;
# tags, the cell id and `editable`/`deletable` are kept.
VOLATILE_CELL_KEYS = (
    "execution",
    "ExecuteTime",
    "papermill",
    "collapsed",
    "scrolled",
    "jupyter",
    "heading_collapsed",
    "hidden",
)


def find_volatile(notebook: nbformat.NotebookNode) -> list[str]:
    """What `strip_volatile` would remove, one description each; empty when clean."""
    found = [
        f"notebook metadata '{key}'" for key in VOLATILE_NOTEBOOK_KEYS if key in notebook.metadata
    ]
    for number, cell in enumerate(notebook.cells, start=1):
        where = f"cell {number} ({cell.cell_type})"
        if cell.get("outputs"):
            found.append(f"{where}: {len(cell.outputs)} output(s)")
        if cell.get("execution_count") is not None:
            found.append(f"{where}: execution count {cell.execution_count}")
        found.extend(
            f"{where}: metadata '{key}'" for key in VOLATILE_CELL_KEYS if key in cell.metadata
        )
    return found


def strip_volatile(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the notebook without outputs, execution counts or volatile metadata."""
    clean = copy.deepcopy(notebook)
    for key in VOLATILE_NOTEBOOK_KEYS:
        clean.metadata.pop(key, None)
    for cell in clean.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
    return clean


def read_notebook(path: str | Path) -> nbformat.NotebookNode:
    """Read a notebook file as version 4; ProblemsError, one line naming the file, unless it
    is a regular file within the size limit holding a notebook of the documented shape
    (cells, their tags and metadata of the types the build relies on)."""
    name = str(path)
    data = read_input(path)
    try:
        text = data.decode("utf-8")
        check_json_depth(text, name)  # nbformat's parser would run out of recursion
        notebook = nbformat.convert(nbformat.reader.reads(text), 4)
    except UnicodeDecodeError:
        raise ProblemsError([Problem(name, "is not a notebook (not UTF-8 text)")]) from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        # nbformat's NotJSONError is a ValueError; the others come from JSON of another shape.
        reason = "not JSON" if isinstance(error, ValueError) else "JSON, but not a notebook"
        raise ProblemsError([Problem(name, f"is not a Jupyter notebook ({reason})")]) from None
    problem = _shape_problem(notebook)
    if problem is not None:
        raise ProblemsError([Problem(name, f"is not a valid notebook: {problem}")])
    return notebook


def _shape_problem(notebook: nbformat.NotebookNode) -> str | None:
    """What breaks the shape the build relies on (cells, their tags, the metadata), if
    anything. Lenient where papermill is: not the whole nbformat schema."""
    if not isinstance(notebook.get("metadata"), dict):
        return "metadata is not a mapping"
    authors = notebook.metadata.get("authors", [])
    if not isinstance(authors, list) or not all(isinstance(a, dict) for a in authors):
        return "metadata.authors is not a list of mappings"
    if not isinstance(notebook.get("cells"), list):
        return "cells is not a list"
    for index, cell in enumerate(notebook.cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            return f"cell {index} is not a code, markdown or raw cell"
        if not isinstance(cell.get("metadata", {}), dict):
            return f"cell {index}: metadata is not a mapping"
        tags = cell.get("metadata", {}).get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            return f"cell {index}: tags is not a list of words"
        source = cell.get("source", "")
        if not isinstance(source, str | list):
            return f"cell {index}: source is not text"
    return None


def check_notebook(path: str | Path) -> list[str]:
    """The volatile content found in a notebook file (see `find_volatile`)."""
    return find_volatile(read_notebook(path))


def strip_notebook(path: str | Path) -> bool:
    """Strip a notebook file in place; True when its text changed."""
    path = Path(path)
    before = path.read_text(encoding="utf-8")
    after = nbformat.writes(strip_volatile(read_notebook(path))) + "\n"
    if after == before:
        return False
    path.write_text(after, encoding="utf-8")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: --check (exit 1 when a notebook is not clean) or --strip."""
    parser = argparse.ArgumentParser(
        prog="python -m briefings.build.hygiene",
        description="Check or strip outputs, execution counts and volatile metadata.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="report, change nothing")
    action.add_argument("--strip", action="store_true", help="rewrite the notebooks clean")
    parser.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK")
    args = parser.parse_args(argv)
    dirty = False
    try:
        for path in args.notebooks:
            if args.strip:
                if strip_notebook(path):
                    print(f"stripped {path}")
                continue
            for finding in check_notebook(path):
                dirty = True
                print(f"{path}: {finding} (run `make strip`)", file=sys.stderr)
    except ProblemsError as error:
        for line in error.lines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    return 1 if dirty else 0


if __name__ == "__main__":
    raise SystemExit(main())
