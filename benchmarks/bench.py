"""Time a briefing build against its floors and the hand-made chain (issue 7); `make bench`.

Every case runs in a fresh process, as a user would run it: one warm-up run, then the
median of --runs timed runs (fewer for the largest synthetic datasets: the table says
how many). Peak memory is the sum of the resident sizes of the whole process tree (the
command and the kernel it starts), sampled every 20 ms with psutil. Nothing here is a test:
the figures depend on the machine; the last column says whether each target of the issue
was met in this run.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import psutil
import yaml

from briefings.data.columns import EVENT_COLUMNS, SOURCE_COLUMNS
from briefings.data.evidence import independent_origins

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's bin: run as .venv/bin/python benchmarks/bench.py
DATASET = ROOT / "data" / "us-pakistan"
NOTEBOOK = ROOT / "notebooks" / "briefing.ipynb"
SPEC = ROOT / "briefings.yaml"
SIZES = (100, 1_000, 10_000, 100_000)
SAMPLE_EVERY = 0.02  # seconds between memory samples
# The scheduler check runs "now" just after the warm-up builds' recorded time, so no cron
# expression of the shipped schedule fires in between.
SCHEDULE_BUILT = "2026-01-05T06:30"
SCHEDULE_NOW = "2026-01-05T06:31"

# The PDF floor: Typst, as the build uses it (its own fonts, none of the system's), on a page
# with a heading, a paragraph and a small table.
ONE_PAGE_TYP = """#set page(paper: "a4", margin: 2cm)
= One page
A paragraph of text, and a small table.
#table(columns: 2, [Track], [State], [IMET], [Suspended])
"""

# (b): papermill's Python API in a fresh process, with the same kernel and IPC transport as
# `briefings build`, and the 2.4 s rfc3987_syntax import blocked as the build does.
KERNEL_FLOOR = """
import sys
sys.modules.setdefault("rfc3987_syntax", None)
import papermill
from traitlets.config import Config
papermill.execute_notebook(sys.argv[1], sys.argv[2], parameters={"x": 2},
    kernel_name=sys.argv[3], progress_bar=False,
    config=Config({"KernelManager": {"transport": "ipc"}}))
