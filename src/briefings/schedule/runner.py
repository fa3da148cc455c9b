"""Scheduled builds: build each briefing of `briefings.yaml` that is due or changed.

A briefing is *due* when a fire time of its cron expression (UTC) falls after its last
successful build and at or before `now`; it has *changed* when the content hash of its
inputs differs from the published build's. Anything else is skipped with a reason.

Builds run in separate processes (up to `jobs` at once): each runs a kernel and
renders HTML and PDF in Python, which threads would serialise, and a process keeps one
failing build from disturbing the others. Each process forks the kernel for its next
build from a warm template while the current one runs (`kernels.KernelPool`); every
build still gets a fresh kernel of its own. A lock per briefing (`flock` on
`reports/.locks/<name>.lock`) keeps two runners from building the same briefing; the
operating system drops the lock when its holder dies, so a killed runner leaves no
stale lock behind. Readers are told (notify:) once the lock is released, so a slow mail
server never holds a briefing.

A dry run decides the same way and writes nothing: no lock, status file or index. The
run's clock is checked by `briefings.schedule.clock`, so an as-if time can never push the real
schedule into the future.
"""

from __future__ import annotations

import fcntl
import gc
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from briefings import settings
from briefings.build.builder import build_briefing
from briefings.build.fingerprint import inputs_hash
from briefings.build.folder import BuildFolder
from briefings.build.kernels import pool as kernels
from briefings.build.kernels.lifetime import die_with_parent
from briefings.build.publish import history_dir, published_build
from briefings.data.moments import real_now
from briefings.data.params import prepare
from briefings.deliver.feed import write_feed
from briefings.deliver.notify import Delivery
from briefings.exceptions import BriefingsError, LockError, one_line
from briefings.inputs.nofollow import is_real_folder, open_own, real_folder
from briefings.paths import briefing_notebook
from briefings.schedule.clock import (
    check_run_time,
    format_moment,
    next_fire,
    recordable,
)
from briefings.schedule.index import write_index
from briefings.schedule.notices import tell_readers
from briefings.schedule.spec import ScheduledBriefing, load_spec, select
from briefings.schedule.status import (
    BUILT,
    FAILED,
    STATUS_DIR,
    last_success,
    read_status,
    record_attempt,
)

SKIPPED = "skipped"  # an outcome never recorded: the status file keeps BUILT or FAILED
WOULD_BUILD = "would build"  # a dry run's verdict on a briefing that is due or changed
LOCK_DIR = ".locks"
BUSY = "being built by another runner"
PREVIOUS = ".previous"  # in a briefing's history: the record its scheduled build compares with
INDEX_LOCK = "_index"  # not a possible briefing name (those are slugs)
DEFAULT_JOBS = min(2, os.cpu_count() or 1)  # two builds at once beat one on 2 cores


@dataclass(frozen=True)
class Outcome:
    """What happened to one briefing in a scheduler run, and how telling its readers went."""

    name: str
    status: str  # built, skipped or failed
    reason: str
    duration: float = 0.0
    deliveries: tuple[Delivery, ...] = ()  # one per channel `notify:` sent on, if any


@dataclass(frozen=True)
class Step:
    """How far a run has got: in its `phase` ('checking' or 'building'), `done` of `total`
    briefings; the briefing about to be checked, or the one whose `outcome` just came
    (a decision not to build, or a build's end)."""

    phase: str
    done: int
    total: int
    name: str = ""
    outcome: Outcome | None = None


Progress = Callable[[Step], None]


@dataclass(frozen=True)
class _Run:
    """The settings of one scheduler run, as handed to each build process."""

    reports: Path
    now: datetime
    force: bool
    notebook: Path
    dry_run: bool = False


