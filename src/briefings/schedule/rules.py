"""The rules of `briefings.yaml` that the Airflow DAG file needs too: a briefing's name, its
cron expression and description, and reading the file at all.

Airflow's Python does not have the project installed, so the DAG file loads this module by
path (see deploy/airflow/briefings_dags.py). It and what it imports (the bounded YAML
reader, briefings.inputs, and briefings.exceptions) need only the standard library and
PyYAML, so both sides read the file within the same bounds and refuse the same names and
expressions with the same lines. The cron expressions accepted are those croniter and
Airflow run, less the forms that can never fire (`0 0 31 4 *`: there is no 31 April).
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from pathlib import Path

from briefings.exceptions import Problem, ProblemsError, quoted
from briefings.inputs.yamlfile import read_yaml_file, yaml_line

# A briefing's name is a folder, a file name (with .lock, .json, .failed.ipynb after it)
# and an Airflow dag_id: letters, digits and hyphens, and short enough for all of them.
NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
MAX_NAME = 100
TOP_KEYS = ("defaults", "briefings")
CRON_HELP = (
    "use five fields: minute hour day-of-month month day-of-week, e.g. '0 6 * * 1', "
    "or @hourly, @daily, @weekly, @monthly, @yearly"
)
_ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# (name, lowest, highest, names for the numbers from lowest)
_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of the month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day of the week", 0, 7, _DAYS),  # 0 and 7 are both Sunday
)
_ITEM = re.compile(r"(?P<range>\*|(?P<low>\w+)(?:-(?P<high>\w+))?)(?:/(?P<step>\d+))?")


@dataclass(frozen=True)
class Scheduled:
    """What a DAG needs of one briefing: its name, cron expression and description."""

    name: str
    cron: str
    description: str


def name_problem(name: object) -> str | None:
    """Why `name` cannot name a briefing, or None."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        return (
            "the name must be lower-case letters, digits and hyphens, starting with a "
            "letter or digit (it names the output folder)"
        )
    if len(name) > MAX_NAME:
        return (
            f"the name is {len(name)} characters long; at most {MAX_NAME} (it names the "
            "output folder and the files beside it, which must fit the file system's limit)"
        )
    return None


def cron_problem(expression: object) -> str | None:
    """Why `expression` is not a cron expression that fires, or None when it is one."""
    if not isinstance(expression, str) or not expression.strip():
        return f"{quoted(expression)} is not a cron expression ({CRON_HELP})"
    text = expression.strip()
    fields = _ALIASES.get(text, text).split()
    if len(fields) != 5:
        return f"{quoted(text)} is not a cron expression ({CRON_HELP})"
    values = []
    for field, spec in zip(fields, _FIELDS, strict=True):
        allowed = _expand(field, *spec)
        if isinstance(allowed, str):
            return f"{quoted(text)} is not a cron expression ({allowed}; {CRON_HELP})"
        values.append(allowed)
    days, months = values[2], values[3]
    if fields[2] != "*" and fields[4] == "*" and not _a_day_comes(days, months):
        return (
            f"{quoted(text)} is not a cron expression that ever fires (no month it names "
            f"has the day of the month it names; {CRON_HELP})"
        )
    return None


def scheduled(path: str | Path) -> list[Scheduled]:
    """The briefings of a schedule file as a DAG file needs them, in its order.

    The file is read as briefings schedule reads it (bounded: a regular file, at most
    1 MB, UTF-8, YAML of plain values, shallow, no key twice); names, cron expressions
    and descriptions are checked by the same rules. Raises ProblemsError with one line
    per problem, naming the file, line, briefing and key.
    """
    path = Path(path)
    root, data = read_yaml_file(path)
    problems: list[Problem] = []

    def report(keys: tuple[str, ...], message: str) -> None:
        problems.append(Problem(str(path), message, row=yaml_line(root, keys)))

    if (shape := shape_problem(data)) is not None:
        report(*shape)
        raise ProblemsError(problems)
    defaults = data.get("defaults") if isinstance(data.get("defaults"), dict) else {}
    found = []
    for name, item in data["briefings"].items():
        found_here = briefing_problems(str(name), item, defaults)
        for keys, message in found_here:
            report(keys, message)
        if not found_here:
            cron = item.get("cron", defaults.get("cron"))
            found.append(Scheduled(str(name), cron.strip(), item.get("description", "").strip()))
    if problems:
        raise ProblemsError(problems)
    return found


def briefing_problems(name: str, item: object, defaults: dict) -> list[tuple[tuple[str, ...], str]]:
    """(key path, message) for what is wrong with a briefing's name, its cron expression
    (its own or the defaults') and its description: the keys a DAG is made of."""
    where = ("briefings", name)
    label = f"briefing '{name}': "
    found = []
    if (why := name_problem(name)) is not None:
        found.append((where, label + why))
    if not isinstance(item, dict):
        found.append((where, f"{label}must be a mapping with at least the key cron"))
        return found
    cron = item.get("cron", defaults.get("cron"))
    if cron is None:
        found.append(
            (
                (*where, "cron"),
                f"{label}key 'cron': is required (here or in defaults): when to rebuild, in "
                "cron syntax",
            )
        )
    elif (why := cron_problem(cron)) is not None:
        found.append(((*where, "cron"), f"{label}key 'cron': {why}"))
    if not isinstance(item.get("description", ""), str):
        found.append(((*where, "description"), f"{label}key 'description': must be text"))
    return found


def shape_problem(data: object) -> tuple[tuple[str, ...], str] | None:
    """(key path, message) when the file's data is not a schedule at all, or None."""
    if not isinstance(data, dict) or not set(data) & set(TOP_KEYS):
        # A link to the wrong file (a key file, say): nothing of it is quoted.
        return (
            (),
            "is not a schedule: it must be a mapping with the keys defaults (optional) "
            "and briefings",
        )
    if not isinstance(data.get("briefings"), dict) or not data["briefings"]:
        return ("briefings",), "key 'briefings' is required: a mapping of names to briefings"
    return None


def _expand(field: str, what: str, low: int, high: int, names: tuple[str, ...]) -> set[int] | str:
    """The values a field stands for, or what is wrong with it."""
    values: set[int] = set()
    for item in field.split(","):
        match = _ITEM.fullmatch(item)
        if match is None:
            return (
                f"the {what} '{item}' is not a number, a range or a step (L, W, # and ? "
                "are not supported)"
            )
        step = int(match["step"]) if match["step"] else 1
        if match["range"] == "*":
            first, last = low, high
        else:
            first = _number(match["low"], low, names)
            last = _number(match["high"], low, names) if match["high"] else first
            if match["step"] and not match["high"]:
                last = high  # a/n: from a, every n
            if first is None or last is None:
                return f"the {what} '{item}' is not a number or a name"
        if not (low <= first <= high and low <= last <= high):
            return f"the {what} '{item}' is outside {low}–{high}"
        if first > last:
            return f"the {what} range '{item}' goes backwards (write it as two ranges)"
        if step < 1:
            return f"the {what} step in '{item}' must be at least 1"
        values.update(range(first, last + 1, step))
    return values


def _number(text: str, low: int, names: tuple[str, ...]) -> int | None:
    if text.isdigit():
        return int(text)
    lower = text.lower()
    return names.index(lower) + low if lower in names else None


def _a_day_comes(days: set[int], months: set[int]) -> bool:
    """Whether one of `days` exists in one of `months` (29 February in a leap year)."""
    return any(day <= monthrange(2000, month)[1] for month in months for day in days)
