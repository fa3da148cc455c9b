"""The notebook's parameters cell, read without a kernel.

Papermill's model: the cell tagged `parameters` holds the defaults, and a build injects
only what its caller gave. So that the notebook's own values are checked before a
kernel starts, the cell's assignments are read here as Python literals
(`ast.literal_eval`: nothing in the notebook is run). The notebook is read as JSON, not
through nbformat, whose import costs seconds (see DESIGN.md's measurements).

Papermill inspects this cell too (`papermill --help-notebook`, its translators'
`inspect`), but not as the build must: it matches each line with a regular expression,
keeps a default as its source text, passes over a line it cannot read (two `=`, a
statement that is no assignment) without naming it, and importing it costs seconds a
cache hit must not pay. So the cell is read here, for what papermill does not do: values,
not their text; every statement accounted for, by line; and bounds on what is read, which
are ours: the notebook file by size (inputfile), its JSON by depth (jsonfile), the cell by
length (MAX_CELL_SOURCE) and an expression by depth (Python's parser recurses: a value of
a few thousand nested operators is one line here, not a RecursionError).
"""

from __future__ import annotations

import ast
from pathlib import Path

from briefings.exceptions import BuildError, ParameterError, Problem, ProblemsError
from briefings.inputs.inputfile import read_input
from briefings.inputs.jsonfile import load_json

PARAMETERS_TAG = "parameters"
# A parameters cell is a few `name = value` lines; a longer one is a mistake or an attack.
MAX_CELL_SOURCE = 100_000


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
    if len(source) > MAX_CELL_SOURCE:
        raise ParameterError(
            [
                Problem(
                    where,
                    f"is {len(source):,} characters long; a parameters cell of a few "
                    f"`name = value` lines is far shorter (at most {MAX_CELL_SOURCE:,})",
                )
            ]
        )
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise ParameterError(
            [Problem(where, f"line {error.lineno}: {error.msg} (the cell must be valid Python)")]
        ) from None
    except (RecursionError, MemoryError):  # `start = ` and 3,000 minus signs
        raise ParameterError(
            [Problem(where, "nests an expression too deeply to read; give plain values")]
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
    """The source of the notebook's parameters cell: the one cell tagged `parameters`,
    which must be a code cell (papermill injects the build's values after the first
    tagged cell of any kind, so a tagged markdown cell above the real one would let the
    real one set them back)."""
    try:
        data = read_input(notebook, missing="file is missing (the briefing notebook)")
    except ProblemsError as error:  # not a regular file, too big: said as every input says it
        raise BuildError(error.lines()[0]) from None
    try:
        cells = load_json(data.decode("utf-8"), str(notebook))["cells"]
        tagged = [
            (number, cell)
            for number, cell in enumerate(cells, start=1)
            if PARAMETERS_TAG in cell.get("metadata", {}).get("tags", [])
        ]
        kinds = [cell.get("cell_type") for _, cell in tagged]
    except ProblemsError as error:
        raise BuildError(error.lines()[0]) from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BuildError(
            f"{notebook}: is not a Jupyter notebook (not nbformat 4 JSON with a list of cells)"
        ) from None
    if not tagged:
        raise BuildError(
            f"{notebook}: no code cell is tagged '{PARAMETERS_TAG}' (papermill's parameters "
            "cell holds the briefing's defaults; tag it in JupyterLab's property inspector)"
        )
    if len(tagged) > 1 or kinds[0] != "code":
        cells_shown = ", ".join(f"{n} ({kind})" for (n, _), kind in zip(tagged, kinds, strict=True))
        raise BuildError(
            f"{notebook}: the tag '{PARAMETERS_TAG}' must be on one code cell only, but is on "
            f"cell{'s' if len(tagged) > 1 else ''} {cells_shown}: papermill puts the "
            "build's values after the first, and a cell after it could set them back; "
            "remove the tag from all but the code cell of defaults"
        )
    source = tagged[0][1].get("source", "")
    return source if isinstance(source, str) else "".join(source)


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
