"""What a build leaves for the next one to compare with, and reading it back.

A scheduled build's changes section compares it with the previous build: that build's
state table, the dataset copy beside it and when it was made. The notebook reads them,
in the kernel, so their file names and reading live here, below the report that
compares; build/folder.py writes the same files under these names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefings.exceptions import ProblemsError
from briefings.inputs.nofollow import read_own_json

if TYPE_CHECKING:  # imports pandas, which the index and a cache hit never need
    from briefings.data.dataset import Dataset

STATE_TABLE = "states.csv"
MANIFEST = "manifest.json"
DATASET_COPY = "dataset"  # a copy of the dataset files the build was made from


@dataclass(frozen=True)
class PreviousBuild:
    """What a previous build left to compare with."""

    states: tuple[Mapping[str, str], ...]  # its state table's rows, as states.csv writes them
    dataset: Dataset | None  # None when it kept no usable copy: only states are compared
    built_at: str  # when it was made, ISO 8601 ('' when not recorded)


def read_manifest_json(path: Path) -> dict | None:
    """A manifest's JSON object; None when it is missing, a link or not a JSON object."""
    try:
        data = read_own_json(path)
    except (ProblemsError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_previous(states_file: Path) -> PreviousBuild | None:
    """The previous build a scheduled build compares itself with: the state table at
    `states_file` (the `previous_states` parameter) and the manifest and dataset copy
    beside it. None when there is no such file (a first build). A missing or unloadable
    dataset copy only narrows the comparison to the states."""
    from briefings.data.dataset import load_dataset
    from briefings.exceptions import DatasetError

    try:
        text = Path(states_file).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    folder = Path(states_file).parent
    dataset: Dataset | None
    try:
        dataset = load_dataset(folder / DATASET_COPY)
    except DatasetError:
        dataset = None
    built_at = (read_manifest_json(folder / MANIFEST) or {}).get("built_at")
    return PreviousBuild(
        states=tuple(csv.DictReader(io.StringIO(text))),
        dataset=dataset,
        built_at=built_at if isinstance(built_at, str) else "",
    )
