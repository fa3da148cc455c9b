"""Every name the tool makes a path from fits the file system (issue 22 §3, §18).

Names of 233–250 characters let the build run, then the temporary publish link was
`File name too long`; the complete build stayed in the history, unpublished and never
pruned, and the feed listed it as built while the index said failed. Names are bounded
where they are given (a briefing's `output:`, `--out`, the dataset id, the default folder
a request makes), and a publish that fails puts its build back to be removed, whatever
the error.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from conftest import fake_build, write_dataset
from scheduling import MONDAY, schedule, write_schedule

from briefings.build.builder import MAX_SLUG, PREVIEW_SUFFIX, _slug
from briefings.build.publish import MAX_NAME, history_dir, kept_builds, published_build
from briefings.cli import main
from briefings.deliver.feed import FEED_FILE
from briefings.schedule.status import read_status


def test_an_out_name_too_long_for_the_files_beside_it_is_refused_before_any_work(tmp_path, capsys):
    data = write_dataset(tmp_path / "data")
    out = tmp_path / "reports" / ("x" * (MAX_NAME + 1))
    code = main(["build", "-q", "--data", str(data), "--out", str(out), "--format", "html"])
    assert code == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {tmp_path / 'reports' / ('x' * 40)}…: the name is {MAX_NAME + 1} bytes long; "
        f"at most {MAX_NAME} (the files made beside it must fit the file system's limit of "
        "255), so give a shorter one"
    ]
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


@pytest.mark.parametrize("length", [233, 250])
def test_names_of_the_issue_are_refused_in_bytes_not_characters(tmp_path, capsys, length):
    data = write_dataset(tmp_path / "data")
    name = "é" * (length // 2)  # two bytes each: the file system counts bytes
    out = tmp_path / "reports" / name
    assert main(["build", "-q", "--data", str(data), "--out", str(out)]) == 1
    assert f"the name is {len(name.encode())} bytes long" in capsys.readouterr().err


def test_the_longest_name_allowed_publishes_its_preview_too(tmp_path):
    for name in ("y" * MAX_NAME, "z" * MAX_SLUG + PREVIEW_SUFFIX):
        out = tmp_path / "reports" / name
        fake_build(out, "2026-01-05T06:00:00+00:00")
        fake_build(out, "2026-01-06T06:00:00+00:00")
        assert published_build(out) == kept_builds(out)[-1]


def test_a_default_folder_name_is_bounded_and_still_tells_requests_apart():
    tracks = [f"track-number-{i}" for i in range(40)]
    one = _slug(["small", "tracks-" + "-".join(tracks)])
    other = _slug(["small", "tracks-" + "-".join(tracks[:-1])])
    assert len(one) <= MAX_SLUG and len(other) <= MAX_SLUG and one != other
    assert one.startswith("small-tracks-track-number-0-")
    assert _slug(["small", "2020-01-01-to-2020-06-30"]) == "small-2020-01-01-to-2020-06-30"


@pytest.fixture
def link_name_too_long(monkeypatch):
    """From when it is called, the temporary publish link's name is refused, by symlink
    and unlink alike, as a file system refuses a name over 255 bytes."""
    real_unlink = Path.unlink

    def refused(self, *args, **kwargs):
        if ".link-" in self.name:
            raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), str(self))
        return real_unlink(self, *args, **kwargs)

    def refuse() -> None:
        monkeypatch.setattr(Path, "symlink_to", refused)
        monkeypatch.setattr(Path, "unlink", refused)

    return refuse


def test_a_publish_whose_link_fails_leaves_no_build_in_the_history(tmp_path, link_name_too_long):
    """Removing the link raises the same error as making it: the build must still go
    back to staging (before, it stayed in the history for ever)."""
    out = tmp_path / "reports" / "weekly"
    before = fake_build(out, "2026-01-05T06:00:00+00:00", keep=5)
    link_name_too_long()
    with pytest.raises(OSError):
        fake_build(out, "2026-01-12T06:00:00+00:00")
    assert kept_builds(out) == [before] and published_build(out) == before


def test_a_scheduled_build_that_cannot_be_published_is_failed_in_the_feed_too(
    tmp_path, link_name_too_long
):
    spec = write_schedule(
        tmp_path,
        "defaults: {formats: [html]}\nbriefings:\n"
        "  weekly: {cron: '0 6 * * 1', params: {data_dir: data}}\n",
    )
    link_name_too_long()
    outcome = schedule(spec, MONDAY)["weekly"]
    assert outcome.status == "failed"
    reports = tmp_path / "reports"
    assert not [p for p in history_dir(reports / "weekly").iterdir() if p.name[0].isdigit()]
    feed = (reports / FEED_FILE).read_text(encoding="utf-8")
    assert "<entry" not in feed
    status = read_status(reports, "weekly")
    assert status["last_attempt"]["status"] == "failed" and "last_success" not in status
    assert "failed" in (reports / "index.html").read_text(encoding="utf-8")
