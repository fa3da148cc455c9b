"""Briefing parameters: one typed, checked set shared by the CLI, the build and the notebook.

`PARAMETERS` is the one list of them: the command line's help, the checks and the
briefing's method section all read it.

Values arrive as text (`-p start 2019-01-01`), as YAML values (a params file) or as
Python values (the notebook's parameters cell); all go through `coerce_parameters`,
then `resolve_parameters` fills defaults from the dataset and checks them against it.

Papermill's model: the notebook's parameters cell holds the defaults, and a build
injects only what its caller gave. `request_parameters` checks both together, once, into
a `RequestedParameters`; its `load` reads the dataset and resolves them (`prepare`).
Relative paths are taken from the caller's working folder (the notebook's own from the
notebook's folder, where its kernel runs) and handed on absolute.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from briefings.data.dates import SUPPORTED_DAYS, is_supported, parse_day
from briefings.data.grades import RELIABILITY_GRADES
from briefings.data.previous_states import check_previous_states
from briefings.exceptions import ParameterError, Problem, quoted
from briefings.inputs.parameters_cell import parameters_cell_origin, read_parameters_cell
from briefings.paths import default_dataset

if TYPE_CHECKING:  # pandas: `briefings --help` lists the parameters without it
    from briefings.data.dataset import Dataset

DEFAULT_MARKING = "UNCLASSIFIED – FOR TRAINING"
# A title or marking is printed in the title block and the running head of every page; a
# pasted article there would take the PDF renderer minutes (30,000 characters: 50 s).
MAX_TEXT_CHARS = 500

# name -> (kind, help); the order is the order the method section lists them in.
PARAMETERS: dict[str, tuple[str, str]] = {
    "data_dir": ("path", "dataset folder (default: the one in the project's data/ folder)"),
    "start": ("date", "first day of the window (default: the dataset's)"),
    "end": ("date", "last day of the window (default: the dataset's, or as_of if earlier)"),
    "as_of": ("date", "count only sources published on or before this day (default: all)"),
    "tracks": ("tracks", "comma-separated track ids to show (default: all, in dataset order)"),
    "min_reliability": (
        "grade",
        "ignore sources graded below this Admiralty letter A–F (default: F, keep all)",
    ),
    "title": ("text", "briefing title (default: the dataset's title)"),
    "marking": ("text", f"handling marking on every page (default: {DEFAULT_MARKING})"),
    "previous_states": (
        "path",
        "states.csv of the previous build, for 'changes since' (set by the scheduler)",
    ),
    "build_date": ("date", "the build date printed on the briefing (default: today, UTC)"),
}

# Where raw values came from, to name it in their mistakes: one name for all of them
# (nothing on the command line, a params file's name), or one per parameter.
Origin = str | Mapping[str, str]

# The type of the output in which the notebook shows the parameters its briefing is made
# with (report.notebook.Briefing.prepare), for the build to check them against what it
# asked for; the build leaves it out of the briefing.
PARAMETERS_SHOWN = "application/vnd.briefings.parameters+json"

# Parameters that describe the occasion of a build, not its inputs: two builds that
# differ only in these show the same facts.
OCCASION_PARAMETERS = ("previous_states", "build_date")


@dataclass(frozen=True)
class Parameters:
    """Checked briefing parameters. `None` means "take the default" until resolved."""

    data_dir: Path | None = None  # the project's dataset (paths.default_dataset)
    start: date | None = None
    end: date | None = None
    as_of: date | None = None
    tracks: tuple[str, ...] | None = None
    min_reliability: str = "F"
    title: str | None = None
    marking: str = DEFAULT_MARKING
    previous_states: Path | None = None
    build_date: date | None = None

    def as_dict(self, names: Iterable[str] = PARAMETERS) -> dict[str, object]:
        """Plain values (text, lists) for YAML, JSON and the notebook's parameters."""
        out: dict[str, object] = {}
        for name in names:
            value = getattr(self, name)
            if isinstance(value, date | Path):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out


