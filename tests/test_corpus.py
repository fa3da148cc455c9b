"""The corpus of broken inputs kept as files (tests/corpus), run through the real command line.

`corpus/datasets/<case>/` holds the files that differ from `corpus/base/` (a small valid
dataset), an optional `remove.txt` naming base files to delete, an optional `special.txt`
putting something other than a file in a file's place (`NAME fifo`, `NAME folder`,
`NAME link TARGET`), and `expected.txt`: the exact stderr lines, with `{case}` for the
case's folder. Cases named `good-*` must work.
`corpus/params/<case>.yaml` is a bad `--params` file and `corpus/specs/<case>.yaml` a bad
`briefings.yaml`; `<case>.expected` beside each holds its lines, with `{file}` for its path
(and, for a params file, `{cwd}` for the folder the command runs in: paths in it are
taken from there).

Every broken case must exit 1 from `validate`, `states` and `build` with exactly its lines,
and `build` must neither write a new briefing nor touch the one already published.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

from briefings.build.builder import build_briefing
from briefings.build.publish import history_dir
from briefings.cli import main
from briefings.inputs.inputfile import MAX_FILE_BYTES

CORPUS = Path(__file__).resolve().parent / "corpus"
BASE = CORPUS / "base"
DATASET_CASES = sorted(p.name for p in (CORPUS / "datasets").iterdir())
BROKEN_CASES = [c for c in DATASET_CASES if not c.startswith("good-")]
GOOD_CASES = [c for c in DATASET_CASES if c.startswith("good-")]
PARAM_CASES = sorted(p.stem for p in (CORPUS / "params").glob("*.yaml"))
SPEC_CASES = sorted(p.stem for p in (CORPUS / "specs").glob("*.yaml"))
NOW = "2026-11-25T07:00"
HUGE_BYTES = 50 * 2**20


def materialise(case: str, folder: Path) -> Path:
    """The base dataset with the case's files laid over it, in `folder`."""
    shutil.copytree(BASE, folder)
    for path in (CORPUS / "datasets" / case).iterdir():
        if path.name == "remove.txt":
            for name in path.read_text(encoding="utf-8").split():
                (folder / name).unlink()
        elif path.name == "special.txt":
            name, kind, *target = path.read_text(encoding="utf-8").split()
            (folder / name).unlink()
            if kind == "fifo":
                os.mkfifo(folder / name)
            elif kind == "folder":
                (folder / name).mkdir()
            else:
                (folder / name).symlink_to(*target)
        elif path.name != "expected.txt":
            shutil.copyfile(path, folder / path.name)
    if case == "huge-events":
        # Generated, not committed: a valid header and 50 MB of plausible rows.
        row = b"e1,2019,year,aid,change,on,Aid began.,,s1,2,,,,\n"
        with (folder / "events.csv").open("ab") as handle:
            handle.write(row * (HUGE_BYTES // len(row) + 1))
    return folder


def expected_lines(path: Path, placeholder: str, value: Path) -> list[str]:
    return path.read_text(encoding="utf-8").replace(placeholder, str(value)).splitlines()


def run(capsys, *args: str) -> tuple[int, str, list[str]]:
    """The command line in this process: exit code, stdout, stderr lines."""
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


def published_state(out: Path) -> dict[str, object]:
    """What a reader of `out` would see, and what the history holds."""
    history = history_dir(out)
    return {
        "link": str(out.readlink()),
        "files": {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()},
        "history": sorted(p.name for p in history.iterdir()),
        "siblings": sorted(p.name for p in out.parent.iterdir()),
    }


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """One real build, of the spreadsheet export (BOM, CRLF): the briefing bad builds must
    leave alone."""
    root = tmp_path_factory.mktemp("corpus")
    data = materialise("good-bom-crlf-export", root / "data")
    out = root / "reports" / "briefing"
    build_briefing({"data_dir": str(data), "build_date": "2026-11-25"}, formats=("html",), out=out)
    return out


@pytest.mark.parametrize("case", GOOD_CASES)
def test_spreadsheet_habits_simply_work(case, tmp_path, capsys):
    folder = materialise(case, tmp_path / case)
    assert run(capsys, "validate", "--data", folder)[0] == 0
    code, out, err = run(capsys, "states", "--data", folder)
    assert (code, err) == (0, [])
    assert out == run(capsys, "states", "--data", BASE)[1]


def test_the_export_case_builds(previous):
    html = (previous / "briefing.html").read_text(encoding="utf-8")
    assert "Small test relationship" in html and "\ufeff" not in html


def test_the_corpus_is_large_enough():
    assert len(BROKEN_CASES) >= 25 and len(PARAM_CASES) >= 10
    for case in BROKEN_CASES:
        assert (CORPUS / "datasets" / case / "expected.txt").is_file(), case
    for case in PARAM_CASES:
        assert (CORPUS / "params" / f"{case}.expected").is_file(), case


@pytest.mark.parametrize("case", BROKEN_CASES)
def test_broken_dataset(case, tmp_path, capsys, monkeypatch, previous):
    monkeypatch.chdir(tmp_path)  # where a YAML tag that ran code would leave its mark
    folder = materialise(case, tmp_path / case)
    expected = expected_lines(CORPUS / "datasets" / case / "expected.txt", "{case}", folder)
    before = published_state(previous)
    fresh = tmp_path / "reports" / "fresh"
    for args in (
        ("validate", "--data", folder),
        ("states", "--data", folder),
        ("build", "--data", folder, "--out", previous),
        ("build", "--data", folder, "--out", fresh),
    ):
        code, out, err = run(capsys, *args)
        assert (code, out) == (1, ""), args
        assert err == expected, args
    assert published_state(previous) == before
    assert not (tmp_path / "reports").exists()
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("case", PARAM_CASES)
def test_bad_params_file(case, tmp_path, capsys, monkeypatch, previous):
    monkeypatch.chdir(tmp_path)
    path = CORPUS / "params" / f"{case}.yaml"
    expected = expected_lines(CORPUS / "params" / f"{case}.expected", "{file}", path)
    expected = [line.replace("{cwd}", str(tmp_path)) for line in expected]
    before = published_state(previous)
    for out_dir in (previous, tmp_path / "reports" / "fresh"):
        code, out, err = run(capsys, "build", "--params", path, "--out", out_dir)
        assert (code, out, err) == (1, "", expected)
    assert published_state(previous) == before
    assert not (tmp_path / "reports").exists()
    assert not (tmp_path / "pwned-by-params").exists()


@pytest.mark.parametrize("case", BROKEN_CASES)
def test_broken_dataset_in_a_schedule(case, tmp_path, capsys, monkeypatch):
    """The scheduler reports the dataset's first problem as the briefing's failure."""
    monkeypatch.chdir(tmp_path)
    # The schedule makes tmp_path a project; the notebook built is still this checkout's.
    monkeypatch.setenv("BRIEFINGS_ROOT", str(PROJECT_ROOT))
    folder = materialise(case, tmp_path / "data")
    first = expected_lines(CORPUS / "datasets" / case / "expected.txt", "{case}", folder)[0]
    spec = tmp_path / "briefings.yaml"
    spec.write_text('briefings:\n  bad:\n    cron: "0 6 * * 1"\n    params: {data_dir: data}\n')
    code, out, err = run(capsys, "schedule", "--spec", spec, "--now", NOW, "-q")
    assert code == 1
    assert out == "0 built, 0 skipped, 1 failed: bad\n"  # -q: one summary line
    [line] = err  # the first problem, and how many more
    assert line.startswith(f"error: briefing 'bad': {first.removeprefix('error: ')}")
    assert not (tmp_path / "reports" / "bad").exists()
    assert not list((tmp_path / "reports").glob("history/bad/[!.]*"))


@pytest.mark.parametrize("case", SPEC_CASES)
def test_bad_schedule_file(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = CORPUS / "specs" / f"{case}.yaml"
    expected = expected_lines(CORPUS / "specs" / f"{case}.expected", "{file}", path)
    code, out, err = run(capsys, "schedule", "--spec", path, "--now", NOW, "-q")
    assert (code, out, err) == (1, "", expected)
    assert not (CORPUS / "specs" / "reports").exists()
    assert not (tmp_path / "pwned-by-spec").exists()
    assert not Path("/tmp/briefings-escape").exists()


def test_the_huge_file_is_over_the_limit():
    assert HUGE_BYTES > MAX_FILE_BYTES


@pytest.mark.parametrize(
    "case", ["binary-events", "huge-events", "yaml-python-tag", "yaml-window-datetime"]
)
def test_a_real_process_exits_1_without_a_traceback(case, tmp_path):
    folder = materialise(case, tmp_path / case)
    expected = expected_lines(CORPUS / "datasets" / case / "expected.txt", "{case}", folder)
    result = subprocess.run(
        [sys.executable, "-m", "briefings", "validate", "--data", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == expected
