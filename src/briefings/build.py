"""Building one briefing: check, execute the notebook, render, publish.

Parameters are checked before any kernel starts. The notebook is executed with
papermill; everything after the kernel (HTML, PDF, chart file, state table,
manifest) happens in this process from the executed notebook, so nothing is
computed twice. Output goes to a staging folder and is published atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from . import publish
from .dataset import Dataset
from .exceptions import BuildError
from .fingerprint import dataset_hash, inputs_hash
from .params import Parameters, prepare
from .paths import BRIEFING_NOTEBOOK, REPORTS_DIR
from .states import compute_states, states_to_csv

FORMATS = ("html", "pdf")
CHART_TAG = "chart"
# A cell that runs longer than this is stuck (the whole briefing takes seconds).
CELL_TIMEOUT = int(os.environ.get("BRIEFINGS_CELL_TIMEOUT", "300"))
_VERSIONED = ("papermill", "nbconvert", "nbclient", "weasyprint", "matplotlib", "pandas")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    """Where a briefing was published and what its manifest says."""

    slug: str
    out_dir: Path
    build_dir: Path
    manifest: dict
    cached: bool

    def files(self) -> list[Path]:
        """The published output files, in a fixed order."""
        return [self.out_dir / name for name in sorted(self.manifest["outputs"])]


def default_slug(params: Parameters, dataset: Dataset) -> str:
    """The output folder name: the dataset id, plus the window and as-of when not default."""
    parts = [dataset.id]
    if (params.start, params.end) != dataset.window:
        parts.append(f"{params.start}-to-{params.end}")
    if params.as_of is not None:
        parts.append(f"as-of-{params.as_of}")
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")


def build_briefing(
    raw_params: Mapping[str, object],
    *,
    formats: tuple[str, ...] = FORMATS,
    out: Path | None = None,
    keep: int = 5,
    force: bool = False,
    notebook: Path = BRIEFING_NOTEBOOK,
    progress: Progress | None = None,
    origin: str = "parameter",
) -> BuildResult:
    """Build a briefing and publish it at `out` (default reports/<slug>).

    Raises ParameterError or DatasetError before any work, BuildError when a cell fails
    (the executed notebook is kept beside `out` as `<slug>.failed.ipynb`), OutputError
    when the output folder cannot be written. The published briefing is only replaced
    by a complete new one. With unchanged inputs nothing is rebuilt (unless `force`).
    """
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    params, dataset = prepare(raw_params, origin=origin)
    out = Path(out) if out is not None else REPORTS_DIR / default_slug(params, dataset)
    fingerprint = inputs_hash(params, dataset, formats, notebook)
    if not force:
        cached = _cached_result(out, fingerprint)
        if cached is not None:
            say("inputs unchanged since the published build: nothing to do")
            return cached
    timings = {"check": time.perf_counter() - started}
    staging = publish.new_staging(out)
    try:
        manifest = _build_into(
            staging,
            params,
            dataset,
            formats,
            notebook,
            say,
            timings,
            failed_copy=out.with_name(f"{out.name}.failed.ipynb"),
        )
        manifest["inputs_hash"] = fingerprint
        manifest["timings"]["total"] = round(time.perf_counter() - started, 3)
        _write_json(staging / "manifest.json", manifest)
        say("publishing")
        build_dir = publish.publish(staging, out, keep=keep)
    except BaseException:
        publish.discard(staging)
        raise
    return BuildResult(out.name, out, build_dir, manifest, cached=False)


def _cached_result(out: Path, fingerprint: str) -> BuildResult | None:
    build_dir = publish.published_build(out)
    if build_dir is None or not (build_dir / "manifest.json").is_file():
        return None
    try:
        manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    complete = all((build_dir / name).is_file() for name in manifest.get("outputs", {}))
    if manifest.get("inputs_hash") != fingerprint or not complete:
        return None
    return BuildResult(out.name, out, build_dir, manifest, cached=True)


def _build_into(
    staging: Path,
    params: Parameters,
    dataset: Dataset,
    formats: tuple[str, ...],
    notebook: Path,
    say: Progress,
    timings: dict,
    failed_copy: Path,
) -> dict:
    """Write every output of one build into `staging`; return the manifest (sans hash)."""
    from .render import html_to_pdf, notebook_to_html

    mark = time.perf_counter()
    executed = execute_notebook(notebook, params, staging / "briefing.ipynb", say, failed_copy)
    timings["execute"] = time.perf_counter() - mark

    mark = time.perf_counter()
    (staging / "timeline.svg").write_text(chart_svg(executed), encoding="utf-8")
    (staging / "states.csv").write_text(
        states_to_csv(compute_states(dataset, params)), encoding="utf-8"
    )
    snapshot = staging / "dataset"
    snapshot.mkdir()
    for path in dataset.files:
        shutil.copyfile(path, snapshot / path.name)
    say("rendering HTML")
    html = notebook_to_html(executed, title=params.title, marking=params.marking)
    if "html" in formats:
        (staging / "briefing.html").write_text(html, encoding="utf-8")
    timings["html"] = time.perf_counter() - mark
    if "pdf" in formats:
        say("rendering PDF")
        mark = time.perf_counter()
        (staging / "briefing.pdf").write_bytes(html_to_pdf(html))
        timings["pdf"] = time.perf_counter() - mark

    outputs = sorted(p for p in staging.rglob("*") if p.is_file())
    return {
        "briefing": staging.parent.name,
        "parameters": params.as_dict(),
        "formats": list(formats),
        "dataset": {"id": dataset.id, "path": str(dataset.path), "hash": dataset_hash(dataset)},
        "versions": {
            "python": platform.python_version(),
            "briefings": version("briefings"),
            **{name: version(name) for name in _VERSIONED},
        },
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "outputs": {str(p.relative_to(staging)): _sha256(p) for p in outputs},
    }


def execute_notebook(
    notebook: Path, params: Parameters, output: Path, say: Progress, failed_copy: Path
):
    """Run the notebook with papermill; return the executed notebook.

    On a failing cell raise BuildError naming the cell, and keep the executed
    notebook at `failed_copy` for debugging.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config


    def on_cell_start(cell, cell_index: int) -> None:
        if cell.cell_type == "code":
            say(f"executing cell {cell_index + 1}")

    say(f"executing {notebook.name}")
    try:
        return papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=params.as_dict(),
            kernel_name=_kernel_name(),
            progress_bar=False,
            request_save_on_cell_execute=False,
            cwd=str(notebook.parent),
            execution_timeout=CELL_TIMEOUT,
            # Unix sockets, readable by this user only, rather than TCP on localhost.
            config=Config({"KernelManager": {"transport": "ipc"}}),
            on_cell_start=on_cell_start,
        )
    except PapermillExecutionError as error:
        if output.is_file():
            shutil.copyfile(output, failed_copy)
        raise BuildError(
            f"{notebook}: cell {error.cell_index + 1} (In [{error.exec_count}]) failed: "
            f"{error.ename}: {error.evalue.splitlines()[0] if error.evalue else ''} – the "
            f"executed notebook is kept in {failed_copy}; the published briefing is unchanged",
            cell_index=error.cell_index,
            ename=error.ename,
            notebook=str(failed_copy),
        ) from None


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
        "tag the chart cell so the build can save timeline.svg"
    )


def _kernel_name() -> str:
    """The in-venv `briefings` kernel when registered (make does), else this Python's."""
    from jupyter_client.kernelspec import KernelSpecManager

    return "briefings" if "briefings" in KernelSpecManager().find_kernel_specs() else "python3"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