def run_schedule(
    spec_path: str | Path,
    *,
    now: datetime,
    force: bool = False,
    only: Sequence[str] = (),
    dry_run: bool = False,
    jobs: int = DEFAULT_JOBS,
    progress: Progress | None = None,
    build: Callable[..., object] = build_briefing,
    notebook: Path | None = None,
) -> list[Outcome]:
    """Build the due or changed briefings of a schedule file; return one outcome each.

    `now` is the scheduler's clock (naive means UTC); `force` builds every briefing;
    `only` names the briefings to consider (default: all; the index still lists all);
    `dry_run` only decides (outcomes 'would build' or 'skipped') and writes nothing;
    `build` is `build_briefing` or a stand-in with its signature. Raises ScheduleError
    for an implausible `now` or, unless `dry_run`, one later than the real clock;
    SpecError for a malformed schedule or an unknown name in `only`, and OutputError
    when reports/ cannot be written. A failing build is an outcome, not an exception,
    and leaves its published briefing in place.
    """
    say = progress or (lambda _step: None)
    now = check_run_time(now, dry_run=dry_run)
    spec = load_spec(spec_path)
    run = _Run(spec.reports, now, force, Path(notebook or briefing_notebook()), dry_run)
    chosen = select(spec, only)
    if dry_run:
        return [_dry_run(briefing, run) for briefing in _announced(chosen, say)]
    base_url = settings.BASE_URL.read()  # the feed's links: a malformed one stops the run here
    _prepare_reports(spec.reports)

    outcomes: dict[str, Outcome] = {}
    todo: list[ScheduledBriefing] = []
    for index, briefing in enumerate(_announced(chosen, say)):
        decision = _check_locked(briefing, run)
        if isinstance(decision, Outcome):  # skipped, or failed (and its readers told)
            outcomes[briefing.name] = decision
            say(Step("checking", index + 1, len(chosen), briefing.name, decision))
        else:
            todo.append(briefing)

    if todo:
        say(Step("building", 0, len(todo)))
    for done, outcome in enumerate(_attempt_all(todo, run, build, jobs), start=1):
        outcomes[outcome.name] = outcome
        say(Step("building", done, len(todo), outcome.name, outcome))
    # Runners of other briefings (`--only`, one per Airflow task) write the index too: one
    # at a time, so each writes what the status files say after its own attempt.
    with briefing_lock(spec.reports, INDEX_LOCK, wait=True):
        write_index(spec, now=run.now)
        write_feed(spec.catalogue, base_url=base_url)
    return [outcomes[b.name] for b in chosen]


def exit_status(outcomes: list[Outcome]) -> int:
    """1 when any build failed, else 0."""
    return 1 if any(o.status == FAILED for o in outcomes) else 0


def attempt(briefing: ScheduledBriefing, run: _Run, build: Callable[..., object]) -> Outcome:
    """Under the briefing's lock: check again whether it is due or changed, build it and
    record the attempt; then, the lock released, tell its readers.

    The second check matters when another runner built it since this one looked.
    """
    started = time.perf_counter()

    def check_and_build() -> Outcome | _Recorded:
        decision = _check(briefing, run)
        if isinstance(decision, Outcome):
            return _record(run, briefing, decision, None) if decision.status == FAILED else decision
        build_id = None
        try:
            build_id = _build(briefing, run, build)
        except BriefingsError as error:
            outcome = Outcome(briefing.name, FAILED, error.summary(), _since(started))
        except Exception as error:  # a bug in one build must not stop the others
            reason = one_line(f"unexpected {type(error).__name__}: {error}")
            outcome = Outcome(briefing.name, FAILED, reason, _since(started))
        else:
            outcome = Outcome(briefing.name, BUILT, decision, _since(started))
        return _record(run, briefing, outcome, build_id)

    return _told(run, briefing, _under_lock(briefing, run, check_and_build))


def _under_lock(
    briefing: ScheduledBriefing, run: _Run, then: Callable[[], Outcome | str | _Recorded]
) -> Outcome | str | _Recorded:
    """`then()` under the briefing's lock. Skipped when another runner holds it; failed
    (and recorded) when its lock file cannot be used, which stops this briefing only."""
    try:
        with briefing_lock(run.reports, briefing.name) as held:
            return then() if held else Outcome(briefing.name, SKIPPED, BUSY)
    except LockError as error:
        return _record(run, briefing, Outcome(briefing.name, FAILED, str(error)), None)


