"""What the chart shows: its lanes, and the part of the state table and markers in its window."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from briefings.data.dataset import Dataset


def lanes(
    table: pd.DataFrame, markers: pd.DataFrame, dataset: Dataset, tracks: Sequence[str] | None
) -> list[str]:
    """The tracks given one lane each: `tracks`, else those of the table and markers in
    dataset order."""
    if tracks is not None:
        return list(tracks)
    present = set(table["track"]) | set(markers["track"])
    return [t.id for t in dataset.tracks if t.id in present]


def within(
    table: pd.DataFrame, markers: pd.DataFrame, start: date, end: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The intervals that overlap [start, end] and the markers dated inside it."""
    overlaps = (table["start"] <= end) & table["end"].map(lambda e: e is None or e > start)
    inside = (markers["date"] >= start) & (markers["date"] <= end)
    return table[overlaps.astype(bool)], markers[inside]
