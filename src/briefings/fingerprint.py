"""Content hashes that decide whether a briefing must be rebuilt."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from .dataset import Dataset
from .params import OCCASION_PARAMETERS, Parameters

PACKAGE_DIR = Path(__file__).resolve().parent


def files_hash(paths: Iterable[Path]) -> str:
    """sha256 over the names and bytes of files, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def dataset_hash(dataset: Dataset) -> str:
    """The hash of the dataset's three files."""
    return files_hash(dataset.files)


def inputs_hash(
    params: Parameters, dataset: Dataset, formats: Iterable[str], notebook: Path
) -> str:
    """Everything a briefing's facts depend on: data, notebook, our code, parameters.

    The occasion of a build (its date, the previous build it is compared with) is left
    out, so an unchanged briefing is not rebuilt just because a day passed.
    """
    code = sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    settings = {k: v for k, v in params.as_dict().items() if k not in OCCASION_PARAMETERS}
    settings["data_dir"] = dataset.id  # where the data lives does not change it
    digest = hashlib.sha256()
    for part in (
        dataset_hash(dataset),
        files_hash([notebook]),
        files_hash(code),
        json.dumps({"params": settings, "formats": sorted(formats)}, sort_keys=True),
    ):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()