@dataclass(frozen=True)
class _Recorded:
    """An attempt written to the status file, its readers not told yet; `before` is the
    attempt recorded before it."""

    outcome: Outcome
    before: object


def _record(
    run: _Run, briefing: ScheduledBriefing, outcome: Outcome, build_id: str | None
) -> _Recorded:
    """Write the attempt to the briefing's status file (read by the index and `_check`)."""
    before = read_status(run.reports, outcome.name).get("last_attempt")
    record_attempt(
        run.reports,
        outcome.name,
        {
            "status": outcome.status,
            # The run's clock, which due-ness follows; never later than the real one.
            "at": recordable(run.now).isoformat(timespec="seconds"),
            # When the attempt ended, on the real clock: what the index shows.
            "finished": real_now().isoformat(timespec="seconds"),
            "duration": round(outcome.duration, 3),
            "reason": outcome.reason,
            "build": build_id,
        },
    )
    return _Recorded(outcome, before)


def _told(
    run: _Run, briefing: ScheduledBriefing, result: Outcome | str | _Recorded
) -> Outcome | str:
    """A recorded attempt's outcome once its readers are told, if its `notify:` asks for it,
    with how that went; anything else as it is.

    Called with the briefing's lock released: a delivery may take its time limit on each
    try, and neither another runner nor the next build of the briefing waits for it.
    """
    if not isinstance(result, _Recorded):
        return result
    outcome = result.outcome
    if briefing.notify is None:
        return outcome
    told = tell_readers(run.reports, briefing, outcome.status, outcome.reason, result.before)
    return replace(outcome, deliveries=tuple(told))


