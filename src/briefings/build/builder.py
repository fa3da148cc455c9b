"""Building one briefing: check, execute the notebook, render, publish.

Parameters are checked before any kernel starts. The notebook is executed with
papermill; everything after the kernel (HTML, PDF, chart file, state table,
manifest) happens in this process from the executed notebook, so nothing is
computed twice. While the kernel runs, a second thread loads and primes the
renderers, which the build would otherwise wait for afterwards. Output goes to a
staging folder and is published atomically.

A rebuild with unchanged inputs is answered from the published manifest before
pandas, papermill or the renderers are imported (see fingerprint.request_hash).
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from briefings import settings
from briefings.build import publish
from briefings.build.fingerprint import files_hash, inputs_hash, library_versions, request_hash
from briefings.build.folder import CHART, FORMATS, BuildFolder, DatasetRecord, Digest, Manifest
from briefings.exceptions import (
    BriefingsError,
    BuildError,
    OutputError,
    ProblemsError,
)
from briefings.inputs.nofollow import write_atomic
from briefings.paths import DATASET_FILE, briefing_notebook, reports_dir

if TYPE_CHECKING:  # both import pandas, which a cache hit never needs
    from briefings.data.dataset import Dataset
    from briefings.data.params import Parameters

PREVIEW_SUFFIX = ".preview"
CHART_TAG = "chart"


# What one cell may put into the briefing: the text of a few hundred pages, and images and
# charts several times the size of the chart of 10,000 intervals (2 MB of SVG).
MAX_CELL_TEXT = 1_000_000
MAX_CELL_IMAGES = 16_000_000

Progress = Callable[[str], None]


@dataclass(frozen=True)
class _Limits:
    """How long, in seconds, one cell may run and rendering may take (from the settings)."""

    cell: float
    render: float


@dataclass(frozen=True)
class BuildResult:
    """Where a briefing was published and what its manifest says."""

    slug: str
    out_dir: Path
    build_dir: Path
    manifest: Manifest
    cached: bool

    def files(self) -> list[Path]:
        """The published output files, in a fixed order."""
        return [self.out_dir / name for name in sorted(self.manifest.outputs)]


def default_slug(params: Parameters, dataset: Dataset) -> str:
    """The output folder name: the dataset id, plus every parameter that changes what the
    briefing shows (window, as-of, tracks, minimum grade) when it is not the default, so
    an experiment never replaces the default briefing. Title and marking do not count."""
    parts = [dataset.id]
    if (params.start, params.end) != dataset.window:
        parts.append(f"{params.start}-to-{params.end}")
    if params.as_of is not None:
        parts.append(f"as-of-{params.as_of}")
    if params.tracks != tuple(track.id for track in dataset.tracks):
        parts.append("tracks-" + "-".join(params.tracks or ()))
    if params.min_reliability != "F":
        parts.append(f"min-reliability-{params.min_reliability}")
    return _slug(parts)


def default_out(slug: str, *, preview: bool) -> Path:
    """Where a build is published without --out: reports/<slug>, or for a preview the
    scratch name reports/<slug>.preview (a dot no briefing name has)."""
    return reports_dir() / (f"{slug}{PREVIEW_SUFFIX}" if preview else slug)


def _slug(parts: list[str]) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")


def build_briefing(
    raw_params: Mapping[str, object],
    *,
    formats: tuple[str, ...] = FORMATS,
    out: Path | None = None,
    keep: int = publish.DEFAULT_KEEP,
    force: bool = False,
    notebook: Path | None = None,
    progress: Progress | None = None,
    origin: str = "",
    preview: bool = False,
) -> BuildResult:
    """Build a briefing and publish it at `out` (default reports/<slug>).

    Papermill's model: the notebook's parameters cell holds the defaults and only the
    parameters in `raw_params` are injected; all of them are checked before a kernel starts.
    A `preview` goes to reports/<slug>.preview, keeping only itself, so it never replaces
    the published briefing. Raises ParameterError or DatasetError before any work,
    OutputError before any work when `out` is not the tool's to replace (see
    publish.check_out) or cannot be written, BuildError when a cell fails (the executed
    notebook is kept beside `out` as `<slug>.failed.ipynb`). The published briefing is
    only replaced by a complete new one. With unchanged inputs nothing is rebuilt
    (unless `force`). The notebook is the project's briefing notebook unless given;
    ConfigError, before any work, when a setting the build reads is malformed.
    """
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    notebook = notebook or briefing_notebook()
    limits = _Limits(settings.CELL_TIMEOUT.read(), settings.RENDER_TIMEOUT.read())
    if not force:
        cached = _cached_request(raw_params, formats, out, notebook, preview=preview)
        if cached is not None:
            say("inputs unchanged since the published build: nothing to do")
            return cached
    from briefings.data.params import caller_values, prepare

    params, dataset = prepare(raw_params, origin=origin, notebook=notebook)
    if out is None:
        out = default_out(default_slug(params, dataset), preview=preview)
    out = Path(out)
    keep = 1 if preview else keep
    publish.check_out(out, formats)
    fingerprint = inputs_hash(params, dataset, formats, notebook)
    request = request_hash(raw_params, params.data_dir, formats, notebook, out)
    if not force:
        cached = _cached_result(out, lambda manifest: manifest.inputs_hash == fingerprint)
        if cached is not None:
            say("inputs unchanged since the published build: nothing to do")
            return cached
    from briefings.build.hygiene import read_notebook

    read_notebook(notebook)  # a notebook of the wrong shape is one line, before any work
    timings = {"check": time.perf_counter() - started}
    # Absolute: papermill changes this process's working folder to the notebook's while
    # the kernel runs, and the second thread writes into staging meanwhile.
    staging = publish.new_staging(out).absolute()
    # Handed over, not kept: _build_into lets the dataset go once the work beside the
    # kernel is done, so its frames are not held while the kernel and the PDF need memory.
    handed = [dataset]
    del dataset
    try:
        manifest = _build_into(
            staging,
            params,
            caller_values(raw_params),
            handed,
            formats,
            notebook,
            say,
            timings,
            failed_copy=publish.failed_notebook(out),
            limits=limits,
        )
        total = round(time.perf_counter() - started, 3)
        manifest = replace(
            manifest,
            inputs_hash=fingerprint,
            request_hash=request,
            timings={**manifest.timings, "total": total},
        )
        BuildFolder(staging).write_manifest(manifest)
        say("publishing")
        build_dir = publish.publish(staging, out, keep=keep)
    except OSError as error:  # disk full, file too large, no inode: the build is not written
        publish.discard(staging)
        where = error.filename if error.filename is not None else staging
        raise OutputError(
            f"{where}: {error.strerror or error} – the build stopped and was removed; "
            "the published briefing is unchanged"
        ) from None
    except BaseException:
        publish.discard(staging)
        raise
    return BuildResult(out.name, out, build_dir, manifest, cached=False)


def _cached_request(
    raw_params: Mapping[str, object],
    formats: tuple[str, ...],
    out: Path | None,
    notebook: Path,
    preview: bool = False,
) -> BuildResult | None:
    """The published build made from this very request, found without loading the dataset.

    Without `out`, the default folder is known this early only when no parameter that
    names it is given (the slug is then the dataset's id); otherwise the full check decides.
    """
    from briefings.data.params import requested_parameters

    try:
        requested, _ = requested_parameters(raw_params, notebook=notebook)
    except BriefingsError:
        return None  # the full check says what is wrong
    data_dir = requested.data_dir
    if out is None:
        naming = (requested.start, requested.end, requested.as_of, requested.tracks)
        if naming != (None, None, None, None) or requested.min_reliability != "F":
            return None
        dataset_id = _dataset_id(data_dir)
        if dataset_id is None:
            return None
        out = default_out(_slug([dataset_id]), preview=preview)
    request = request_hash(raw_params, data_dir, formats, notebook, Path(out))
    if request is None:
        return None
    return _cached_result(Path(out), lambda manifest: manifest.request_hash == request)


def _dataset_id(data_dir: Path) -> str | None:
    """The id in the folder's dataset.yaml, read without validating it; None if unreadable."""
    from briefings.inputs.yamlfile import read_yaml_file

    try:
        _, meta = read_yaml_file(data_dir / DATASET_FILE)
    except ProblemsError:
        return None
    dataset_id = meta.get("id") if isinstance(meta, dict) else None
    return dataset_id if isinstance(dataset_id, str) else None


def _cached_result(out: Path, same: Callable[[Manifest], bool]) -> BuildResult | None:
    """The build published at `out` if its manifest is the `same` and it is complete."""
    build_dir = publish.published_build(out)
    if build_dir is None:
        return None
    folder = BuildFolder(build_dir)
    manifest = folder.read_manifest()
    if manifest is None or not same(manifest) or not folder.complete(manifest):
        return None
    return BuildResult(out.name, out, build_dir, manifest, cached=True)


def _build_into(
    staging: Path,
    params: Parameters,
    injected: dict[str, object],
    handed: list[Dataset],
    formats: tuple[str, ...],
    notebook: Path,
    say: Progress,
    timings: dict,
    failed_copy: Path,
    limits: _Limits,
) -> Manifest:
    """Write every output of one build into `staging`; return the manifest (sans hashes).

    `params` are the checked values the notebook will end up with; `injected` the ones
    papermill writes into it (the caller's). The dataset is taken out of `handed` and
    let go once the state table and the digest are made (the kernel loads its own)."""

    folder = BuildFolder(staging)
    digest: list[Digest] = []  # the second thread's, handed over
    dataset = handed.pop()
    dataset_id, dataset_path, dataset_files = dataset.id, str(dataset.path), dataset.files

    def alongside_kernel() -> None:
        nonlocal dataset
        _write_record(folder, params, dataset)
        from briefings.report.digest import build_digest

        digest.append(build_digest(params, dataset))
        dataset = None  # its last reference: 100,000 events are 100 MB in this process
        from briefings.report import render

        render.warm_up(pdf="pdf" in formats)
        _release_memory()

    mark = time.perf_counter()
    from briefings.build.kernels.pool import started_early

    # The kernel starts while this process loads papermill's Jupyter stack (and IPython,
    # which the digest needs), loaded first in this thread so that the two threads below
    # never import the same modules at the same time.
    with started_early(notebook.parent):
        import IPython.display  # noqa: F401
        import papermill  # noqa: F401

        with _in_background(alongside_kernel):
            executed = execute_notebook(
                notebook,
                injected,
                folder.executed_notebook,
                say,
                failed_copy,
                cell_timeout=limits.cell,
            )
    timings["execute"] = time.perf_counter() - mark
    _check_output_sizes(executed, notebook)
    try:
        with _time_limit(limits.render):
            _render(executed, folder, params, formats, say, timings)
    except _TimeUp:
        raise BuildError(
            f"{notebook}: rendering the briefing took longer than {limits.render} s "
            "(BRIEFINGS_RENDER_TIMEOUT) and was stopped; the published briefing is unchanged",
            ename="RenderTimeout",
        ) from None

    outputs = sorted(p for p in staging.rglob("*") if p.is_file() and p.name != publish.MARKER)
    return Manifest(
        briefing=staging.parent.name,
        parameters=params.as_dict(),
        formats=formats,
        dataset=DatasetRecord(dataset_id, dataset_path, files_hash(dataset_files)),
        versions=library_versions(),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        timings={k: round(v, 3) for k, v in timings.items()},
        outputs={str(p.relative_to(staging)): _sha256(p) for p in outputs},
        digest=digest[0],
    )


def _render(
    executed, folder: BuildFolder, params: Parameters, formats: tuple[str, ...], say, timings: dict
) -> None:
    """The chart file, the HTML and the PDF of an executed notebook, into `folder`."""
    from briefings.report.render import html_to_pdf, notebook_to_html

    mark = time.perf_counter()
    folder.chart.write_text(chart_svg(executed), encoding="utf-8")
    say("rendering HTML")
    html = notebook_to_html(executed, title=params.title, marking=params.marking)
    if "html" in formats:
        folder.briefing("html").write_text(html, encoding="utf-8")
    timings["html"] = time.perf_counter() - mark
    if "pdf" in formats:
        say("rendering PDF")
        mark = time.perf_counter()
        folder.briefing("pdf").write_bytes(html_to_pdf(html))
        timings["pdf"] = time.perf_counter() - mark


def _check_output_sizes(executed, notebook: Path) -> None:
    """Refuse a cell whose outputs would swamp the briefing (a cell printing 50 MB would
    keep the PDF renderer busy for an hour); BuildError naming the cell."""
    from briefings.report.render import shown_output_sizes

    for index, text, images in shown_output_sizes(executed):
        for size, limit, what in (
            (text, MAX_CELL_TEXT, "text"),
            (images, MAX_CELL_IMAGES, "images and charts"),
        ):
            if size > limit:
                cell = _source_index(index, _injected_index(executed)) + 1
                raise BuildError(
                    f"{notebook}: cell {cell} puts {size:,} characters of {what} into the "
                    f"briefing; the limit is {limit:,} per cell (show less, or tag the cell "
                    "remove-output); the published briefing is unchanged",
                    cell_index=cell - 1,
                    ename="OutputTooLarge",
                )


class _TimeUp(BaseException):
    """The render stage ran out of time (BaseException: no `except Exception` keeps it)."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise _TimeUp in the body after `seconds`, and again every half second until it
    leaves the body (a library that swallows it once does not stop the clock).

    A timer signal reaches only the main thread: elsewhere the body runs unlimited.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signal, _frame) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        raise _TimeUp

    # A _TimeUp raised inside a finalizer or weakref callback is swallowed there, and
    # Python would print it as "Exception ignored in …" with a traceback: the next one
    # stops the body, so that one is dropped silently.
    def unraisable(report) -> None:
        if not isinstance(report.exc_value, _TimeUp):
            previous_hook(report)

    previous_hook, sys.unraisablehook = sys.unraisablehook, unraisable
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.unraisablehook = previous_hook


def _write_record(folder: BuildFolder, params: Parameters, dataset: Dataset) -> None:
    """The state table and a copy of the dataset files, beside the briefing."""
    from briefings.data.states import compute_states, states_to_csv

    folder.write_record(states_to_csv(compute_states(dataset, params)), dataset.files)


def _release_memory() -> None:
    """Collect garbage and hand freed heap memory back to the system, which glibc's
    allocator otherwise keeps for this process (a third of a large dataset's frames)."""
    gc.collect()
    with suppress(OSError, AttributeError):  # not glibc: nothing to hand back
        ctypes.CDLL(None).malloc_trim(0)


@contextmanager
def _in_background(job: Callable[[], None]) -> Iterator[None]:
    """Run `job` on a second thread while the body runs; wait for it, re-raise its error.

    The body here waits on the kernel, a separate process, so on two cores the job
    costs no wall time.
    """
    errors: list[BaseException] = []

    def run() -> None:
        try:
            job()
        except BaseException as error:  # handed to the main thread below
            errors.append(error)

    thread = threading.Thread(target=run, name="briefings-alongside-kernel", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
    if errors:
        raise errors[0]


def execute_notebook(
    notebook: Path,
    parameters: dict[str, object],
    output: Path,
    say: Progress,
    failed_copy: Path,
    *,
    cell_timeout: float,
):
    """Run the notebook with papermill, injecting `parameters`; return the executed notebook.

    On a failing cell, or a cell that stops the notebook early (`sys.exit(0)`, which
    papermill counts as a clean end), raise BuildError naming the cell, and keep the
    executed notebook at `failed_copy` for debugging.
    """
    import nbformat
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from briefings.build.kernels.engine import STARTED_KERNEL_ENGINE
    from briefings.build.kernels.pool import take_kernel
    from briefings.build.settled import without_run_times

    running = {"cell": 0, "finished": None, "quit": None}
    position, total = _injected_cell(notebook)
    injected = position if parameters else None  # papermill injects no cell for none

    def on_cell_start(cell, cell_index: int) -> None:
        running["cell"] = cell_index
        if cell.cell_type == "code" and cell_index != injected:
            say(f"executing cell {_source_index(cell_index, injected) + 1} of {total}")

    def on_cell_executed(cell, cell_index: int, execute_reply) -> None:
        if cell_index != injected:
            running["finished"] = cell_index
        # `exit()` or `quit()` in a cell: the kernel replies, then shuts down.
        payload = execute_reply.get("content", {}).get("payload") or []
        if any(p.get("source") == "ask_exit" for p in payload if isinstance(p, dict)):
            running["quit"] = running["quit"] if running["quit"] is not None else cell_index

    # Papermill logs each failure too; the BuildError below says it once, in one line.
    logging.getLogger("papermill").addHandler(logging.NullHandler())
    say(f"executing {notebook.name}")
    kernel = take_kernel(notebook.parent)
    try:
        try:
            executed = papermill.execute_notebook(
                str(notebook),
                str(output),
                parameters=parameters,
                engine_name=STARTED_KERNEL_ENGINE,
                kernel_name=kernel.name,
                km=kernel.manager,
                progress_bar=False,
                request_save_on_cell_execute=False,
                cwd=str(notebook.parent),
                execution_timeout=cell_timeout,
                on_cell_start=on_cell_start,
                on_cell_executed=on_cell_executed,
            )
        except PapermillExecutionError as error:
            cell, ename = error.cell_index, error.ename
            what = f"(In [{error.exec_count}]) failed: {ename}: " + (
                error.evalue.splitlines()[0] if error.evalue else ""
            )
        except CellTimeoutError:
            cell, ename = running["cell"], "CellTimeoutError"
            what = f"timed out after {cell_timeout} s (BRIEFINGS_CELL_TIMEOUT) and was stopped"
        except DeadKernelError:
            cell, ename = running["cell"], "DeadKernelError"
            what = "stopped: the kernel died while running it or just before"
            if running["quit"] is not None:
                cell, ename = running["quit"], "EarlyStop"
                what = (
                    "stopped the notebook early (it ended the kernel), so later cells did not run"
                )
            elif running["finished"] is not None:
                last = _source_index(running["finished"], injected) + 1
                what += f" (the last cell to finish was cell {last})"
        else:
            stopped = _stopped_early(executed, injected)
            if stopped is None:
                without_run_times(executed)
                write_atomic(output, nbformat.writes(executed).encode("utf-8"))
                return executed
            cell, ename, what = stopped
    finally:
        kernel.shutdown()
    if output.is_file():
        write_atomic(failed_copy, output.read_bytes())
    cell = _source_index(cell, injected)
    kept = (
        f"the executed notebook is kept in {failed_copy}"
        if output.is_file()
        else ("no executed notebook was saved")
    )
    raise BuildError(
        f"{notebook}: cell {cell + 1} {what} – {kept}; the published briefing is unchanged",
        cell_index=cell,
        ename=ename,
        notebook=str(failed_copy) if output.is_file() else None,
    )


def _stopped_early(executed, injected: int | None) -> tuple[int, str, str] | None:
    """(cell, ename, what) of the cell after which the rest did not run; None if all ran.

    A briefing is complete only if every cell ran: papermill marks each cell it started
    and finished, and leaves the rest `pending`.
    """
    statuses = [c.get("metadata", {}).get("papermill", {}).get("status") for c in executed.cells]
    first = next((i for i, status in enumerate(statuses) if status != "completed"), None)
    if first is None:
        return None
    errors = [o for o in executed.cells[first].get("outputs", []) if o.output_type == "error"]
    stopper = statuses[first] == "failed" and errors
    left = sum(1 for c in executed.cells[first + bool(stopper) :] if c.cell_type == "code")
    rest = f"{left} later code cell{'s' if left != 1 else ''} did not run"
    if stopper:
        ename = errors[0].get("ename", "")
        evalue = (errors[0].get("evalue") or "").splitlines()
        what = f"{ename}: {evalue[0]}" if evalue else ename
        return first, ename, f"stopped the notebook early ({what}), so {rest}"
    ran = [i for i in range(first) if executed.cells[i].cell_type == "code" and i != injected]
    last = ran[-1] if ran else first
    return last, "EarlyStop", f"ended the kernel early, so {rest}"


def _injected_cell(notebook: Path) -> tuple[int, int]:
    """Where papermill puts its injected-parameters cell in the executed copy (right after
    the cell tagged `parameters`, else first), and how many cells the notebook has."""
    from briefings.build.hygiene import read_notebook

    cells = read_notebook(notebook).cells
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])]
    return (tagged[0] + 1 if tagged else 0), len(cells)


def _injected_index(executed) -> int | None:
    """Where papermill put its injected-parameters cell in an executed notebook, if it did."""
    tags = [c.get("metadata", {}).get("tags", []) for c in executed.cells]
    return next((i for i, t in enumerate(tags) if "injected-parameters" in t), None)


def _source_index(executed_index: int, injected: int | None) -> int:
    """The index in the notebook the analyst edits of a cell of the executed copy."""
    return (
        executed_index - 1 if injected is not None and executed_index > injected else executed_index
    )


def chart_svg(executed) -> str:
    """The SVG output of the cell tagged `chart`."""
    for cell in executed.cells:
        if CHART_TAG in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                svg = output.get("data", {}).get("image/svg+xml")
                if svg:
                    return svg if isinstance(svg, str) else "".join(svg)
    raise BuildError(
        f"the notebook has no cell tagged '{CHART_TAG}' with an SVG output; "
        f"tag the chart cell so the build can save {CHART}"
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