def coerce_parameters(
    raw: Mapping[str, object], *, origin: Origin = "", base: Path | None = None
) -> Parameters:
    """Type-check raw values; raise ParameterError naming every bad one.

    `origin` prefixes messages: nothing on the command line, a file name for a params
    file; or it maps each name to where that value came from. Relative paths are taken
    from `base` (default: the working folder).
    """
    problems: list[Problem] = []
    values: dict[str, object] = {}
    for name, value in raw.items():
        if name not in PARAMETERS:
            problems.append(
                Problem(
                    _origin_of(origin, name),
                    f"unknown parameter '{name}' (known: {', '.join(PARAMETERS)})",
                )
            )
            continue
        if not _is_set(value):
            continue  # empty means default, so `make report START=` works
        kind = PARAMETERS[name][0]
        try:
            values[name] = _COERCE[kind](value)
            if kind == "path":
                values[name] = (base or Path.cwd()).absolute() / values[name]  # kept if absolute
        except ValueError as error:
            shown = quoted(str(value) if isinstance(value, date) else value)
            where = _origin_of(origin, name)
            problems.append(Problem(where, f"parameter '{name}': {shown} {error}"))
    if problems:
        raise ParameterError(problems)
    params = Parameters(**values)
    if params.start and params.end and params.start >= params.end:
        raise ParameterError(
            [
                Problem(
                    _origin_of(origin, "end"),
                    f"parameter 'end': {params.end} is not after start {params.start}",
                )
            ]
        )
    return params


def resolve_parameters(params: Parameters, dataset: Dataset, *, origin: Origin = "") -> Parameters:
    """Fill defaults from the dataset and check what needs it (tracks, the window).

    `origin` names where the values came from, or maps each name to its origin.
    """
    known = [t.id for t in dataset.tracks]
    unknown = [t for t in params.tracks or () if t not in known]
    if unknown:
        raise ParameterError(
            [
                Problem(
                    _origin_of(origin, "tracks"),
                    f"parameter 'tracks': '{t}' is not a track of "
                    f"{dataset.id} (tracks: {', '.join(known)})",
                )
                for t in unknown
            ]
        )
    start = params.start or dataset.window[0]
    end = params.end or dataset.window[1]
    if params.end is None and params.as_of and start < params.as_of < end:
        end = params.as_of  # an as-of view stops where knowledge stops
    if start >= end:
        raise ParameterError(
            [
                Problem(
                    _origin_of(origin, "end" if params.end else "start"),
                    f"parameter 'end': {end} is not after start {start}",
                )
            ]
        )
    tracks = tuple(t for t in known if t in (params.tracks or known))
    return replace(
        params,
        start=start,
        end=end,
        tracks=tracks,
        title=params.title or dataset.title,
        build_date=params.build_date or datetime.now(UTC).date(),
    )


def _origin_of(origin: Origin, name: str) -> str:
    return origin if isinstance(origin, str) else origin.get(name, "")


def _date(value: object) -> date:
    parsed = value if isinstance(value, date) else parse_day(str(value).strip())
    if parsed is None:
        raise ValueError("is not a date (use YYYY-MM-DD)")
    if not is_supported(parsed):
        raise ValueError(f"is outside the supported range ({SUPPORTED_DAYS})")
    return parsed


def _tracks(value: object) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError("is not a list of track ids (use comma-separated ids)")
    tracks = tuple(str(item).strip() for item in items if str(item).strip())
    if not tracks:
        raise ValueError("names no track")
    return tracks


def _grade(value: object) -> str:
    grade = str(value).strip().upper()
    if len(grade) != 1 or grade not in RELIABILITY_GRADES:
        raise ValueError("is not a reliability grade (use one letter A–F)")
    return grade


