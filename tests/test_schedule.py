"""The scheduler: due, changed, skipped, failed, locked; then real builds end to end."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import SMALL_EVENTS, descendants, write_dataset
from scheduling import MONDAY, SPEC, calls, schedule, write_schedule

from briefings.build.folder import BuildFolder
from briefings.build.publish import KEEP_FILE, history_dir, published_build
from briefings.cli import main
from briefings.exceptions import OutputError, ScheduleError
from briefings.paths import briefing_notebook
from briefings.schedule.runner import (
    BUSY,
    INDEX_LOCK,
    briefing_lock,
    exit_status,
    next_fire,
    run_schedule,
)
from briefings.schedule.status import read_status


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    return write_schedule(tmp_path)


def history_entries(out: Path) -> list[str]:
    """What the history of `out` holds besides its rule (the keep a schedule recorded)."""
    return sorted(p.name for p in history_dir(out).iterdir() if p.name != KEEP_FILE)


def test_first_run_builds_everything_and_a_second_skips_it(spec):
    first = schedule(spec, MONDAY)
    assert {n: (o.status, o.reason) for n, o in first.items()} == {
        "weekly": ("built", "never built"),
        "monthly": ("built", "never built"),
    }
    again = schedule(spec, MONDAY.replace(hour=8))
    assert again["weekly"].status == "skipped"
    assert again["weekly"].reason == "inputs unchanged; not due until 2026-01-12 06:00 UTC"
    assert again["monthly"].reason == "inputs unchanged; not due until 2026-02-01 05:00 UTC"
    assert len(calls(spec)) == 2
    assert (spec.parent / "reports" / "index.html").is_file()


def test_due_follows_the_cron_and_the_run_clock(spec):
    schedule(spec, MONDAY)
    # Sunday: nothing fired since Monday's build
    assert schedule(spec, datetime(2026, 1, 11, 23, 59))["weekly"].status == "skipped"
    # Monday 06:00 exactly is a fire time: due
    at_six = schedule(spec, datetime(2026, 1, 12, 6, 0))
    assert at_six["weekly"].status == "built"
    assert at_six["weekly"].reason == "due: '0 6 * * 1' fired at 2026-01-12 06:00 UTC"
    assert at_six["monthly"].status == "skipped"
    status = read_status(spec.parent / "reports", "weekly")
    assert status["last_success"]["at"] == "2026-01-12T06:00:00+00:00"
    assert schedule(spec, datetime(2026, 2, 1, 5, 0))["monthly"].status == "built"
    assert [c["build_date"] for c in calls(spec) if c["name"] == "monthly"] == [
        "2026-01-05",
        "2026-02-01",
    ]


def test_changed_inputs_rebuild_and_hand_over_the_previous_states(spec):
    schedule(spec, MONDAY)
    events = [*SMALL_EVENTS, {**SMALL_EVENTS[3], "event_id": "e9", "date": "2021-01-04"}]
    write_dataset(spec.parent / "data", events=events)
    changed = schedule(spec, MONDAY.replace(hour=9))
    assert changed["weekly"].status == "built"
    assert changed["weekly"].reason == "inputs changed: the data"
    last = [c for c in calls(spec) if c["name"] == "weekly"][-1]
    # the previous build's states.csv, copied before publishing pruned anything
    assert last["previous"] == "states of weekly built 2026-01-05\n"
    assert calls(spec)[0]["previous"] is None  # a first build has nothing to compare


def test_force_builds_everything(spec):
    schedule(spec, MONDAY)
    forced = schedule(spec, MONDAY, force=True)
    assert {o.reason for o in forced.values()} == {"forced (--force)"}
    assert len(calls(spec)) == 4


def test_only_builds_the_named_briefings_and_the_index_still_lists_all(spec):
    schedule(spec, MONDAY)
    only = schedule(spec, MONDAY, force=True, only=["monthly", "monthly"])
    assert list(only) == ["monthly"]
    assert only["monthly"].reason == "forced (--force)"
    assert [c["name"] for c in calls(spec)] == ["weekly", "monthly", "monthly"]
    index = (spec.parent / "reports" / "index.html").read_text()
    assert 'id="weekly"' in index and 'id="monthly"' in index


def test_only_with_an_unknown_name_lists_the_known_ones_and_builds_nothing(spec, capsys):
    assert main(["schedule", "--spec", str(spec), "--only", "weekly", "--only", "daily"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {spec}: no briefing named 'daily' (the briefings are: weekly, monthly)"
    ]
    assert not (spec.parent / "reports").exists()


def test_a_failed_build_is_reported_and_keeps_the_published_one(spec):
    schedule(spec, MONDAY)
    published = published_build(spec.parent / "reports" / "weekly")
    spec.write_text(
        SPEC.replace("params: {data_dir: data}", "params: {data_dir: data, marking: fail}")
    )
    outcomes = schedule(spec, MONDAY.replace(hour=9))
    assert outcomes["weekly"].status == "failed"
    assert "cell 3 failed: ZeroDivisionError" in outcomes["weekly"].reason
    assert outcomes["monthly"].status == "skipped"
    assert exit_status(list(outcomes.values())) == 1
    assert published_build(spec.parent / "reports" / "weekly") == published
    status = read_status(spec.parent / "reports", "weekly")
    assert status["last_attempt"]["status"] == "failed"
    assert status["last_success"]["build"] == published.name
    index = (spec.parent / "reports" / "index.html").read_text()
    assert '<span class="bf-badge bf-status-failed">failed</span>' in index


def test_a_briefing_whose_parameters_do_not_fit_its_dataset_fails_alone(spec):
    schedule(spec, MONDAY)
    spec.write_text(SPEC.replace("params: {data_dir: data}", "params: {data_dir: data, tracks: x}"))
    outcomes = schedule(spec, MONDAY.replace(hour=9))
    assert outcomes["weekly"].status == "failed"
    assert "briefing 'weekly': parameter 'tracks': 'x' is not a track of small" in (
        outcomes["weekly"].reason
    )
    assert outcomes["monthly"].status == "skipped"


def test_a_briefing_locked_by_another_runner_is_skipped(spec):
    reports = spec.parent / "reports"
    (reports / ".locks").mkdir(parents=True)
    with briefing_lock(reports, "weekly") as held:
        assert held
        outcomes = schedule(spec, MONDAY)
    assert (outcomes["weekly"].status, outcomes["weekly"].reason) == ("skipped", BUSY)
    assert outcomes["monthly"].status == "built"


def test_a_link_planted_as_one_briefings_lock_fails_that_briefing_only(spec, tmp_path):
    reports = spec.parent / "reports"
    (reports / ".locks").mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (reports / ".locks" / "weekly.lock").symlink_to(victim)
    outcomes = schedule(spec, MONDAY)
    assert outcomes["weekly"].status == "failed"
    assert outcomes["weekly"].reason.startswith(f"{reports / '.locks' / 'weekly.lock'}: cannot")
    assert read_status(reports, "weekly")["last_attempt"]["status"] == "failed"
    assert outcomes["monthly"].status == "built"
    assert victim.read_text() == "keep me\n"
    assert (reports / "index.html").exists()


def test_runners_write_the_index_one_at_a_time(spec, monkeypatch):
    reports = spec.parent / "reports"
    (reports / ".locks").mkdir(parents=True)
    waiting = threading.Event()  # set when the runner asks for the index's lock, and waits
    real_flock = fcntl.flock

    def flock(handle, operation):
        held = str(Path(f"/proc/self/fd/{handle.fileno()}").readlink())
        if operation == fcntl.LOCK_EX and held.endswith(f"/{INDEX_LOCK}.lock"):
            waiting.set()
        return real_flock(handle, operation)

    with briefing_lock(reports, INDEX_LOCK) as held:  # another runner writing the index
        assert held
        monkeypatch.setattr(fcntl, "flock", flock)
        runner = threading.Thread(target=schedule, args=(spec, MONDAY), kwargs={"only": ["weekly"]})
        runner.start()
        assert waiting.wait(timeout=60), "the runner never asked for the index's lock"
        assert read_status(reports, "weekly")["last_attempt"]["status"] == "built"
        assert runner.is_alive()  # blocked on the lock held here
        assert not (reports / "index.html").exists()
    runner.join(timeout=60)
    assert not runner.is_alive()
    assert 'id="weekly"' in (reports / "index.html").read_text()


@pytest.mark.parametrize(
    "content",
    [
        '{"last_success": [1, 2], "last_attempt": "built"}',
        "[]",
        '{"last_success": {"at": 7}}',
        None,
    ],
    ids=["attempts not mappings", "a list", "time not text", "a fifo"],
)
def test_a_status_file_of_another_shape_is_ignored(spec, content):
    """reports/ may be restored from a cache or edited by hand: a status file that is not
    what the runner writes counts as no status, and is replaced by the next attempt."""
    schedule(spec, MONDAY)
    status = spec.parent / "reports" / ".status" / "weekly.json"
    status.unlink()
    if content is None:
        os.mkfifo(status)  # reading it would wait forever
    else:
        status.write_text(content)
    outcomes = schedule(spec, MONDAY.replace(hour=8))
    assert outcomes["weekly"].status == "skipped"
    assert (spec.parent / "reports" / "index.html").is_file()


def test_a_lock_file_left_by_a_dead_runner_does_not_block(spec):
    locks = spec.parent / "reports" / ".locks"
    locks.mkdir(parents=True)
    (locks / "weekly.lock").write_text("999999\n")  # the file stays; its flock died with it
    assert schedule(spec, MONDAY)["weekly"].status == "built"


def test_builds_run_in_parallel_processes(spec):
    outcomes = schedule(spec, MONDAY, jobs=2)
    assert {o.status for o in outcomes.values()} == {"built"}
    assert len(calls(spec)) == 2


def test_an_unwritable_reports_folder_is_a_clear_error(spec):
    (spec.parent / "reports").write_text("not a folder")
    with pytest.raises(OutputError, match=r"/reports: cannot create the output folder \(Not a dir"):
        schedule(spec, MONDAY)


def tree_digest(folder: Path) -> dict[str, str]:
    """Every entry under `folder` (links as their targets, files as their bytes)."""
    if not folder.exists():
        return {}
    found = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = f"-> {path.readlink()}"
        elif path.is_file():
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[key] = "dir"
    return found


def test_a_dry_run_decides_and_writes_nothing(spec):
    reports = spec.parent / "reports"
    first = schedule(spec, MONDAY, dry_run=True)
    assert {n: (o.status, o.reason) for n, o in first.items()} == {
        "weekly": ("would build", "never built"),
        "monthly": ("would build", "never built"),
    }
    assert not reports.exists() and calls(spec) == []

    schedule(spec, MONDAY)
    write_dataset(spec.parent / "data", events=[*SMALL_EVENTS[:4]])  # one event removed
    before = tree_digest(reports)
    assert len(before) > 10  # links, builds, status files, locks, the index
    later = datetime(2026, 2, 1, 6, 0, tzinfo=UTC)
    decided = schedule(spec, later, dry_run=True)
    assert decided["weekly"].status == "would build"
    assert decided["weekly"].reason == "inputs changed: the data"
    assert tree_digest(reports) == before
    assert len(calls(spec)) == 2  # nothing was built

    # a dry run may look ahead of the clock: what would be built in a year's time
    ahead = datetime.now(UTC) + timedelta(days=365)
    write_dataset(spec.parent / "data")  # the data as built
    future = schedule(spec, ahead, dry_run=True)
    assert future["weekly"].status == "would build"
    assert future["weekly"].reason.startswith("due: '0 6 * * 1' fired at ")
    assert tree_digest(reports) == before


def test_a_dry_run_reports_a_briefing_that_would_fail(spec):
    spec.write_text(SPEC.replace("params: {data_dir: data}", "params: {data_dir: data, tracks: x}"))
    outcomes = schedule(spec, MONDAY, dry_run=True)
    assert outcomes["weekly"].status == "failed"
    assert exit_status(list(outcomes.values())) == 1
    assert not (spec.parent / "reports").exists()


def test_a_run_that_builds_may_not_be_later_than_the_clock(spec):
    ahead = datetime.now(UTC) + timedelta(days=2)
    with pytest.raises(ScheduleError, match=r"later than the clock .*Add --dry-run"):
        schedule(spec, ahead)
    assert not (spec.parent / "reports").exists() and calls(spec) == []


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2062, 1, 4, 6, 0),  # plausible for a dry run only: see below
        datetime(9999, 12, 31, 23, 0),
        datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=5))),
        datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
    ],
)
def test_implausible_or_future_times_are_refused_before_anything_is_read(spec, moment):
    spec.write_text("not: [a valid schedule")  # never read: the time is refused first
    with pytest.raises(ScheduleError, match=r"^--now "):
        schedule(spec, moment)
    if moment.year != 2062:
        with pytest.raises(ScheduleError, match="not a plausible time"):
            schedule(spec, moment, dry_run=True)


@pytest.mark.parametrize("stored", ["9999-12-31T23:00:00+00:00", "2062-01-04T06:00:00", "soon", 7])
def test_a_stored_time_later_than_the_clock_or_malformed_never_breaks_a_run(spec, stored):
    schedule(spec, MONDAY)
    reports = spec.parent / "reports"
    status_file = reports / ".status" / "weekly.json"
    status = json.loads(status_file.read_text())
    status["last_success"]["at"] = stored  # as an older version recorded an as-if run
    status_file.write_text(json.dumps(status))
    now = datetime.now(UTC)
    outcomes = schedule(spec, now)
    # not trusted: the manifest's own build time (the real clock) decides instead
    assert outcomes["weekly"].status == "skipped", outcomes["weekly"].reason
    when = outcomes["weekly"].reason.removeprefix("inputs unchanged; not due until ")
    due = datetime.strptime(when, "%Y-%m-%d %H:%M UTC").replace(tzinfo=UTC)
    assert now < due <= now + timedelta(days=7)  # the next Monday, not the stored year
    outcomes = schedule(spec, now, force=True)
    assert outcomes["weekly"].status == "built"
    recorded = read_status(reports, "weekly")["last_success"]["at"]
    assert recorded == now.isoformat(timespec="seconds")


def test_the_attempt_records_when_it_ended_and_the_run_clock_for_due_ness(spec):
    before = datetime.now(UTC).replace(microsecond=0)
    schedule(spec, MONDAY)
    attempt = read_status(spec.parent / "reports", "weekly")["last_attempt"]
    assert attempt["at"] == "2026-01-05T07:00:00+00:00"
    assert before <= datetime.fromisoformat(attempt["finished"]) <= datetime.now(UTC)


def test_quiet_prints_one_summary_line_and_a_dry_run_says_so(spec, capsys):
    schedule(spec, MONDAY)  # published builds whose inputs hash matches the real notebook's
    assert main(["schedule", "--spec", str(spec), "--now", "2026-01-05T08:00", "-q"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == ("0 built, 2 skipped, 0 failed\n", "")
    assert (
        main(["schedule", "--spec", str(spec), "--now", "2026-01-05T08:00", "-q", "--dry-run"]) == 0
    )
    assert capsys.readouterr().out == "0 would build, 2 skipped, 0 failed\n"

    assert main(["schedule", "--spec", str(spec), "--now", "2026-01-12T06:00", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[1].startswith("weekly    would build         –  due: '0 6 * * 1' fired")
    assert out.splitlines()[-1] == "1 would build, 1 skipped, 0 failed"
    assert err.splitlines()[-1] == "dry run: nothing was built or written"


@pytest.mark.parametrize(
    ("now", "message"),
    [
        ("2062-01-04T06:00", "error: --now 2062-01-04T06:00: later than the clock ("),
        ("9999-12-31T23:00", "error: --now 9999-12-31T23:00: not a plausible time for a"),
        ("0001-01-01T00:00+05:00", "error: --now 0001-01-01T00:00+05:00: not a plausible time"),
    ],
)
def test_a_bad_now_is_one_line_and_exit_1(spec, capsys, now, message):
    assert main(["schedule", "--spec", str(spec), "--now", now]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and err.startswith(message), err
    assert not (spec.parent / "reports").exists()


def test_a_bad_base_url_stops_a_run_before_it_builds_but_not_a_dry_run(spec, capsys, monkeypatch):
    monkeypatch.setenv("BRIEFINGS_BASE_URL", "briefings.example.org/reports")
    assert main(["schedule", "--spec", str(spec), "--now", "2026-01-05T07:00"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1, err
    assert err.startswith("error: BRIEFINGS_BASE_URL='briefings.example.org/reports' is not an")
    assert not (spec.parent / "reports").exists()
    assert main(["schedule", "--spec", str(spec), "--now", "2026-01-05T07:00", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2 would build, 0 skipped, 0 failed"


def test_next_fire_is_strictly_after():
    assert next_fire("0 6 * * 1", MONDAY.replace(hour=6)) == datetime(2026, 1, 12, 6, tzinfo=UTC)
    assert next_fire("@daily", datetime(2026, 1, 5, 23, 0)) == datetime(2026, 1, 6, tzinfo=UTC)


# --- real builds (each starts a kernel) --------------------------------------------------

RUNNER = """
import json, sys
from datetime import datetime
from briefings.build.builder import build_briefing
from briefings.schedule.runner import run_schedule

