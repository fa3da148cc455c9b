"""Apache Airflow DAGs for the briefings of `briefings.yaml`: one DAG per briefing.

Point Airflow's dags folder at this folder (or link this file into it). Each DAG runs on
its briefing's cron expression (UTC) and has one task, which runs the project's own
command in the project's own venv:

    <project>/.venv/bin/briefings schedule --spec <project>/briefings.yaml \
        --only NAME --force --now <the run's logical date>

so Airflow's environment and the project's never share packages. The project folder is
$BRIEFINGS_ROOT (the variable the package itself reads), by default the folder two
levels above this file once links are followed.

Airflow parses this file again and again (every 30 s by default), so parsing reads the
YAML and nothing more: it checks what defining the DAGs needs (names, cron expressions,
descriptions) and raises one line per problem, which Airflow shows as an import error,
with no DAGs. The task's command checks the whole file again (parameters, formats,
outputs) before it builds, and a mistake there fails the task with the same kind of
line in its log.
"""

from __future__ import annotations

import os
import re
import shlex
from datetime import timedelta
from pathlib import Path

import pendulum
import yaml
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, CronTriggerTimetable
from airflow.sdk.exceptions import AirflowTimetableInvalid

PROJECT = Path(os.environ.get("BRIEFINGS_ROOT") or Path(__file__).resolve().parents[2])
SPEC = PROJECT / "briefings.yaml"
COMMAND = PROJECT / ".venv" / "bin" / "briefings"

# The same rule as the project's spec check: the name is also a folder and a dag_id.
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
# Airflow's logical date is the fire time of a scheduled run; a run triggered without
# one (Airflow 3 allows that) builds as of when it was queued.
_AS_OF = "{{ (dag_run.logical_date or dag_run.run_after).isoformat() }}"
_DEFAULT_ARGS = {
    "owner": "briefings",
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
    # A build takes under a minute; an hour means something hangs.
    "execution_timeout": timedelta(hours=1),
}


class SpecProblem(ValueError):
    """briefings.yaml cannot define the DAGs; the message is one line per problem."""


def read_briefings(path: Path) -> list[tuple[str, CronTriggerTimetable, str]]:
    """(name, schedule, description) for each briefing of the schedule file, in its order.

    The schedule fires at each time of the briefing's cron expression, in UTC; the run's
    logical date is that fire time, as the `--now` of a cron-started runner would be.

    Raises SpecProblem naming the file, line, briefing and key of each problem found.
    """
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except OSError as error:
        raise SpecProblem(f"{path}: cannot read the schedule ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise SpecProblem(f"{where}: not valid YAML ({getattr(error, 'problem', error)})") from None

    problems: list[str] = []
    items = data.get("briefings") if isinstance(data, dict) else None
    if not isinstance(items, dict) or not items:
        raise SpecProblem(f"{path}: key 'briefings' is required: a mapping of names to briefings")
    defaults = data.get("defaults") if isinstance(data.get("defaults"), dict) else {}
    lines = _key_lines(root, "briefings")
    for name, count in _repeated_keys(root, "briefings"):
        problems.append(f"{path}:{lines[name]}: briefing '{name}' is defined {count} times")

    found = []
    for name, item in items.items():
        where = f"{path}:{lines.get(str(name), '?')}: briefing '{name}'"
        if not isinstance(name, str) or not _SLUG.fullmatch(name):
            problems.append(f"{where}: the name must be lower-case letters, digits and hyphens")
            continue
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a mapping with at least the key cron")
            continue
        cron = item.get("cron", defaults.get("cron"))
        if cron is None:
            problems.append(f"{where}: key 'cron' is required (here or in defaults)")
            continue
        try:
            timetable = CronTriggerTimetable(str(cron).strip(), timezone="UTC")
            timetable.validate()
        except AirflowTimetableInvalid as error:
            problems.append(f"{where}: key 'cron': {cron!r} is not a cron expression ({error})")
            continue
        description = item.get("description", "")
        found.append((name, timetable, description if isinstance(description, str) else ""))
    if problems:
        raise SpecProblem("\n".join(problems))
    return found


def briefing_dag(name: str, schedule: CronTriggerTimetable, description: str) -> DAG:
    """The DAG of one briefing: one task that builds and publishes it."""
    with DAG(
        dag_id=name,
        description=description or None,
        schedule=schedule,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        default_args=_DEFAULT_ARGS,
        tags=["briefings"],
    ) as dag:
        command = [
            *(str(part) for part in (COMMAND, "schedule", "--spec", SPEC)),
            *("--only", name, "--force", "--now"),
        ]
        BashOperator(
            task_id="build",
            bash_command=f"{shlex.join(command)} {_AS_OF}",
            cwd=str(PROJECT),
            env={"BRIEFINGS_ROOT": str(PROJECT)},
            append_env=True,
        )
    return dag


def _key_lines(root: yaml.Node | None, key: str) -> dict[str, int]:
    """Line of each key of the mapping under `key` (the last one wins, as in the data)."""
    return {k.value: k.start_mark.line + 1 for k, _v in _mapping(root, key)}


def _repeated_keys(root: yaml.Node | None, key: str) -> list[tuple[str, int]]:
    """Keys that appear more than once under `key`: YAML would keep only the last."""
    names = [k.value for k, _v in _mapping(root, key)]
    return [(n, names.count(n)) for n in dict.fromkeys(names) if names.count(n) > 1]


def _mapping(root: yaml.Node | None, key: str) -> list[tuple[yaml.Node, yaml.Node]]:
    if not isinstance(root, yaml.MappingNode):
        return []
    node = next((v for k, v in root.value if k.value == key), None)
    return list(node.value) if isinstance(node, yaml.MappingNode) else []


# Registered at module level, as Airflow finds DAGs; the colon keeps a briefing named like
# a module of this file ('yaml', 'shlex') from replacing it.
for _name, _schedule, _description in read_briefings(SPEC):
    globals()[f"briefing:{_name}"] = briefing_dag(_name, _schedule, _description)
