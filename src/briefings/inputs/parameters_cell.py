"""The notebook's parameters cell, read without a kernel.

Papermill's model: the cell tagged `parameters` holds the defaults, and a build injects
only what its caller gave. So that the notebook's own values are checked before a
kernel starts, the cell's assignments are read here as Python literals
(`ast.literal_eval`: nothing in the notebook is run). The notebook is read as JSON, not
through nbformat, whose import costs seconds (see DESIGN.md's measurements).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from briefings.exceptions import BuildError, ParameterError, Problem, ProblemsError
from briefings.inputs.inputfile import read_input

PARAMETERS_TAG = "parameters"


def parameters_cell_origin(notebook: Path) -> str:
    """How messages name the notebook's parameters cell."""
    return f"{notebook}: parameters cell"


def read_parameters_cell(notebook: Path) -> dict[str, object]:
    """The names and plain values the notebook's parameters cell assigns, in order.

    Raises ProblemsError when the notebook cannot be read (see inputfile), BuildError
    when it is not a notebook or has no cell tagged `parameters`, and ParameterError
    (naming the line) when the cell does anything but assign plain values: text,
    numbers, lists, True/False/None.
    """
    where = parameters_cell_origin(notebook)
    source = _cell_source(notebook)
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise ParameterError(
            [Problem(where, f"line {error.lineno}: {error.msg} (the cell must be valid Python)")]
        ) from None
    values: dict[str, object] = {}
    problems: list[Problem] = []
    for node in tree.body:
        target = _assigned_name(node)
        if target is None:
            if not _is_docstring(node):
                problems.append(
                    Problem(where, f"line {node.lineno}: only `name = value` lines belong here")
                )
            continue
        try:
            values[target] = ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            problems.append(
                Problem(
                    where,
                    f"line {node.lineno}: '{target}' must be a plain value (text in quotes, "
                    "a number or a list), not an expression",
                )
            )
    if problems:
        raise ParameterError(problems)
    return values


def _cell_source(notebook: Path) -> str:
    try:
        data = read_input(notebook, missing="file is missing (the briefing notebook)")
    except ProblemsError as error:  # not a regular file, too big: said as every input says it
        raise BuildError(error.lines()[0]) from None
    try:
        cells = json.loads(data)["cells"]
        for cell in cells:
            tags = cell.get("metadata", {}).get("tags", [])
            if cell.get("cell_type") == "code" and PARAMETERS_TAG in tags:
                source = cell.get("source", "")
                return source if isinstance(source, str) else "".join(source)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BuildError(
            f"{notebook}: is not a Jupyter notebook (not nbformat 4 JSON with a list of cells)"
        ) from None
    raise BuildError(
        f"{notebook}: no code cell is tagged '{PARAMETERS_TAG}' (papermill's parameters cell "
        "holds the briefing's defaults; tag it in JupyterLab's property inspector)"
    )


def _assigned_name(node: ast.stmt) -> str | None:
    """The name in `name = value` or `name: type = value`; None for any other statement."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
    elif isinstance(node, ast.AnnAssign) and node.value is not None and node.simple:
        target = node.target
    else:
        return None
    return target.id if isinstance(target, ast.Name) else None


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )
