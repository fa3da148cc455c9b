"""The command line: exit codes and one clear line per problem, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, SMALL_EVENTS, require_program, write_dataset

from briefings.build.folder import BuildFolder
from briefings.cli import main
from briefings.data.params import PARAMETERS


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`briefings ARGS` in a fresh process, from `cwd` (default: this one's folder)."""
    return subprocess.run(
        [sys.executable, "-m", "briefings", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )


def test_validate_shipped_dataset():
    result = run("validate")
    assert result.returncode == 0
    assert "valid – 5 tracks" in result.stdout


def test_states_prints_the_2018_2023_table():
    result = run("states")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("track,state,start,end,start_precision,confirmed_until")
    assert any(line.startswith("security_assistance,suspended,2018-01-01,") for line in lines)
    assert {line.split(",")[0] for line in lines[1:]} == {
        "security_assistance",
        "imet",
        "mil_cooperation",
        "cis_moa",
        "political_climate",
    }


def test_states_json_with_parameters(small_dataset, capsys):
    assert (
        main(["states", "--data", str(small_dataset), "-p", "tracks", "mood", "--format", "json"])
        == 0
    )
    records = json.loads(capsys.readouterr().out)
    assert records == [
        {
            "track": "mood",
            "state": "tense",
            "start": "2020-01-05",
            "end": None,
            "start_precision": "day",
            "confirmed_until": "2020-01-05",
            "contested": False,
            "event_ids": ["e4"],
            "source_ids": ["s1"],
        }
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["states", "-p", "start", "2018-02-30"],
            "error: parameter 'start': '2018-02-30' is not a date (use YYYY-MM-DD)",
        ),
        (["states", "-p", "colour", "red"], "error: unknown parameter 'colour'"),
        (
            ["states", "-p", "start", "2021-01-01", "-p", "end", "2020-01-01"],
            "error: parameter 'end': 2020-01-01 is not after start 2021-01-01",
        ),
        (
            ["states", "-p", "tracks", "trade"],
            "error: parameter 'tracks': 'trade' is not a track of us-pakistan",
        ),
        (["states", "-p", "min_reliability", "Q"], "error: parameter 'min_reliability'"),
        (
            ["validate", "--data", "/nonexistent/folder"],
            "error: /nonexistent/folder: is not a dataset folder",
        ),
    ],
)
def test_user_mistakes_exit_1_with_one_line(args, message):
    result = run(*args)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [result.stderr.splitlines()[0]]
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_broken_dataset_lists_every_problem(tmp_path):
    events = [dict(e) for e in SMALL_EVENTS]
    events[0]["date"] = "2019-13"
    events[3]["state"] = "furious"
    folder = write_dataset(tmp_path / "d", events=events)
    result = run("validate", "--data", str(folder))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {folder}/events.csv:2: column 'date': '2019-13' is not a date "
        "(use YYYY-MM-DD, YYYY-MM or YYYY)",
        f"error: {folder}/events.csv:5: column 'state': 'furious' is not a state of track mood "
        "(allowed: calm, tense)",
    ]


@pytest.mark.parametrize(
    "args", [["frobnicate"], ["states", "--format", "xml"], ["states", "-p", "start"], []]
)
def test_usage_errors_exit_2(args):
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_build_help_lists_every_parameter_with_its_default():
    result = run("build", "--help")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for name, (_kind, meaning) in PARAMETERS.items():
        assert f"  {name:<16} {meaning}" in lines, name
    assert "see the README" not in result.stdout
    assert "(default: both, HTML and PDF)" in " ".join(result.stdout.split())
    assert "Relative paths are taken from the folder you run the command in." in result.stdout


# --- paths are taken from the folder the command runs in ---------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--data", "small"],
        ["--data", "./small/"],
        ["-p", "data_dir", "small"],
        ["--data", "../small", "-p", "data_dir", "ignored-as-data-wins"],
    ],
)
def test_relative_paths_are_taken_from_the_working_folder(tmp_path, args):
    folder = tmp_path / "elsewhere"
    write_dataset(folder / "small")
    (folder / "sub").mkdir()
    cwd = folder / "sub" if args[1].startswith("..") else folder
    result = run("states", *args, cwd=cwd)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("track,state,start,end")