"""
PDF_FLOOR = (
    "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], ignore_system_fonts=True)"
)


@dataclass
class Case:
    """One row of the table: what was run, and its timed runs."""

    key: str
    label: str
    times: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    stages: list[dict[str, float]] = field(default_factory=list)  # each run's manifest timings
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak_mb(self) -> float:
        return max(self.peaks) / 2**20 if self.peaks else float("nan")

    def stage(self, name: str) -> float:
        """The median over the runs of one stage's time as the build's manifest records it."""
        found = [timings[name] for timings in self.stages if name in timings]
        return statistics.median(found) if found else float("nan")


def manifest_timings(out: Path) -> dict[str, float]:
    """The stage timings a build recorded in its manifest (`out` is its published folder)."""
    manifest = out / "manifest.json"
    return (
        json.loads(manifest.read_text(encoding="utf-8")).get("timings", {})
        if manifest.is_file()
        else {}
    )


def run(cmd: list[str], *, env: dict | None = None, cwd: Path = ROOT, check: bool = True):
    """Run a command; return (seconds, peak tree RSS in bytes, completed process)."""
    # Output goes to files, not pipes: a command that writes more than a pipe holds would
    # wait for a reader while this loop waits for it to end.
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        started = time.perf_counter()
        proc = psutil.Popen(cmd, cwd=cwd, env=env, stdout=stdout, stderr=stderr, text=True)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc))
            time.sleep(SAMPLE_EVERY)
        seconds = time.perf_counter() - started
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read(), stderr.read()
    if check and proc.returncode != 0:
        command = " ".join(map(str, cmd))
        raise SystemExit(f"bench: {command} failed ({proc.returncode}):\n{out}{err}")
    return seconds, peak, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    with contextlib.suppress(psutil.Error):  # the command ended meanwhile
        for member in [proc, *proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):  # ended between listing and reading
                total += member.memory_info().rss
    return total


def measure(case: Case, steps, runs: int, warm_up: bool = True, out: Path | None = None) -> Case:
    """Time `steps` (a function returning the commands of one run) `runs` times; with `out`,
    also keep the stage timings the build published there recorded."""
    for index in range(runs + (1 if warm_up else 0)):
        seconds = 0.0
        peak = 0
        for cmd in steps():
            took, rss, _ = run(cmd)
            seconds += took
            peak = max(peak, rss)
        if warm_up and index == 0:
            continue
        case.times.append(seconds)
        case.peaks.append(peak)
        if out is not None:
            case.stages.append(manifest_timings(out))
    print(f"  {case.key}  {case.label}: {case.median:.2f} s", file=sys.stderr, flush=True)
    return case


def kernel_name() -> str:
    """The in-venv `briefings` kernel when registered (make does), else python3."""
    from jupyter_client.kernelspec import KernelSpecManager

    return "briefings" if "briefings" in KernelSpecManager().find_kernel_specs() else "python3"


def one_cell_notebook(path: Path) -> Path:
    """A notebook whose only cell is a parameters cell."""
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {"tags": ["parameters"]},
        "outputs": [],
        "source": "x = 1",
    }
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = {"cells": [cell], "metadata": {"kernelspec": kernelspec}}
    path.write_text(json.dumps({**notebook, "nbformat": 4, "nbformat_minor": 5}))
    return path


# --- synthetic datasets -------------------------------------------------------------------


def synthetic_dataset(folder: Path, events: int, seed: int = 7) -> Path:
    """A valid dataset of `events` events over the shipped tracks, a realistic mix of kinds.

    About a third changes, a third confirmations of the current state, a tenth disputes of an
    earlier change on the same track, the rest notes; dates mostly to the day, cited by one or
    two of twelve sources of every grade. The same size and seed give the same files.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    meta = yaml.safe_load((DATASET / "dataset.yaml").read_text(encoding="utf-8"))
    meta["id"] = f"synthetic-{events}"
    meta["title"] = f"Synthetic dataset of {events:,} events"
    (folder / "dataset.yaml").write_text(
        yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    start, end = meta["window"]["start"], meta["window"]["end"]
    sources, relays = _synthetic_sources(folder, start)

    span = (end - start).days + 365  # a year before the window gives the initial states
    days = sorted(rng.randrange(span) for _ in range(events))
    tracks = meta["tracks"]
    current: dict[str, str] = {}
    changes: dict[str, list[str]] = {t["id"]: [] for t in tracks}
    rows = []
    for number, offset in enumerate(days, 1):
        track = rng.choice(tracks)
        track_id = track["id"]
        day = start - timedelta(days=365) + timedelta(days=offset)
        kind = rng.choices(("change", "confirm", "dispute", "note"), (34, 33, 10, 23))[0]
        if track_id not in current or (kind == "dispute" and not changes[track_id]):
            kind = "change"
        state = disputes = ""
        if kind == "change":
            state = rng.choice([s for s in track["states"] if s != current.get(track_id)])
            current[track_id] = state
        elif kind == "confirm":
            state = current[track_id]
        elif kind == "dispute":
            disputes = rng.choice(changes[track_id][-20:])
        event_id = f"S{number:06d}"
        if kind == "change":
            changes[track_id].append(event_id)
        when, precision = _partial(day, rng)
        cited = rng.sample(sources, rng.choice((1, 1, 2)))
        # A figure comes from one source; credibility 1 needs two independent origins.
        figure = rng.random() < 0.1 and len(cited) == 1
        amount = str(rng.randrange(1, 900) * 10**6) if figure else ""
        origins = independent_origins(cited, relays)
        credibility = rng.randint(1 if origins > 1 else 2, 6)
        row = [
            event_id,
            when,
            precision,
            track_id,
            kind,
            state,
            f"Synthetic {kind} number {number} on {track['label']}, in our own words.",
            "Actor A;Actor B",
            ";".join(cited),
            credibility,
            disputes,
            amount,
        ]
        # The optional columns after these (quantity, notes, …) are left empty.
        rows.append(row + [""] * (len(EVENT_COLUMNS) - len(row)))
    _confirm_in_order(rows)
    with (folder / "events.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(EVENT_COLUMNS)
        out.writerows(rows)
    return folder


def _synthetic_sources(folder: Path, start: date) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    """Twelve sources of every kind and grade, a month apart; a few relay another source or
    a common outlet, a few are dated by estimate. Their ids, and what each relays."""
    kinds = ("wire", "newspaper", "aggregator", "analysis", "forum", "official")
    sources = [f"src-{i:02d}" for i in range(12)]
    relays = {"src-04": ("src-01",), "src-09": ("Wire Service",), "src-10": ("Wire Service",)}
    with (folder / "sources.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(SOURCE_COLUMNS)
        for i, source_id in enumerate(sources):
            published = start + timedelta(days=i * 30)
            precision = ("day", "day", "about", "day", "month")[i % 5]
            out.writerow(
                [source_id, f"Outlet {i}", f"Report number {i}", "", published.isoformat(),
                 f"https://example.org/{source_id}", kinds[i % len(kinds)], "ABCDEF"[i % 6], "",
                 ";".join(relays.get(source_id, ())), precision]
            )  # fmt: skip
    return sources, relays


def _confirm_in_order(rows: list[list]) -> None:
    """Give each confirmation the state its track is in where the state model places it
    (by written date, then row): a date written to the month or year can sort a change
    ahead of a confirmation drawn before it, and a confirm must not change a state."""
    column = {name: i for i, name in enumerate(EVENT_COLUMNS)}
    current: dict[str, str] = {}
    for index in sorted(range(len(rows)), key=lambda i: (_first_day(rows[i][1]), i)):
        row = rows[index]
        kind, track = row[column["kind"]], row[column["track"]]
        if kind == "confirm" and track in current:
            row[column["state"]] = current[track]
        if kind in ("change", "confirm"):
            current[track] = row[column["state"]]


def _first_day(written: str) -> str:
    """An ISO date, month or year as the first day it stands for (sortable text)."""
    return (written + "-01-01")[:10] if len(written) == 4 else (written + "-01")[:10]


def _partial(day: date, rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.05:
        return str(day.year), "year"
    if roll < 0.15:
        return f"{day.year}-{day.month:02d}", "month"
    return day.isoformat(), "day"


# --- the cases ----------------------------------------------------------------------------


def bench(runs: int, sizes: tuple[int, ...], work: Path) -> tuple[dict[str, Case], dict]:
    briefings = str(BIN / "briefings")
    python = str(BIN / "python")
    kernel = kernel_name()
    cases: dict[str, Case] = {}

    def add(case: Case, steps, count: int = runs, warm_up: bool = True, out=None) -> None:
        cases[case.key] = measure(case, steps, count, warm_up, out)

    add(
        Case("a", "floor: python -c 'import pandas, matplotlib'"),
        lambda: [[python, "-c", "import pandas, matplotlib"]],
    )
    tiny = one_cell_notebook(work / "one-cell.ipynb")
    add(
        Case("b", "kernel floor: papermill API, one-cell notebook (fresh process)"),
        lambda: [[python, "-c", KERNEL_FLOOR, str(tiny), str(work / "one-cell.out.ipynb"), kernel]],
    )
    page = work / "one-page.typ"
    page.write_text(ONE_PAGE_TYP, encoding="utf-8")
    add(
        Case("c", "PDF floor: typst API, one-page document (fresh process)"),
        lambda: [[python, "-c", PDF_FLOOR, str(page), str(work / "one-page.pdf")]],
    )
    chain = work / "chain"
    chain.mkdir()
    add(
        Case("d", "hand-made chain: papermill, nbconvert --no-input, weasyprint CLIs"),
        lambda: [
            [str(BIN / "papermill"), str(NOTEBOOK), str(chain / "briefing.ipynb"), "-k", kernel,
             "--cwd", str(NOTEBOOK.parent), "--no-progress-bar"],
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
             str(chain / "briefing.ipynb")],
            [str(BIN / "weasyprint"), str(chain / "briefing.html"), str(chain / "briefing.pdf")],
        ],
    )  # fmt: skip
    shipped = work / "shipped"
    build = [briefings, "build", "--format", "both", "--out", str(shipped), "-q"]
    add(
        Case("e", "briefings build --format both --force (cold)"),
        lambda: [[*build, "--force"]],
        out=shipped,
    )
    add(Case("f", "briefings build --format both, inputs unchanged (cache hit)"), lambda: [build])

    spec_dir = work / "schedule"
    spec_dir.mkdir()
    spec = spec_dir / "briefings.yaml"
    shutil.copyfile(SPEC, spec)  # no data_dir in it: every briefing uses the shipped dataset
    named = len(yaml.safe_load(spec.read_text(encoding="utf-8"))["briefings"])
    print(f"  (building the {named} shipped briefings once for g)", file=sys.stderr, flush=True)
    run([briefings, "schedule", "--spec", str(spec), "--now", SCHEDULE_BUILT, "--jobs", "2", "-q"])
    schedule = [briefings, "schedule", "--spec", str(spec), "--now", SCHEDULE_NOW, "-q"]
    add(Case("g", f"briefings schedule, nothing due or changed ({named} briefings)"),
        lambda: [schedule])  # fmt: skip
    _, _, result = run(schedule)
    # -q prints one summary line: "0 built, 13 skipped, 0 failed"
    skipped = int(result.stdout.split(" skipped")[0].rsplit(" ", 1)[-1])
    cases["g"].note = f"{skipped} of {named} skipped"
    forced = [*schedule[:-1], "--force", "--jobs", "2", "-q"]
    add(Case("s", f"briefings schedule --force --jobs 2 ({named} briefings)"), lambda: [forced])
    cases["s"].note = f"{named} × e = {named * cases['e'].median:.2f} s"

    add(Case("help", "briefings --help"), lambda: [[briefings, "--help"]])
    add(Case("validate", "briefings validate"), lambda: [[briefings, "validate"]])

    synthetic, stopped = synthetic_cases(runs, sizes, work, briefings)
    return {**cases, **synthetic}, stopped


def synthetic_cases(
    runs: int, sizes: tuple[int, ...], work: Path, briefings: str
) -> tuple[dict[str, Case], dict[int, int]]:
    """Cold builds of synthetic datasets of each size (fewer runs for the larger ones) and
    the exit status of each size whose build stopped."""
    cases: dict[str, Case] = {}
    stopped: dict[int, int] = {}
    for size in sizes:
        data = synthetic_dataset(work / f"synthetic-{size}", size)
        out = work / f"out-{size}"
        cmd = [briefings, "build", "--data", str(data), "--format", "both", "--force"]
        cmd += ["--out", str(out), "-q"]
        count = runs if size <= 1_000 else (3 if size <= 10_000 else 1)
        case = Case(f"h{size}", f"synthetic {size:,} events: build --format both --force")
        _, _, result = run(cmd, check=False)  # also the warm-up
        if result.returncode != 0:
            case.note = f"stopped (exit {result.returncode}): {result.stderr.strip()}"
            stopped[size] = result.returncode
        for _ in range(count):
            took, rss, _ = run(cmd, check=False)
            case.times.append(took)
            case.peaks.append(rss)
            case.stages.append(manifest_timings(out))
        if count < runs:
            case.note = case.note or f"median of {count} run{'s' * (count > 1)}"
        cases[case.key] = case
        print(f"  {case.key}  {case.label}: {case.median:.2f} s", file=sys.stderr, flush=True)
    return cases, stopped


# --- the table ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (default 5)")
    parser.add_argument(
        "--sizes",
        type=lambda text: tuple(int(s) for s in text.split(",")),
        default=SIZES,
        help="synthetic dataset sizes, comma-separated (default: 100,1000,10000,100000)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="briefings-bench-") as work:
        cases, stopped = bench(args.runs, args.sizes, Path(work))
    from targets import table  # beside this script (tests import this module for its data)

    briefings = len(yaml.safe_load(SPEC.read_text(encoding="utf-8"))["briefings"])
    print(table(cases, stopped, args.runs, briefings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