def say(message):
    print(message, file=sys.stderr, flush=True)

def build(*args, **options):
    return build_briefing(*args, progress=say, **options)

outcomes = run_schedule(sys.argv[1], now=datetime.fromisoformat(sys.argv[2]), jobs=1,
                        force="--force" in sys.argv, build=build)
print(json.dumps({o.name: [o.status, o.reason] for o in outcomes}))
"""


def start_runner(spec: Path, now: str, *extra: str) -> subprocess.Popen:
    """A scheduler in its own process group, as cron or systemd would start it."""
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(spec), now, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def one_briefing(tmp_path: Path, name: str = "small") -> Path:
    write_dataset(tmp_path / "data")
    path = tmp_path / "briefings.yaml"
    path.write_text(
        f'briefings:\n  {name}:\n    cron: "0 6 * * 1"\n    formats: [html]\n'
        "    params: {data_dir: data}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
def test_real_builds_skip_unchanged_rebuild_changed_and_keep_the_last_good_one(tmp_path):
    spec = one_briefing(tmp_path)
    out = tmp_path / "reports" / "small"
    [first] = run_schedule(spec, now=MONDAY)
    assert first.status == "built", first.reason
    good = published_build(out)

    [again] = run_schedule(spec, now=MONDAY.replace(hour=8))
    assert again.status == "skipped"
    assert published_build(out) == good
    assert history_entries(out) == [good.name]  # nothing rebuilt

    added = {
        **SMALL_EVENTS[3],
        "event_id": "e9",
        "date": "2021-03-01",
        "state": "calm",
        "summary": "Talks resumed <b>quietly</b>.",
    }
    write_dataset(tmp_path / "data", events=[*SMALL_EVENTS, added])
    [changed] = run_schedule(spec, now=MONDAY.replace(hour=9))
    assert (changed.status, changed.reason) == ("built", "inputs changed: the data")
    # <wbr> marks where long runs may wrap (render.breakable); it is not text.
    html = (out / "briefing.html").read_text(encoding="utf-8").replace("<wbr>", "")
    assert "Changes since the previous build" in html
    assert re.search(
        r'<span class="bf-ref">No\. \d+</span>, <span class="bf-date">1 Mar 2021', html
    )
    assert "Talks resumed &lt;b&gt;quietly&lt;/b&gt;." in html
    rebuilt = published_build(out)
    assert rebuilt != good
    # The previous build it compared with is named by one path every run, not a random
    # temporary folder (issue 22 §18), and that copy is gone once the build is published.
    record = history_dir(out) / ".previous" / "states.csv"
    assert BuildFolder(rebuilt).read_manifest().parameters["previous_states"] == str(record)
    assert str(record) in html and "briefings-previous" not in html
    assert not record.parent.exists()

    broken = tmp_path / "broken.ipynb"
    notebook = json.loads(briefing_notebook().read_text(encoding="utf-8"))
    notebook["cells"].insert(
        3,
        {
            "cell_type": "code",
            "id": "broken",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": "1 / 0",
        },
    )
    broken.write_text(json.dumps(notebook), encoding="utf-8")
    [failed] = run_schedule(spec, now=MONDAY.replace(hour=10), notebook=broken)
    assert failed.status == "failed" and "ZeroDivisionError" in failed.reason
    assert published_build(out) == rebuilt
    assert "Talks resumed" in (out / "briefing.html").read_text(encoding="utf-8")
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert '<span class="bf-badge bf-status-failed">failed</span>' in index


@pytest.mark.slow
def test_two_runners_started_at_once_build_each_briefing_once(spec):
    runners = [start_runner(spec, "2026-01-05T07:00") for _ in range(2)]
    results = [json.loads(r.communicate(timeout=300)[0]) for r in runners]
    for name in ("weekly", "monthly"):
        statuses = sorted(result[name][0] for result in results)
        assert statuses == ["built", "skipped"], results
        kept = history_entries(spec.parent / "reports" / name)
        assert len(kept) == 1, kept


@pytest.mark.slow
def test_a_runner_killed_mid_build_publishes_nothing_and_the_next_run_recovers(tmp_path):
    spec = one_briefing(tmp_path)
    out = tmp_path / "reports" / "small"
    runner = start_runner(spec, "2026-01-05T07:00")
    history = history_dir(out)
    seen = []
    for line in runner.stderr:  # the build's progress: kill it inside the kernel run
        seen.append(line)
        if "executing cell 3" in line:
            break
    assert any(history.glob(".staging-*")), "".join(seen)
    os.killpg(runner.pid, signal.SIGKILL)
    runner.wait()
    runner.stderr.close()
    runner.stdout.close()
    assert not out.exists() and not out.is_symlink()  # nothing half-published
    # At most the staging folder, and the copy of the previous build the next run replaces.
    left = [p for p in history_entries(out) if not p.startswith(".staging-")]
    assert left in ([], [".previous"])

    [recovered] = run_schedule(spec, now=datetime(2026, 1, 5, 7, 5))
    assert (recovered.status, recovered.reason) == ("built", "never built")
    assert (out / "briefing.html").is_file()
    assert history_entries(out) == [published_build(out).name]  # staging pruned


PARALLEL_RUNNER = """
import sys
import time
from datetime import datetime
from briefings.schedule.runner import run_schedule

