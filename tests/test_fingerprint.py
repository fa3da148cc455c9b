"""The hashes that decide whether a briefing is rebuilt."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from briefings.build import fingerprint
from briefings.build.fingerprint import code_hash, request_hash
from briefings.data.params import request_parameters
from briefings.inputs.inputfile import MAX_FILE_BYTES
from briefings.paths import briefing_notebook


def _hash(data_dir: Path, out: Path, **raw) -> str | None:
    """The request hash of a build of the shipped notebook over `data_dir` with `raw`."""
    notebook = briefing_notebook()
    request = request_parameters({"data_dir": str(data_dir), **raw}, notebook=notebook)
    return request_hash(request, ("html",), notebook, out)


def test_request_hash_follows_data_parameters_and_output(small_dataset, tmp_path):
    def hashed(raw=None, out="out"):
        return _hash(small_dataset, tmp_path / out, **(raw or {}))

    first = hashed()
    assert first == hashed()
    assert hashed({"title": "Other"}) != first
    assert hashed(out="elsewhere") != first
    events = small_dataset / "events.csv"
    events.write_text(
        events.read_text(encoding="utf-8").replace("Aid stopped.", "Aid ended."), encoding="utf-8"
    )
    assert hashed() != first


def test_request_hash_is_of_the_checked_values_not_their_spelling(
    small_dataset, tmp_path, monkeypatch
):
    """The same typed request is the same build, however it was written; a value the
    caller injects is not the same request as the notebook's own."""
    first = _hash(small_dataset, tmp_path / "out", start="2020-02-01")
    assert _hash(small_dataset, tmp_path / "out", start=date(2020, 2, 1)) == first
    assert _hash(small_dataset, tmp_path / "out", start=" 2020-02-01 ") == first
    monkeypatch.chdir(small_dataset.parent)
    assert _hash(Path(small_dataset.name), tmp_path / "out", start="2020-02-01") == first
    assert _hash(small_dataset, tmp_path / "out") != _hash(
        small_dataset, tmp_path / "out", marking="UNCLASSIFIED – FOR TRAINING"
    )


def test_request_hash_is_none_without_a_data_folder(tmp_path):
    assert _hash(tmp_path / "nowhere", tmp_path / "out") is None


def test_code_hash_follows_the_versions_of_the_libraries_that_shape_the_output(monkeypatch):
    installed = fingerprint.library_versions()
    assert {"briefings", "pandas", "matplotlib", "nbconvert", "typst", "jinja2"} <= set(installed)
    first = code_hash()
    for name in installed:
        changed = {**installed, name: "0.0.1"}
        monkeypatch.setattr(fingerprint, "library_versions", lambda changed=changed: changed)
        assert code_hash() != first, name
    monkeypatch.setattr(fingerprint, "library_versions", lambda: dict(installed))
    assert code_hash() == first


def test_request_hash_reads_only_the_datasets_own_files(small_dataset, tmp_path):
    """A backup, a pipe or a device beside the data costs nothing and changes nothing."""

    def hashed():
        return _hash(small_dataset, tmp_path / "out")

    first = hashed()
    with (small_dataset / "backup.tar").open("wb") as backup:
        backup.truncate(64 * 2**20)  # sparse: over the size limit, no disk used
    os.mkfifo(small_dataset / "feed.csv")  # reading it would wait forever
    (small_dataset / "zero.csv").symlink_to("/dev/zero")  # reading it would never end
    assert hashed() == first


@pytest.mark.parametrize("kind", ["fifo", "device", "too big"])
def test_request_hash_is_none_when_a_dataset_file_is_not_a_small_regular_file(
    kind, small_dataset, tmp_path
):
    """The cache gives up at once; the full check then says what the file is."""
    events = small_dataset / "events.csv"
    events.unlink()
    if kind == "fifo":
        os.mkfifo(events)
    elif kind == "device":
        events.symlink_to("/dev/zero")
    else:
        with events.open("wb") as handle:
            handle.truncate(MAX_FILE_BYTES + 1)
    assert _hash(small_dataset, tmp_path / "out") is None
