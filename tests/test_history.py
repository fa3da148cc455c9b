"""A briefing's history has one rule, whoever builds it, and its removals finish
(issue 22 §1, §4).

A build asked to keep a number (a schedule's `keep`) records it in the history; a build
not asked for one (`briefings build`, a preview, the server's preview) keeps as many, so
a manual build never prunes a scheduled briefing's history with its own default. Pruning
renames a build to a trash name before deleting it, so a removal cut short by SIGKILL is
finished by the next build instead of leaving half a build in the history for ever.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import fake_build, write_dataset
from scheduling import MONDAY

from briefings.build.publish import (
    KEEP_FILE,
    MARKER,
    discard,
    history_dir,
    history_keep,
    kept_builds,
    new_staging,
    publish,
    published_build,
)
from briefings.cli import main
from briefings.paths import briefing_notebook
from briefings.schedule.runner import run_schedule


def built(out: Path, count: int, keep: int | None = None, *, first_day=1, formats=None) -> None:
    """`count` complete-looking builds published at `out`, one a day."""
    for day in range(first_day, first_day + count):
        when = f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}T06:00:00+00:00"
        fake_build(out, when, keep=keep, formats=formats or ("html", "pdf"))


def test_a_build_not_asked_to_keep_a_number_keeps_the_rule_of_the_history(tmp_path):
    out = tmp_path / "reports" / "weekly"
    built(out, 32, keep=50)  # the scheduled runs
    assert history_keep(out) == 50
    built(out, 1, first_day=40)  # a manual build: no keep of its own
    assert len(kept_builds(out)) == 33
    built(out, 20, first_day=41)
    assert len(kept_builds(out)) == 50 and history_keep(out) == 50


def test_a_build_asked_for_fewer_prunes_to_that_and_it_becomes_the_rule(tmp_path):
    out = tmp_path / "reports" / "weekly"
    built(out, 8, keep=50)
    built(out, 1, keep=3, first_day=10)  # the schedule's keep lowered
    assert len(kept_builds(out)) == 3 and history_keep(out) == 3
    built(out, 2, first_day=11)
    assert len(kept_builds(out)) == 3


def test_without_a_rule_a_build_keeps_the_default_and_a_preview_itself(tmp_path):
    out = tmp_path / "reports" / "small"
    built(out, 7)
    assert len(kept_builds(out)) == 5 and history_keep(out) is None
    preview = tmp_path / "reports" / "small.preview"
    built(preview, 3, keep=50)
    staging = BuildFolderLike.complete(new_staging(preview))
    publish(staging, preview, keep=None, default_keep=1)  # what --preview asks
    assert len(kept_builds(preview)) == 4


@pytest.mark.parametrize("record", ["0\n", "-3\n", "many\n", "9" * 40, "\x00"])
def test_a_rule_that_is_not_a_count_is_no_rule(tmp_path, record):
    out = tmp_path / "reports" / "small"
    built(out, 1)
    (history_dir(out) / KEEP_FILE).write_text(record)
    assert history_keep(out) is None
    built(out, 6, first_day=2)
    assert len(kept_builds(out)) == 5


def test_the_scheduler_records_its_keep_in_the_history(tmp_path):
    from scheduling import schedule, write_schedule

    spec = write_schedule(
        tmp_path,
        "defaults: {formats: [html], keep: 50}\nbriefings:\n"
        "  weekly: {cron: '0 6 * * 1', params: {data_dir: data}}\n",
    )
    schedule(spec, MONDAY)
    assert history_keep(tmp_path / "reports" / "weekly") == 50


@pytest.mark.slow
def test_a_manual_build_leaves_a_scheduled_history_of_50_alone(tmp_path, monkeypatch):
    """The issue's case: `keep: 50` in briefings.yaml and 32 kept builds; a plain
    `briefings build --force` left 5. (A preview into a schedule's preview folder, which
    left 1, takes the same path: see the test of a preview above.)"""
    (tmp_path / "notebooks").mkdir()
    shutil.copy(briefing_notebook(), tmp_path / "notebooks" / "briefing.ipynb")
    monkeypatch.chdir(tmp_path)  # a project of its own: its briefings.yaml, reports/
    write_dataset(tmp_path / "data")
    (tmp_path / "briefings.yaml").write_text(
        "briefings:\n"
        "  small:\n    cron: '0 6 * * 1'\n    keep: 50\n    formats: [html]\n"
        "    params: {data_dir: data}\n",
        encoding="utf-8",
    )
    [outcome] = run_schedule(tmp_path / "briefings.yaml", now=MONDAY, jobs=1)
    assert outcome.status == "built"
    out = tmp_path / "reports" / "small"
    built(out, 31, first_day=2, formats=("html",))  # earlier scheduled runs
    assert len(kept_builds(out)) == 32
    args = ["build", "-q", "--force", "--data", "data", "--format", "html"]
    assert main(args) == 0
    assert published_build(out).name == kept_builds(out)[-1].name
    assert len(kept_builds(out)) == 33


def test_a_removal_cut_short_by_sigkill_is_finished_by_the_next_build(tmp_path):
    out = tmp_path / "reports" / "small"
    built(out, 2)
    [first, second] = kept_builds(out)
    for index in range(40):  # a build of many files, cut as it deletes its marker
        (first / f"part-{index}.txt").write_text("x\n")
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from briefings.build.publish import prune

        real_unlink = os.unlink
        def unlink(path, *args, **kwargs):
            real_unlink(path, *args, **kwargs)
            if os.fspath(path).endswith({MARKER!r}):
                os.kill(os.getpid(), signal.SIGKILL)
        os.unlink = unlink
        prune(Path({str(out)!r}), keep=1)
        """
    )
    child = subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert [p.name for p in kept_builds(out)] == [second.name]
    assert len(list(history_dir(out).iterdir())) == 2  # …and what the kill cut short
    built(out, 1, first_day=9)  # the next build of this name finishes the removal
    assert sorted(p.name for p in history_dir(out).iterdir()) == sorted(
        p.name for p in kept_builds(out)
    )


def test_a_failed_build_also_finishes_a_removal_cut_short(tmp_path):
    out = tmp_path / "reports" / "small"
    built(out, 1)
    trash = history_dir(out) / ".trash-20260101T060000000000Z-0a1b2c3d"
    (trash / "sub").mkdir(parents=True)
    (trash / "sub" / "briefing.html").write_text("half\n")
    discard(new_staging(out))  # a build that began, then failed
    assert not trash.exists()
    assert [p.name for p in history_dir(out).iterdir()] == [published_build(out).name]


class BuildFolderLike:
    """A staging folder made to look complete, as fake_build does."""

    @staticmethod
    def complete(staging: Path) -> Path:
        from briefings.build.folder import BuildFolder, Manifest

        folder = BuildFolder(staging)
        for kind in ("html", "pdf"):
            folder.briefing(kind).write_text(f"{kind}\n")
        formats = ("html", "pdf")
        folder.write_manifest(Manifest(built_at="2026-03-01T06:00:00+00:00", formats=formats))
        return staging
