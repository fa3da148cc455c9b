"""The sources table: every source of the dataset with its grade, and whether it counts in
this briefing (and, if it does, whether the briefing cites it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from briefings.data.dataset import Dataset
from briefings.data.params import Parameters
from briefings.data.states import source_exclusions
from briefings.report.sections.pieces import Grade, day, reliability


@dataclass(frozen=True)
class SourceRow:
    """One source as listed, with its `status` in this briefing ('cited', 'not counted: …')."""

    source_id: str
    outlet: str
    title: str
    author: str
    url: str
    published: str
    kind: str
    reliability: Grade
    notes: str
    status: str
    counted: bool


@dataclass(frozen=True)
class SourcesTable:
    """Every source of the dataset, oldest first."""

    template: ClassVar[str] = "briefing/sections/sources_table.html.j2"
    rows: tuple[SourceRow, ...]


def cited_sources(table: pd.DataFrame, *event_frames: pd.DataFrame) -> set[str]:
    """Ids of the sources behind the state table and the given event frames."""
    frames = (table, *event_frames)
    return {s for frame in frames for ids in frame["source_ids"] for s in ids}


def sources_table(dataset: Dataset, params: Parameters, cited: set[str]) -> SourcesTable:
    """Every source with its grade, and whether it counts in this briefing."""
    rows = []
    ordered = dataset.sources.sort_values(["published", "row"], kind="stable")
    for source in ordered.itertuples():
        reasons = _not_counted(source, params)
        if reasons:
            status = "not counted: " + "; ".join(reasons)
        elif source.source_id in cited:
            status = "cited"
        else:
            status = "counted, not cited in this window"
        rows.append(
            SourceRow(
                source_id=source.source_id,
                outlet=source.outlet,
                title=source.title,
                author=source.author,
                url=source.url,
                published=day(source.published),
                kind=source.kind,
                reliability=reliability(source.reliability, spelled=True),
                notes=source.notes,
                status=status,
                counted=not reasons,
            )
        )
    return SourcesTable(tuple(rows))


def counted_sources(dataset: Dataset, params: Parameters) -> pd.DataFrame:
    """The sources these parameters count."""
    mask = [not _not_counted(s, params) for s in dataset.sources.itertuples()]
    return dataset.sources.loc[mask]


def _not_counted(source: Any, params: Parameters) -> list[str]:
    """Why a source is set aside under these parameters, in words."""
    reasons = {
        "as_of": f"published after as_of ({day(params.as_of)})" if params.as_of else "",
        "min_reliability": f"graded below min_reliability ({params.min_reliability})",
    }
    excluded = source_exclusions(
        source.published,
        source.reliability,
        as_of=params.as_of,
        min_reliability=params.min_reliability,
    )
    return [reasons[name] for name in excluded]