def test_paths_in_a_params_file_are_taken_from_the_working_folder(tmp_path):
    write_dataset(tmp_path / "small")
    (tmp_path / "params.yaml").write_text("data_dir: small\ntracks: [trade]\n", encoding="utf-8")
    result = run("build", "--params", "params.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "error: params.yaml: parameter 'tracks': 'trade' is not a track of small "
        "(tracks: aid, mood)"
    ]


def test_a_missing_relative_folder_is_named_where_it_was_looked_for(tmp_path):
    result = run("build", "-p", "data_dir", "data/nope", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"error: {tmp_path}/data/nope: is not a dataset folder (expected a folder with "
        "dataset.yaml, sources.csv, events.csv)"
    ]


@pytest.mark.slow
def test_a_build_from_another_folder_hands_the_kernel_absolute_paths(tmp_path, small_dataset):
    """Relative --data, previous_states and --out, from a folder that is not the project's:
    the kernel runs in notebooks/, so it must be given absolute paths."""
    from briefings.data.params import prepare
    from briefings.data.states import compute_states, states_to_csv

    params, dataset = prepare({"data_dir": str(small_dataset)})
    table = compute_states(dataset, params)
    (tmp_path / "previous").mkdir()
    (tmp_path / "previous" / "states.csv").write_text(
        states_to_csv(table[table["track"] == "aid"]), encoding="utf-8"
    )
    data = small_dataset.relative_to(tmp_path)
    result = subprocess.run(
        [
            *(sys.executable, "-m", "briefings", "build", "--data", str(data)),
            *("-p", "previous_states", "previous/states.csv", "--format", "html"),
            *("--out", "out/small", "-q"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "small" / "briefing.html").read_text(encoding="utf-8")
    assert "Small test relationship" in html
    assert "Changes since the previous build" in html
    manifest = BuildFolder(tmp_path / "out" / "small").read_manifest()
    assert manifest.parameters["data_dir"] == str(small_dataset)
    assert manifest.parameters["previous_states"] == str(tmp_path / "previous" / "states.csv")


# --- make report ---------------------------------------------------------------------------


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [require_program("make"), "--no-print-directory", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=PROJECT_ROOT,
    )


def test_make_refuses_a_variable_it_does_not_know():
    result = make("report", "STRAT=2019-01-01")
    assert (result.returncode, result.stdout) == (2, "")
    [line] = result.stderr.splitlines()
    assert "unknown variable STRAT (known: " in line, line
    known = line.split("(known: ")[1].split(")")[0].split()
    assert {"DATA", "START", "END", "AS_OF", "TITLE", "FORMAT", "OUT", "PARAMS"} <= set(known)


def test_make_report_prints_its_command_on_one_line_quoted():
    result = make("-n", "report", "TITLE=It's $HOME", "START=2019-01-01")
    assert result.returncode == 0, result.stderr
    # (With a stale venv, make first lists the set-up; the report command is the last line.)
    assert result.stdout.splitlines()[-1] == (
        ".venv/bin/briefings build --format 'both' -p start '2019-01-01' -p title 'It'\\''s $HOME'"
    )
    assert "\\\n" not in result.stdout


def test_make_preview_builds_html_aside_whatever_the_output():
    result = make("-n", "preview", "OUT=reports/x", "START=2019-01-01")
    expected = ".venv/bin/briefings build --preview -p start '2019-01-01'"
    assert result.stdout.splitlines() == [expected]
    result = make("-n", "preview", "FORMAT=pdf")
    assert result.stdout.splitlines() == [".venv/bin/briefings build --preview --format 'pdf'"]


@pytest.mark.slow
def test_make_report_with_a_relative_dataset_path(tmp_path):
    out = tmp_path / "us-pakistan"
    result = make("report", "DATA=data/us-pakistan", "FORMAT=html", f"OUT={out}")
    assert result.returncode == 0, result.stderr
    command, *paths = result.stdout.splitlines()
    assert command == (
        f".venv/bin/briefings build --format 'html' --data 'data/us-pakistan' --out '{out}'"
    )
    assert paths == [str(out / "briefing.html")]
    manifest = BuildFolder(out).read_manifest()
    assert manifest.parameters["data_dir"] == str(PROJECT_ROOT / "data" / "us-pakistan")


# --- the operating system refusing to take the output ------------------------------------


def _states(stdout, env=None, args=("states",)) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "briefings", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_a_full_standard_output_is_one_line():
    with Path("/dev/full").open("w") as full:  # every write: No space left on device (ENOSPC)
        result = _states(full)
    assert (result.returncode, result.stderr) == (
        1,
        "error: standard output: cannot write (No space left on device)\n",
    )


def test_a_closed_standard_output_is_one_line():
    result = subprocess.run(
        ["sh", "-c", 'exec "$0" -m briefings states >&-', sys.executable],
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stderr) == (
        1,
        "error: standard output is closed; give the command somewhere to print\n",
    )


def test_a_reader_that_stops_reading_is_one_line():
    process = subprocess.Popen(
        [sys.executable, "-m", "briefings", "states", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.stdout.close()  # as `| head -0` does
    assert process.wait(timeout=120) == 1
    assert process.stderr.read() == "error: standard output: cannot write (Broken pipe)\n"
    process.stderr.close()


def test_an_encoding_that_cannot_print_the_output_is_one_line():
    result = _states(subprocess.PIPE, {**os.environ, "PYTHONIOENCODING": "ascii"}, ["validate"])
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "error: cannot print the output in this terminal's encoding (ascii); use a UTF-8 "
        "locale or set PYTHONIOENCODING=utf-8\n"
    )


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            [b"states", b"-p", b"title", b"caf\xe9"],
            "error: parameter 'title': 'caf\\udce9' is not UTF-8 text (byte 0xe9); use UTF-8 names",
        ),
        (
            [b"validate", b"--data", b"/tmp/donn\xe9es"],
            "error: --data: '/tmp/donn\\udce9es' is not UTF-8 text (byte 0xe9); use UTF-8 names",
        ),
        (
            [b"states", b"-p", b"\xff", b"x"],
            "error: a parameter name: '\\udcff' is not UTF-8 text (byte 0xff); use UTF-8 names",
        ),
    ],
    ids=["latin-1 value", "latin-1 path", "latin-1 name"],
)
def test_bytes_that_are_not_utf8_are_one_line(args, expected):
    result = subprocess.run(
        [sys.executable.encode(), b"-m", b"briefings", *args],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout) == (1, b"")
    assert result.stderr.decode().splitlines() == [expected]


def test_make_help_lines_up_every_description():
    result = make("help")
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and len(lines) >= 10, result
    # Where each description starts: after the target's name and at least two spaces.
    columns = {len(line) - len(line.split("  ", 2)[-1].lstrip()) for line in lines}
    names = {line.split()[1] for line in lines}
    assert len(columns) == 1, lines
    assert {"airflow-check", "bench-serve", "draft-eval", "report"} <= names


def test_the_notebook_is_read_only_by_the_help_that_shows_its_values(
    small_dataset, monkeypatch, capsys
):
    """The parameters' help reads the notebook's parameters cell; nothing else at start-up
    may (a deep expression there broke even --version and validate, issue 22 §11)."""
    from briefings.inputs import parameters_cell

    read = []
    real = parameters_cell.read_parameters_cell
    monkeypatch.setattr(
        parameters_cell, "read_parameters_cell", lambda path: read.append(path) or real(path)
    )
    assert main(["validate", "--data", str(small_dataset)]) == 0
    with pytest.raises(SystemExit):
        main(["--version"])
    with pytest.raises(SystemExit):
        main(["schedule", "--help"])
    assert read == []
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    assert len(read) == 1
    assert "the value in the parameters cell of" in capsys.readouterr().out
