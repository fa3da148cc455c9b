"""Publishing touches only what it made: refused outputs, links planted in reports/, pruning.

No kernel starts here: a refused output is refused before any work, and the publishing
mechanism is exercised with folders that look like complete builds. Every case that
must change nothing compares a hash of the whole tree around it before and after.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import fake_build, write_dataset

from briefings.build.publish import history_dir, new_staging, prune, published_build
from briefings.cli import main
from briefings.exceptions import OutputError
from briefings.schedule.index import write_index
from briefings.schedule.runner import _prepare_reports, briefing_lock
from briefings.schedule.spec import load_spec
from briefings.schedule.status import read_status, record_attempt


def tree(root: Path) -> dict[str, str]:
    """Every entry under `root`, links not followed: its kind and its content or target."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                found[key] = f"link -> {path.readlink()}"
            elif path.is_dir():
                found[key] = "folder"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def build_cli(capsys, *args) -> tuple[int, list[str]]:
    code = main(["build", "-q", *map(str, args)])
    return code, capsys.readouterr().err.splitlines()


def refused(out: Path, what: str) -> list[str]:
    return [
        f"error: {out}: is {what} that briefings did not publish, and publishing would "
        "replace it; give a name that does not exist yet"
    ]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A user's folder: a dataset, documents, a notebook folder and a reports folder
    with a briefing published in it."""
    write_dataset(tmp_path / "data")
    (tmp_path / "mydocs").mkdir()
    (tmp_path / "mydocs" / "thesis.txt").write_text("five years of work\n")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "briefing.ipynb").write_text("{}\n")
    (tmp_path / "notes.txt").write_text("a plain file\n")
    (tmp_path / "empty").mkdir()
    fake_build(tmp_path / "reports" / "small", "2026-01-05T06:00:00+00:00")
    return tmp_path


@pytest.mark.parametrize(
    "name, what",
    [
        ("mydocs", "a folder"),
        ("reports", "a folder"),
        ("notebooks", "a folder"),
        ("empty", "a folder"),
        ("notes.txt", "a file"),
        ("reports/history", None),
    ],
)
def test_an_output_the_tool_did_not_make_is_refused_and_nothing_changes(home, capsys, name, what):
    before = tree(home)
    out = home / name
    code, err = build_cli(capsys, "--data", home / "data", "--out", out)
    assert code == 1
    if what is None:  # the history folder's own name is never a briefing's
        assert err == [
            f"error: {out}: is a folder, not a briefing name; publishing puts a link at the "
            "name it is given, so give a new one (e.g. reports/my-briefing)"
        ]
    else:
        assert err == refused(out, what)
    assert tree(home) == before


def test_a_link_the_tool_did_not_make_is_refused(home, capsys):
    out = home / "reports" / "elsewhere"
    out.symlink_to(home / "mydocs", target_is_directory=True)
    # even one that looks like a published link, into a folder without the build marker
    lookalike = home / "reports" / "lookalike"
    (home / "reports" / "history" / "lookalike" / "20260105T060000000000Z").mkdir(parents=True)
    lookalike.symlink_to("history/lookalike/20260105T060000000000Z")
    before = tree(home)
    for link in (out, lookalike):
        code, err = build_cli(capsys, "--data", home / "data", "--out", link)
        assert (code, err) == (1, refused(link, "a link"))
    assert tree(home) == before


@pytest.mark.parametrize("name", [".", ".."])
def test_dot_and_dotdot_are_refused_and_nothing_is_written(home, capsys, monkeypatch, name):
    work = home / "notebooks"
    monkeypatch.chdir(work)
    before = tree(home)
    code, err = build_cli(capsys, "--data", home / "data", "--out", name)
    assert code == 1
    assert err == [
        f"error: {name}: is a folder, not a briefing name; publishing puts a link at the "
        "name it is given, so give a new one (e.g. reports/my-briefing)"
    ]
    assert tree(home) == before


@pytest.mark.parametrize("inside", ["reports/small/new", "reports/history/small/{build}/new/x"])
def test_an_output_inside_a_published_build_is_refused(home, capsys, inside):
    out = home / inside.format(build=published_build(home / "reports" / "small").name)
    before = tree(home)
    code, err = build_cli(capsys, "--data", home / "data", "--out", out)
    assert (code, err) == (
        1,
        [
            f"error: {out}: is inside a published build, which is never changed once "
            "published; give a name outside it"
        ],
    )
    assert tree(home) == before


def test_the_tools_own_link_is_recognised_and_replaced(home):
    out = home / "reports" / "small"
    first = published_build(out)
    second = fake_build(out, "2026-01-12T06:00:00+00:00")
    assert published_build(out) == second != first
    assert out.readlink() == Path("history") / "small" / second.name


def test_a_link_from_the_older_hidden_history_is_still_the_tools(tmp_path):
    reports = tmp_path / "reports"
    old = reports / ".builds" / "small" / "20251201T060000000000Z"
    old.mkdir(parents=True)
    (old / "manifest.json").write_text(json.dumps({"built_at": "2025-12-01", "formats": ["html"]}))
    (reports / "small").symlink_to(".builds/small/20251201T060000000000Z")
    assert published_build(reports / "small") == old
    new = fake_build(reports / "small", "2026-01-05T06:00:00+00:00")
    assert published_build(reports / "small") == new


def test_pruning_deletes_only_marked_build_folders(home):
    out = home / "reports" / "small"
    history = history_dir(out)
    theirs = history / "20200101T000000000000Z"  # named like a build, but not marked
    theirs.mkdir()
    (theirs / "keep-me.txt").write_text("mine\n")
    outside = home / "mydocs"
    (history / "20200102T000000000000Z").symlink_to(outside, target_is_directory=True)
    (history / ".staging-20200103T000000000000Z-999999999").symlink_to(outside)
    (outside / ".briefings-build").write_text("a marker does not make a link ours\n")
    before = tree(outside)
    for day in range(10, 14):
        fake_build(out, f"2026-01-{day}T06:00:00+00:00", keep=2)
    prune(out, keep=1)
    assert (theirs / "keep-me.txt").read_text() == "mine\n"
    assert tree(outside) == before
    marked = [p for p in history.iterdir() if (p / ".briefings-build").is_file()]
    assert [p.name for p in marked if not p.is_symlink()] == [published_build(out).name]


@pytest.mark.parametrize("planted", ["history", "history/small"])
def test_a_linked_history_folder_is_refused_and_nothing_is_written_there(tmp_path, planted):
    reports, elsewhere = tmp_path / "reports", tmp_path / "elsewhere"
    (elsewhere / "small").mkdir(parents=True)
    (reports / planted).parent.mkdir(parents=True, exist_ok=True)
    (reports / planted).symlink_to(elsewhere, target_is_directory=True)
    before = tree(tmp_path)
    with pytest.raises(OutputError) as caught:
        new_staging(reports / "small")
    assert str(caught.value) == (
        f"{reports / planted}: is a symbolic link; briefings keeps its own files there and "
        "never follows a link it did not make, so remove it"
    )
    assert tree(tmp_path) == before


def test_status_and_index_files_replace_a_planted_link_never_its_target(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    reports = tmp_path / "reports"
    (reports / ".status").mkdir(parents=True)
    (reports / ".status" / "alpha.json").symlink_to(victim)
    (reports / "index.html").symlink_to(victim)
    assert read_status(reports, "alpha") == {}  # a link is not read either
    record_attempt(reports, "alpha", {"status": "built", "at": "2026-01-05T06:00:00+00:00"})
    spec = tmp_path / "briefings.yaml"
    spec.write_text('briefings:\n  alpha:\n    cron: "@daily"\n')
    write_index(load_spec(spec), now=datetime(2026, 1, 5, tzinfo=UTC))
    assert victim.read_text() == "precious\n"
    assert not (reports / ".status" / "alpha.json").is_symlink()
    assert not (reports / "index.html").is_symlink()
    assert read_status(reports, "alpha")["last_success"]["status"] == "built"


def test_a_planted_lock_link_is_refused_without_truncating_its_target(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    reports = tmp_path / "reports"
    _prepare_reports(reports)
    (reports / ".locks" / "alpha.lock").symlink_to(victim)
    with pytest.raises(OutputError) as caught, briefing_lock(reports, "alpha"):
        pass
    assert str(caught.value).startswith(f"{reports / '.locks' / 'alpha.lock'}: cannot open")
    assert victim.read_text() == "precious\n"


@pytest.mark.parametrize("folder", [".locks", ".status"])
def test_linked_lock_and_status_folders_are_refused(tmp_path, folder):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / folder).symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputError, match="is a symbolic link"):
        _prepare_reports(tmp_path / "reports")
    assert list(elsewhere.iterdir()) == []


def test_a_successful_build_clears_the_failed_notebook_of_its_name(tmp_path):
    out = tmp_path / "reports" / "small"
    failed = tmp_path / "reports" / "small.failed.ipynb"
    other = tmp_path / "reports" / "other.failed.ipynb"
    failed.parent.mkdir(parents=True)
    failed.write_text("{}\n")
    other.write_text("{}\n")
    fake_build(out, "2026-01-05T06:00:00+00:00")
    assert not failed.exists() and other.exists()


def test_a_build_of_fewer_formats_is_refused_before_any_work(home, capsys):
    out = home / "reports" / "small"
    before = tree(home)
    code, err = build_cli(capsys, "--data", home / "data", "--out", out, "--format", "html")
    assert code == 1
    assert err == [
        f"error: {out}: its published build also has PDF, which a build of HTML alone would "
        "remove; build every format it has, or look at changes with `briefings build --preview`"
    ]
    assert tree(home) == before