def _text(value: object) -> str:
    if not isinstance(value, str | int | float):
        raise ValueError("is not text")
    text = str(value).strip()
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(
            f"is {len(text):,} characters long; the briefing prints it in its title block "
            f"and on every page, so at most {MAX_TEXT_CHARS} are allowed"
        )
    return text


def _path(value: object) -> Path:
    if not isinstance(value, str | Path):
        raise ValueError("is not a path")
    return Path(value).expanduser()


_COERCE = {"date": _date, "tracks": _tracks, "grade": _grade, "text": _text, "path": _path}


def given_names(raw: Mapping[str, object]) -> list[str]:
    """The parameters `raw` sets (empty text and None leave a parameter to its default)."""
    return [name for name, value in raw.items() if name in PARAMETERS and _is_set(value)]


def _is_set(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class RequestedParameters:
    """The parameters one build was asked for, checked and typed before the dataset is
    read: the notebook's own values with the caller's over them (`params`, the dataset
    folder always named), the names the
    caller gave (`given`: papermill injects only those) and where each value came from
    (`origins`, to name it in mistakes found against the dataset).

    A build resolves its raw parameters into this record once, at its door; the cache's
    request hash, the dataset it loads and the cell papermill injects all come from it.
    """

    params: Parameters
    given: tuple[str, ...]
    origins: Mapping[str, str]

    def injected(self) -> dict[str, object]:
        """What a build injects into the notebook: only the values its caller gave, written
        plainly (absolute paths, ISO dates). The rest the notebook holds."""
        return self.params.as_dict(self.given)

    def load(self) -> tuple[Parameters, Dataset]:
        """Check the previous build's state table, load the dataset and resolve the
        parameters against it: the values the briefing is made with."""
        from briefings.data.dataset import load_dataset

        if self.params.previous_states is not None:
            check_previous_states(self.params.previous_states)
        dataset = load_dataset(self.params.data_dir)
        return resolve_parameters(self.params, dataset, origin=self.origins), dataset


def request_parameters(
    raw: Mapping[str, object], *, origin: Origin = "", notebook: Path | None = None
) -> RequestedParameters:
    """Check and type the raw values a build of `notebook` was asked for.

    With `notebook`, its parameters cell supplies every value `raw` leaves unset, and is
    checked the same way, its mistakes naming the notebook. `origin` names where the raw
    values came from (see `coerce_parameters`).
    """
    params = coerce_parameters(raw, origin=origin)
    given = tuple(given_names(raw))
    origins = {name: _origin_of(origin, name) for name in PARAMETERS}
    if notebook is not None:
        own, own_origin = _notebook_parameters(notebook)
        origins.update({name: own_origin for name in PARAMETERS if name not in given})
        params = replace(own, **{name: getattr(params, name) for name in given})
    data_dir = params.data_dir or default_dataset()  # the project's, unless one is named
    return RequestedParameters(replace(params, data_dir=data_dir), given, origins)


def _notebook_parameters(notebook: Path) -> tuple[Parameters, str]:
    """The values of the notebook's parameters cell, checked as a caller's are, and how
    its mistakes are named. The cell must set every parameter."""
    own_origin = parameters_cell_origin(notebook)
    own_raw = read_parameters_cell(notebook)
    own = coerce_parameters(own_raw, origin=own_origin, base=notebook.parent)
    unset = [name for name in PARAMETERS if name not in own_raw]
    if unset:
        raise ParameterError(
            [
                Problem(
                    own_origin,
                    f"does not set {', '.join(unset)} (the cells below use every "
                    'parameter; set it to "" for the default)',
                )
            ]
        )
    return own, own_origin


def prepare(
    raw: Mapping[str, object],
    *,
    origin: Origin = "",
    notebook: Path | None = None,
) -> tuple[Parameters, Dataset]:
    """Check raw parameters (over the notebook's own, see `request_parameters`), load
    their dataset and resolve them against it."""
    return request_parameters(raw, origin=origin, notebook=notebook).load()
