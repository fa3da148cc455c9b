"""The build folder's contract: its manifest reads old builds and writes what they wrote."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import write_dataset

from briefings.build.folder import BuildFolder, DatasetRecord, Digest, Manifest
from briefings.data.dataset import load_dataset
from briefings.data.params import prepare
from briefings.data.previous_build import read_previous
from briefings.data.states import compute_states, states_to_csv

# The manifest of a scheduled first build as the tool wrote it on 2026-11-28 (before the
# manifest had a type), with the machine's folders shortened.
WRITTEN_2026_11_28 = Path(__file__).parent / "manifests" / "written-2026-11-28.json"


def test_a_manifest_written_before_the_type_reads_whole_and_writes_back_the_same(tmp_path):
    folder = BuildFolder(tmp_path)
    folder.manifest_file.write_bytes(WRITTEN_2026_11_28.read_bytes())
    manifest = folder.read_manifest()
    assert manifest.briefing == "us-pakistan"
    assert manifest.built_at == "2026-11-28T17:27:42+00:00"
    assert manifest.formats == ("html", "pdf")
    assert manifest.title == "US–Pakistan security assistance and military cooperation"
    assert manifest.parameters["tracks"][0] == "security_assistance"
    assert manifest.dataset.id == "us-pakistan" and len(manifest.dataset.hash) == 64
    assert manifest.versions["weasyprint"] == "70.0"
    assert manifest.timings["total"] == 12.161
    assert manifest.outputs["dataset/events.csv"].startswith("d0a05da8")
    assert manifest.digest.bottom_line[0].startswith("At the end of 2023, as last reported")
    assert manifest.digest.changed is True
    assert manifest.digest.changes.startswith("This is the first build of this briefing")
    assert len(manifest.inputs_hash) == len(manifest.request_hash) == 64
    again = BuildFolder(tmp_path / "again")
    again.path.mkdir()
    again.write_manifest(manifest)
    assert again.manifest_file.read_bytes() == WRITTEN_2026_11_28.read_bytes()


def test_a_manifest_without_a_comparison_writes_no_changes_field(tmp_path):
    folder = BuildFolder(tmp_path)
    folder.write_manifest(Manifest(digest=Digest(("One line.",))))
    written = json.loads(folder.manifest_file.read_text(encoding="utf-8"))
    assert written["digest"] == {"bottom_line": ["One line."]}
    assert folder.read_manifest() == Manifest(digest=Digest(("One line.",)))


@pytest.mark.parametrize(
    "text",
    [
        "{}",
        '{"formats": "html", "built_at": 7, "dataset": [], "digest": {"bottom_line": "x"}}',
        '{"timings": {"total": "fast", "pdf": true}, "outputs": {"a": 1}, "parameters": 3}',
        '{"digest": {"changes_since": {"changed": "yes", "summary": null}}}',
    ],
)
def test_missing_or_malformed_fields_read_as_empty(tmp_path, text):
    (tmp_path / "manifest.json").write_text(text, encoding="utf-8")
    assert BuildFolder(tmp_path).read_manifest() == Manifest()


@pytest.mark.parametrize("text", [None, "[1, 2]", "{not json", "\xff"])
def test_no_manifest_is_none(tmp_path, text):
    if text is not None:
        (tmp_path / "manifest.json").write_text(text, encoding="latin-1")
    assert BuildFolder(tmp_path).read_manifest() is None


def test_a_linked_manifest_is_not_read(tmp_path):
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(Manifest(built_at="2026-01-05T06:00:00+00:00").to_json())
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "manifest.json").symlink_to(elsewhere)
    assert BuildFolder(tmp_path / "build").read_manifest() is None


def recorded_build(folder: Path, data: Path) -> BuildFolder:
    """A build folder holding what a comparison reads, written as the build writes it."""
    params, dataset = prepare({"data_dir": str(data)})
    build = BuildFolder(folder)
    folder.mkdir()
    build.write_record(states_to_csv(compute_states(dataset, params)), dataset.files)
    build.write_manifest(
        Manifest(built_at="2026-01-05T06:00:09+00:00", dataset=DatasetRecord(dataset.id))
    )
    build.briefing("html").write_text("<p>briefing</p>", encoding="utf-8")
    return build


def test_the_previous_build_is_handed_over_as_plain_values(tmp_path):
    data = write_dataset(tmp_path / "data")
    build = recorded_build(tmp_path / "build", data)
    copy = BuildFolder(tmp_path / "copy")
    copy.path.mkdir()
    build.copy_record(copy)
    assert sorted(p.name for p in copy.path.iterdir()) == ["dataset", "manifest.json", "states.csv"]
    previous = read_previous(copy.state_table)
    text = build.state_table.read_text(encoding="utf-8")
    assert previous.states == tuple(csv.DictReader(io.StringIO(text)))
    assert previous.states[0]["track"] == "aid"
    assert previous.built_at == "2026-01-05T06:00:09+00:00"
    assert previous.dataset.events.equals(load_dataset(data).events)


def test_a_copy_without_a_dataset_compares_states_only(tmp_path):
    build = recorded_build(tmp_path / "build", write_dataset(tmp_path / "data"))
    for path in build.dataset_copy.iterdir():
        path.unlink()
    build.dataset_copy.rmdir()
    previous = read_previous(build.state_table)
    assert previous.dataset is None and previous.states


def test_links_are_not_copied_and_a_build_without_states_is_no_build(tmp_path):
    build = recorded_build(tmp_path / "build", write_dataset(tmp_path / "data"))
    planted = build.dataset_copy / "planted.csv"
    planted.symlink_to(tmp_path / "data" / "events.csv")
    copy = BuildFolder(tmp_path / "copy")
    copy.path.mkdir()
    build.copy_record(copy)
    assert not (copy.dataset_copy / "planted.csv").exists()
    build.state_table.unlink()
    empty = BuildFolder(tmp_path / "empty")
    empty.path.mkdir()
    build.copy_record(empty)
    assert list(empty.path.iterdir()) == []
    assert read_previous(empty.state_table) is None
