"""Files nested or written past any sane size fail in one line, never with RecursionError or
MemoryError (issue 22 §11, §12): a parameters cell holding a deep expression, a notebook of
deeply nested JSON, and a status file or manifest in reports/ (which may come from a cache
restore) nested 100,000 levels deep. The notebook's parameters cell is the one code cell
tagged `parameters` (§2): a tagged markdown cell above it would let the real one set the
build's values back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import write_dataset

from briefings.build.folder import BuildFolder
from briefings.build.hygiene import read_notebook
from briefings.build.publish import published_build
from briefings.data.params import PARAMETERS, prepare
from briefings.exceptions import BriefingsError
from briefings.inputs.jsonfile import MAX_JSON_DEPTH, load_json
from briefings.paths import briefing_notebook
from briefings.schedule.runner import run_schedule
from briefings.schedule.status import read_status, status_path

DEEP = "[" * 100_000 + "]" * 100_000
NOW = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)


def notebook_with(folder: Path, source: str | None = None, *, edit=None) -> Path:
    """A copy of the briefing notebook with its parameters cell's source replaced, or
    changed by `edit(cells)`."""
    notebook = json.loads(briefing_notebook().read_text(encoding="utf-8"))
    cells = notebook["cells"]
    if source is not None:
        [cell] = [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
        cell["source"] = source
    if edit is not None:
        edit(cells)
    path = folder / "briefing.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def cell(**values: object) -> str:
    return "\n".join(f"{name} = {values.get(name, '')!r}" for name in PARAMETERS)


def one_line(error: BriefingsError) -> str:
    [line] = error.lines()
    return line


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "start = " + "-" * 3000 + "1",
            "nests an expression too deeply to read; give plain values",
        ),
        ("start = " + "(" * 3000 + "1" + ")" * 3000, "too many nested parentheses"),
        ("start = " + "[" * 3000 + "]" * 3000, "too many nested parentheses"),
        ("title = '" + "x" * 200_000 + "'", "characters long; a parameters cell of a few"),
    ],
)
def test_a_deep_or_huge_parameters_cell_is_one_line(small_dataset, tmp_path, source, expected):
    notebook = notebook_with(tmp_path, source + "\n" + cell(data_dir=str(small_dataset)))
    with pytest.raises(BriefingsError) as caught:
        prepare({}, notebook=notebook)
    line = one_line(caught.value)
    assert line.startswith(f"{notebook}: parameters cell: ") and expected in line, line


def test_every_command_still_starts_with_such_a_notebook(tmp_path):
    """The help text names the notebook's values; a cell it cannot read costs it those, not
    the command (a real process: a RecursionError once ended every command, --version too)."""
    (tmp_path / "notebooks").mkdir()
    notebook_with(tmp_path / "notebooks", "start = " + "-" * 3000 + "1\n" + cell())
    (tmp_path / "briefings.yaml").write_text('briefings:\n  a: {cron: "@daily"}\n')
    data = write_dataset(tmp_path / "data")
    env = {**os.environ, "BRIEFINGS_ROOT": str(tmp_path)}
    for args, code in ((["--version"], 0), (["validate", "--data", str(data)], 0), (["states"], 1)):
        result = subprocess.run(
            [sys.executable, "-m", "briefings", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
        assert result.returncode == code, (args, result.stderr)
        assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    assert result.stderr.splitlines() == [
        f"error: {tmp_path}/notebooks/briefing.ipynb: parameters cell: nests an expression too "
        "deeply to read; give plain values"
    ]


def _markdown_tagged(cells: list[dict]) -> None:
    index = next(i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
    cells.insert(
        index,
        {"cell_type": "markdown", "metadata": {"tags": ["parameters"]}, "source": "Parameters"},
    )


def _two_code_cells_tagged(cells: list[dict]) -> None:
    index = next(i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
    cells.insert(index + 1, {**cells[index], "source": "start = '2018-01-01'"})


@pytest.mark.parametrize(
    ("edit", "shown"),
    [
        (_markdown_tagged, "cells 2 (markdown), 3 (code)"),
        (_two_code_cells_tagged, "cells 2 (code), 3 (code)"),
    ],
)
def test_the_parameters_tag_is_on_one_code_cell_only(small_dataset, tmp_path, edit, shown):
    notebook = notebook_with(tmp_path, edit=edit)
    with pytest.raises(BriefingsError) as caught:
        prepare({"data_dir": str(small_dataset)}, notebook=notebook)
    assert one_line(caught.value) == (
        f"{notebook}: the tag 'parameters' must be on one code cell only, but is on {shown}: "
        "papermill puts the build's values after the first, and a cell after it could set them "
        "back; remove the tag from all but the code cell of defaults"
    )


def test_a_notebook_of_deeply_nested_json_is_one_line(small_dataset, tmp_path):
    notebook = tmp_path / "briefing.ipynb"
    notebook.write_text('{"cells": ' + DEEP + "}", encoding="utf-8")
    expected = f"{notebook}: is JSON nested more than {MAX_JSON_DEPTH} levels deep"
    with pytest.raises(BriefingsError) as caught:
        prepare({"data_dir": str(small_dataset)}, notebook=notebook)
    assert one_line(caught.value).startswith(expected)
    with pytest.raises(BriefingsError) as caught:
        read_notebook(notebook)
    assert one_line(caught.value).startswith(expected)


def test_the_depth_is_measured_outside_strings():
    text = json.dumps({"a": "[" * 500, "b": [[["{"]]]})
    assert load_json(text, "x.json") == json.loads(text)
    with pytest.raises(BriefingsError):
        load_json("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "x.json")


def _fake_build(raw, *, formats, out, keep, force, notebook, origin):
    from test_notify import fake_build

    return fake_build(
        raw, formats=formats, out=out, keep=keep, force=force, notebook=notebook, origin=origin
    )


def test_deep_status_and_manifest_files_in_reports_are_ignored(tmp_path, capsys):
    """reports/ may come from a cache restore: its status files and manifests are read
    bounded, and one nested past reason counts as unreadable (never built, no status)."""
    write_dataset(tmp_path / "data")
    spec = tmp_path / "briefings.yaml"
    spec.write_text('briefings:\n  weekly:\n    cron: "0 6 * * 1"\n    params: {data_dir: data}\n')
    run_schedule(spec, now=NOW, jobs=1, build=_fake_build)
    reports = tmp_path / "reports"
    status_path(reports, "weekly").write_text(DEEP)
    manifest = BuildFolder(published_build(reports / "weekly")).manifest_file
    manifest.write_text(DEEP)
    assert read_status(reports, "weekly") == {}
    assert BuildFolder(reports / "weekly").read_manifest() is None
    from briefings.cli import main

    assert (
        main(["schedule", "--spec", str(spec), "--now", "2026-01-05T08:00", "--dry-run", "-q"]) == 0
    )
    assert capsys.readouterr().out == "1 would build, 0 skipped, 0 failed\n"
    [outcome] = run_schedule(spec, now=NOW.replace(hour=8), jobs=1, build=_fake_build)
    assert outcome.status == "built", outcome.reason
    assert read_status(reports, "weekly")["last_attempt"]["status"] == "built"
