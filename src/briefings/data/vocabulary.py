"""dataset.yaml: the dataset's name, window, tracks and the states each track may be in.

Read strictly: an unknown key, a missing field or a track's state that is not defined is
a problem located by its key path and line; every problem is reported at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from briefings.data.dates import SUPPORTED_DAYS, is_supported, parse_day
from briefings.data.palette import MIN_DIFFERENCE, carried_forward_tint, confusable
from briefings.exceptions import Problem, ProblemsError, quoted
from briefings.inputs.csvfile import read_text
from briefings.inputs.yamlfile import load_yaml, yaml_line

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# The dataset id names the briefing's folder, reports/<id> (lower case, other characters
# as -), and the files beside it: it needs a letter or digit, and a bounded length.
MAX_DATASET_ID = 100
COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")  # a state's colour: #rrggbb
_YAML_KEYS = {"id", "title", "description", "window", "tracks", "states"}
_TRACK_KEYS = {"id", "label", "states", "description", "keywords"}
_STATE_KEYS = {"id", "label", "colour", "meaning", "keywords"}


@dataclass(frozen=True)
class StateDef:
    """One state of the vocabulary: how it is named, drawn and what it means."""

    id: str
    label: str
    colour: str
    meaning: str
    keywords: tuple[str, ...] = ()  # the words an article names it by (`briefings draft`)


@dataclass(frozen=True)
class Track:
    """One swimlane of the chart and the states it may be in."""

    id: str
    label: str
    states: tuple[str, ...]
    keywords: tuple[str, ...] = ()  # the words an article names it by (`briefings draft`)


def read_dataset_yaml(path: Path, problems: list[Problem]) -> dict | None:
    """dataset.yaml's fields for `Dataset` (id, title, description, window, tracks, states);
    None, with its problems recorded, when it is unusable."""
    text = read_text(path, problems, what="dataset.yaml, sources.csv and events.csv")
    if text is None:
        return None
    name = str(path)
    try:
        root, data = load_yaml(text, name)
    except ProblemsError as error:
        problems.extend(error.problems)
        return None

    found: list[Problem] = []

    def problem(path_: tuple[object, ...], message: str) -> None:
        key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path_).lstrip(".")
        found.append(
            Problem(
                name,
                f"{key}: {message}" if key else message,
                row=yaml_line(root, path_),
            )
        )

    if not isinstance(data, dict) or not set(data) & _YAML_KEYS:
        # A link to the wrong file (a key file, say): nothing of it is quoted.
        problem(
            (),
            "is not a dataset.yaml: it needs a mapping with keys id, title, window, tracks, states",
        )
        problems.extend(found)
        return None
    for key in sorted(set(data) - _YAML_KEYS, key=str):
        problem((key,), f"unknown key (allowed: {', '.join(sorted(_YAML_KEYS))})")
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problem((key,), "is required and must be text")
    if isinstance(data.get("id"), str) and (why := _dataset_id_problem(data["id"])):
        problem(("id",), why)

    start, end = _load_window(data.get("window"), problem)
    states = _load_state_defs(data.get("states"), problem)
    tracks = _load_tracks(data.get("tracks"), states, problem)
    problems.extend(found)
    if found:
        return None
    return {
        "id": data["id"],
        "title": data["title"],
        "description": str(data.get("description") or ""),
        "window": (start, end),
        "tracks": tracks,
        "states": states,
    }


def _dataset_id_problem(ident: str) -> str | None:
    """Why `ident` cannot name the briefing's folder, or None."""
    if not re.search(r"[A-Za-z0-9]", ident):
        return (
            f"{quoted(ident)} has no letter or digit a–z, 0–9; the id names the briefing's "
            "folder, reports/<id> (e.g. gulf-watch)"
        )
    if len(ident) > MAX_DATASET_ID:
        return (
            f"{quoted(ident)} is {len(ident)} characters long; at most {MAX_DATASET_ID} (the "
            "id names the briefing's folder, reports/<id>)"
        )
    return None


def _load_window(window: object, problem) -> tuple[date | None, date | None]:
    """The window's first and last day (None where unusable)."""
    if not isinstance(window, dict):
        problem(("window",), "is required: a mapping with start and end (YYYY-MM-DD)")
        return None, None
    start, end = (_yaml_date(window.get(k)) for k in ("start", "end"))
    for key, value in (("start", start), ("end", end)):
        if value is None:
            problem(("window", key), f"{quoted(window.get(key))} is not a date (use YYYY-MM-DD)")
        elif not is_supported(value):
            problem(("window", key), f"'{value}' is outside the supported range ({SUPPORTED_DAYS})")
    if start and end and start >= end:
        problem(("window", "end"), f"{end} is not after the start {start}")
    return start, end


