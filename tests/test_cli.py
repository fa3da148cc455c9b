"""The command line: exit codes and one clear line per problem, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import SMALL_EVENTS, write_dataset

from briefings.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "briefings", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
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
            "error: parameter: parameter 'start': '2018-02-30' is not a date (use YYYY-MM-DD)",
        ),
        (["states", "-p", "colour", "red"], "error: parameter: unknown parameter 'colour'"),
        (
            ["states", "-p", "start", "2021-01-01", "-p", "end", "2020-01-01"],
            "error: parameter: parameter 'end': 2020-01-01 is not after start 2021-01-01",
        ),
        (
            ["states", "-p", "tracks", "trade"],
            "error: parameter: parameter 'tracks': 'trade' is not a track of us-pakistan",
        ),
        (["states", "-p", "min_reliability", "Q"], "error: parameter: parameter 'min_reliability'"),
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
