"""The build folder: what one build leaves behind, named and typed in this one place.

A build folder holds the briefing (`briefing.html`, `briefing.pdf`), the executed
notebook, the chart as SVG, the state table (`states.csv`), a copy of the dataset files
the build was made from (`dataset/`) and `manifest.json`: parameters, dataset hash,
library versions, timings, output hashes and a plain-text digest. The build writes a
folder through `BuildFolder` and `Manifest`; the cache, the scheduler, the index, the
feed, the notifications and the changes section read it through them, so no other
module spells a file name or a manifest field.

Manifests are read leniently: a field that is missing or of the wrong type (a manifest
written by an older version, or edited by hand) reads as empty, because the index and
the feed must still list every kept build. What is written stays the JSON older
versions wrote, so their builds keep reading and new ones read in older versions.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from briefings.data.previous_build import (
    DATASET_COPY,
    MANIFEST,
    STATE_TABLE,
    read_manifest_json,
)
from briefings.inputs.nofollow import is_real_file, is_real_folder
from briefings.report.digest import Digest

FORMATS = ("html", "pdf")  # what a briefing can be built as: briefing.<format>
EXECUTED_NOTEBOOK = "briefing.ipynb"
CHART = "timeline.svg"


@dataclass(frozen=True)
class DatasetRecord:
    """Which dataset a build was made from: its id, folder and content hash."""

    id: str = ""
    path: str = ""
    hash: str = ""


@dataclass(frozen=True)
class Manifest:
    """What `manifest.json` records about one build."""

    briefing: str = ""  # the name the build was published under
    parameters: Mapping[str, object] = field(default_factory=dict)  # the checked values
    formats: tuple[str, ...] = ()
    dataset: DatasetRecord = DatasetRecord()
    versions: Mapping[str, str] = field(default_factory=dict)  # what the cache's hashes cover
    built_at: str = ""  # ISO 8601 in UTC, on the machine's clock
    timings: Mapping[str, float] = field(default_factory=dict)  # seconds per stage, and total
    outputs: Mapping[str, str] = field(default_factory=dict)  # file in the folder → SHA-256
    digest: Digest = field(default_factory=Digest)
    inputs_hash: str = ""  # the checked inputs (fingerprint.inputs_hash)
    request_hash: str = ""  # the request as given (fingerprint.request_hash)

    @property
    def title(self) -> str:
        """The briefing's title parameter ('' when not recorded)."""
        title = self.parameters.get("title")
        return title if isinstance(title, str) else ""

    def to_json(self) -> str:
        """The manifest's file: sorted keys, so equal manifests are equal bytes."""
        digest: dict[str, object] = {"bottom_line": list(self.digest.bottom_line)}
        if self.digest.changed is not None:
            digest["changes_since"] = {
                "changed": self.digest.changed,
                "summary": self.digest.changes,
            }
        data = {
            "briefing": self.briefing,
            "parameters": dict(self.parameters),
            "formats": list(self.formats),
            "dataset": asdict(self.dataset),
            "versions": dict(self.versions),
            "built_at": self.built_at,
            "timings": dict(self.timings),
            "outputs": dict(self.outputs),
            "digest": digest,
            "inputs_hash": self.inputs_hash,
            "request_hash": self.request_hash,
        }
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Manifest:
        """The manifest of parsed JSON; what is missing or malformed reads as empty."""
        dataset = _mapping(data.get("dataset"))
        digest = _mapping(data.get("digest"))
        changes = _mapping(digest.get("changes_since"))
        changed = changes.get("changed")
        bottom_line = digest.get("bottom_line")
        return cls(
            briefing=_text(data.get("briefing")),
            parameters=_mapping(data.get("parameters")),
            formats=tuple(_texts(data.get("formats"))),
            dataset=DatasetRecord(
                _text(dataset.get("id")), _text(dataset.get("path")), _text(dataset.get("hash"))
            ),
            versions=_mapping(data.get("versions"), str),
            built_at=_text(data.get("built_at")),
            timings=_mapping(data.get("timings"), (int, float)),
            outputs=_mapping(data.get("outputs"), str),
            digest=Digest(
                bottom_line=tuple(_texts(bottom_line)),
                changed=changed if isinstance(changed, bool) else None,
                changes=_text(changes.get("summary")),
            ),
            inputs_hash=_text(data.get("inputs_hash")),
            request_hash=_text(data.get("request_hash")),
        )


@dataclass(frozen=True)
class BuildFolder:
    """One build's folder (or the link that publishes it, or the scheduler's copy of the
    files a comparison needs): where each of its files is, and reading and writing them."""

    path: Path

    def briefing(self, kind: str) -> Path:
        """The briefing in `kind`, one of FORMATS."""
        return self.path / f"briefing.{kind}"

    @property
    def executed_notebook(self) -> Path:
        return self.path / EXECUTED_NOTEBOOK

    @property
    def chart(self) -> Path:
        return self.path / CHART

    @property
    def state_table(self) -> Path:
        return self.path / STATE_TABLE

    @property
    def dataset_copy(self) -> Path:
        return self.path / DATASET_COPY

    @property
    def manifest_file(self) -> Path:
        return self.path / MANIFEST

    def formats(self) -> tuple[str, ...]:
        """The formats whose briefing is in the folder, in FORMATS order."""
        return tuple(f for f in FORMATS if self.briefing(f).is_file())

    def read_manifest(self) -> Manifest | None:
        """The folder's manifest; None when it is missing, a link or not a JSON object."""
        data = read_manifest_json(self.manifest_file)
        return None if data is None else Manifest.from_json(data)

    def write_manifest(self, manifest: Manifest) -> None:
        self.manifest_file.write_text(manifest.to_json(), encoding="utf-8")

    def write_record(self, states_csv: str, dataset_files: Iterable[Path]) -> None:
        """The state table and a copy of the dataset files, beside the briefing."""
        self.state_table.write_text(states_csv, encoding="utf-8")
        self.dataset_copy.mkdir()
        for path in dataset_files:
            shutil.copyfile(path, self.dataset_copy / path.name)

    def complete(self, manifest: Manifest) -> bool:
        """Whether every output the manifest lists is in the folder."""
        return all((self.path / name).is_file() for name in manifest.outputs)

    def copy_record(self, copy: BuildFolder) -> None:
        """Copy what a later build compares itself with (state table, manifest, dataset
        copy) into the empty folder `copy`.

        Only plain files are copied: a link planted in a build is not followed. A build
        without a state table copies nothing, so the copy says there was no build.
        """
        if not is_real_file(self.state_table):
            return
        for name in (STATE_TABLE, MANIFEST):
            if is_real_file(self.path / name):
                shutil.copyfile(self.path / name, copy.path / name)
        if is_real_folder(self.dataset_copy):
            copy.dataset_copy.mkdir()
            for path in self.dataset_copy.iterdir():
                if is_real_file(path):
                    shutil.copyfile(path, copy.dataset_copy / path.name)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _texts(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _mapping(value: object, kind: type | tuple[type, ...] = object) -> dict:
    """A JSON object's entries whose values are of `kind` (never a bool for a number)."""
    if not isinstance(value, dict):
        return {}
    return {
        k: v
        for k, v in value.items()
        if isinstance(v, kind) and not (kind is not object and isinstance(v, bool))
    }
