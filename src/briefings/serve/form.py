"""The form that orders a view, generated from the typed parameters (data/params.py).

Every parameter a reader may set gets a field of its kind: dates bounded by the
dataset's window, the tracks as checkboxes from the dataset, the minimum grade as a
select, title and marking as text. Paths name files on the server and the occasion of
a build (its date, the build compared with) is the server's, so neither is in the form.
What is posted becomes raw parameters, which go through the same checks as
`briefings build`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefings.data.grades import RELIABILITY_GRADES, RELIABILITY_MEANINGS
from briefings.data.params import MAX_TEXT_CHARS, OCCASION_PARAMETERS, PARAMETERS, Parameters

if TYPE_CHECKING:  # pandas
    from briefings.data.dataset import Dataset

# A parameter's kind -> the form's widget for it; kinds not here are not the reader's.
WIDGETS = {"date": "date", "tracks": "checkboxes", "grade": "select", "text": "text"}


@dataclass(frozen=True)
class Choice:
    """One checkbox or option."""

    value: str
    label: str
    chosen: bool


@dataclass(frozen=True)
class Field:
    """One field of the form, as the template draws it."""

    name: str
    widget: str  # date, checkboxes, select or text
    label: str
    help: str
    value: str = ""
    placeholder: str = ""
    low: str = ""  # a date's bounds
    high: str = ""
    choices: tuple[Choice, ...] = ()
    maxlength: int = MAX_TEXT_CHARS


def form_names() -> list[str]:
    """The parameters a reader sets in the form, in the order the parameters are listed."""
    return [
        name
        for name, (kind, _help) in PARAMETERS.items()
        if kind in WIDGETS and name not in OCCASION_PARAMETERS
    ]


def form_fields(
    defaults: Parameters, dataset: Dataset, posted: Mapping[str, object] | None = None
) -> list[Field]:
    """The form's fields: the `posted` values when given (a form sent back with its
    mistakes), else empty, which means each parameter's default (shown as a hint)."""
    posted = posted or {}
    low, high = (day.isoformat() for day in dataset.window)
    fields = []
    for name in form_names():
        kind, meaning = PARAMETERS[name]
        widget = WIDGETS[kind]
        label = name.replace("_", " ").capitalize()
        value = posted.get(name)
        default = getattr(defaults, name)
        if widget == "checkboxes":
            chosen = value if isinstance(value, list) else list(default or ())
            choices = tuple(Choice(t.id, t.label, t.id in chosen) for t in dataset.tracks)
            # The parameter's help is the command line's (comma-separated ids): boxes say it.
            fields.append(Field(name, widget, label, "", choices=choices))
        elif widget == "select":
            chosen = value if isinstance(value, str) and value else default
            choices = tuple(
                Choice(grade, f"{grade} – {RELIABILITY_MEANINGS[grade]}", grade == chosen)
                for grade in RELIABILITY_GRADES
            )
            fields.append(Field(name, widget, label, meaning, choices=choices))
        else:
            shown = "" if default is None else str(default)
            text = value if isinstance(value, str) else ""
            bounds = {"low": low, "high": high} if widget == "date" else {}
            fields.append(Field(name, widget, label, meaning, text, shown, **bounds))
    return fields


def read_form(arguments: Mapping[str, Sequence[str]]) -> dict[str, object]:
    """Raw parameters from posted form fields: only the ones filled in (an empty field
    keeps its default); the tracks as a list, an empty one when the form had the tracks
    field (its hidden marker) and no box was ticked."""
    raw: dict[str, object] = {}
    for name in form_names():
        values = [value.strip() for value in arguments.get(name, ())]
        if WIDGETS[PARAMETERS[name][0]] == "checkboxes":
            if values:
                raw[name] = [value for value in values if value]
        elif values and values[-1]:
            raw[name] = values[-1]
    return raw
