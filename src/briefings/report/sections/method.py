"""The method's facts: what its prose in the notebook cannot know in advance, the dataset
behind the briefing and every parameter's value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from briefings.data.dataset import Dataset
from briefings.data.params import PARAMETERS, Parameters
from briefings.paths import project_root
from briefings.report.phrases import WEIGHING_RULE


@dataclass(frozen=True)
class ParameterRow:
    """A parameter's name, its value in this briefing and what it means."""

    name: str
    value: str
    meaning: str


@dataclass(frozen=True)
class MethodFacts:
    """The dataset behind the briefing, every parameter's value, and the rule that weighs a
    challenge (`weighing`, in the words of `phrases.WEIGHING_RULE`)."""

    template: ClassVar[str] = "briefing/sections/method.html.j2"
    dataset_title: str
    dataset_id: str
    events: int
    sources: int
    dataset_hash: str | None
    parameters: tuple[ParameterRow, ...]
    weighing: str = WEIGHING_RULE


def method_facts(
    dataset: Dataset, params: Parameters, *, dataset_hash: str | None = None
) -> MethodFacts:
    """What the method text cannot know in advance: the dataset and every parameter."""
    parameters = tuple(
        ParameterRow(name, _parameter_value(name, getattr(params, name)), meaning)
        for name, (_kind, meaning) in PARAMETERS.items()
    )
    return MethodFacts(
        dataset_title=dataset.title,
        dataset_id=dataset.id,
        events=len(dataset.events),
        sources=len(dataset.sources),
        dataset_hash=dataset_hash,
        parameters=parameters,
    )


def _parameter_value(name: str, value: object) -> str:
    if value is None:
        return "not set (all sources)" if name == "as_of" else "not set"
    if isinstance(value, Path):
        return _shown_path(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(value)


def _shown_path(path: Path) -> str:
    """Paths inside the project relative to it, so the briefing does not depend on the clone."""
    try:
        return path.resolve().relative_to(project_root().resolve()).as_posix()
    except ValueError:
        return str(path)
