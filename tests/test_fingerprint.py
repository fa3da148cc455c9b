"""The hashes that decide whether a briefing is rebuilt."""

from __future__ import annotations

import os

import pytest

from briefings.build import fingerprint
from briefings.build.fingerprint import code_hash, request_hash
from briefings.inputs.inputfile import MAX_FILE_BYTES
from briefings.paths import briefing_notebook


def test_request_hash_follows_data_parameters_and_output(small_dataset, tmp_path):
    def hashed(raw=None, out="out"):
        raw = raw or {"data_dir": str(small_dataset)}
        return request_hash(raw, small_dataset, ("html",), briefing_notebook(), tmp_path / out)

    first = hashed()
    assert first == hashed()
    assert hashed({"data_dir": str(small_dataset), "title": "Other"}) != first
    assert hashed(out="elsewhere") != first
    events = small_dataset / "events.csv"
    events.write_text(
        events.read_text(encoding="utf-8").replace("Aid stopped.", "Aid ended."), encoding="utf-8"
    )
    assert hashed() != first


def test_request_hash_is_none_without_a_data_folder(tmp_path):
    missing = tmp_path / "nowhere"
    assert request_hash({}, missing, ("html",), briefing_notebook(), tmp_path / "out") is None


def test_code_hash_follows_the_versions_of_the_libraries_that_shape_the_output(monkeypatch):
    installed = fingerprint.library_versions()
    assert {"briefings", "pandas", "matplotlib", "nbconvert", "weasyprint", "jinja2"} <= set(
        installed
    )
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
        return request_hash({}, small_dataset, ("html",), briefing_notebook(), tmp_path / "out")

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
    assert request_hash({}, small_dataset, ("html",), briefing_notebook(), tmp_path / "out") is None
