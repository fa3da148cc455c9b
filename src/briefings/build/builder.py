"""Building one briefing: check, execute the notebook, render, publish.

The raw parameters are checked once, at the door, into a `RequestedParameters` (the
notebook's own values with the caller's over them), before any kernel starts; the
request cache, the dataset, the inputs hash and the cell papermill injects all come
from that record. The notebook is executed with papermill (execute.py); everything after
the kernel (HTML, PDF, chart file, state table, manifest) happens in this process from
the executed notebook (outputs.py), so nothing is computed twice. While the kernel runs,
a second thread writes the state table and primes the renderers, which the build would
otherwise wait for afterwards. Output goes to a staging folder and is published
atomically.

A rebuild with unchanged inputs is answered from the published manifest before
pandas, papermill or the renderers are imported (see fingerprint.request_hash).
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from briefings import settings
from briefings.build import publish
from briefings.build.fingerprint import inputs_hash, library_versions, request_hash
from briefings.build.folder import FORMATS, BuildFolder, DatasetRecord, Digest, Manifest
from briefings.data.params import Origin, Parameters, RequestedParameters, request_parameters
from briefings.exceptions import OutputError, ProblemsError
from briefings.paths import DATASET_FILE, briefing_notebook, reports_dir

if TYPE_CHECKING:  # imports pandas, which a cache hit never needs
    from briefings.data.dataset import Dataset

PREVIEW_SUFFIX = ".preview"
# The longest default folder name (the dataset id, at most 100, and the parameters that
# set it apart), leaving room for PREVIEW_SUFFIX within publish.MAX_NAME.
MAX_SLUG = 150
UNCHANGED = "inputs unchanged since the published build: nothing to do"

Progress = Callable[[str], None]


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


@dataclass
class _Job:
    """One build past its door: every input checked, what each stage below reads."""

    notebook: Path
    params: Parameters  # resolved: the values the briefing is made with
    injected: dict[str, object]  # what papermill writes into the notebook
    formats: tuple[str, ...]
    failed_copy: Path  # where a failed build's executed notebook is kept
    say: Progress
    cell_timeout: float  # seconds (settings.CELL_TIMEOUT)
    render_timeout: float  # seconds (settings.RENDER_TIMEOUT)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


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
    """The parts as one folder name; one longer than MAX_SLUG (many tracks) is cut, and
    ends with a hash of the whole so two different requests never share a folder."""
    slug = re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")
    if len(slug) <= MAX_SLUG:
        return slug
    whole = hashlib.sha256(slug.encode()).hexdigest()[:8]
    return f"{slug[: MAX_SLUG - 9].rstrip('-')}-{whole}"


def build_briefing(
    raw_params: Mapping[str, object],
    *,
    formats: tuple[str, ...] = FORMATS,
    out: Path | None = None,
    keep: int | None = None,
    force: bool = False,
    notebook: Path | None = None,
    progress: Progress | None = None,
    origin: Origin = "",
    preview: bool = False,
) -> BuildResult:
    """Build a briefing and publish it at `out` (default reports/<slug>).

    Papermill's model: the notebook's parameters cell holds the defaults and only the
    parameters in `raw_params` are injected; all of them are checked before a kernel starts.
    A `preview` goes to reports/<slug>.preview, keeping only itself, so it never replaces
    the published briefing. The history at `out` is pruned to `keep` builds, which becomes
    its rule; without `keep`, to the rule it has (a schedule's), else to the default.
    Raises ParameterError, DatasetError or ConfigError (a malformed setting) before any
    work, OutputError before any work when `out` is not the tool's to replace (see
    publish.check_out) or cannot be written, BuildError when a cell fails (the executed
    notebook is kept beside `out` as `<slug>.failed.ipynb`). The published briefing is
    only replaced by a complete new one. With unchanged inputs nothing is rebuilt (unless
    `force`). The notebook is the project's unless given.
    """
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    notebook = notebook or briefing_notebook()
    timeouts = settings.CELL_TIMEOUT.read(), settings.RENDER_TIMEOUT.read()  # bad: stop here
    request = request_parameters(raw_params, origin=origin, notebook=notebook)
    if not force and (done := _published_request(request, formats, out, notebook, preview)):
        say(UNCHANGED)
        return done
    params, dataset = request.load()
    if out is None:
        out = default_out(default_slug(params, dataset), preview=preview)
    out = Path(out)
    publish.check_out(out, formats)
    hashes = {
        "inputs_hash": inputs_hash(params, dataset, formats, notebook),
        "request_hash": request_hash(request, formats, notebook, out),
    }
    if not force and (done := published_result(out, hashes["inputs_hash"])):
        say(UNCHANGED)
        return done
    from briefings.build.hygiene import read_notebook

    read_notebook(notebook)  # a notebook of the wrong shape is one line, before any work
    failed_copy = publish.failed_notebook(out)
    job = _Job(notebook, params, request.injected(), formats, failed_copy, say, *timeouts)
    job.timings["check"] = time.perf_counter() - started
    # Handed over, not kept: _build_into lets the dataset go once the work beside the
    # kernel is done, so its frames are not held while the kernel and the PDF need memory.
    handed = [dataset]
    del dataset
    keeps = (keep, 1 if preview else publish.DEFAULT_KEEP)
    return _build_and_publish(job, handed, out, keeps, hashes, started)


def _published_request(
    request: RequestedParameters,
    formats: tuple[str, ...],
    out: Path | None,
    notebook: Path,
    preview: bool,
) -> BuildResult | None:
    """The published build made from this very request, found without loading the dataset.

    Without `out`, the default folder is known this early only when no parameter that
    names it is set (the slug is then the dataset's id); otherwise the full check decides.
    """
    params = request.params
    if out is None:
        naming = (params.start, params.end, params.as_of, params.tracks)
        if naming != (None, None, None, None) or params.min_reliability != "F":
            return None
        dataset_id = _dataset_id(params.data_dir)
        if dataset_id is None:
            return None
        out = default_out(_slug([dataset_id]), preview=preview)
    asked = request_hash(request, formats, notebook, Path(out))
    if asked is None:
        return None
    return _published(Path(out), lambda manifest: manifest.request_hash == asked)


def _dataset_id(data_dir: Path) -> str | None:
    """The id in the folder's dataset.yaml, read without validating it; None if unreadable."""
    from briefings.inputs.yamlfile import read_yaml_file

    try:
        _, meta = read_yaml_file(data_dir / DATASET_FILE)
    except ProblemsError:
        return None
    dataset_id = meta.get("id") if isinstance(meta, dict) else None
    return dataset_id if isinstance(dataset_id, str) else None


def published_result(out: Path, inputs: str) -> BuildResult | None:
    """The build published at `out` if it is complete and was made from the inputs whose
    hash is `inputs` (fingerprint.inputs_hash): what a build of them answers at once."""
    return _published(out, lambda manifest: manifest.inputs_hash == inputs)


def _published(out: Path, same: Callable[[Manifest], bool]) -> BuildResult | None:
    """The build published at `out` if its manifest is the `same` and it is complete."""
    build_dir = publish.published_build(out)
    if build_dir is None:
        return None
    folder = BuildFolder(build_dir)
    manifest = folder.read_manifest()
    if manifest is None or not same(manifest) or not folder.complete(manifest):
        return None
    return BuildResult(out.name, out, build_dir, manifest, cached=True)


def _build_and_publish(
    job: _Job,
    handed: list[Dataset],
    out: Path,
    keeps: tuple[int | None, int],
    hashes: Mapping[str, str | None],
    started: float,
) -> BuildResult:
    """Build into a staging folder beside `out` and publish it there. Whatever stops the
    build removes the staging folder and leaves the published briefing as it was."""
    staging = publish.new_staging(out)
    try:
        manifest = _build_into(staging, job, handed)
        total = round(time.perf_counter() - started, 3)
        manifest = replace(manifest, **hashes, timings={**manifest.timings, "total": total})
        BuildFolder(staging).write_manifest(manifest)
        job.say("publishing")
        keep, default_keep = keeps
        build_dir = publish.publish(staging, out, keep=keep, default_keep=default_keep)
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


def _build_into(staging: Path, job: _Job, handed: list[Dataset]) -> Manifest:
    """Write every output of one build into `staging`; return its manifest (without the
    hashes and the total time). The dataset is taken out of `handed` and let go once the
    state table and the digest are made (the kernel loads its own)."""
    folder = BuildFolder(staging)
    digest: list[Digest] = []  # the second thread's, handed over
    dataset = handed.pop()
    record = DatasetRecord(dataset.id, str(dataset.path), dataset.content_hash())

    def alongside_kernel() -> None:
        nonlocal dataset
        _write_record(folder, job.params, dataset)
        from briefings.report.digest import build_digest

        digest.append(build_digest(job.params, dataset))
        dataset = None  # its last reference: 100,000 events are 100 MB in this process
        from briefings.report import render

        render.warm_up(pdf="pdf" in job.formats)
        _release_memory()

    mark = time.perf_counter()
    from briefings.build.kernels.pool import started_early

    # The kernel starts while this process loads papermill's Jupyter stack (and IPython,
    # which the digest needs), loaded first in this thread so that the two threads below
    # never import the same modules at the same time.
    with started_early(job.notebook.parent):
        import IPython.display  # noqa: F401

        from briefings.build.execute import execute_notebook
        from briefings.build.outputs import render_outputs

        with _in_background(alongside_kernel):
            executed = execute_notebook(
                job.notebook,
                job.injected,
                folder.executed_notebook,
                job.say,
                job.failed_copy,
                cell_timeout=job.cell_timeout,
            )
    job.timings["execute"] = time.perf_counter() - mark
    render_outputs(
        executed,
        folder,
        job.params,
        job.formats,
        notebook=job.notebook,
        seconds=job.render_timeout,
        say=job.say,
        timings=job.timings,
    )
    return _manifest(staging, job, record, digest[0])


def _manifest(staging: Path, job: _Job, dataset: DatasetRecord, digest: Digest) -> Manifest:
    """What manifest.json records of the build in `staging`."""
    outputs = sorted(p for p in staging.rglob("*") if p.is_file() and p.name != publish.MARKER)
    return Manifest(
        briefing=staging.parent.name,
        parameters=job.params.as_dict(),
        formats=job.formats,
        dataset=dataset,
        versions=library_versions(),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        timings={k: round(v, 3) for k, v in job.timings.items()},
        outputs={str(p.relative_to(staging)): _sha256(p) for p in outputs},
        digest=digest,
    )


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


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
