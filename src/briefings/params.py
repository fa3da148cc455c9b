"""Briefing parameters: one typed, checked set shared by the CLI, the build and the notebook.

Values arrive as text (`-p start 2019-01-01`), as YAML values (a params file) or as
Python values (the notebook's parameters cell); all go through `coerce_parameters`,
then `resolve_parameters` fills defaults from the dataset and checks them against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from .dataset import RELIABILITY_GRADES, Dataset, load_dataset
from .dates import parse_day
from .exceptions import ParameterError, Problem, quoted
from .paths import DEFAULT_DATASET

DEFAULT_MARKING = "UNCLASSIFIED – FOR TRAINING"

# name -> (kind, help); the order is the order the method section lists them in.
PARAMETERS: dict[str, tuple[str, str]] = {
    "data_dir": ("path", "dataset folder (default: the shipped US–Pakistan dataset)"),
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

# Parameters that describe the occasion of a build, not its inputs: two builds that
# differ only in these show the same facts.
OCCASION_PARAMETERS = ("previous_states", "build_date")


@dataclass(frozen=True)
class Parameters:
    """Checked briefing parameters. `None` means "take the default" until resolved."""

    data_dir: Path = DEFAULT_DATASET
    start: date | None = None
    end: date | None = None
    as_of: date | None = None
    tracks: tuple[str, ...] | None = None
    min_reliability: str = "F"
    title: str | None = None
    marking: str = DEFAULT_MARKING
    previous_states: Path | None = None
    build_date: date | None = None

    def as_dict(self) -> dict[str, object]:
        """Plain values (text, lists) for YAML, JSON and the notebook's parameters."""
        out: dict[str, object] = {}
        for name in PARAMETERS:
            value = getattr(self, name)
            if isinstance(value, date | Path):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out


def coerce_parameters(raw: Mapping[str, object], *, origin: str = "parameter") -> Parameters:
    """Type-check raw values; raise ParameterError naming every bad one.

    `origin` prefixes messages: 'parameter' on the command line, a file name for a params file.
    """
    problems: list[Problem] = []
    values: dict[str, object] = {}
    for name, value in raw.items():
        if name not in PARAMETERS:
            problems.append(
                Problem(origin, f"unknown parameter '{name}' (known: {', '.join(PARAMETERS)})")
            )
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue  # empty means default, so `make report START=` works
        kind = PARAMETERS[name][0]
        try:
            values[name] = _COERCE[kind](value)
        except ValueError as error:
            problems.append(Problem(origin, f"parameter '{name}': {quoted(value)} {error}"))
    if problems:
        raise ParameterError(problems)
    params = Parameters(**values)
    if params.start and params.end and params.start >= params.end:
        raise ParameterError(
            [Problem(origin, f"parameter 'end': {params.end} is not after start {params.start}")]
        )
    return params


def resolve_parameters(
    params: Parameters, dataset: Dataset, *, origin: str = "parameter"
) -> Parameters:
    """Fill defaults from the dataset and check what needs it (tracks, the window)."""
    known = [t.id for t in dataset.tracks]
    unknown = [t for t in params.tracks or () if t not in known]
    if unknown:
        raise ParameterError(
            [
                Problem(
                    origin,
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
            [Problem(origin, f"parameter 'end': {end} is not after start {start}")]
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


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    parsed = parse_day(str(value).strip())
    if parsed is None:
        raise ValueError("is not a date (use YYYY-MM-DD)")
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
    return str(value).strip()


def _path(value: object) -> Path:
    if not isinstance(value, str | Path):
        raise ValueError("is not a path")
    return Path(value)


_COERCE = {"date": _date, "tracks": _tracks, "grade": _grade, "text": _text, "path": _path}


def prepare(
    raw: Mapping[str, object],
    *,
    origin: str = "parameter",
) -> tuple[Parameters, Dataset]:
    """Check raw parameters, load their dataset and resolve them against it."""
    params = coerce_parameters(raw, origin=origin)
    dataset = load_dataset(params.data_dir)
    return resolve_parameters(params, dataset, origin=origin), dataset
