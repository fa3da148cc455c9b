"""From the executed notebook to the briefing's files: the chart file, the HTML and the PDF.

They are made in the build process from the executed notebook, so nothing the kernel
computed is computed twice. What a cell may put into the briefing is bounded first, and
rendering runs within a time limit: either, exceeded, fails the build in one line.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from briefings.build.execute import injected_index, source_index
from briefings.build.folder import CHART, BuildFolder
from briefings.build.timelimit import TimeUp, time_limit
from briefings.data.params import PARAMETERS_SHOWN
from briefings.exceptions import BuildError, quoted

if TYPE_CHECKING:
    from nbformat import NotebookNode

    from briefings.data.params import Parameters

CHART_TAG = "chart"
# What one cell may put into the briefing: the text of a few hundred pages, and images and
# charts several times the size of the chart of 10,000 intervals (2 MB of SVG).
MAX_CELL_TEXT = 1_000_000
MAX_CELL_IMAGES = 16_000_000


def render_outputs(
    executed: NotebookNode,
    folder: BuildFolder,
    params: Parameters,
    formats: tuple[str, ...],
    *,
    notebook: Path,
    seconds: float,
    say: Callable[[str], None],
    timings: dict[str, float],
) -> None:
    """Write the chart file and the briefing in `formats` into `folder`, within `seconds`
    (BRIEFINGS_RENDER_TIMEOUT); BuildError naming `notebook` when the briefing was not made
    with `params`, a cell puts too much into it or rendering runs out of time."""
    check_made_as_asked(executed, params, notebook)
    check_output_sizes(executed, notebook)
    try:
        with time_limit(seconds):
            _render(executed, folder, params, formats, notebook, say, timings)
    except TimeUp:
        raise BuildError(
            f"{notebook}: rendering the briefing took longer than {seconds} s "
            "(BRIEFINGS_RENDER_TIMEOUT) and was stopped; the published briefing is unchanged",
            ename="RenderTimeout",
        ) from None


def _render(
    executed, folder: BuildFolder, params, formats, notebook: Path, say, timings: dict
) -> None:
    """The chart file, the HTML and the PDF of an executed notebook, into `folder`: the HTML
    through nbconvert, the PDF typeset by Typst with `folder` as its root. What the PDF
    leaves out (an output with no Typst form, raw HTML in markdown) is said as a warning."""
    mark = time.perf_counter()
    folder.chart.write_text(chart_svg(executed), encoding="utf-8")
    if "html" in formats:
        from briefings.report.render import notebook_to_html

        say("rendering HTML")
        html = notebook_to_html(executed, title=params.title, marking=params.marking)
        folder.briefing("html").write_text(html, encoding="utf-8")
    timings["html"] = time.perf_counter() - mark
    if "pdf" in formats:
        from briefings.report.typeset import notebook_to_pdf

        say("typesetting PDF")
        mark = time.perf_counter()
        typeset = notebook_to_pdf(
            executed,
            title=params.title,
            marking=params.marking,
            root=folder.path,
            built=params.build_date,
            notebook_dir=notebook.parent,
        )
        folder.briefing("pdf").write_bytes(typeset.pdf)
        timings["pdf"] = time.perf_counter() - mark
        for warning in typeset.warnings:
            say(f"warning: {warning}")


def check_made_as_asked(executed: NotebookNode, params: Parameters, notebook: Path) -> None:
    """Refuse a briefing made with other parameters than the build asked for, as the
    notebook shows them (report.notebook.Briefing.prepare); BuildError naming the first
    that differs. The outputs that show them are taken out of the notebook, which the
    briefing is rendered from.

    Papermill only injects the asked-for values after the cell tagged `parameters`; a
    later cell that sets them back (or no call of Briefing.prepare) would publish, under
    the asked-for name, a briefing of other dates or sources than its manifest says.
    """
    asked = params.as_dict()
    shown = []
    for cell in executed.cells:
        outputs = cell.get("outputs", [])
        shown += [
            o["data"][PARAMETERS_SHOWN] for o in outputs if PARAMETERS_SHOWN in o.get("data", {})
        ]
        cell["outputs"] = [o for o in outputs if PARAMETERS_SHOWN not in o.get("data", {})]
    if not shown:
        raise BuildError(
            f"{notebook}: no cell showed the parameters the briefing is made with (the "
            "notebook must make it with Briefing.prepare), so the build cannot check them; "
            "the published briefing is unchanged",
            ename="ParametersUnchecked",
        )
    for made in shown:
        wrong = [name for name in asked if made.get(name) != asked[name]]
        if wrong:
            name = wrong[0]
            raise BuildError(
                f"{notebook}: the briefing was made with {name} = {quoted(made.get(name))}, "
                f"but the build asked for {quoted(asked[name])}: a cell after the "
                "parameters cell changed it; the published briefing is unchanged",
                ename="ParametersChanged",
            )


def check_output_sizes(executed: NotebookNode, notebook: Path) -> None:
    """Refuse a cell whose outputs would swamp the briefing (a cell printing 50 MB would
    keep the PDF renderer busy for an hour); BuildError naming the cell."""
    from briefings.report.render import shown_output_sizes

    for index, text, images in shown_output_sizes(executed):
        for size, limit, what in (
            (text, MAX_CELL_TEXT, "text"),
            (images, MAX_CELL_IMAGES, "images and charts"),
        ):
            if size > limit:
                cell = source_index(index, injected_index(executed)) + 1
                raise BuildError(
                    f"{notebook}: cell {cell} puts {size:,} characters of {what} into the "
                    f"briefing; the limit is {limit:,} per cell (show less, or tag the cell "
                    "remove-output); the published briefing is unchanged",
                    cell_index=cell - 1,
                    ename="OutputTooLarge",
                )


def chart_svg(executed: NotebookNode) -> str:
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
