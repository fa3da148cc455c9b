"""The Airflow DAG file under the conditions Airflow parses it in (issue 22 §14): a Python
with the standard library and PyYAML only (no project installed, no croniter, no pandas)
and Airflow's few names stood in for (tests/airflow_stubs). It reads briefings.yaml through
the project's rules module, loaded by path, so it refuses what `briefings schedule`
refuses with the very same lines, within the same bounds, and never hangs or raises a
raw traceback. `make airflow-check` runs it under a real Airflow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT_ROOT

from briefings.exceptions import SpecError
from briefings.schedule.rules import MAX_NAME, cron_problem
from briefings.schedule.spec import load_spec

DAG_FILE = PROJECT_ROOT / "deploy" / "airflow" / "briefings_dags.py"
STUBS = Path(__file__).resolve().parent / "airflow_stubs"
# Run in a Python that sees only the standard library (-S: no site-packages, -I: no
# environment), then the stand-ins for Airflow and PyYAML's own folder.
PARSE = """
import json, runpy, sys
sys.path[:0] = sys.argv[1:3]
try:
    found = runpy.run_path(sys.argv[3])
except Exception as error:
    print(json.dumps({"error": type(error).__name__, "lines": str(error).splitlines()}))
    raise SystemExit(0)
dags = [v for k, v in found.items() if k.startswith("briefing:")]
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("briefings", "croniter", "pandas"))
print(json.dumps({
    "dags": [[d.dag_id, d.schedule.cron, d.description, d.tasks[0].bash_command] for d in dags],
    "loaded": loaded,
}))
"""


def parse_dag_file(project: Path, tmp_path: Path) -> dict:
    """What Airflow would get from parsing the DAG file for `project`'s briefings.yaml."""
    site = tmp_path / "airflow-site"
    site.mkdir(exist_ok=True)
    if not (site / "yaml").exists():
        (site / "yaml").symlink_to(Path(yaml.__file__).parent)
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", PARSE, str(STUBS), str(site), str(DAG_FILE)],
        capture_output=True,
        text=True,
        env={"BRIEFINGS_ROOT": str(project), "PATH": os.environ["PATH"]},
        timeout=60,  # a FIFO read without O_NONBLOCK would wait here for ever
        check=False,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return json.loads(result.stdout)


def cli_lines(spec: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec(spec)
    return caught.value.lines()


def test_the_shipped_schedule_gives_one_dag_per_briefing(tmp_path):
    parsed = parse_dag_file(PROJECT_ROOT, tmp_path)
    spec = load_spec(PROJECT_ROOT / "briefings.yaml")
    assert [(name, cron) for name, cron, _d, _c in parsed["dags"]] == [
        (b.name, b.cron) for b in spec.briefings
    ]
    for name, _cron, _description, command in parsed["dags"]:
        assert f"--only {name} --force --now" in command
    # Only the rules and what they import: the reader, the errors; nothing heavy.
    assert parsed["loaded"] == [
        "briefings",
        "briefings.exceptions",
        "briefings.inputs",
        "briefings.inputs.inputfile",
        "briefings.inputs.text",
        "briefings.inputs.yamlfile",
        "briefings.schedule",
        "briefings.schedule.rules",
    ]


LONG = "a" * (MAX_NAME + 151)  # 251 characters: more than Airflow's dag_id allows
CASES = {
    "name-too-long": f'briefings:\n  {LONG}:\n    cron: "0 6 * * 1"\n'.encode(),
    "name-not-a-slug": b'briefings:\n  Weekly Brief:\n    cron: "0 6 * * 1"\n',
    "never-fires": b'briefings:\n  april:\n    cron: "0 0 31 4 *"\n'
    b'  feb:\n    cron: "0 0 30 2 *"\n',
    "cron-out-of-range": b'briefings:\n  a:\n    cron: "0 24 * * *"\n',
    "cron-missing": b"briefings:\n  a:\n    description: weekly\n",
    "description-not-text": b'briefings:\n  a:\n    cron: "@daily"\n    description: [a, b]\n',
    "duplicate-briefing": b'briefings:\n  a: {cron: "@daily"}\n  a: {cron: "@weekly"}\n',
    "deep-nesting": b"briefings:\n  a:\n    cron: " + b"[" * 200 + b"]" * 200 + b"\n",
    "latin-1": 'briefings:\n  a:\n    cron: "@daily"\n    description: "Caf\xe9"\n'.encode(
        "latin-1"
    ),
    "control-character": b'briefings:\n  a:\n    cron: "@daily"\n    description: "a\\vb"\n',
    "not-a-schedule": b"https://analyst:ghp_S3cret@github.com\n",
    "alias-bomb": "".join(
        [
            "x0: &x0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n",
            *(f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 10)}]\n" for i in range(1, 6)),
            'briefings:\n  a: {cron: "@daily", description: *x5}\n',
        ]
    ).encode(),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_schedule_is_the_same_lines_as_the_command_gives(case, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    spec = project / "briefings.yaml"
    spec.write_bytes(CASES[case])
    parsed = parse_dag_file(project, tmp_path)
    assert parsed.get("error") == "SpecProblem", parsed
    cli = cli_lines(spec)
    # The same lines, in the same order; the command checks more keys (a bad name also
    # makes a bad default output folder), the DAG file only what a DAG is made of.
    assert parsed["lines"] and [line for line in cli if line in parsed["lines"]] == parsed["lines"]
    assert len(cli) == len(parsed["lines"]) or case == "name-not-a-slug"
    assert all(line.startswith(f"{spec}") for line in parsed["lines"])
    assert "ghp_S3cret" not in json.dumps(parsed)


def test_a_named_pipe_or_a_folder_is_one_line_not_a_hang(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    os.mkfifo(project / "briefings.yaml")
    parsed = parse_dag_file(project, tmp_path)
    assert parsed["lines"] == [
        f"{project}/briefings.yaml: is a named pipe (FIFO), not a regular file"
    ]
    assert parsed["lines"] == cli_lines(project / "briefings.yaml")
    (project / "briefings.yaml").unlink()
    parsed = parse_dag_file(project, tmp_path)
    assert parsed["lines"] == cli_lines(project / "briefings.yaml")


def test_the_cron_rules_accept_only_what_croniter_runs():
    """The rules decide alone in Airflow's Python; the runner computes fire times with
    croniter: every expression they accept must run there, and fire."""
    from datetime import UTC, datetime

    from croniter import croniter

    fields = [
        ["0", "*/15", "5/20", "0,30", "10-20", "10-50/10"],
        ["6", "*", "0-23/6", "9-17"],
        ["*", "1", "15", "29", "30", "31", "1-7", "*/10"],
        ["*", "2", "4", "feb", "Dec", "1-6", "4,6,9,11", "*/3"],
        ["*", "1", "0", "7", "mon-fri", "SAT,sun", "*/2"],
    ]
    import itertools

    checked = 0
    for parts in itertools.product(*fields):
        expression = " ".join(parts)
        problem = cron_problem(expression)
        try:
            fires = croniter(expression, datetime(2000, 1, 1, tzinfo=UTC)).get_next(datetime)
        except Exception:  # croniter refuses it, or finds no date
            fires = None
        assert (problem is None) == (fires is not None), (expression, problem)
        checked += 1
    assert checked > 10_000
