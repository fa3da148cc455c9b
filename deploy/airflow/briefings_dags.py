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
schedule and nothing more. It reads it through the project's own rules of briefings.yaml,
src/briefings/schedule/rules.py, loaded by path (Airflow's Python does not have the
project installed; that module needs only the standard library and PyYAML): the same
bounded reading as `briefings schedule` (a regular file of at most 1 MB, UTF-8, shallow
YAML of plain values, no key twice) and the same rules for names, cron expressions and
descriptions, so a problem is the same line, naming the file, line, briefing and key,
shown by Airflow as an import error with no DAGs. The task's command checks the whole
file again (parameters, formats, outputs) before it builds, and a mistake there fails the
task with the same kind of line in its log.
"""

from __future__ import annotations

import importlib
import os
import shlex
import sys
import types
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, CronTriggerTimetable
from airflow.sdk.exceptions import AirflowTimetableInvalid

# The checkout this file belongs to (it is linked into the dags folder): its source holds
# the rules. The project it builds may be another (BRIEFINGS_ROOT), made by briefings init.
CHECKOUT = Path(__file__).resolve().parents[2]
PROJECT = Path(os.environ.get("BRIEFINGS_ROOT") or CHECKOUT)
SPEC = PROJECT / "briefings.yaml"
COMMAND = PROJECT / ".venv" / "bin" / "briefings"
RULES = "briefings.schedule.rules"

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


def spec_rules(source: Path = CHECKOUT / "src") -> types.ModuleType:
    """The project's rules of briefings.yaml, loaded from its source by path.

    Only the modules the rules import are loaded (the bounded YAML reader and the
    project's errors: standard library and PyYAML), under their own names, from empty
    packages that point at the source folders, so no package's __init__ runs here.
    """
    for package in ("briefings", "briefings.inputs", "briefings.schedule"):
        if package not in sys.modules:
            module = types.ModuleType(package)
            module.__path__ = [str(source.joinpath(*package.split(".")))]
            sys.modules[package] = module
    try:
        return importlib.import_module(RULES)
    except ImportError as error:
        raise SpecProblem(
            f"{source}: cannot load the project's rules of briefings.yaml ({error}); link this "
            "file from a checkout of the project"
        ) from None


def read_briefings(path: Path) -> list[tuple[str, CronTriggerTimetable, str]]:
    """(name, schedule, description) for each briefing of the schedule file, in its order.

    The schedule fires at each time of the briefing's cron expression, in UTC; the run's
    logical date is that fire time, as the `--now` of a cron-started runner would be.

    Raises SpecProblem naming the file, line, briefing and key of each problem found.
    """
    rules = spec_rules()
    try:
        briefings = rules.scheduled(path)
    except rules.ProblemsError as error:
        raise SpecProblem("\n".join(error.lines())) from None
    found, problems = [], []
    for briefing in briefings:
        timetable = CronTriggerTimetable(briefing.cron, timezone="UTC")
        try:
            timetable.validate()
        except AirflowTimetableInvalid as error:  # the rules accept what croniter runs
            problems.append(
                f"{path}: briefing '{briefing.name}': key 'cron': '{briefing.cron}' is not a "
                f"cron expression Airflow runs ({error})"
            )
            continue
        found.append((briefing.name, timetable, briefing.description))
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


# Registered at module level, as Airflow finds DAGs; the colon keeps a briefing named like
# a module of this file ('yaml', 'shlex') from replacing it.
for _name, _schedule, _description in read_briefings(SPEC):
    globals()[f"briefing:{_name}"] = briefing_dag(_name, _schedule, _description)
