"""The build folder under its documented first name, for scripts that read build folders;
it lives in briefings.build.folder (reading a previous build in briefings.data.previous_build)."""

from briefings.build.folder import (
    CHART,
    DATASET_COPY,
    EXECUTED_NOTEBOOK,
    FORMATS,
    MANIFEST,
    STATE_TABLE,
    BuildFolder,
    DatasetRecord,
    Digest,
    Manifest,
)
from briefings.data.previous_build import read_previous

__all__ = [
    "CHART",
    "DATASET_COPY",
    "EXECUTED_NOTEBOOK",
    "FORMATS",
    "MANIFEST",
    "STATE_TABLE",
    "BuildFolder",
    "DatasetRecord",
    "Digest",
    "Manifest",
    "read_previous",
]