@contextmanager
def briefing_lock(reports: Path, name: str, *, wait: bool = False) -> Iterator[bool]:
    """Take the briefing's lock, or with `wait` False only if free; yield whether it was taken."""
    path = reports / LOCK_DIR / f"{name}.lock"
    try:  # never through a link planted in reports/: truncating it would truncate its target
        fd = open_own(path, os.O_RDWR | os.O_CREAT)
    except OSError as error:
        raise LockError(
            f"{path}: cannot open the lock ({error.strerror or error}); "
            "it must be a plain file, not a link"
        ) from None
    with os.fdopen(fd, "r+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            # For a person looking at the file; the lock itself is the flock.
            handle.truncate(0)
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _prepare_reports(reports: Path) -> None:
    for folder in (reports / LOCK_DIR, reports / STATUS_DIR):
        real_folder(folder, below=reports)


def _check_locked(briefing: ScheduledBriefing, run: _Run) -> Outcome | str:
    def check() -> Outcome | str | _Recorded:
        decision = _check(briefing, run)
        if isinstance(decision, Outcome) and decision.status == FAILED:
            return _record(run, briefing, decision, None)
        return decision

    return _told(run, briefing, _under_lock(briefing, run, check))


def _announced(chosen: list[ScheduledBriefing], say: Progress) -> Iterator[ScheduledBriefing]:
    """The briefings to check, each announced to `say` before it is checked."""
    for index, briefing in enumerate(chosen):
        say(Step("checking", index, len(chosen), briefing.name))
        yield briefing


def _dry_run(briefing: ScheduledBriefing, run: _Run) -> Outcome:
    """What a run would do with the briefing, decided without taking its lock."""
    decision = _check(briefing, run)
    return (
        decision if isinstance(decision, Outcome) else Outcome(briefing.name, WOULD_BUILD, decision)
    )


def _check(briefing: ScheduledBriefing, run: _Run) -> Outcome | str:
    """Why the briefing must be built, or the outcome of not building it."""
    published = published_build(briefing.out)
    manifest = None if published is None else BuildFolder(published).read_manifest()
    try:
        params, dataset = prepare(briefing.params, origin=briefing.origin, notebook=run.notebook)
    except BriefingsError as error:
        return Outcome(briefing.name, FAILED, error.summary())
    if run.force:
        return "forced (--force)"
    if manifest is None:
        return "never built"
    if manifest.inputs_hash != inputs_hash(params, dataset, briefing.formats, run.notebook):
        data_changed = manifest.dataset.hash != dataset.content_hash()
        what = "the data" if data_changed else "the notebook, code, parameters or formats"
        return f"inputs changed: {what}"
    fire = next_fire(briefing.cron, last_success(run.reports, briefing.name, published, manifest))
    if fire <= run.now:
        return f"due: '{briefing.cron}' fired at {format_moment(fire)}"
    return Outcome(briefing.name, SKIPPED, f"inputs unchanged; not due until {format_moment(fire)}")


def _build(briefing: ScheduledBriefing, run: _Run, build: Callable[..., object]) -> str:
    """Build and publish one briefing, handing it the published build to compare with."""
    with _previous_record(briefing.out) as previous:
        raw = {
            **briefing.params,
            "previous_states": str(previous.state_table),
            "build_date": run.now.date().isoformat(),
        }
        result = build(
            raw,
            formats=briefing.formats,
            out=briefing.out,
            keep=briefing.keep,
            force=True,  # the decision to build is made here, with its reason
            notebook=run.notebook,
            origin=briefing.origin,
        )
    return Path(result.build_dir).name


@contextmanager
def _previous_record(out: Path) -> Iterator[BuildFolder]:
    """The record of the build published at `out`, copied aside for the next build to
    compare with (publishing it prunes the history), into `history/<name>/.previous`.

    A fixed place, safe under the briefing's lock, so the path the briefing's Method shows
    is the same every run (a random temporary folder made every scheduled briefing differ
    from the last and showed a meaningless path); one left by a killed run is replaced. An
    empty folder when there is nothing to compare with: the build then knows it is a first.
    """
    folder = history_dir(out) / PREVIOUS
    if is_real_folder(folder):
        shutil.rmtree(folder)
    real_folder(folder, below=out.parent)
    try:
        published = published_build(out)
        if published is not None:
            BuildFolder(published).copy_record(BuildFolder(folder))
        yield BuildFolder(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _attempt_all(
    todo: list[ScheduledBriefing], run: _Run, build: Callable[..., object], jobs: int
) -> Iterator[Outcome]:
    if not todo:
        return
    # Real builds get kernels forked ahead of need (kernels.KernelPool), one pool per process.
    ahead = (run.notebook.parent, kernels.unclaimed_counter(len(todo)))
    warm = build is build_briefing
    if jobs <= 1 or len(todo) == 1:
        if warm:
            kernels.open_pool(*ahead)
        try:
            for briefing in todo:
                yield _attempt_and_settle(briefing, run, build)
        finally:
            kernels.close_pool()
        return
    # spawn, not fork: the parent may hold threads and sockets that a fork would copy.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(todo)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(), warm, ahead),
    ) as pool:
        futures = {pool.submit(_attempt_and_settle, b, run, build): b for b in todo}
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool:
                outcome = Outcome(futures[future].name, FAILED, "the build process died")
                # Its lock went with it.
                yield _told(run, futures[future], _record(run, futures[future], outcome, None))


_settled = False  # whether this process froze what its first build left loaded


def _attempt_and_settle(
    briefing: ScheduledBriefing, run: _Run, build: Callable[..., object]
) -> Outcome:
    """`attempt`; after the process's first build, freeze what it left loaded (pandas,
    nbconvert, the templates and their caches), so that the next builds' garbage
    collections skip it: a tenth of a second of CPU per build."""
    global _settled
    try:
        return attempt(briefing, run, build)
    finally:
        if not _settled:
            _settled = True
            gc.collect()
            gc.freeze()


def _start_worker(parent: int, warm: bool, ahead: tuple) -> None:
    """Set up a build process: it dies with its runner, and with `warm` starts kernels
    ahead of need (kernels.open_pool)."""
    die_with_parent(parent)
    if warm:
        kernels.open_pool(*ahead)


def _since(started: float) -> float:
    return time.perf_counter() - started