def _yaml_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    return parse_day(value) if isinstance(value, str) else None


def _entries(
    items: object, section: str, keys: set[str], fields: str, problem
) -> Iterator[tuple[int, dict]]:
    """The entries of the list `section` (states or tracks) that are mappings with a usable
    id, as (index, mapping); what is wrong with any entry, and with its id and label, is
    reported."""
    if not isinstance(items, list) or not items:
        problem((section,), f"is required: a list of {section} with {fields}")
        return
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problem((section, i), f"must be a mapping with {fields}")
            continue
        for key in sorted(set(item) - keys, key=str):
            problem((section, i, key), f"unknown key (allowed: {', '.join(sorted(keys))})")
        ident, label = item.get("id"), item.get("label")
        if not isinstance(ident, str) or not _ID.fullmatch(ident):
            problem((section, i, "id"), f"{quoted(ident)} is not an id (letters, digits, _ . -)")
            continue
        if ident in seen:
            problem((section, i, "id"), f"{section[:-1]} '{ident}' is defined twice")
        seen.add(ident)
        if not isinstance(label, str) or not label.strip():
            problem((section, i, "label"), "is required and must be text")
        yield i, item


def _load_state_defs(items: object, problem) -> dict[str, StateDef]:
    states: dict[str, StateDef] = {}
    for i, item in _entries(items, "states", _STATE_KEYS, "id, label, colour, meaning", problem):
        colour = item.get("colour")
        if colour is None:
            problem(("states", i, "colour"), "is required (use #RRGGBB)")
        elif not isinstance(colour, str) or not COLOUR.fullmatch(colour):
            problem(("states", i, "colour"), f"{quoted(colour)} is not a colour (use #RRGGBB)")
        states[item["id"]] = StateDef(
            item["id"],
            str(item.get("label")),
            str(colour),
            str(item.get("meaning") or ""),
            _keywords(item.get("keywords"), ("states", i, "keywords"), problem),
        )
    _check_palette(states, problem)
    return states


def _check_palette(states: dict[str, StateDef], problem) -> None:
    """No state's colour may pass for another's carried-forward tint on the chart."""
    colours = {s.id: s.colour for s in states.values() if COLOUR.fullmatch(s.colour)}
    index = {state: i for i, state in enumerate(states)}
    for state, other in confusable(colours):
        problem(
            ("states", index[state], "colour"),
            f"'{colours[state]}' looks like state '{other}' carried forward (its tint "
            f"{carried_forward_tint(colours[other])} on the chart); choose a colour at least "
            f"{MIN_DIFFERENCE:g} ΔE from it (darker or of another hue)",
        )


def _load_tracks(items: object, states: dict[str, StateDef], problem) -> tuple[Track, ...]:
    tracks: list[Track] = []
    for i, item in _entries(items, "tracks", _TRACK_KEYS, "id, label, states", problem):
        allowed = item.get("states")
        if not isinstance(allowed, list) or not allowed:
            problem(("tracks", i, "states"), "is required: a list of state ids")
            allowed = []
        for j, state in enumerate(allowed):
            if isinstance(state, bool):
                # YAML 1.1 reads bare on/off/yes/no as booleans.
                problem(
                    ("tracks", i, "states", j),
                    f"{state} is a yes/no value, not a state "
                    "id (put quotes around on, off, yes, no)",
                )
            elif not isinstance(state, str) or state not in states:
                shown = quoted(state)
                problem(
                    ("tracks", i, "states", j),
                    f"{shown} is not a defined state (defined: {', '.join(states)})",
                )
        keywords = _keywords(item.get("keywords"), ("tracks", i, "keywords"), problem)
        tracks.append(
            Track(item["id"], str(item.get("label")), tuple(str(s) for s in allowed), keywords)
        )
    return tuple(tracks)


def _keywords(items: object, where: tuple[object, ...], problem) -> tuple[str, ...]:
    """The optional `keywords`: words or phrases an article names the track or state by."""
    if items is None:
        return ()
    if not isinstance(items, list) or not all(isinstance(w, str) and w.strip() for w in items):
        problem(where, "must be a list of words or phrases (e.g. [IMET, military training])")
        return ()
    return tuple(w.strip() for w in items)