def say(step):
    if step.phase == "building" and step.done == 0:
        print(f"building {step.total}", file=sys.stderr, flush=True)

run_schedule(sys.argv[1], now=datetime.fromisoformat(sys.argv[2]), jobs=2, progress=say)
"""


def _running(pid: int) -> bool:
    """Whether a process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.slow
def test_workers_die_with_a_runner_killed_by_sigkill(spec):
    """`schedule --jobs 2` killed outright: its build processes and their kernels end too,
    and nothing is published after it."""
    runner = subprocess.Popen(
        [sys.executable, "-c", PARALLEL_RUNNER, str(spec), "2026-01-05T07:00"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    reports = spec.parent / "reports"
    try:
        for line in runner.stderr:  # both briefings are handed to the workers
            if line == "building 2\n":
                break
        deadline = time.monotonic() + 60
        stagings = [history_dir(reports / name) for name in ("weekly", "monthly")]
        while not all(any(h.glob(".staging-*")) for h in stagings):  # both builds under way
            assert runner.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        workers = descendants(runner.pid)
        assert len(workers) >= 2, workers
        runner.send_signal(signal.SIGKILL)  # the runner alone, not its process group
        runner.wait(timeout=30)
        deadline = time.monotonic() + 20  # a kernel notices its parent is gone within ~1 s
        while [pid for pid in workers if _running(pid)] and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = [pid for pid in workers if _running(pid)]
    finally:
        for pid in descendants(runner.pid) if runner.poll() is None else []:
            os.kill(pid, signal.SIGKILL)
        if runner.poll() is None:
            runner.kill()
        runner.stderr.close()
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == []
    assert not (reports / "weekly").exists() and not (reports / "monthly").exists()
